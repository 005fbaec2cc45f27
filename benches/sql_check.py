#!/usr/bin/env python3
"""Check `kpi sql` against `kpi eval`: load each source of a catalogue into DuckDB with the
types its `fields:` declare, run the SQL that `kpi sql` generates, and compare every KPI
with the value `kpi eval --format json` computes from the same files.

    python3 benches/sql_check.py [--kpi-bin target/release/kpi] [--catalogue kpis]

Then the same for grouped queries (`--by`), row by row.

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
    bad += grouped(con, args)
    sys.exit(1 if bad else 0)


# (KPIs, --by expressions): grouped cases, a source or two each, `per` included.
CASES = [
    (["csat", "nps", "fcr", "first_response_time", "smiley_index"], ["channel"]),
    (["pickup_rate", "aht", "repeat_contact_rate", "calls_per_agent_day"], ["month(started_at)"]),
    (["pickup_rate", "avg_wait"], ["agent"]),
    (["orders_received", "sla_compliance", "processing_time", "orders_per_handler_day"], ["channel", "priority"]),
    (["dispute_resolution_time", "open_disputes"], ["cause"]),
    (["argumentation_rate", "processed_records"], ["campaign"]),
]


def same(got, exp):
    if exp is None or got is None:
        return exp is None and got is None
    g, e = decimal.Decimal(str(got)), decimal.Decimal(exp)
    return abs(g - e) <= abs(e) * decimal.Decimal("1e-9") + decimal.Decimal("1e-9")


def key(v):
    """A group key as text, the way both sides can agree on it."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def grouped(con, args):
    bad = checked = 0
    for kpis, by in CASES:
        sel = [a for k in kpis for a in ("--kpi", k)]
        grp = [a for b in by for a in ("--by", b)]
        sql = subprocess.run([args.kpi_bin, "sql", args.catalogue, *sel, *grp], check=True, capture_output=True, text=True).stdout
        rows = con.execute(sql).fetchall()
        columns = [d[0] for d in con.description][len(by):]
        ev = json.loads(subprocess.run([args.kpi_bin, "eval", args.catalogue, *sel, *grp, "--format", "json"], check=True,
                                       capture_output=True, text=True).stdout, parse_float=decimal.Decimal)
        got = {tuple(key(v) for v in r[:len(by)]): r[len(by):] for r in rows}
        for r in ev["results"]:
            k = tuple(key(r["by"][b]) for b in by)
            value = got.get(k, [None] * len(columns))[columns.index(r["kpi"])]
            checked += 1
            if not same(value, r["value"]):
                bad += 1
                print(f"BAD by {by} {k} {r['kpi']}: sql={value} eval={r['value']}")
    print(f"grouped: {checked - bad} of {checked} rows agree")
    return bad


if __name__ == "__main__":
    main()
