#pragma once
// How a campaign reads: a text summary on the terminal, a Markdown report (`merge --report FILE.md`)
// and the data behind the plot (`merge --plot-data PREFIX`: PREFIX-shards.dat, PREFIX-invariants.dat,
// PREFIX-coverage.dat, whitespace-separated columns that docs/campaign/report.gnuplot draws).
#include <string>
#include <vector>

#include "campaign_summary.hpp"

namespace tether::sim {

// The findings section that `run` appends to its summary, and `merge` prints as well.
std::string findings_text(const CampaignSummary& summary, const std::vector<std::string>& files);
std::string campaign_text(const CampaignSummary& summary, const std::vector<std::string>& files);
std::string campaign_markdown(const CampaignSummary& summary);

struct PlotData {
  std::string shards;      // index first_seed seeds_run elapsed_s seeds_per_s failures ran
  std::string invariants;  // invariant failing_seeds findings
  std::string coverage;    // situation count
};
PlotData campaign_plot_data(const CampaignSummary& summary);

}  // namespace tether::sim
