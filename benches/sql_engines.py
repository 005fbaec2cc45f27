#!/usr/bin/env python3
"""The calls KPIs at scale: `kpi eval` over the CSV file against the query `kpi sql` writes,
run in DuckDB and in Spark (local mode), with loading and querying timed apart.

    ~/.cache/kpi-bench/venv/bin/python benches/sql_engines.py [--rows 10000000] [--only kpi,duckdb,spark]

The file is `/tmp/kpi-bench/calls.csv` (made by gen_calls.py when missing); the KPIs are
`benches/calls.kpi`, with the field types of `kpis/sources.yaml`'s `calls` source. Needs a
release build (`cargo build --release`), and `duckdb`, `pyspark`, `pyyaml` importable with
Java 17 for Spark (tests/engines/setup.sh makes such a virtual environment). Not run by CI.

Every engine's 8 values are checked against `kpi eval`'s (relative 1e-9). Prints one table.
"""
import argparse
import decimal
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "engines"))
import engines  # noqa: E402


def calls_fields():
    import yaml
    doc = yaml.safe_load(open(os.path.join(ROOT, "kpis", "sources.yaml"), encoding="utf-8"))
    return doc["sources"]["calls"]["fields"]


def data_file(rows):
    path = "/tmp/kpi-bench/calls.csv" if rows == 10_000_000 else f"/tmp/kpi-bench/calls-{rows}.csv"
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "benches", "gen_calls.py"), "--rows", str(rows),
                        "--out", path], check=True)
    return path


def kpi_sql(kpi_bin, dialect):
    return subprocess.run([kpi_bin, "sql", "kpis/sources.yaml", "benches/calls.kpi", "--dialect", dialect],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout


def run_kpi(kpi_bin, path):
    t = time.perf_counter()
    out = subprocess.run([kpi_bin, "eval", "benches/calls.kpi", "--data", f"calls={path}", "--format", "json"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - t
    values = {r["kpi"]: r["value"] for r in json.loads(out, parse_float=decimal.Decimal)["results"]}
    return None, elapsed, values


def run_engine(engine, kpi_bin, path, fields):
    t = time.perf_counter()
    engine.load("calls", path, fields)
    loaded = time.perf_counter() - t
    sql = kpi_sql(kpi_bin, engine.key)
    t = time.perf_counter()
    names, rows = engine.query(sql)
    queried = time.perf_counter() - t
    return loaded, queried, dict(zip(names, rows[0]))


def agree(got, want):
    bad = []
    for k, w in want.items():
        g = got.get(k)
        if w is None or g is None:
            ok = w is None and g is None
        else:
            g, w2 = decimal.Decimal(str(g)), decimal.Decimal(w)
            ok = abs(g - w2) <= abs(w2) * decimal.Decimal("1e-9") + decimal.Decimal("1e-9")
        if not ok:
            bad.append(k)
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--kpi-bin", default=os.path.join(ROOT, "target", "release", "kpi"))
    ap.add_argument("--only", default="kpi,duckdb,spark")
    args = ap.parse_args()
    path = data_file(args.rows)
    fields = calls_fields()
    only = args.only.split(",")
    results = {}
    _, t, want = run_kpi(args.kpi_bin, path)
    results["kpi eval"] = (None, t, [])
    for key in ("duckdb", "spark"):
        if key not in only:
            continue
        engine = engines.Spark(memory="6g") if key == "spark" else engines.ENGINES[key]()
        try:
            loaded, queried, got = run_engine(engine, args.kpi_bin, path, fields)
        finally:
            engine.close()
        results[f"kpi sql in {engine.__class__.__name__}"] = (loaded, queried, agree(got, want))
    print(f"{args.rows:,} rows, {os.path.getsize(path) / 1e6:.1f} MB")
    print("| | load | query | load + query | values |")
    print("|---|---:|---:|---:|---|")
    for name, (loaded, queried, bad) in results.items():
        load = "—" if loaded is None else f"{loaded:.2f} s"
        both = queried + (loaded or 0)
        ok = "8/8 agree" if not bad else f"differ: {', '.join(bad)}"
        print(f"| {name} | {load} | {queried:.2f} s | {both:.2f} s | {ok if name != 'kpi eval' else '(reference)'} |")
    return 0 if all(not r[2] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
