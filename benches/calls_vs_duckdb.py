#!/usr/bin/env python3
"""Time `kpi eval` of the 8 `calls` KPIs against DuckDB on the same file.

    python3 benches/calls_vs_duckdb.py                 # 10 M rows, 3 runs each
    python3 benches/calls_vs_duckdb.py --rows 1000000 --runs 5

Steps: find DuckDB (or install it from PyPI into a venv under the cache folder), make the
data file with gen_calls.py if it is missing, build kpi with `cargo build --release`
(unless --kpi-bin), read the file once to warm the page cache, then run each side --runs
times as its own child process, alternating, and measure each child's wall time and peak
resident memory (ru_maxrss from wait4(2) on that child: its own peak, nothing of this
script's). Prints the machine, the file, the best wall time and the peak RSS of each side,
the kpi/DuckDB ratios, and the 8 values side by side.

Exit status: 0 when all 8 values agree (relative difference <= 1e-9), 1 when one differs,
2 when the benchmark could not run (build failure, `kpi eval` failing, no DuckDB).
See benches/README.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
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


def data_file(args):
    """The calls file, made with gen_calls.py when it is missing (or, for the default
    path, when this script did not make it with these --rows and --seed)."""
    name = "calls.csv" if args.rows == DEFAULT_ROWS else f"calls-{args.rows}.csv"
    path = args.data or os.path.join(DEFAULT_DIR, name)
    stamp = path + ".gen.json"  # what gen_calls.py was asked for, when this script made it
    wanted = {"rows": args.rows, "seed": args.seed}
    if os.path.exists(path):
        if args.data:
            return path  # the user's file, used as it is
        try:
            with open(stamp) as f:
                if json.load(f) == wanted:
                    return path
        except (OSError, ValueError):
            pass
    log(f"generating {args.rows:,} rows into {path} ...")
    r = subprocess.run([sys.executable, GEN_SCRIPT, "--rows", str(args.rows),
                        "--seed", str(args.seed), "--out", path])
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

def measure(argv, cwd=ROOT):
    """Run argv as a child; return (wall seconds, peak RSS bytes, exit status, stdout,
    stderr). The peak RSS is the child's own (wait4 on its pid), in bytes."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss * 1024, p.returncode, out.read().decode(), err.read().decode()


def kpi_values(stdout):
    doc = json.loads(stdout, parse_float=Decimal, parse_int=Decimal)
    values = {}
    for r in doc.get("results", []):
        if r.get("by") in ({}, None):
            v = r.get("value")
            values[r["kpi"]] = Decimal(v) if isinstance(v, str) else v  # numbers expected
    return values


def duckdb_values(stdout):
    doc = json.loads(stdout, parse_float=Decimal, parse_int=Decimal)
    return dict(doc)


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See benches/README.md.")
    ap.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                    help="rows to generate when the file is missing (default 10,000,000)")
    ap.add_argument("--data", help=f"the calls file (default {DEFAULT_DIR}/calls.csv, or "
                    "calls-ROWS.csv for other --rows, generated when missing; a file given "
                    "here is generated when missing, else used as it is)")
    ap.add_argument("--seed", type=int, default=20250301, help="generator seed")
    ap.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    ap.add_argument("--kpi-bin", help="use this kpi binary instead of `cargo build --release`")
    ap.add_argument("--duckdb-threads", type=int, default=nproc(),
                    help="DuckDB's `SET threads` (default: all cores, %(default)s here)")
    ap.add_argument("--duckdb-strategy", choices=("table", "scan"), default="table",
                    help="how duckdb_calls.py queries the file (default table; see there)")
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
    try:
        return bench(args)
    except Failure as e:
        log(f"error: {e}")
        return 2


