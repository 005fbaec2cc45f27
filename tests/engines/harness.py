#!/usr/bin/env python3
"""The differential harness: `kpi sql` on real engines against `kpi eval`.

For each engine: load every source of the catalogue (`kpis/sources.yaml`: the example data,
with the declared field types) into a table of the source's name, run `kpi sql --dialect
ENGINE` for the whole catalogue ungrouped, then for every `--by`/`--grain` view of the
README, and compare every value with `kpi eval --format json` over the same files. One line
per engine:

    duckdb      KPIs run 56/56, agree 56/56; grouped rows agree 312/312

    python3 tests/engines/harness.py [--engine duckdb,sqlite,...] [--kpi-bin target/debug/kpi] [-v]

Exit 1 when a value differs, a KPI does not run, or a grouped row is missing or extra. What
`kpi sql` leaves out or refuses, saying it cannot write it yet (period functions, lookups…),
is not compared; the line after the engine's counts those KPIs and views.
Needs the Python packages of tests/engines/requirements.txt (`tests/engines/setup.sh` makes a
virtual environment with them) and, for PostgreSQL, the system's server (`initdb`, `pg_ctl`).
See docs/engines.md.
"""
import argparse
import decimal
import json
import os
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Views checked beyond the README's: grouped cases over several sources, `per`, keys that are
# booleans and numbers, filters, weeks and quarters, comparisons, totals and tops together.
EXTRA_VIEWS = [
    "--kpi csat --kpi nps --kpi fcr --kpi first_response_time --kpi smiley_index --by channel",
    "--kpi pickup_rate --kpi aht --kpi repeat_contact_rate --kpi calls_per_agent_day --by month(started_at)",
    "--kpi pickup_rate --kpi avg_wait --by agent",
    "--kpi orders_received --kpi sla_compliance --kpi processing_time --kpi orders_per_handler_day --by channel --by priority",
    "--kpi dispute_resolution_time --kpi open_disputes --by cause",
    "--kpi argumentation_rate --kpi processed_records --by campaign",
    "--kpi inbound_calls --kpi pickup_rate --kpi aht --grain week --compare previous --total",
    "--kpi inbound_calls --kpi aht --grain week --compare year",
    "--kpi orders_received --kpi approval_rate --grain quarter --compare previous --total",
    "--kpi csat --kpi nps --grain day --from 2025-03-01 --to 2025-04-01 --compare previous",
    "--kpi csat --kpi nps --kpi first_response_time --grain month --by channel --where \"channel != 'email'\" --compare previous",
    "--kpi inbound_calls --kpi pickup_rate --by call_hour --top 3 --total",
    "--kpi avg_wait --kpi repeat_contact_rate --by agent --top 4 --where 'wait_seconds < 60'",
    "--kpi cost_per_interaction --kpi open_tickets --grain year --compare year",
    "-e 'late = orders.pct(delivered_on > promised_on)' -e 'busy = orders.avg(count() per handler)' --data orders=examples/data/orders.csv --by channel",
    # --compare with --from in mid-period: the first period compares with the whole month before.
    "--kpi csat --kpi nps --kpi first_response_time --grain month --by channel --compare previous --from 2025-02-10 --total",
    # Lookup fields (`agents.team`) in KPIs, --by and --where.
    "kpis -e 'front = calls.count(agents.team == \"front\")' -e 'lyon = surveys.pct(satisfaction >= 4 where agents.site == \"Lyon\")'"
    " --by agents.team --where 'agents.site != \"Lille\"' --total",
    # Period functions, totals, ranks (ties, nulls), first/last and open, by group and period.
    "kpis -e 'r = rank(inbound_calls)' -e 'rw = rank(-avg_wait)' -e 'p2 = previous(inbound_calls, 2)'"
    " -e 'cum = cumulative(pickup_rate)' -e 'qtd = to_date(aht, quarter)' -e 'roll = rolling(calls.avg(count() per customer_id), 2)'"
    " -e 'share = 100 * calls.count() / total(calls.count())' -e 'fw = calls.first(wait_seconds)' -e 'lw = calls.last(wait_seconds)'"
    " --grain month --by agent --from 2025-02-01 --total",
    "kpis -e 'ob = orders.open(received_at, processed_at where channel != \"mail\")' -e 'lo = orders.last(lines)'"
    " -e 'yl = year_ago(orders.sum(lines))' -e 'rl = rolling(orders.avg(lines), 3)'"
    " -e 'rlast = rolling(orders.last(lines), 2)' -e 'ro = rolling(ob, 2)' -e 'po = previous(ob)' -e 'cf = cumulative(orders.first(lines))' --grain week --by channel --to 2025-06-01 --compare previous",
    "kpis -e 'ob = orders.open(received_at, processed_at)' -e 'f = orders.first(lines)' -e 'l = orders.last(lines)'"
    " -e 'all = total(orders.count())' -e 'rk = rank(orders.count())' --by priority --to 2025-03-01 --total",
    # Every function, in record scope and in KPI scope, over the catalogue's typed source.
    "kpis -e 'text = orders.count(contains(lower(channel), \"ma\") or starts_with(upper(status), \"APP\") or ends_with(handler, \"e\") or len(trim(handler)) > 5)'"
    " -e 'math = orders.sum(round(lines / 3, 2) + floor(sla_hours / 7) - ceil(lines / 4) + abs(lines - 5))'"
    " -e 'pick = orders.sum(least(lines, 3) + greatest(lines, 4, null) + coalesce(null, lines) + if(priority, 1, 0))'"
    " -e 'times = orders.count(weekday(received_at) >= 6 or day(received_at) == 1 or hour(received_at) between 9 and 11)'"
    " -e 'spans = orders.avg(processed_at - received_at where processed_at > received_at + 1h)'"
    " -e 'days = orders.avg(delivered_on - promised_on) / 1d + round(orders.avg(lines), 3)'"
    " -e 'periods = orders.distinct(week(received_at)) + orders.distinct(quarter(received_at)) + orders.distinct(date(received_at))'"
    " --by channel --total",
]


