#!/usr/bin/env python3
"""Check `kpi sql` against `kpi eval`: load each source of a catalogue into DuckDB with the
types its `fields:` declare, run the SQL that `kpi sql` generates, and compare every KPI
with the value `kpi eval --format json` computes from the same files.

    python3 benches/sql_check.py [--kpi-bin target/release/kpi] [--catalogue kpis]

Needs `duckdb` importable (see benches/README.md: the benchmark's virtual environment works:
~/.cache/kpi-bench/venv/bin/python benches/sql_check.py). Exit 1 when a value differs.
"""
import argparse, decimal, json, os, subprocess, sys

import duckdb

TYPES = {"string": "VARCHAR", "number": "DECIMAL(38,6)", "bool": "BOOLEAN", "date": "DATE",
         "datetime": "TIMESTAMP", "duration": "DECIMAL(38,6)"}


def sources(kpi, catalogue):
    """Source name -> (file, {field: type}) from `kpi schema`-shaped YAML, via `kpi doc`-free parsing."""
    import re
    out = {}
    for name in sorted(os.listdir(catalogue)):
        if not name.endswith((".yaml", ".yml")):
            continue
        text = open(os.path.join(catalogue, name), encoding="utf-8").read()
        if "\nsources:" not in "\n" + text:
            continue
        try:
            import yaml  # PyYAML, if present
            doc = yaml.safe_load(text)
        except ImportError:
            sys.exit("needs PyYAML to read the catalogue's sources (pip install pyyaml)")
        for src, d in (doc.get("sources") or {}).items():
            path = os.path.normpath(os.path.join(catalogue, d["path"]))
            out[src] = (path, d.get("fields") or {})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kpi-bin", default="target/release/kpi")
    ap.add_argument("--catalogue", default="kpis")
    args = ap.parse_args()
    con = duckdb.connect()
    for src, (path, fields) in sources(args.kpi_bin, args.catalogue).items():
        cols = ", ".join(f"'{f}': '{TYPES[t]}'" for f, t in fields.items())
        con.execute(f"CREATE TABLE \"{src}\" AS SELECT * FROM read_csv('{path}', header=true, columns={{{cols}}})")
    sql = subprocess.run([args.kpi_bin, "sql", args.catalogue], check=True, capture_output=True, text=True).stdout
    row = con.execute(sql).fetchone()
    names = [d[0] for d in con.description]
    ev = json.loads(subprocess.run([args.kpi_bin, "eval", args.catalogue, "--format", "json"], check=True,
                                   capture_output=True, text=True).stdout, parse_float=decimal.Decimal)
    want = {r["kpi"]: r["value"] for r in ev["results"]}
    bad = 0
    for name, got in zip(names, row):
        exp = want[name]
        if exp is None or got is None:
            ok = exp is None and got is None
        else:
            g, e = decimal.Decimal(str(got)), decimal.Decimal(exp)
            ok = abs(g - e) <= abs(e) * decimal.Decimal("1e-9") + decimal.Decimal("1e-9")
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {name:28} sql={got!s:32.32} eval={exp}")
    print(f"{len(names) - bad} agree, {bad} differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
