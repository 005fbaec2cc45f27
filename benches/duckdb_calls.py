#!/usr/bin/env python3
"""The 8 `calls` KPIs of kpi-reference.md computed by DuckDB: the reference side of
benches/calls_vs_duckdb.py.

    python3 benches/duckdb_calls.py FILE [--threads N] [--strategy scan|table] [--print-sql]
    python3 benches/duckdb_calls.py FILE --by agent        # the 8 KPIs per agent
    python3 benches/duckdb_calls.py FILE.jsonl --jsonl     # 4 KPIs over JSON Lines

Prints {"inbound_calls": 10000000, "pickup_rate": 85.19..., ...} on standard output, every
value exact (a JSON number with all its digits, or null). With `--by agent`, one such object
per agent: [["A01", {...}], ..., [null, {...}]] (calls without an agent form a group, as in
`kpi eval --by agent`).

`--jsonl` reads a JSON Lines file of the same records (`gen_calls.py --format jsonl`) with
`read_json`, every field typed, and computes the 4 KPIs of the JSON Lines case
(JSONL_KPIS) in one query.

DuckDB does the scanning, filtering, grouping and aggregating, in SQL; what it returns is
exact integers (counts and sums of integer or DECIMAL columns) and the last division of each
KPI is done here in Python's `decimal` at 50 digits, so no value goes through a binary
float (SQL AVG of an integer column is a DOUBLE in DuckDB).

Strategies (both read the CSV with explicit column types, no sniffing):

* `table` (default) — load the 8 columns the KPIs read into an in-memory table, then three
  plain queries: the overall aggregates, per ticket, per agent and day. The fastest of the
  two here (2 cores, 10 M rows: ~3.3 s and ~1.2 GB against ~4.3 s and ~1.7 GB).
* `scan` — one query, one pass over the file: the overall aggregates and the two `per`
  groupings (ticket; agent and day) as GROUPING SETS of the same scan. Every aggregate is
  computed for every grouping set, which costs more than the second pass it saves.

Semantics matched to the kpi language (shared/design/language.md §5-6):

* aggregates skip nulls: SUM/COUNT(x) ignore null x;
* `pct(c)` = 100 * COUNT_IF(c) / COUNT(c): the denominator counts the records where the
  condition is not null (SQL AND is Kleene like the language's `and`);
* `agg(x where f)` = `agg(x) FILTER (WHERE f)`: records where f is false or null are out;
* `agg(inner per k1, k2 where f)`: inner groups over the records where f holds and no key
  is null; a record whose key is null belongs to no group;
* a division by zero gives null.
"""

import argparse
import decimal
import json
import sys
import time
from decimal import Decimal

NUMBER_TYPES = {
    # The language's `number` is an exact decimal: DECIMAL(18,3) reads "12" and "12.5" alike
    # and SUM over it is exact (DECIMAL(38,3)). BIGINT reads the generator's integer seconds
    # only; it is offered to see what the decimal parsing costs.
    "decimal": "DECIMAL(18,3)",
    "bigint": "BIGINT",
}


def columns(number_type):
    n = NUMBER_TYPES[number_type]
    return (
        "{'call_id': 'VARCHAR', 'started_at': 'TIMESTAMP', 'customer_id': 'VARCHAR', "
        "'ticket_id': 'VARCHAR', 'answered': 'BOOLEAN', 'agent': 'VARCHAR', "
        f"'wait_seconds': '{n}', 'talk_seconds': '{n}', 'hold_seconds': '{n}', "
        f"'wrap_seconds': '{n}'}}"
    )


def read_csv(number_type):
    # `?` is the file path, bound as a parameter. Timestamps go through DuckDB's ISO 8601
    # parser (`2025-03-01T08:05:00`, a space for the T, fractions of seconds); naming the
    # one format with `timestampformat` was no faster (within 3 %).
    return (
        "read_csv(?, header = true, auto_detect = false, delim = ',', quote = '\"', "
        f"columns = {columns(number_type)})"
    )


# The overall aggregates, one row: each is the numerator or denominator of one KPI.
OVERALL = [
    ("inbound_calls", "count(*)"),
    ("pickup_num", "count_if(answered)"),
    ("pickup_den", "count(answered)"),
    ("sl18_num", "count_if(answered AND wait_seconds < 18)"),
    ("sl18_den", "count(answered AND wait_seconds < 18)"),
    ("wait_sum", "sum(wait_seconds) FILTER (WHERE answered)"),
    ("wait_n", "count(wait_seconds) FILTER (WHERE answered)"),
    ("aht_sum", "sum(talk_seconds + hold_seconds + wrap_seconds) FILTER (WHERE answered)"),
    ("aht_n", "count(talk_seconds + hold_seconds + wrap_seconds) FILTER (WHERE answered)"),
    ("talk_sum", "sum(talk_seconds)"),
    ("talk_n", "count(talk_seconds)"),
]