def bench(args):
    sides = []
    dver = kver = None
    if args.only != "kpi":
        py, dver = duckdb_python(args)
    if args.only != "duckdb":
        kbin = kpi_binary(args)
    path = os.path.abspath(data_file(args))
    if args.only != "duckdb":
        kver = subprocess.run([kbin, "--version"], capture_output=True, text=True).stdout.strip()
        sides.append(Side("kpi", [kbin, "eval", KPI_FILE, "--data", f"calls={path}",
                                  "--format", "json"], kpi_values))
    if args.only != "kpi":
        sides.append(Side("duckdb", [py, DUCKDB_SCRIPT, path,
                                     "--threads", str(args.duckdb_threads),
                                     "--strategy", args.duckdb_strategy,
                                     "--numbers", args.duckdb_numbers], duckdb_values))
    size = os.path.getsize(path)
    log(f"warming the page cache with {path} ({mb(size)}) ...")
    warm(path)
    baseline = None
    if args.only != "kpi":  # what the interpreter and the duckdb module cost before any query
        _, baseline, *_ = measure([py, "-c", "import duckdb"])
    for i in range(args.runs):
        for s in sides:
            s.run()

    kpi = next((s for s in sides if s.name == "kpi"), None)
    ddb = next((s for s in sides if s.name == "duckdb"), None)
    rows = next(iter(s.values.get("inbound_calls") for s in sides), None)
    print()
    print(f"machine   {machine()}")
    print(f"data      {path}: {int(rows) if rows is not None else '?':,} rows, {mb(size)}")
    if kpi:
        print(f"kpi       {kver or '?'}: {' '.join(os.path.relpath(a, ROOT) if a.startswith(ROOT) else a for a in kpi.argv)}")
    if ddb:
        print(f"duckdb    {dver}, threads={args.duckdb_threads}, "
              f"strategy={args.duckdb_strategy}, numbers={args.duckdb_numbers}")
    print(f"runs      {args.runs} of each side, alternating; best wall time, highest peak RSS")
    print()
    print(f"{'':<10}{'wall (best)':>12}{'runs':>28}{'peak RSS':>14}")
    for s in sides:
        runs = " ".join(f"{w:.2f}" for w in s.walls)
        extra = ""
        if s.inner:
            extra = f"   (query alone {min(s.inner):.2f} s"
            extra += f"; python+duckdb import {mb(baseline)})" if baseline else ")"
        print(f"{s.name:<10}{min(s.walls):>10.2f} s{runs:>28}{mb(max(s.rss)):>14}{extra}")
    result = {
        "machine": machine(), "file": path, "rows": int(rows) if rows is not None else None,
        "bytes": size, "runs": args.runs, "duckdb_version": dver, "kpi_version": kver,
        "duckdb_threads": args.duckdb_threads, "duckdb_strategy": args.duckdb_strategy,
    }
    for s in sides:
        result[s.name] = {"wall_s": s.walls, "best_wall_s": min(s.walls),
                          "peak_rss_bytes": max(s.rss),
                          "values": {k: (str(v) if v is not None else None)
                                     for k, v in s.values.items()}}
    status = 0
    if kpi and ddb:
        tr = min(kpi.walls) / min(ddb.walls)
        mr = max(kpi.rss) / max(ddb.rss)
        print(f"{'kpi/duckdb':<10}{tr:>10.2f} ×{'':>28}{mr:>12.2f} ×")
        print()
        print(f"{'KPI':<22}{'kpi':>28}{'duckdb':>28}  agree")
        ok = 0
        for k in KPIS:
            a, b = kpi.values.get(k, "missing"), ddb.values.get(k)
            same = a != "missing" and agree(a, b)
            ok += same
            print(f"{k:<22}{a if a == 'missing' else show(a):>28}{show(b):>28}  "
                  f"{'yes' if same else 'NO'}")
        print()
        print(f"values    {ok}/{len(KPIS)} agree (relative tolerance {REL_TOL:.0e})")
        result.update(time_ratio=tr, memory_ratio=mr, agree=ok == len(KPIS))
        status = 0 if ok == len(KPIS) else 1
    else:
        print()
        s = sides[0]
        for k in KPIS:
            print(f"{k:<22}{show(s.values.get(k)):>28}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return status


if __name__ == "__main__":
    sys.exit(main())