def kpi(args, *cmd):
    p = subprocess.run([args.kpi_bin, *cmd], cwd=ROOT, capture_output=True, text=True)
    return p


def sources(catalogue):
    """Source name -> (file, {field: type}) from the catalogue's YAML."""
    import yaml
    out = {}
    for name in sorted(os.listdir(catalogue)):
        if not name.endswith((".yaml", ".yml")):
            continue
        doc = yaml.safe_load(open(os.path.join(catalogue, name), encoding="utf-8"))
        for src, d in ((doc or {}).get("sources") or {}).items():
            out[src] = (os.path.normpath(os.path.join(catalogue, d["path"])), d.get("fields") or {})
    return out


def readme_views():
    """Every `kpi eval` of the README that groups (`--by`, `--grain`): in code blocks, and as
    inline code (`--kpi orders_received --by handler`)."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    found = []
    for line in text.splitlines():
        m = re.match(r"^\$? ?kpi eval (.*)$", line.strip())
        if m:
            found.append(m.group(1).split("#")[0].split("|")[0])
    for span in re.findall(r"`([^`]*)`", text):
        placeholder = "|" in span or re.search(r"\b[A-Z]{2,}\b", span)
        if span.startswith("--") and " " in span and ("--by" in span or "--grain" in span) and not placeholder:
            found.append(span)
    views = []
    for v in found:
        if ("--by" in v or "--grain" in v) and v not in views:
            views.append(v.strip())
    return views


def sql_args(view):
    """`kpi eval` arguments as `kpi sql` takes them: no files, formats or languages."""
    words = shlex.split(view)
    out, data = [], []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("--data", "--format", "--lang"):
            if w == "--data":
                data.append(words[i + 1])
            i += 2
            continue
        out.append(w)
        i += 1
    return out, data


def number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, decimal.Decimal)):
        return decimal.Decimal(v)
    if isinstance(v, float):
        return decimal.Decimal(repr(v))
    if isinstance(v, str):
        try:
            return decimal.Decimal(v)
        except decimal.InvalidOperation:
            return None
    return None


def same(got, exp, tol):
    """Whether an engine's value matches eval's, within the engine's tolerance."""
    if exp is None or got is None:
        return exp is None and got is None
    e, g = number(exp), number(got)
    if e is None or g is None:
        return str(got) == str(exp)
    rel, ab = tol
    return abs(g - e) <= max(abs(e) * rel, ab)


def key_text(v, like):
    """A group key as text, for matching an engine's row with eval's (`like`: eval's value)."""
    if v is None:
        return None
    if isinstance(like, bool) or isinstance(v, bool):
        return {True: "true", False: "false", 1: "true", 0: "false", "t": "true", "f": "false",
                "true": "true", "false": "false", "1": "true", "0": "false"}.get(v, str(v))
    if hasattr(v, "isoformat"):
        return v.isoformat().replace("T", " ")
    n = number(v) if not isinstance(like, str) else None
    if n is not None:
        return format(n.normalize(), "f")
    return str(v).replace("T", " ")


class NotWritten(Exception):
    """`kpi sql` (or `kpi eval --db`) refused: it says it cannot write this yet."""


def flat(stderr):
    """Diagnostics as one line of text (miette wraps them and draws a gutter)."""
    return " ".join(line.strip().lstrip("│").strip() for line in stderr.splitlines())