def overall_select(indent="  "):
    return f",\n{indent}".join(f"{expr} AS {name}" for name, expr in OVERALL)


# The `per` keys: null where the `where answered` filter drops the record, so that one null
# test drops both the filtered records and those whose own key is null.
KEYS = """
    CASE WHEN answered THEN ticket_id END                AS ticket_key,
    CASE WHEN answered THEN agent END                    AS agent_key,
    CASE WHEN answered THEN CAST(started_at AS DATE) END AS day_key"""


def scan_sql(number_type):
    """One pass: GROUPING SETS ((), (ticket), (agent, day)), then one row out."""
    pick = ",\n  ".join(
        f"max({name}) FILTER (WHERE not_ticket = 1 AND not_agent_day = 3) AS {name}"
        for name, _ in OVERALL
    )
    return f"""
WITH calls AS (
  SELECT *, {KEYS}
  FROM {read_csv(number_type)}
),
g AS (
  SELECT grouping(ticket_key) AS not_ticket, grouping(agent_key, day_key) AS not_agent_day,
         ticket_key, agent_key, day_key,
         {overall_select('         ')}
  FROM calls
  GROUP BY GROUPING SETS ((), (ticket_key), (agent_key, day_key))
)
SELECT
  -- overall: the one row of the () grouping set
  {pick},
  -- repeat_contact_rate = pct(count() > 1 per ticket_id where answered)
  count_if(inbound_calls > 1) FILTER (WHERE not_ticket = 0 AND ticket_key IS NOT NULL)
                                                          AS repeat_num,
  count(*) FILTER (WHERE not_ticket = 0 AND ticket_key IS NOT NULL) AS repeat_den,
  -- calls_per_agent_day = avg(count() per agent, date(started_at) where answered)
  sum(inbound_calls) FILTER (WHERE not_agent_day = 0 AND agent_key IS NOT NULL
                             AND day_key IS NOT NULL)     AS cpad_sum,
  count(*) FILTER (WHERE not_agent_day = 0 AND agent_key IS NOT NULL
                   AND day_key IS NOT NULL)               AS cpad_n
FROM g
"""


def table_sql(number_type):
    """Load the columns the KPIs read, then three plain queries."""
    return [
        "CREATE TEMP TABLE calls AS\n"
        "SELECT started_at, ticket_id, answered, agent,\n"
        "       wait_seconds, talk_seconds, hold_seconds, wrap_seconds\n"
        f"FROM {read_csv(number_type)}",
        f"SELECT {overall_select()}\nFROM calls",
        """
SELECT count_if(n > 1) AS repeat_num, count(*) AS repeat_den
FROM (SELECT ticket_id, count(*) AS n FROM calls
      WHERE answered AND ticket_id IS NOT NULL GROUP BY ticket_id)""",
        """
SELECT sum(n) AS cpad_sum, count(*) AS cpad_n
FROM (SELECT agent, CAST(started_at AS DATE) AS day, count(*) AS n FROM calls
      WHERE answered AND agent IS NOT NULL AND started_at IS NOT NULL
      GROUP BY agent, day)""",
    ]


def grouped_sql(number_type):
    """The table strategy, each query grouped by agent."""
    return [
        table_sql(number_type)[0],
        f"SELECT agent, {overall_select()}\nFROM calls GROUP BY agent",
        """
SELECT agent, count_if(n > 1) AS repeat_num, count(*) AS repeat_den
FROM (SELECT agent, ticket_id, count(*) AS n FROM calls
      WHERE answered AND ticket_id IS NOT NULL GROUP BY agent, ticket_id)
GROUP BY agent""",
        """
SELECT agent, sum(n) AS cpad_sum, count(*) AS cpad_n
FROM (SELECT agent, CAST(started_at AS DATE) AS day, count(*) AS n FROM calls
      WHERE answered AND agent IS NOT NULL AND started_at IS NOT NULL
      GROUP BY agent, day)
GROUP BY agent""",
    ]


# The JSON Lines case: 4 KPIs of calls.kpi that read no `per`.
JSONL_KPIS = ["inbound_calls", "pickup_rate", "avg_wait", "avg_call_duration"]


def jsonl_sql(number_type):
    return f"""
SELECT count(*) AS inbound_calls,
       count_if(answered) AS pickup_num, count(answered) AS pickup_den,
       sum(wait_seconds) FILTER (WHERE answered) AS wait_sum,
       count(wait_seconds) FILTER (WHERE answered) AS wait_n,
       sum(talk_seconds) AS talk_sum, count(talk_seconds) AS talk_n
FROM read_json(?, format = 'newline_delimited', columns = {columns(number_type)})
"""


