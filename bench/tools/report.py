#!/usr/bin/env python3
"""Turns the Google Benchmark JSON files of one ci/bench run into bench/results/results.md (each figure
beside its baseline from the same run, the ratio, the target and whether it was met, and the machine),
the same table as summary.json for tools, and, when gnuplot is available, latency_cdf.png from the raw
samples.

Medians, not means: each latency benchmark publishes its per-repetition median (p50_us), and the
figure is the median of those over the repetitions, because a shared machine's outliers move a mean.

usage: report.py RESULTS_DIR SAMPLES_DIR
"""
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

SUFFIX = re.compile(r"^(iterations|repeats|threads|min_time):|^(manual_time|real_time)$")
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def base_name(run_name):
    return "/".join(part for part in run_name.split("/") if not SUFFIX.match(part))


def load_runs(results_dir):
    """{base name: [iteration runs, one per repetition]}, and the names of failed benchmarks."""
    runs, failed = {}, []
    for path in sorted(results_dir.glob("bench_*.json")):
        try:
            document = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            failed.append(f"{path.name}: unreadable ({error})")
            continue
        for run in document.get("benchmarks", []):
            if run.get("run_type") != "iteration":
                continue
            name = base_name(run.get("run_name", run["name"]))
            if run.get("error_occurred"):
                failed.append(f"{name}: {run.get('error_message', 'failed')}")
                continue
            runs.setdefault(name, []).append(run)
    return runs, failed


class Figures:
    def __init__(self, runs):
        self.runs = runs

    def counter(self, name, key):
        values = [run[key] for run in self.runs.get(name, []) if key in run]
        return statistics.median(values) if values else None

    def cpu_ns(self, name):
        values = [run["cpu_time"] * UNIT_NS[run.get("time_unit", "ns")] for run in self.runs.get(name, [])]
        return statistics.median(values) if values else None

    def time_ms(self, name):
        values = [run["real_time"] * UNIT_NS[run.get("time_unit", "ns")] / 1e6 for run in self.runs.get(name, [])]
        return statistics.median(values) if values else None


def fmt_value(value, unit):
    if value is None:
        return "missing"
    if unit == "ns":
        return f"{value:.1f} ns"
    if unit == "us":
        return f"{value:.1f} µs" if value < 10000 else f"{value / 1000:.2f} ms"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "kib":
        return f"{value:.0f} KiB"
    if unit == "bytes":
        return f"{value:.0f} B"
    if unit == "ops":
        return f"{value / 1e6:.2f} M/s"
    if unit == "seeds":
        return f"{value:.0f} /s"
    return f"{value}"


def verdict(ok):
    if ok is None:
        return "n/a"
    return "yes" if ok else "**no**"


def figure(name, value, unit, baseline=None, ratio=None, ratio_text="—", target="—", met=None):
    """One row of the table: numbers for summary.json, and their display for results.md."""
    return {"figure": name, "value": value, "baseline": baseline, "unit": unit, "ratio": ratio,
            "ratio_text": ratio_text, "target": target, "met": met}


def display(row):
    baseline = row["baseline"]
    return (row["figure"], fmt_value(row["value"], row["unit"]),
            "—" if baseline is None and row["ratio"] is None else fmt_value(baseline, row["unit"]),
            row["ratio_text"], row["target"], verdict(row["met"]))


def table_rows(f):
    rows = []

    def ratio_row(title, name, base, unit, value_fn, bound, target, cheaper=False):
        value, baseline = value_fn(name), value_fn(base)
        if value is None or baseline is None or value <= 0:
            rows.append(figure(title, value, unit, baseline, None, "missing", target))
        elif cheaper:
            ratio = baseline / value
            rows.append(figure(title, value, unit, baseline, ratio, f"{ratio:.0f}x cheaper", target, ratio >= bound))
        else:
            ratio = value / baseline
            rows.append(figure(title, value, unit, baseline, ratio, f"{ratio:.2f}x", target, ratio <= bound))

    p50 = lambda name: f.counter(name, "p50_us")
    ratio_row("`BM_StopCheck/tether` vs `/seed_remap` (CPU per check)", "BM_StopCheck/tether",
              "BM_StopCheck/seed_remap", "ns", f.cpu_ns, 1000, "≥ 1000x cheaper", cheaper=True)
    ratio_row("`BM_ShutdownLatency/tether` vs `/futex_floor` (p50)", "BM_ShutdownLatency/tether",
              "BM_ShutdownLatency/futex_floor", "us", p50, 2.0, "≤ 2x")
    ratio_row("`BM_ShutdownLatency/poll_1ms` vs `/tether` (p50), for comparison", "BM_ShutdownLatency/poll_1ms",
              "BM_ShutdownLatency/tether", "us", p50, float("inf"), "—")
    rows[-1]["met"] = None
    ratio_row("`BM_DeathDetect/tether` vs `/pidfd_floor` (p50)", "BM_DeathDetect/tether",
              "BM_DeathDetect/pidfd_floor", "us", p50, 2.0, "≤ 2x")
    ratio_row("`BM_Restart/tether` vs `/spawn_floor` (p50)", "BM_Restart/tether", "BM_Restart/spawn_floor",
              "us", p50, 1.5, "≤ 1.5x")
    rows.append(figure("`BM_Adopt/tether` (p50)", p50("BM_Adopt/tether"), "us"))
    ratio_row("`BM_AssertCost/checked` vs `/unchecked` (CPU per unit: the core's assertions)",
              "BM_AssertCost/checked", "BM_AssertCost/unchecked", "ns", f.cpu_ns, 2.0, "≤ 2x")

    scale_names = sorted((n for n in f.runs if n.startswith("BM_Scale/pairs:")),
                         key=lambda n: int(n.split(":")[1]))
    for name in scale_names:
        phases = ", ".join(f"{phase} {fmt_value(f.counter(name, phase + '_ms_per_pair'), 'ms')}"
                           for phase in ("launch", "restart", "shutdown"))
        rows.append(figure(f"`{name}` time per pair ({phases})", f.time_ms(name), "ms"))
    if scale_names:
        largest = scale_names[-1]
        for who in ("controller", "listener"):
            peak = f.counter(largest, f"{who}_peak_rss_kib")
            private, pss = f.counter(largest, f"{who}_private_kib"), f.counter(largest, f"{who}_pss_kib")
            rows.append(figure(f"`{largest}` {who} peak RSS (VmHWM; private {fmt_value(private, 'kib')}, "
                               f"PSS {fmt_value(pss, 'kib')})", peak, "kib", target="< 4096 KiB",
                               met=None if peak is None else peak < 4096))
        segment = f.counter(largest, "segment_bytes")
        rows.append(figure("segment size", segment, "bytes", target="one page (4096 B)",
                           met=None if segment is None else segment == 4096))

    ops = f.counter("BM_Sim/ops", "segment_ops_per_s")
    rows.append(figure("`BM_Sim/ops` segment operations per second, one core (CPU time)", ops, "ops",
                       target="≥ 1 M/s", met=None if ops is None else ops >= 1e6))
    seeds = f.counter("BM_Sim/seeds", "seeds_per_s")
    rows.append(figure("`BM_Sim/seeds` seeds (whole runs) per second, one core (CPU time)", seeds, "seeds"))
    return rows


