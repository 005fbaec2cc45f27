#!/usr/bin/env python3
"""Generate a large, deterministic `calls` CSV file (shared/design/data-model.md).

    python3 benches/gen_calls.py --rows 10000000 --out /tmp/kpi-bench/calls.csv
    python3 benches/gen_calls.py --rows 1000000 --format jsonl --out /tmp/kpi-bench/calls.jsonl

Standard library only. The same `--rows` and `--seed` always give the same bytes,
whatever `--jobs` is: rows are made in fixed chunks of CHUNK_ROWS, each chunk from its own
random stream seeded by (seed, chunk index), and the chunks are written in order.

What the data looks like:

* `started_at`: one year from `--start` (default 2025-01-01), business hours 08:00-20:00,
  non-decreasing down the file; ISO datetimes `2025-03-01T08:05:00`.
* `answered`: `true` for ~85 % of calls (109/128), else `false`.
* `agent`: 50 agents `A01`..`A50` (uneven: 14 of them take twice the calls of the others);
  `agent`, `talk_seconds`, `hold_seconds`, `wrap_seconds` are blank when not answered.
* `ticket_id`: each ticket has 1 + Geometric(0.375) calls, 1.6 calls on average, so the
  file holds ~N/1.6 distinct tickets (6.25 million at 10 M rows); a ticket's calls are
  scattered within a chunk (a few days at 10 M rows) and share one `customer_id`.
* `customer_id`: N/4 customers, drawn per ticket.
* seconds are integers: wait ~ Exp(mean 15 s) when answered, 5 s + Exp(mean 60 s) when the
  caller hung up; talk ~ LogNormal(median 240 s); hold 0 for 60 % of calls, else Exp(45 s);
  wrap 10 s + Exp(40 s).

`--format jsonl` writes the same records as JSON Lines, one object per line with the fields
in header order: strings, `true`/`false`, integer numbers, and `null` for blank fields.

Speed: about 2.2 s per million rows on one core; `--jobs` (default: every core) worker
processes make chunks in parallel: 10 M rows (661 MB) in 11.6 s on 2 cores.
"""

import argparse
import datetime as dt
import math
import multiprocessing as mp
import os
import random
import sys
import time

HEADER = (
    "call_id,started_at,customer_id,ticket_id,answered,agent,"
    "wait_seconds,talk_seconds,hold_seconds,wrap_seconds\n"
)
CHUNK_ROWS = 100_000
DAYS = 365
OPEN_SECONDS = 8 * 3600  # 08:00
DAY_SECONDS = 12 * 3600  # open 12 h a day
EXTRA_CALL_P = 0.375  # P(one more call on the ticket): mean calls per ticket 1/(1-p) = 1.6
ANSWERED_OF_128 = 109  # 85.2 %

# Per-worker tables, built once by _init (deterministic: they depend on the seed only).
_T = {}