def run_grouped(con, path, number_type):
    """Per agent, the numerators and denominators (a group missing from a query: None)."""
    create, *queries = grouped_sql(number_type)
    con.execute(create, [path])
    groups = {}
    for q in queries:
        cur = con.execute(q)
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            groups.setdefault(row[0], {}).update(zip(names[1:], row[1:]))
    return groups


def run(con, path, strategy, number_type):
    """The numerators and denominators, as a dict of exact ints / Decimals / None."""
    if strategy == "scan":
        cur = con.execute(scan_sql(number_type), [path])
        return dict(zip([d[0] for d in cur.description], cur.fetchone()))
    create, *queries = table_sql(number_type)
    con.execute(create, [path])
    parts = {}
    for q in queries:
        cur = con.execute(q)
        names = [d[0] for d in cur.description]
        parts.update(zip(names, cur.fetchone()))
    return parts


def div(num, den, scale=1):
    if num is None or den is None or den == 0:
        return None
    return Decimal(scale) * Decimal(num) / Decimal(den)


def kpis(p):
    p = {k: p.get(k) for k in [n for n, _ in OVERALL] + ["repeat_num", "repeat_den",
                                                        "cpad_sum", "cpad_n"]}
    return {
        "inbound_calls": Decimal(p["inbound_calls"]),
        "pickup_rate": div(p["pickup_num"], p["pickup_den"], 100),
        "service_level_18s": div(p["sl18_num"], p["sl18_den"], 100),
        "avg_wait": div(p["wait_sum"], p["wait_n"]),
        "aht": div(p["aht_sum"], p["aht_n"]),
        "avg_call_duration": div(p["talk_sum"], p["talk_n"]),
        "repeat_contact_rate": div(p["repeat_num"], p["repeat_den"], 100),
        "calls_per_agent_day": div(p["cpad_sum"], p["cpad_n"]),
    }


def num(v):
    if v is None:
        return "null"
    return format(v.normalize(), "f") if v != v.to_integral_value() else str(int(v))


def exact_json(values):
    return "{" + ", ".join(f"{json.dumps(k)}: {num(v)}" for k, v in values.items()) + "}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", help="the calls CSV file")
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    ap.add_argument("--strategy", choices=("table", "scan"), default="table")
    ap.add_argument("--numbers", choices=sorted(NUMBER_TYPES), default="decimal",
                    help="SQL type of the *_seconds columns (default decimal)")
    ap.add_argument("--by", choices=("agent",), help="group by agent (table strategy)")
    ap.add_argument("--jsonl", action="store_true",
                    help="FILE is JSON Lines: the 4 KPIs of the JSON Lines case")
    ap.add_argument("--print-sql", action="store_true", help="print the SQL and exit")
    a = ap.parse_args(argv)
    if a.print_sql:
        if a.jsonl:
            sql = jsonl_sql(a.numbers)
        elif a.by:
            sql = ";\n".join(grouped_sql(a.numbers))
        else:
            sql = scan_sql(a.numbers) if a.strategy == "scan" else ";\n".join(table_sql(a.numbers))
        print(sql.strip() + ";")
        return
    if not a.file:
        ap.error("FILE is required")

    import duckdb  # imported here so that --print-sql works without it

    decimal.getcontext().prec = 50
    con = duckdb.connect(":memory:")
    if a.threads:
        con.execute(f"SET threads = {int(a.threads)}")
    con.execute("SET preserve_insertion_order = false")
    t0 = time.perf_counter()
    if a.jsonl:
        cur = con.execute(jsonl_sql(a.numbers), [a.file])
        p = dict(zip([d[0] for d in cur.description], cur.fetchone()))
        out = exact_json({k: v for k, v in kpis(p).items() if k in JSONL_KPIS})
    elif a.by:
        groups = run_grouped(con, a.file, a.numbers)
        out = "[" + ",\n ".join(f"[{json.dumps(g)}, {exact_json(kpis(p))}]"
                                 for g, p in sorted(groups.items(), key=lambda x: (x[0] is None, x[0] or ""))) + "]"
    else:
        out = exact_json(kpis(run(con, a.file, a.strategy, a.numbers)))
    # Read by calls_vs_duckdb.py: the time of the SQL alone, without Python's start-up.
    print(f"duckdb_calls: query {time.perf_counter() - t0:.3f} s", file=sys.stderr)
    sys.stdout.write(out + "\n")


if __name__ == "__main__":
    main()
