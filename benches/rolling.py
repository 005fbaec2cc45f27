#!/usr/bin/env python3
"""Cost of a window: `rolling(service_level_18s, 28)` against the plain `service_level_18s`,
both at `--grain day` over the same calls file (issue 11: the window must cost less than
twice the plain run). Times each side `--runs` times, alternating, and prints the medians
and their ratio, ungrouped and `--by agent`.

    python3 benches/rolling.py [--data /tmp/kpi-bench/calls.csv] [--runs 3] [--kpi-bin PATH]

The data file is the one `benches/calls_vs_duckdb.py` generates (`benches/gen_calls.py`).
"""
import argparse, os, resource, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execv(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/kpi-bench/calls.csv")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kpi-bin", default=os.path.join(HERE, "..", "target", "release", "kpi"))
    a = ap.parse_args()
    if not os.path.exists(a.data):
        sys.exit(f"no {a.data}: python3 benches/gen_calls.py --rows 10000000 --out {a.data}")
    catalogue = os.path.join(HERE, "trends.yaml")
    print(f"data {a.data}, {a.runs} runs each, medians")
    for shape in ([], ["--by", "agent"]):
        times = {}
        for _ in range(a.runs):
            for kpi in ("service_level_18s", "service_level_28d"):
                cmd = [a.kpi_bin, "eval", catalogue, "--kpi", kpi, "--grain", "day",
                       "--data", f"calls={a.data}", "--format", "csv"] + shape
                times.setdefault(kpi, []).append(run(cmd))
        plain = statistics.median(t for t, _ in times["service_level_18s"])
        window = statistics.median(t for t, _ in times["service_level_28d"])
        mem = max(m for _, m in times["service_level_28d"])
        label = " ".join(shape) or "ungrouped"
        print(f"{label:12} plain {plain:6.2f} s   rolling 28 {window:6.2f} s   "
              f"ratio {window / plain:4.2f}   peak {mem:6.1f} MB")


if __name__ == "__main__":
    main()
