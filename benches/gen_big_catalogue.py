#!/usr/bin/env python3
"""A catalogue of N KPIs in one YAML file, each over the previous one: the shape that made
`kpi doc` quadratic (issue 9 #11; it counted lines from the file's start for every KPI).

    python3 benches/gen_big_catalogue.py 50000 /tmp/big.yaml
    time target/debug/kpi doc /tmp/big.yaml > /dev/null
"""

import sys


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    with open(out, "w", encoding="utf-8") as f:
        f.write("sources:\n  s: { fields: { x: number, y: number } }\nsource: s\nkpis:\n")
        f.write("  k0: sum(x)\n")
        for i in range(1, n):
            f.write(f"  k{i}:\n    formula: k{i-1} + sum(y where x > {i})\n    unit: number\n")


if __name__ == "__main__":
    main()