def left_out(stderr):
    """The KPIs `kpi sql` says it left out because it cannot write them yet."""
    names = set()
    for m in re.finditer(r"left out, because kpi sql cannot write .*? yet: (.*?) help:", flat(stderr)):
        names.update(n.strip() for n in m.group(1).split(","))
    return names


def eval_json(args, view_args):
    p = kpi(args, "eval", *view_args, "--format", "json")
    if not p.stdout.strip():
        if "kpi sql cannot write" in p.stderr:
            raise NotWritten(flat(p.stderr))
        raise RuntimeError(f"kpi eval {' '.join(view_args)}: {p.stderr.strip()}")
    return json.loads(p.stdout, parse_float=decimal.Decimal), p.stderr


def sql_of(args, engine, view_args):
    p = kpi(args, "sql", *view_args, "--dialect", engine.key)
    if p.returncode != 0:
        if "kpi sql cannot write" in p.stderr:
            raise NotWritten(flat(p.stderr))
        raise RuntimeError(p.stderr.strip())
    return p.stdout, p.stderr


def ungrouped(args, engine, log, skipped):
    """(KPIs run, KPIs that agree, KPI count) over the whole catalogue; the KPIs kpi sql
    leaves out (it says it cannot write them yet) are added to `skipped`, not counted."""
    ev, _ = eval_json(args, ["kpis"])
    sql, err = sql_of(args, engine, ["kpis"])
    out = left_out(err)
    skipped["kpis"] |= out
    want = {r["kpi"]: r["value"] for r in ev["results"] if r["kpi"] not in out}
    got = {}
    try:
        names, rows = engine.query(sql)
        got = dict(zip(names, rows[0]))
    except Exception as e:  # one KPI at a time, to tell which ones fail
        log(f"  whole catalogue failed ({str(e).splitlines()[0][:200]}); one KPI at a time")
        for name in want:
            try:
                q, _ = sql_of(args, engine, ["kpis", "--kpi", name])
                n, r = engine.query(q)
                got.update(dict(zip(n, r[0])))
            except Exception as e2:
                log(f"  FAIL {name}: {str(e2).splitlines()[0][:300]}")
    agree = 0
    for name, exp in want.items():
        if name not in got:
            continue
        ok = same(got[name], exp, engine.tolerance)
        agree += ok
        if not ok or args.verbose:
            log(f"  {'ok ' if ok else 'BAD'} {name:28} sql={got[name]!s:40.40} eval={exp}")
    return sum(n in got for n in want), agree, len(want)


def grouped(args, engine, view, log, skipped):
    """(rows that agree, rows checked) of one view; a row is one eval result with its
    previous value and change, and each non-null SQL cell eval does not have is one more
    row that does not agree. A view kpi sql refuses, and the KPIs it leaves out, because it
    says it cannot write them yet, are added to `skipped`."""
    view_args, _ = sql_args(view)
    try:
        ev, _ = eval_json(args, [w for w in shlex.split(view) if w not in ("--format", "json")])
    except Exception as e:
        log(f"  FAIL view `{view}`: eval: {str(e).splitlines()[0][:300]}")
        return 0, 1
    try:
        sql, err = sql_of(args, engine, view_args)
        out = left_out(err)
        skipped["kpis"] |= out
        ev["results"] = [r for r in ev["results"] if r["kpi"] not in out]
        names, rows = engine.query(sql)
    except NotWritten as e:
        skipped["views"].add(view)
        log(f"  SKIP view `{view}`: {str(e)[:200]}")
        return 0, 0
    except Exception as e:
        log(f"  FAIL view `{view}`: {str(e).splitlines()[0][:300]}")
        return 0, len(ev["results"])
    key_names = next((list(r["by"]) for r in ev["results"] if r["by"]), [])
    nk = len(key_names)
    has_total = "total" in names
    col = {n: i for i, n in enumerate(names)}
    table = {}
    for r in rows:
        total = bool(r[col["total"]]) if has_total and r[col["total"]] not in (None, "f", 0, False) else False
        table[(total, tuple(r[:nk]))] = r
    bad = checked = 0
    seen = set()
    for res in ev["results"]:
        checked += 1
        total = bool(res.get("total"))
        like = [res["by"].get(k) for k in key_names]
        match = None
        for (t, k), r in table.items():
            if t == total and (total or all(key_text(a, b) == key_text(b, b) for a, b in zip(k, like))):
                match = (t, k)
                break
        k = res["kpi"]
        cells = [(k, res["value"])]
        if "previous" in res:
            cells += [(f"{k}_previous", res["previous"]), (f"{k}_change", res["change"])]
        ok = match is not None
        for name, exp in cells if ok else []:
            seen.add((match, name))
            got = table[match][col[name]] if name in col else "<no column>"
            if not same(got, exp, engine.tolerance):
                ok = False
                log(f"  BAD `{view}` {like} {name}: sql={got} eval={exp}")
        if match is None:
            log(f"  BAD `{view}` {like} {k}: no SQL row (eval={res['value']})")
        bad += not ok
    # Cells eval has no row for must be null (a KPI left out of a group by --top, or whose
    # sources have no record in that group).
    kpis = {r["kpi"] for r in ev["results"]}
    for key, r in table.items():
        for name in kpis:
            if name in col and (key, name) not in seen and r[col[name]] is not None:
                bad += 1
                checked += 1
                log(f"  BAD `{view}` {list(key[1])} {name}: sql={r[col[name]]}, eval has no such row")
    return checked - bad, checked