def distribution_rows(f):
    rows = []
    for name in sorted(f.runs):
        if f.counter(name, "p50_us") is None:
            continue
        cells = [fmt_value(f.counter(name, key), "us") for key in ("p50_us", "p90_us", "p99_us", "max_us")]
        samples = sum(run.get("samples", 0) for run in f.runs[name])
        rows.append((f"`{name}`", *cells, f"{samples:.0f}"))
    return rows


def machine():
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(), "load": load}


def markdown(rows_table, rows_dist, info, failed, plotted, repetitions):
    out = ["# Benchmark results", ""]
    out.append(f"Machine: {info['nproc']} CPUs, {info['cpu']}, Linux {info['kernel']} "
               f"(load average after the run: {info['load']}). Each figure and its baseline were measured in "
               f"the same run, {repetitions} repetition(s) with Google Benchmark's random interleaving; "
               "latencies are medians.")
    out += ["", "| figure | measured | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    out += ["| " + " | ".join(display(row)) + " |" for row in rows_table]
    if rows_dist:
        out += ["", "## Latency distributions (median over repetitions of each statistic)", "",
                "| benchmark | p50 | p90 | p99 | max | samples |", "|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(row) + " |" for row in rows_dist]
    if plotted:
        out += ["", "![latency CDFs](latency_cdf.png)"]
    if failed:
        out += ["", "## Failed or missing", ""] + [f"- {line}" for line in failed]
    return "\n".join(out) + "\n"


def plot(samples_dir, results_dir):
    """One CDF panel per latency family, log-scale x; returns True when the PNG was written."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return False
    families = {}
    for path in sorted(samples_dir.glob("BM_*.txt")):
        family, _, variant = path.stem.partition(".")
        values = sorted(float(line) for line in path.read_text().split())
        if values:
            families.setdefault(family, []).append((variant, values))
    if not families:
        return False
    data_files = []
    script = ["set terminal pngcairo size 1200,900 font ',10' noenhanced", f"set output '{results_dir / 'latency_cdf.png'}'",
              f"set multiplot layout 2,{(len(families) + 1) // 2} title 'Latency CDFs (fraction of samples at or "
              "below x; same-run baselines)'",
              "set logscale x", "set grid", "set key bottom right", "set yrange [0:1]",
              "set xlabel 'microseconds (log scale)'", "set ylabel 'fraction'"]
    for family, variants in families.items():
        plots = []
        for variant, values in variants:
            data = samples_dir / f"{family}.{variant}.cdf"
            count = len(values)
            data.write_text("".join(f"{value} {(index + 1) / count}\n" for index, value in enumerate(values)))
            data_files.append(data)
            plots.append(f"'{data}' using 1:2 with steps lw 2 title '{variant}'")
        script.append(f"set title '{family}'")
        script.append("plot " + ", ".join(plots))
    script.append("unset multiplot")
    result = subprocess.run([gnuplot], input="\n".join(script) + "\n", text=True, capture_output=True)
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        return False
    return True


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    results_dir, samples_dir = Path(sys.argv[1]), Path(sys.argv[2])
    runs, failed = load_runs(results_dir)
    figures = Figures(runs)
    repetitions = max((len(v) for v in runs.values()), default=0)
    rows = table_rows(figures)
    for row in rows:
        if row["value"] is None:
            failed.append(f"{row['figure']}: no result")
    plotted = plot(samples_dir, results_dir)
    text = markdown(rows, distribution_rows(figures), machine(), failed, plotted, repetitions)
    (results_dir / "results.md").write_text(text)
    summary = {"machine": machine(), "repetitions": repetitions, "failed": failed, "figures": rows}
    (results_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
