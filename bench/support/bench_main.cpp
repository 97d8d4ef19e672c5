// The main of every bench_*: Google Benchmark's, with two additions. The process becomes a child
// subreaper first, so that listeners orphaned by a killed controller come back to us and RunGuard can
// reap them. And the exit code is 1 when any benchmark failed (SkipWithError), which Google Benchmark
// itself does not report, so that ci/bench-smoke notices a broken benchmark.
#include <benchmark/benchmark.h>
#include <cstdio>
#include <sys/prctl.h>

namespace {

class FailureCountingReporter final : public benchmark::ConsoleReporter {
 public:
  FailureCountingReporter() : ConsoleReporter(OO_None) {}
  void ReportRuns(const std::vector<Run>& reports) override {
    for (const auto& run : reports) {
      if (run.error_occurred) ++failures_;
    }
    ConsoleReporter::ReportRuns(reports);
  }
  [[nodiscard]] int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  FailureCountingReporter reporter;
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (reporter.failures() > 0) {
    std::fprintf(stderr, "%d benchmark(s) failed\n", reporter.failures());
    return 1;
  }
  return ran > 0 ? 0 : 1;
}
