//! Nasty inputs for the robustness property: random bytes, and catalogues, formulas and
//! data files built from pieces known to hurt parsers and evaluators (deep nesting, huge
//! numbers, odd Unicode, broken YAML, ragged CSV, cycles, long chains).

use super::gen::Gen;
use super::rng::Rng;

/// Random bytes: now any byte, now from an alphabet of the characters the grammars use.
pub fn bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    let n = rng.below(max + 1);
    const ALPHABET: &[u8] = b"abxyz019_ ()[]{}<>=!&|+-*/.,:;'\"`#@\\\n\t\r-?|>%~*&^$";
    let any = rng.pct(30);
    (0..n)
        .map(|_| {
            if any {
                rng.next_u64() as u8
            } else {
                *rng.pick(ALPHABET)
            }
        })
        .collect()
}

/// A size for repeated pieces: up to 10,000 in a long run, 1,000 in the quick one.
fn size(rng: &mut Rng) -> usize {
    if super::long_run() {
        *rng.pick(&[3, 50, 127, 128, 129, 1000, 2001, 5000, 10_000])
    } else {
        *rng.pick(&[3, 50, 127, 128, 129, 300, 1000])
    }
}

/// A formula that parsers and the analysis may choke on.
pub fn formula(rng: &mut Rng) -> String {
    let n = size(rng);
    let name = name(rng);
    match rng.below(32) {
        0 => format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        1 => format!("{}true", "not ".repeat(n)),
        2 => format!("{}1", "-".repeat(n)),
        3 => format!("1{}", " + 1".repeat(n)),
        4 => format!("{}x{}", "sum(".repeat(n.min(200)), ")".repeat(n.min(200))),
        5 => "count(count(count() per a) per b)".into(),
        6 => format!(
            "avg(count() per {})",
            (0..n.min(300))
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        7 => "count(x between 1 and 2 between 3 and 4)".into(),
        8 => format!("sum(x) * {}", rng.pick(&NUMBERS)),
        9 => format!("count(x > {})", rng.pick(&NUMBERS)),
        10 => format!("count(d > {})", rng.pick(&DATES)),
        11 => format!("sum({name}) + count({name} == 'a')"),
        12 => (*rng.pick(&[
            "'abc",
            "\"abc",
            "\"\\",
            "'\\u{110000}'",
            "\"\\x\"",
            "count(s == \"\\\"\")",
        ]))
        .into(),
        13 => (*rng.pick(&[
            "a && b", "a || b", "!a", "a = b", "a <> b", "a => b", "a === b", "a ! b", "=",
        ]))
        .into(),
        14 => (*rng.pick(&[
            "round(1, 2, 3)",
            "percentile(x, 2)",
            "percentile(x, -1)",
            "percentile(x, x)",
            "median()",
            "rolling(sum(x), 0)",
            "rolling(sum(x), 99999999999999999999999999999)",
            "previous(sum(x), -1)",
            "to_date(sum(x), day)",
            "rank(rank(sum(x)))",
            "total(total(count()))",
            "first(x)",
            "open(a, b)",
            "year_ago(year_ago(count()))",
            "rolling(rolling(count(), 2), 2)",
            "cumulative(rank(count()))",
        ]))
        .into(),
        15 => (*rng.pick(&[
            "count(where)",
            "sum(x per)",
            "count(per where x)",
            "count(per)",
            "sum(where x per y)",
            "count(x where y where z)",
            "sum(count() per x per y)",
            "s.t.count()",
            "nosuch.count()",
            "count",
            "()",
            "",
            " ",
            "#",
        ]))
        .into(),
        16 => format!("count({name} is not null)"),
        17 => format!("sum(if({name}, 1, 0)) / count()"),
        18 => format!(
            "round(sum(x), {})",
            rng.pick(&["0", "28", "29", "-1", "1e9", "null"])
        ),
        19 => format!("{}d", "9".repeat(n.min(400))),
        20 => format!("count({}x{})", "-".repeat(n), " is null".repeat(n.min(50))),
        21 => format!("sum(x){}", " / 0".repeat(n.min(500))),
        22 => format!("count(s in ({}))", vec!["'a'"; n].join(", ")),
        23 => format!("least({})", vec!["sum(x)"; n.min(2000)].join(", ")),
        24 => "sum(x) + sum(d) + count(d - d > 1min) + avg(d - d) / 1s".into(),
        25 => format!("count(contains(s, '{}'))", "é".repeat(n)),
        26 => format!("`{}`", "x".repeat(n * 10)),
        27 => format!("count(`{name}` > 1)"),
        28 => format!(
            "hour(d) + weekday(d) + day(d) + len(s) + {}",
            rng.pick(&NUMBERS)
        ),
        29 => format!(
            "avg(x) > 1min or sum(x) between 1s and {}",
            rng.pick(&NUMBERS)
        ),
        _ => {
            let g = Gen::new(rng.next_u64()).case();
            g.formulas(rng.next_u64())
                .into_iter()
                .next()
                .unwrap_or_default()
        }
    }
}

const NUMBERS: [&str; 14] = [
    "1e999999",
    "99999999999999999999999999999999999999999",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "0.00000000000000000000000000000000001",
    "1_000_000",
    "1__0",
    "1.",
    ".5",
    "0x10",
    "1.5.5",
    "-0",
    "9999999999999999999d",
    "1.5h",
];

const DATES: [&str; 8] = [
    "9999-99-99",
    "0000-01-01",
    "2025-02-29",
    "2024-02-29T25:61:61",
    "9999-12-31T23:59:59.999999999999",
    "2025-01-01T00:00",
    "1-1-1",
    "2025-13-01",
];

/// A field or KPI name with odd Unicode.
pub fn name(rng: &mut Rng) -> String {
    (*rng.pick(&[
        "x",
        "é",
        "e\u{301}",
        "\u{301}x",
        "x²",
        "a½",
        "📈",
        "\u{202E}abc",
        "a\u{200D}b",
        "\u{FEFF}x",
        "ǅ",
        "İ",
        "x y",
        "`",
        "a`b",
        "and",
        "null",
        "per",
        "日本",
        "\u{0}",
        "\u{85}",
        "\u{2028}",
    ]))
    .into()
}

/// A YAML catalogue that is broken, odd or huge, or a valid one.
pub fn yaml(rng: &mut Rng, data_file: &str) -> String {
    let n = size(rng);
    let f = formula(rng).replace('\'', "''");
    let src = format!("sources:\n  s:\n    path: {data_file}\n    time: d\n");
    match rng.below(24) {
        0 => format!("{src}kpis:\n  k: {}{}\n", "[".repeat(n), "]".repeat(n)),
        1 => format!("{src}kpis:\n  k: {}\n", "{a: ".repeat(n) + &"}".repeat(n)),
        2 => format!("{src}kpis:\n{}", (0..n.min(200)).map(|i| format!("{}- k{i}\n", " ".repeat(i))).collect::<String>()),
        3 => {
            // a billion laughs
            let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for i in 1..12 {
                y.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
            }
            format!("{src}{y}kpis:\n  k: count()\n")
        }
        4 => format!("{src}kpis:\n  k: !!binary aGVsbG8=\n  j: !custom count()\n"),
        5 => format!("{src}kpis:\n  k: count()\n  k: sum(x)\n"),
        6 => format!("{src}kpis:\n\tk: count()\n"),
        7 => format!("{src}kpis:\n  k: count()\n---\nkpis:\n  j: sum(x)\n...\n"),
        8 => format!("{src}kpis:\n  k:\n    formula: |-\n        sum(x)\n      + 1\n  bad\n"),
        9 => format!("{src}kpis:\n  k: '{}'\n", "x + ".repeat(n * 10) + "1"),
        10 => format!("{src}kpis:\n  ? [a, b]\n  : count()\n  ~: count()\n  1: count()\n  .inf: count()\n"),
        11 => format!(
            "{src}kpis:\n  k:\n    formula: '{f}'\n    decimals: {}\n    target: '{}'\n    unit: {}\n",
            rng.pick(&["1e99", "-1", "x", "13", "2.5", "[]"]),
            rng.pick(&[">= 1e99", "between 5 and", "90", "== ", ">= 6min", "<= 80%", ">= nan"]),
            rng.pick(&["percent", "%", "seconds", "bogus", "{a: b}"])
        ),
        12 => format!(
            "{src}kpis:\n  k:\n    formula: count()\n    tests:\n      - data: {}\n        expect: {}\n",
            rng.pick(&["[{a: [1, 2]}]", "[1, 2]", "{s: []}", "[{x: 1e999}]", "[{x: .nan}]", "~", "[{d: 2025-02-30}]"]),
            rng.pick(&["1", ".inf", "[1]", "90min", "{by: x}", "~", "1e999999", "[{by: {}, value: 1}]"])
        ),
        13 => format!(
            "sources:\n  s:\n    path: {data_file}\n    dimensions: {}\nkpis:\n  k: count()\n",
            rng.pick(&["{m: m}", "{m: n, n: m}", "{m: upper(m)}", "{m: count()}", "{m: m + 1, n: m}"])
        ),
        14 => format!(
            "sources:\n  s:\n    path: {data_file}\n    key: x\n    lookups: [s]\n  t:\n    path: {data_file}\n    lookups: [s, t, nosuch]\nkpis:\n  k: t.count(s.x == 1)\n"
        ),
        15 => format!(
            "sources:\n  s:\n    path: {}\n    fields: {{x: {}}}\nkpis:\n  k: count()\n",
            rng.pick(&["", ".", "nosuch.csv", "/", "data.csv.gz", "\"\\0\""]),
            rng.pick(&["number", "bogus", "[]", "datetime", "duration"])
        ),
        16 => format!("{src}kpis: [count(), sum(x)]\n"),
        17 => format!("{src}kpis:\n  k: '{f}'\n  \"{}\": count()\n", name(rng).replace('"', "\\\"")),
        18 => format!(
            "{src}kpis:\n{}",
            (0..n.min(3000)).map(|i| format!("  k{i}: k{}\n", i + 1)).collect::<String>()
                + &format!("  k{}: count()\n", n.min(3000))
        ),
        19 => format!(
            "{src}kpis:\n{}",
            (0..n.min(60)).map(|i| format!("  k{i}: k{} + k{}\n", i + 1, i + 1)).collect::<String>()
                + &format!("  k{}: count()\n", n.min(60))
        ),
        20 => format!("{src}kpis:\n  a: b\n  b: c\n  c: a\n  d: d\n"),
        21 => String::from_utf8_lossy(&bytes(rng, 3000)).into_owned(),
        22 => format!("\u{FEFF}{src}kpis:\r\n  k: '{f}'\r\n"),
        _ => format!("{src}kpis:\n  k: '{f}'\n  j: '{}'\n", formula(rng).replace('\'', "''")),
    }
}

/// A `.kpi` file: statements, attributes and doc lines, some broken.
pub fn kpi_file(rng: &mut Rng) -> String {
    let mut out = String::new();
    for i in 0..rng.range(1, 8) {
        match rng.below(10) {
            0 => out.push_str(&format!(
                "@{} {}\n",
                rng.pick(&[
                    "unit", "unité", "unit:", "target", "decimals", "label.fr", "source", "", "@"
                ]),
                rng.pick(&[
                    "percent",
                    ">= 90",
                    "99999999999999999999",
                    "",
                    "é percent",
                    "s"
                ])
            )),
            1 => out.push_str(&format!("/// {}\n", name(rng))),
            2 => out.push_str(&format!(
                "k{i} = {}\n",
                rng.pick(&["", "=", "== 1", "k0", &format!("k{i}")])
            )),
            3 => out.push_str("= 1\n"),
            4 => out.push_str(&String::from_utf8_lossy(&bytes(rng, 200))),
            _ => out.push_str(&format!("k{i} = {}\n", formula(rng).replace('\n', " "))),
        }
    }
    out
}

/// A data file: ragged, unterminated, odd bytes, huge cells, or a fair one.
pub fn csv(rng: &mut Rng) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    if rng.pct(10) {
        out.extend_from_slice("\u{FEFF}".as_bytes());
    }
    let eols: [&[u8]; 3] = [b"\n", b"\r\n", b"\r"];
    let eol = eols[rng.below(3)];
    let headers: [&[u8]; 7] = [b"x,s,d", b"x,x,d", b",s,d", b"x;s;d", b"x\ts\td", b"x", b""];
    out.extend_from_slice(headers[rng.below(headers.len())]);
    out.extend_from_slice(eol);
    for _ in 0..rng.below(30) {
        let row: Vec<u8> = match rng.below(14) {
            0 => b"1,a".to_vec(),
            1 => b"1,a,2025-01-01,extra".to_vec(),
            2 => b"1,\"unterminated,2025-01-01".to_vec(),
            3 => b"1,a\"b,2025-01-01".to_vec(),
            4 => b"1,\0,2025-01-01".to_vec(),
            5 => vec![0xff, 0xfe, b',', 0xc3, b',', 0x80],
            6 => format!("{},a,2025-01-01", rng.pick(&NUMBERS)).into_bytes(),
            7 => format!("1,a,{}", rng.pick(&DATES)).into_bytes(),
            8 => format!("1,{},2025-01-01", "x".repeat(rng.below(200_000))).into_bytes(),
            9 => format!(
                "{},a,99:99:99",
                rng.pick(&["NaN", "inf", "-0", "1e-999999", "+-5", "1_000"])
            )
            .into_bytes(),
            10 => bytes(rng, 100),
            11 => format!("1,\"{}\",2025-01-01", "\"\"".repeat(rng.below(1000))).into_bytes(),
            _ => format!("{},b,2025-01-0{}", rng.range(-9, 9), rng.range(1, 9)).into_bytes(),
        };
        out.extend_from_slice(&row);
        out.extend_from_slice(eol);
    }
    if rng.pct(20) {
        out.truncate(rng.below(out.len() + 1));
    }
    out
}

/// JSON Lines: objects, broken lines, deep nesting, huge numbers.
pub fn jsonl(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::new();
    for _ in 0..rng.below(20) {
        let n = size(rng);
        out.push_str(&match rng.below(10) {
            0 => format!("{{\"x\": {}}}", "[".repeat(n) + &"]".repeat(n)),
            1 => format!(
                "{{\"x\": {}}}",
                rng.pick(&[
                    "1e999999",
                    "-0",
                    "1e-999999",
                    "123456789012345678901234567890123"
                ])
            ),
            2 => "{\"x\": 1, \"x\": 2}".into(),
            3 => "[1, 2]".into(),
            4 => "{\"s\": \"\\ud800\", \"d\": \"\\u0000\"}".into(),
            5 => "{\"x\": 1".into(),
            6 => String::from_utf8_lossy(&bytes(rng, 100)).into_owned(),
            7 => format!("{{\"{}\": 1}}", name(rng).replace('"', "")),
            _ => format!(
                "{{\"x\": {}, \"s\": \"a\", \"d\": \"2025-01-0{}\"}}",
                rng.range(-9, 9),
                rng.range(1, 9)
            ),
        });
        out.push('\n');
    }
    out.into_bytes()
}