def _init(seed, start, rows, jsonl=False):
    rng = random.Random(f"{seed}:tables")
    day0 = dt.date.fromisoformat(start)
    _T["days"] = [(day0 + dt.timedelta(days=d)).isoformat() + "T" for d in range(DAYS)]
    _T["tod"] = [
        "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
        for s in range(OPEN_SECONDS, OPEN_SECONDS + DAY_SECONDS)
    ]
    agents = ["A%02d" % a for a in range(1, 51)]
    _T["agent"] = agents + agents[:14]  # 64 slots for a 6-bit index
    answered = []
    for _ in range(1 << 17):
        wait = min(int(rng.expovariate(1 / 15)), 900)
        talk = max(10, int(rng.lognormvariate(math.log(240), 0.6)))
        hold = 0 if rng.random() < 0.6 else int(rng.expovariate(1 / 45))
        wrap = 10 + int(rng.expovariate(1 / 40))
        answered.append(f"{wait},{talk},{hold},{wrap}\n")
    _T["answered"] = answered
    _T["hung_up"] = [
        f"{5 + min(int(rng.expovariate(1 / 60)), 1200)},,,\n" for _ in range(1 << 12)
    ]
    _T["seed"] = seed
    _T["jsonl"] = jsonl
    _T["rows"] = rows
    _T["customers"] = max(100, rows // 4)


def _chunk(c):
    """Rows [c*CHUNK_ROWS, ...) of the file, as bytes."""
    rows = _T["rows"]
    first = c * CHUNK_ROWS
    n = min(CHUNK_ROWS, rows - first)
    rng = random.Random(f"{_T['seed']}:chunk:{c}")
    rand, bits = rng.random, rng.getrandbits

    # Tickets: ids c*CHUNK_ROWS + j are unique across chunks (a chunk has <= n tickets).
    customers = _T["customers"]
    pairs = []  # "customer_id,ticket_id" of each call
    t = first
    while len(pairs) < n:
        k = 1
        while rand() < EXTRA_CALL_P:
            k += 1
        pairs.extend([f"K{rng.randrange(customers)},T{t}"] * k)
        t += 1
    del pairs[n:]
    rng.shuffle(pairs)

    # Times: this chunk's share of the year's open seconds, sorted.
    total = DAYS * DAY_SECONDS
    lo = first * total // rows
    width = (first + n) * total // rows - lo
    offsets = sorted([lo + int(rand() * width) for _ in range(n)])

    days, tod, agent = _T["days"], _T["tod"], _T["agent"]
    answered, hung_up = _T["answered"], _T["hung_up"]
    out = []
    append = out.append
    i = first
    for u, pair in zip(offsets, pairs):
        i += 1
        d, s = divmod(u, DAY_SECONDS)
        x = bits(30)
        if x & 127 < ANSWERED_OF_128:
            append(f"C{i},{days[d]}{tod[s]},{pair},true,{agent[(x >> 7) & 63]},{answered[x >> 13]}")
        else:
            append(f"C{i},{days[d]}{tod[s]},{pair},false,,{hung_up[(x >> 7) & 4095]}")
    if _T["jsonl"]:
        return "".join(_json_line(line) for line in out).encode()
    return "".join(out).encode()


FIELDS = HEADER.strip().split(",")
# How each field is written in JSON: a string, a boolean or an integer.
KINDS = ["s", "s", "s", "s", "b", "s", "n", "n", "n", "n"]


def _json_line(line):
    """One CSV line of _chunk (no quotes in it) as a JSON object."""
    parts = []
    for name, kind, v in zip(FIELDS, KINDS, line.rstrip("\n").split(",")):
        if v == "":
            v = "null"
        elif kind == "s":
            v = f'"{v}"'
        parts.append(f'"{name}": {v}')
    return "{" + ", ".join(parts) + "}\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="data rows (default 10,000,000)")
    ap.add_argument("--out", default="/tmp/kpi-bench/calls.csv", help="output file ('-': stdout)")
    ap.add_argument("--seed", type=int, default=20250301, help="random seed (default 20250301)")
    ap.add_argument("--start", default="2025-01-01", help="first day (default 2025-01-01)")
    ap.add_argument("--format", choices=("csv", "jsonl"), default="csv",
                    help="CSV with a header (default), or JSON Lines")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    a = ap.parse_args(argv)
    if a.rows < 0:
        ap.error("--rows must be >= 0")

    t0 = time.monotonic()
    chunks = range((a.rows + CHUNK_ROWS - 1) // CHUNK_ROWS)
    if a.out == "-":
        f, tmp = sys.stdout.buffer, None
    else:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        tmp = a.out + ".part"
        f = open(tmp, "wb")
    try:
        if a.format == "csv":
            f.write(HEADER.encode())
        init = (a.seed, a.start, a.rows, a.format == "jsonl")
        if a.jobs <= 1 or len(chunks) <= 1:
            _init(*init)
            for c in chunks:
                f.write(_chunk(c))
        else:
            with mp.get_context("fork").Pool(a.jobs, _init, init) as pool:
                for data in pool.imap(_chunk, chunks):
                    f.write(data)
    finally:
        if tmp:
            f.close()
    if tmp:
        os.replace(tmp, a.out)
        size = os.path.getsize(a.out)
        print(
            f"wrote {a.rows:,} rows, {size / 1e6:,.1f} MB to {a.out} "
            f"in {time.monotonic() - t0:.1f} s",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
