#!/usr/bin/env python3
"""Reading a 1,000,000-row `.xlsx`: `kpi eval` against `calamine` alone and against Python
(polars.read_excel, which reads through fastexcel/calamine, and openpyxl in read-only mode).

    python3 benches/xlsx_vs.py [--rows 1000000] [--runs 3] [--csv FILE] [--python PY]

1. Makes `/tmp/kpi-bench/calls-ROWS.xlsx` (once) from the `calls` CSV of `gen_calls.py`
   (made too if missing): the same 10 columns as typed cells — datetimes, booleans, integers,
   texts — through `examples/sheets.py`' cell writer, streamed into the zip.
2. Builds `target/release/kpi` and the `calamine_only` example (`--no-build` to skip).
3. Times, best of `--runs`, each as one child process (wall time and peak RSS, from
   `wait4`): `kpi eval benches/calls.kpi --data calls=FILE.xlsx` (8 KPIs), `calamine_only`
   (streams every cell), `polars.read_excel(FILE)` and openpyxl's read-only iteration, and
   `kpi eval` on the same rows as CSV for scale. Checks that kpi's 8 values over the .xlsx
   equal those over the CSV.

Python packages come from `--python` (default: `~/.cache/kpi-bench/venv/bin/python`, where
`pip install polars fastexcel openpyxl` puts them).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import sheets  # noqa: E402

TYPES = ["text", "datetime", "text", "text", "bool", "text", "int", "int", "int", "int"]


def make_xlsx(csv_path, xlsx_path):
    """Stream the CSV's rows into a one-sheet workbook."""
    with open(csv_path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
        tmp = xlsx_path + ".part"
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            files = {}
            # The fixed parts come from sheets.write_xlsx on an empty sheet.
            small = xlsx_path + ".small"
            sheets.write_xlsx(small, [("calls", [])])
            with zipfile.ZipFile(small) as s:
                for name in s.namelist():
                    if not name.startswith("xl/worksheets/"):
                        files[name] = s.read(name)
            os.remove(small)
            for name, data in files.items():
                z.writestr(name, data)
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
                out.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                cells = "".join(sheets._xlsx_cell(f"{sheets._col(j)}1", h, False) for j, h in enumerate(header))
                out.write(f'<row r="1">{cells}</row>'.encode())
                buf = []
                for i, line in enumerate(f, 2):
                    vals = line.rstrip("\n").split(",")
                    row = []
                    for j, (v, t) in enumerate(zip(vals, TYPES)):
                        if v == "":
                            continue
                        if t == "int":
                            v = int(v)
                        elif t == "bool":
                            v = v == "true"
                        elif t == "datetime":
                            v = datetime.fromisoformat(v)
                        row.append(sheets._xlsx_cell(f"{sheets._col(j)}{i}", v, False))
                    buf.append(f'<row r="{i}">{"".join(row)}</row>')
                    if len(buf) >= 10000:
                        out.write("".join(buf).encode())
                        buf.clear()
                out.write("".join(buf).encode())
                out.write(b"</sheetData></worksheet>")
        os.replace(tmp, xlsx_path)


def timed(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    _, status, rusage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    out = p.stdout.read().decode()
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, rusage.ru_maxrss / 1024, out


def best(label, cmd, runs):
    results = [timed(cmd) for _ in range(runs)]
    wall = min(r[0] for r in results)
    rss = max(r[1] for r in results)
    print(f"{label:42} {wall:7.2f} s  {rss:8.0f} MB   runs: {', '.join(f'{r[0]:.2f}' for r in results)}")
    return wall, rss, results[0][2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--csv")
    ap.add_argument("--python", default=os.path.expanduser("~/.cache/kpi-bench/venv/bin/python"))
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    os.makedirs("/tmp/kpi-bench", exist_ok=True)
    csv_path = a.csv or f"/tmp/kpi-bench/calls-{a.rows}.csv"
    if not os.path.exists(csv_path):
        subprocess.run([sys.executable, os.path.join(ROOT, "benches/gen_calls.py"), "--rows", str(a.rows), "--out", csv_path], check=True)
    xlsx_path = csv_path.rsplit(".", 1)[0] + ".xlsx"
    if not os.path.exists(xlsx_path):
        t = time.perf_counter()
        make_xlsx(csv_path, xlsx_path)
        print(f"made {xlsx_path} ({os.path.getsize(xlsx_path) / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--example", "calamine_only"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    kpi = os.path.join(ROOT, "target/release/kpi")
    only = os.path.join(ROOT, "target/release/examples/calamine_only")
    kpis = os.path.join(ROOT, "benches/calls.kpi")
    print(f"{a.rows:,} rows, best of {a.runs} runs (wall time, peak RSS)")
    _, _, on_xlsx = best("kpi eval (8 KPIs) on .xlsx", [kpi, "eval", kpis, "--data", f"calls={xlsx_path}", "--format", "json"], a.runs)
    best("calamine alone (every cell)", [only, xlsx_path], a.runs)
    best("python polars.read_excel", [a.python, "-c", f"import polars; print(polars.read_excel({xlsx_path!r}).height)"], a.runs)
    best("python openpyxl read-only (every cell)", [a.python, "-c", f"import openpyxl\nwb = openpyxl.load_workbook({xlsx_path!r}, read_only=True)\nprint(sum(1 for r in wb.active.iter_rows(values_only=True)))"], 1)
    _, _, on_csv = best("kpi eval (8 KPIs) on the same rows as CSV", [kpi, "eval", kpis, "--data", f"calls={csv_path}", "--format", "json"], a.runs)
    same = json.loads(on_xlsx)["results"] == json.loads(on_csv)["results"]
    print("kpi's values over the .xlsx and the CSV:", "equal" if same else "DIFFERENT")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