def db_rows(args, engine, view, log, skipped):
    """`kpi eval --db URL` against `kpi eval` over the files: the same result rows (KPI,
    group, value, previous, total, status) in the same order. (rows that agree, rows).
    What it leaves out or refuses, saying the SQL cannot write it yet, goes to `skipped`."""
    words = [w for w in shlex.split(view) if w not in ("--format", "json")]
    sql_words, _ = sql_args(view)
    try:
        want, _ = eval_json(args, words)
        got, err = eval_json(args, [*sql_words, "--db", engine.url])
        out = left_out(err)
        skipped["kpis"] |= out
        want = [r for r in want["results"] if r["kpi"] not in out]
        got = got["results"]
    except NotWritten as e:
        skipped["views"].add(view)
        log(f"  SKIP --db `{view}`: {str(e)[:200]}")
        return 0, 0
    except Exception as e:
        log(f"  FAIL --db `{view}`: {str(e).splitlines()[0][:300]}")
        return 0, 1
    ok = 0
    for i, w in enumerate(want):
        g = got[i] if i < len(got) else {}
        same_row = all(g.get(f) == w.get(f) for f in ("kpi", "by", "total", "status"))
        same_row &= all(same(g.get(f), w.get(f), engine.tolerance) for f in ("value", "previous", "change"))
        ok += same_row
        if not same_row:
            log(f"  BAD --db `{view}` row {i}: db={g} eval={w}")
    if len(got) != len(want):
        log(f"  BAD --db `{view}`: {len(got)} rows, eval {len(want)}")
    return ok, max(len(want), len(got))


def run_engine(args, key, srcs):
    lines = []
    log = lines.append if not args.verbose else print
    t0 = time.time()
    engine = engines.ENGINES[key]()
    try:
        for name, (path, fields) in srcs.items():
            engine.load(name, path, fields)
        # `-e` views without a catalogue read the default source `data`: the calls file.
        engine.load("data", *srcs["calls"])
        t1 = time.time()
        skipped = {"kpis": set(), "views": set()}
        run, agree, total = ungrouped(args, engine, log, skipped)
        rows_ok = rows = 0
        for view in readme_views() + EXTRA_VIEWS:
            ok, n = grouped(args, engine, view, log, skipped)
            rows_ok += ok
            rows += n
        db_ok = db_n = 0
        if key == "postgres":
            for view in ["kpis"] + readme_views() + EXTRA_VIEWS:
                ok, n = db_rows(args, engine, view, log, skipped)
                db_ok += ok
                db_n += n
        t2 = time.time()
    finally:
        engine.close()
    if not args.verbose:
        for line in lines:
            print(line)
    db = f"; kpi eval --db rows agree {db_ok}/{db_n}" if db_n else ""
    print(f"{key:11} KPIs run {run}/{total}, agree {agree}/{total}; grouped rows agree {rows_ok}/{rows}{db}"
          f"   (load {t1 - t0:.1f} s, queries {t2 - t1:.1f} s)", flush=True)
    if skipped["kpis"] or skipped["views"]:
        print(f"{'':11} not written in SQL yet (kpi sql says so): {len(skipped['kpis'])} KPIs "
              f"({', '.join(sorted(skipped['kpis']))}), {len(skipped['views'])} views", flush=True)
    return run == total and agree == total and rows_ok == rows and db_ok == db_n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default=",".join(engines.ENGINES), help="comma-separated engine names")
    ap.add_argument("--kpi-bin", default=os.path.join(ROOT, "target", "debug", "kpi"))
    ap.add_argument("--catalogue", default=os.path.join(ROOT, "kpis"))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--list-views", action="store_true", help="print the grouped views and stop")
    args = ap.parse_args()
    args.kpi_bin = os.path.abspath(args.kpi_bin)
    if args.list_views:
        print("\n".join(readme_views() + EXTRA_VIEWS))
        return 0
    srcs = sources(args.catalogue)
    passed = failed = 0
    for key in args.engine.split(","):
        try:
            ok = run_engine(args, key.strip(), srcs)
        except Exception as e:
            print(f"{key:11} could not run: {e}", flush=True)
            ok = False
        passed += ok
        failed += not ok
    print(f"engines: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
