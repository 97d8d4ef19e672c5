#include "sweep.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "runner.hpp"

namespace tether::sim {

std::map<std::string, std::uint64_t> SweepSummary::violations_by_invariant() const {
  std::map<std::string, std::uint64_t> counts;
  for (const SweepFailure& failure : failures) ++counts[failure.violation.invariant];
  return counts;
}

std::vector<std::string> missing_situations(const SimConfig& config, std::uint64_t seeds_run, const Coverage& coverage,
                                            std::uint64_t coverage_seeds_min) {
  std::vector<std::string> missing;
  if (config.protocol != Protocol::tether || config.mutant != Mutant::none || config.defences_off != 0 ||
      config.explore || seeds_run < coverage_seeds_min) {
    return missing;
  }
  for (std::size_t i = 0; i < situation_count; ++i) {
    if (coverage[i] == 0) missing.emplace_back(situation_name(static_cast<Situation>(i)));
  }
  return missing;
}

Scenario scenario_for_seed(const SimConfig& config, std::uint64_t seed) {
  Trace trace;
  RunOutput output = run_seed(config, seed, trace);
  Scenario scenario;
  scenario.config = config;
  scenario.seed = seed;
  scenario.decisions = std::move(output.decisions);
  scenario.violation = output.result.violation;
  return scenario;
}

namespace {
struct WorkerTotals {
  std::uint64_t seeds_run = 0;
  std::uint64_t steps = 0;
  std::uint64_t segment_ops = 0;
  std::uint64_t liveness_skipped = 0;
  Coverage coverage{};
  std::vector<SweepFailure> failures;
  std::vector<std::string> nondeterminism;
};
}  // namespace

SweepSummary run_sweep(const SweepOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto seconds_since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const unsigned jobs = std::max(1u, options.jobs);
  std::atomic<std::uint64_t> next_index{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::atomic<unsigned> finished_workers{0};
  std::mutex first_failure_mutex;
  std::optional<double> first_failure_s;
  std::vector<WorkerTotals> totals(jobs);

  auto work = [&](unsigned job) {
    WorkerTotals& mine = totals[job];
    // Bounded by the seed count: every iteration claims one index.
    for (std::uint64_t claimed = 0; claimed < options.seeds && !stop.load(); ++claimed) {
      const std::uint64_t index = next_index.fetch_add(1);
      if (index >= options.seeds) break;
      const std::uint64_t seed = options.first_seed + index;
      Trace trace;
      const RunOutput output = run_seed(options.config, seed, trace);
      ++mine.seeds_run;
      mine.steps += output.result.steps;
      mine.segment_ops += output.result.segment_ops;
      if (!output.result.liveness_checked && !output.result.violation) ++mine.liveness_skipped;
      for (std::size_t i = 0; i < situation_count; ++i) mine.coverage[i] += output.result.coverage[i];
      if (output.result.violation) {
        mine.failures.push_back({seed, *output.result.violation});
        const std::lock_guard lock(first_failure_mutex);
        if (!first_failure_s) first_failure_s = seconds_since_start();
        if (options.stop_at_first) stop = true;
      }
      if (options.determinism_every != 0 && seed % options.determinism_every == 0) {
        const DeterminismReport report = check_determinism(options.config, seed);
        if (!report.identical) {
          mine.nondeterminism.push_back(fmt::format("seed {}: runs diverge first at step {} (hashes {:#x} / {:#x})",
                                                    seed, report.first_divergent_step, report.hash_first,
                                                    report.hash_second));
        }
      }
      const std::uint64_t finished = done.fetch_add(1) + 1;
      if (jobs == 1 && options.progress && finished % 256 == 0) options.progress(finished, options.seeds);
    }
    finished_workers.fetch_add(1);
  };

  if (jobs == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (unsigned job = 0; job < jobs; ++job) threads.emplace_back(work, job);
    // The main thread only reports progress; it polls at most 5 times a second until the workers finish.
    while (finished_workers.load() < jobs) {
      if (options.progress) options.progress(done.load(), options.seeds);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (auto& thread : threads) thread.join();
  }
  if (options.progress) options.progress(done.load(), options.seeds);

  SweepSummary summary;
  summary.config = options.config;
  for (WorkerTotals& mine : totals) {
    summary.seeds_run += mine.seeds_run;
    summary.steps += mine.steps;
    summary.segment_ops += mine.segment_ops;
    summary.liveness_skipped += mine.liveness_skipped;
    for (std::size_t i = 0; i < situation_count; ++i) summary.coverage[i] += mine.coverage[i];
    summary.failures.insert(summary.failures.end(), mine.failures.begin(), mine.failures.end());
    summary.nondeterminism.insert(summary.nondeterminism.end(), mine.nondeterminism.begin(), mine.nondeterminism.end());
  }
  std::sort(summary.failures.begin(), summary.failures.end(),
            [](const SweepFailure& a, const SweepFailure& b) { return a.seed < b.seed; });
  std::sort(summary.nondeterminism.begin(), summary.nondeterminism.end());
  summary.missing_situations =
      missing_situations(options.config, summary.seeds_run, summary.coverage, options.coverage_seeds_min);
  summary.elapsed_s = seconds_since_start();
  summary.first_failure_s = first_failure_s;
  return summary;
}

}  // namespace tether::sim
