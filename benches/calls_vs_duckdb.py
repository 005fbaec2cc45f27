#!/usr/bin/env python3
"""Time `kpi eval` of the `calls` KPIs against DuckDB on the same files, in three cases.

    python3 benches/calls_vs_duckdb.py                 # every case, 5 runs of each side
    python3 benches/calls_vs_duckdb.py --rows 1000000 --no-jsonl --runs 3

Cases: the 8 KPIs of calls.kpi over a CSV file of 10,000,000 and of 1,000,000 rows, each in
two shapes (ungrouped, and `--by agent`: 51 groups, values compared group by group), and the
JSON Lines case: 4 KPIs over 1,000,000 calls as `.jsonl`, against DuckDB's `read_json`.

Steps: find DuckDB (or install it from PyPI into a venv under the cache folder), make the
data files with gen_calls.py when missing, build kpi with `cargo build --release` (unless
--kpi-bin), then for each case read its file once to warm the page cache and run each side
--runs times as its own child process, alternating, measuring each child's wall time and
peak resident memory (the child run under GNU time, which reports its own peak: a child
forked from this script would start from this script's ~30 MB high-water mark). Prints the machine, the load average before and after, each case's runs, medians
and ratios, the values side by side, and a summary table.

Exit status: 0 when every value agrees (relative difference <= 1e-9), 1 when one differs,
2 when the benchmark could not run (build failure, `kpi eval` failing, no DuckDB).
See benches/README.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

BENCHES = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCHES)
KPI_FILE = os.path.join(BENCHES, "calls.kpi")
DUCKDB_SCRIPT = os.path.join(BENCHES, "duckdb_calls.py")
GEN_SCRIPT = os.path.join(BENCHES, "gen_calls.py")
DEFAULT_ROWS = 10_000_000
DEFAULT_DIR = "/tmp/kpi-bench"
KPIS = [
    "inbound_calls", "pickup_rate", "service_level_18s", "avg_wait", "aht",
    "avg_call_duration", "repeat_contact_rate", "calls_per_agent_day",
]
# The JSON Lines case (duckdb_calls.py JSONL_KPIS).
JSONL_KPIS = ["inbound_calls", "pickup_rate", "avg_wait", "avg_call_duration"]
DEFAULT_JSONL_ROWS = 1_000_000
REL_TOL = Decimal("1e-9")


class Failure(Exception):
    """The benchmark cannot run; exit status 2."""


def nproc():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- setup

def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kpi-bench")


def duckdb_python(args):
    """A Python interpreter that can `import duckdb`, and DuckDB's version."""
    candidates = [args.duckdb_python] if args.duckdb_python else [
        sys.executable, os.path.join(cache_dir(), "venv", "bin", "python")]
    for py in candidates:
        if py and os.path.exists(py):
            r = subprocess.run([py, "-c", "import duckdb, platform; print(duckdb.__version__, "
                                "'(Python ' + platform.python_version() + ')')"],
                               capture_output=True, text=True)
            if r.returncode == 0:
                return py, r.stdout.strip()
    if args.duckdb_python:
        raise Failure(f"{args.duckdb_python} cannot import duckdb")
    if args.no_install:
        raise Failure("DuckDB is not installed: `pip install duckdb` (or drop --no-install "
                      f"to have it installed into {cache_dir()}/venv)")
    venv = os.path.join(cache_dir(), "venv")
    log(f"installing duckdb from PyPI into {venv} ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "duckdb"],
                       check=True)
    except (subprocess.CalledProcessError, OSError) as e:
        raise Failure(f"could not install duckdb into {venv} ({e}); `pip install duckdb` "
                      "and run again, or pass --duckdb-python")
    return duckdb_python(args)


def data_file(args, rows, fmt="csv"):
    """A calls file of `rows` rows, made with gen_calls.py when it is missing (or when this
    script did not make it with these rows and --seed). --data names the CSV file."""
    if fmt == "csv" and args.data:
        if os.path.exists(args.data):
            return args.data  # the user's file, used as it is
        path = args.data
    elif fmt == "csv" and rows == DEFAULT_ROWS:
        path = os.path.join(args.dir, "calls.csv")
    else:
        path = os.path.join(args.dir, f"calls-{rows}.{fmt}")
    stamp = path + ".gen.json"  # what gen_calls.py was asked for, when this script made it
    wanted = {"rows": rows, "seed": args.seed, "format": fmt}
    if os.path.exists(path):
        try:
            with open(stamp) as f:
                if json.load(f) == wanted:
                    return path
        except (OSError, ValueError):
            pass
    log(f"generating {rows:,} rows into {path} ...")
    r = subprocess.run([sys.executable, GEN_SCRIPT, "--rows", str(rows), "--seed",
                        str(args.seed), "--format", fmt, "--out", path])
    if r.returncode != 0:
        raise Failure("gen_calls.py failed")
    with open(stamp, "w") as f:
        json.dump(wanted, f)
    return path


