#pragma once
// Merging campaign summaries (`tether-sim merge`): the merged totals, coverage, violations and
// findings are those of one run over the union of the shards' seeds. Deterministic and independent of
// the order of the inputs. Refused (an error naming both files; the CLI exits 65): summaries of another
// tether version, summary format, protocol, mutant or configuration, of another campaign (seed range or
// shard count), or two summaries of one shard (overlap: its seeds would count twice). A shard that is
// missing, or whose process failed (a shard-failure record), is reported in the result, which is then
// incomplete, never silently left out.
#include <string>
#include <utility>
#include <vector>

#include "campaign_summary.hpp"
#include "core/result.hpp"

namespace tether::sim {

struct NamedSummary {
  std::string file;
  LoadedSummary loaded;
};

Result<CampaignSummary, std::string> merge_summaries(const std::vector<NamedSummary>& inputs);

// The indices of the campaign's shards that no input covers.
std::vector<std::uint64_t> missing_shards(const CampaignSummary& summary);

}  // namespace tether::sim