def kpi_binary(args):
    if args.kpi_bin:
        if not os.access(args.kpi_bin, os.X_OK):
            raise Failure(f"--kpi-bin {args.kpi_bin}: not an executable file")
        return args.kpi_bin
    if not shutil.which("cargo"):
        raise Failure("cargo not found: install Rust, or pass --kpi-bin")
    log("cargo build --release ...")
    r = subprocess.run(["cargo", "build", "--release", "--bin", "kpi"], cwd=ROOT)
    if r.returncode != 0:
        raise Failure("`cargo build --release` failed")
    return os.path.join(ROOT, "target", "release", "kpi")


def machine():
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{nproc()} cores (nproc), {model}{mem}, {platform.system()} {platform.release()}"


def warm(path):
    """Read the file once so that every timed run starts from a warm page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


# ---------------------------------------------------------------------------- running

# GNU time, to read a child's peak memory from a small parent (see `measure`).
GNU_TIME = "/usr/bin/time"


def measure(argv, cwd=ROOT):
    """Run argv as a child; return (wall seconds, peak RSS bytes, exit status, stdout,
    stderr). The peak RSS is the child's own. Linux keeps the high-water mark of the
    process that forked a program across its exec, so a child of this script starts from
    this script's ~30 MB: the child is run under GNU time (a parent of 2 MB), which
    reports its peak; without GNU time, wait4's figure is used and has that floor."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as peak:
        timed = os.access(GNU_TIME, os.X_OK)
        if timed:
            argv = [GNU_TIME, "-f", "%M", "-o", peak.name] + list(argv)
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
        out.seek(0)
        err.seek(0)
        rss = usage.ru_maxrss * 1024
        if timed:
            lines = [l for l in peak.read().split("\n") if l.strip()]
            if lines and lines[-1].strip().isdigit():
                rss = int(lines[-1]) * 1024
        return wall, rss, p.returncode, out.read().decode(), err.read().decode()


def kpi_values(stdout):
    """{(kpi, group): value}; the group is None ungrouped, else the agent (or None)."""
    doc = json.loads(stdout, parse_float=Decimal, parse_int=Decimal)
    values = {}
    for r in doc.get("results", []):
        by = r.get("by") or {}
        v = r.get("value")
        v = Decimal(v) if isinstance(v, str) else v  # numbers expected
        values[(r["kpi"], by["agent"] if "agent" in by else None)] = v
    return values


def duckdb_values(stdout):
    doc = json.loads(stdout, parse_float=Decimal, parse_int=Decimal)
    if isinstance(doc, dict):
        return {(k, None): v for k, v in doc.items()}
    return {(k, g): v for g, kv in doc for k, v in kv.items()}


class Side:
    def __init__(self, name, argv, parse):
        self.name, self.argv, self.parse = name, argv, parse
        self.walls, self.rss, self.values, self.inner = [], [], None, []

    def run(self):
        wall, rss, code, out, err = measure(self.argv)
        if code != 0:
            cmd = " ".join(self.argv)
            hint = ""
            if self.name == "kpi" and ("unrecognized subcommand" in err or "not implemented" in err
                                       or "unimplemented" in err):
                hint = "\n(`kpi eval` does not seem to be implemented yet in this build)"
            raise Failure(f"{self.name} failed (exit {code}): {cmd}\n{err.strip()}{hint}")
        if not out.strip():
            hint = " (`kpi eval` does not seem to be implemented yet)" if self.name == "kpi" else ""
            raise Failure(f"{self.name} printed nothing{hint}: {' '.join(self.argv)}\n"
                          f"{err.strip()}")
        try:
            values = self.parse(out)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise Failure(f"{self.name}: cannot read its output ({e}):\n{out[:2000]}")
        if self.values is not None and values != self.values:
            log(f"warning: {self.name} gave different values from one run to the next")
        self.values = values
        self.walls.append(wall)
        self.rss.append(rss)
        m = re.search(r"query ([0-9.]+) s", err)
        if m:
            self.inner.append(float(m.group(1)))
        log(f"  {self.name:<7} run {len(self.walls)}: {wall:7.2f} s  {rss / 1e6:8.1f} MB")

    def median(self):
        return statistics.median(self.walls)


# ---------------------------------------------------------------------------- report

def agree(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def show(v):
    if v is None:
        return "null"
    s = format(v, "f")
    if "." in s and len(s) > 24:
        s = s[:24] + "…"
    return s


def mb(b):
    return f"{b / 1e6:,.1f} MB"


def load():
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def rows_list(text):
    try:
        rows = [int(x.replace("_", "")) for x in text.split(",") if x]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of row counts: {text}")
    if not rows or min(rows) < 1:
        raise argparse.ArgumentTypeError("row counts must be >= 1")
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See benches/README.md.")
    ap.add_argument("--rows", type=rows_list, default=[DEFAULT_ROWS, 1_000_000],
                    help="CSV cases: rows, comma-separated (default 10000000,1000000)")
    ap.add_argument("--data", help="the CSV file of the one --rows case (generated when "
                    "missing, else used as it is)")
    ap.add_argument("--dir", default=DEFAULT_DIR,
                    help=f"where the generated files are kept (default {DEFAULT_DIR})")
    ap.add_argument("--shapes", default="ungrouped,by-agent",
                    help="CSV shapes, comma-separated: ungrouped, by-agent (default both)")
    ap.add_argument("--jsonl-rows", type=int, default=DEFAULT_JSONL_ROWS,
                    help="calls in the JSON Lines case (default 1,000,000)")
    ap.add_argument("--no-jsonl", action="store_true", help="leave out the JSON Lines case")
    ap.add_argument("--no-csv", action="store_true", help="leave out the CSV cases")
    ap.add_argument("--seed", type=int, default=20250301, help="generator seed")
    ap.add_argument("--runs", type=int, default=5, help="runs of each side (default 5)")
    ap.add_argument("--kpi-bin", help="use this kpi binary instead of `cargo build --release`")
    ap.add_argument("--duckdb-threads", type=int, default=nproc(),
                    help="DuckDB's `SET threads` (default: all cores, %(default)s here)")
    ap.add_argument("--duckdb-strategy", choices=("table", "scan"), default="table",
                    help="how duckdb_calls.py queries an ungrouped CSV file (default table)")
    ap.add_argument("--duckdb-numbers", choices=("decimal", "bigint"), default="decimal",
                    help="SQL type of the *_seconds columns (default decimal, exact like kpi)")
    ap.add_argument("--duckdb-python", help="a Python that can `import duckdb`")
    ap.add_argument("--no-install", action="store_true",
                    help="never install duckdb; fail when it is not importable")
    ap.add_argument("--only", choices=("kpi", "duckdb"), help="run one side only, no comparison")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    args.shapes = [x for x in args.shapes.split(",") if x]
    if not args.shapes or any(x not in ("ungrouped", "by-agent") for x in args.shapes):
        ap.error("--shapes takes ungrouped, by-agent or both")
    if args.data and len(args.rows) > 1:
        args.rows = args.rows[:1]
    try:
        return bench(args)
    except Failure as e:
        log(f"error: {e}")
        return 2


class Case:
    """One file and one query, run on both sides."""

    def __init__(self, name, path, kpis, kpi_args, duckdb_args):
        self.name, self.path, self.kpis = name, path, kpis
        self.kpi_args, self.duckdb_args = kpi_args, duckdb_args
        self.sides = []


def cases(args):
    out = []
    if not args.no_csv:
        for rows in args.rows:
            path = os.path.abspath(data_file(args, rows))
            for shape in args.shapes:
                by = ["--by", "agent"] if shape == "by-agent" else []
                strategy = ["--strategy", args.duckdb_strategy] if not by else []
                out.append(Case(f"CSV {rows:,} rows, {shape}", path, KPIS, by, by + strategy))
    if not args.no_jsonl:
        path = os.path.abspath(data_file(args, args.jsonl_rows, "jsonl"))
        kpis = [a for k in JSONL_KPIS for a in ("--kpi", k)]
        out.append(Case(f"JSON Lines {args.jsonl_rows:,} rows, 4 KPIs", path, JSONL_KPIS,
                        kpis, ["--jsonl"]))
    if not out:
        raise Failure("no case to run")
    return out


def bench(args):
    dver = kver = py = kbin = None
    if args.only != "kpi":
        py, dver = duckdb_python(args)
    if args.only != "duckdb":
        kbin = kpi_binary(args)
        kver = subprocess.run([kbin, "--version"], capture_output=True, text=True).stdout.strip()
    todo = cases(args)
    baseline = None
    if py:  # what the interpreter and the duckdb module cost before any query
        _, baseline, *_ = measure([py, "-c", "import duckdb"])
    load_before = load()
    for case in todo:
        if kbin:
            case.sides.append(Side("kpi", [kbin, "eval", KPI_FILE, "--data",
                                           f"calls={case.path}", "--format", "json"]
                                   + case.kpi_args, kpi_values))
        if py:
            case.sides.append(Side("duckdb", [py, DUCKDB_SCRIPT, case.path,
                                              "--threads", str(args.duckdb_threads),
                                              "--numbers", args.duckdb_numbers]
                                   + case.duckdb_args, duckdb_values))
        log(f"{case.name}: warming the page cache with {case.path} ...")
        warm(case.path)
        for _ in range(args.runs):
            for side in case.sides:
                side.run()
    load_after = load()

    print()
    print(f"machine   {machine()}")
    print(f"load      {load_before} before, {load_after} after (1/5/15-minute averages)")
    if kbin:
        print(f"kpi       {kver or '?'}: {os.path.relpath(kbin, ROOT) if kbin.startswith(ROOT) else kbin}"
              f" eval benches/calls.kpi --data calls=FILE --format json [--by agent | --kpi ...]")
    if py:
        print(f"duckdb    {dver}, threads={args.duckdb_threads}, "
              f"strategy={args.duckdb_strategy}, numbers={args.duckdb_numbers}"
              + (f"; python+duckdb import alone {mb(baseline)}" if baseline else ""))
    print(f"runs      {args.runs} of each side per case, alternating; medians, highest peak RSS")
    result = {"machine": machine(), "load_before": load_before, "load_after": load_after,
              "runs": args.runs, "duckdb_version": dver, "kpi_version": kver,
              "duckdb_threads": args.duckdb_threads, "cases": []}
    status = 0
    summary = []
    for case in todo:
        print()
        print(f"== {case.name}: {case.path} ({mb(os.path.getsize(case.path))})")
        for s in case.sides:
            runs = " ".join(f"{w:.2f}" for w in s.walls)
            extra = f"   (query alone, median {statistics.median(s.inner):.2f} s)" if s.inner else ""
            print(f"   {s.name:<8}{s.median():>8.2f} s   runs {runs:<36}{mb(max(s.rss)):>12}{extra}")
        entry = {"case": case.name, "file": case.path, "bytes": os.path.getsize(case.path)}
        for s in case.sides:
            entry[s.name] = {"wall_s": s.walls, "median_wall_s": s.median(),
                             "peak_rss_bytes": max(s.rss),
                             "values": {f"{k}|{g}": (str(v) if v is not None else None)
                                        for (k, g), v in s.values.items()}}
        kpi = next((s for s in case.sides if s.name == "kpi"), None)
        ddb = next((s for s in case.sides if s.name == "duckdb"), None)
        if kpi and ddb:
            paired = statistics.median(a / b for a, b in zip(kpi.walls, ddb.walls))
            mr = max(kpi.rss) / max(ddb.rss)
            keys = sorted(set(kpi.values) | set(ddb.values),
                          key=lambda x: (case.kpis.index(x[0]) if x[0] in case.kpis else 99,
                                         x[1] is None, x[1] or ""))
            keys = [k for k in keys if k[0] in case.kpis]
            bad = [k for k in keys
                   if k not in kpi.values or k not in ddb.values
                   or not agree(kpi.values[k], ddb.values[k])]
            print(f"   kpi/duckdb {paired:.2f} × wall time (median of the paired runs), "
                  f"{mr:.2f} × peak memory; values: {len(keys) - len(bad)}/{len(keys)} agree")
            if not any(g is not None for _, g in keys):
                for k, g in keys:
                    a, b = kpi.values.get((k, g), "missing"), ddb.values.get((k, g), "missing")
                    print(f"     {k:<22}{a if a == 'missing' else show(a):>28}"
                          f"{b if b == 'missing' else show(b):>28}  "
                          f"{'NO' if (k, g) in bad else 'yes'}")
            for k, g in bad[:10]:
                print(f"     differs: {k} agent={g}: kpi {show(kpi.values.get((k, g)))}, "
                      f"duckdb {show(ddb.values.get((k, g)))}")
            entry.update(time_ratio=paired, memory_ratio=mr, agree=not bad,
                         values_compared=len(keys))
            summary.append((case.name, kpi.median(), ddb.median(), paired, max(kpi.rss),
                            max(ddb.rss), mr, f"{len(keys) - len(bad)}/{len(keys)}"))
            if bad:
                status = 1
        result["cases"].append(entry)
    if summary:
        print()
        print(f"{'case':<36}{'kpi':>9}{'duckdb':>9}{'ratio':>7}{'kpi RSS':>12}"
              f"{'duckdb RSS':>12}{'ratio':>7}{'agree':>9}")
        for name, k, d, r, kr, dr, m, ok in summary:
            print(f"{name:<36}{k:>7.2f} s{d:>7.2f} s{r:>7.2f}{kr / 2**20:>8.0f} MiB"
                  f"{dr / 2**20:>8.0f} MiB{m:>7.2f}{ok:>9}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return status


if __name__ == "__main__":
    sys.exit(main())
