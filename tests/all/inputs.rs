//! Real exports through the CLI (issue 8): read options on the command line, the rejects
//! file, workbook cell errors, spreadsheet outputs.

use crate::common::{kpi, kpi_in, run, temp_files};

/// `--read KEY=VALUE` in a run without catalogue: without it each convention is refused
/// with help naming the flag; with it, the export reads; a wrong key is exit 2.
#[test]
fn read_options_on_the_command_line() {
    let base = [
        "eval",
        "-e",
        "n = count()",
        "-e",
        "a = pct(`Décroché`)",
        "-e",
        "w = avg(Attente)",
        "-e",
        "m = sum(Montant)",
        "--data",
        "tests/fixtures/inputs/appels.csv",
    ];
    insta::assert_snapshot!(run(&base));
    let mut read = base.to_vec();
    read.extend([
        "--read",
        "true=Oui",
        "--read",
        "false=Non",
        "--read",
        "thousands= ",
        "--read",
        "null=N/A",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!(run(&read));
    let (code, _, err) = kpi(&[
        "eval",
        "-e",
        "n = count()",
        "--data",
        "x.csv",
        "--read",
        "decmal=,",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `decimal`?"), "{err}");
}

/// `--rejects FILE`: every rejected record, as CSV; CRLF files give the lines of LF ones.
#[test]
fn rejects_file_lists_every_rejected_record() {
    let dir = std::env::temp_dir().join(format!("kpi-rejects-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for data in ["appels.csv", "appels_crlf.csv"] {
        let out = dir.join(format!("{data}.rejects.csv"));
        let (code, _, _) = kpi(&[
            "eval",
            "-e",
            "a = pct(`Décroché`)",
            "-e",
            "r = avg(Taux)",
            "--data",
            &format!("tests/fixtures/inputs/{data}"),
            "--rejects",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 1);
        files.push(
            std::fs::read_to_string(&out)
                .unwrap()
                .replace("appels_crlf.csv", "appels.csv"),
        );
    }
    assert_eq!(files[0], files[1]);
    insta::assert_snapshot!(files[0]);
}

/// A workbook's data error names the sheet, the row and the column letter.
#[test]
fn workbook_data_errors_name_the_cell() {
    insta::assert_snapshot!(run(&[
        "eval",
        "-e",
        "m = sum(Montant)",
        "--data",
        "tests/fixtures/inputs/appels_bad.xlsx",
    ]));
}

/// `--format csv --lang fr` (`;`, decimal commas, a BOM, French labels) and
/// `--format xlsx --output FILE` (numbers, percentages as value / 100, durations in days).
#[test]
fn spreadsheet_outputs() {
    insta::assert_snapshot!(run(&[
        "eval",
        "examples/catalogues/appels.yaml",
        "--format",
        "csv",
        "--lang",
        "fr",
    ]));
    let (code, _, err) = kpi(&[
        "eval",
        "examples/catalogues/appels.yaml",
        "--format",
        "xlsx",
    ]);
    assert_eq!(code, 2, "{err}");
    let path = std::env::temp_dir().join(format!("kpi-out-{}.xlsx", std::process::id()));
    let (code, out, err) = kpi(&[
        "eval",
        "examples/catalogues/appels.yaml",
        "--format",
        "xlsx",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = wb.worksheet_range("Results").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[0][0], Data::String("kpi".into()));
    assert_eq!(rows[1][0], Data::String("taux_decroche".into()));
    assert_eq!(rows[1][5], Data::String("met".into()));
    let Data::Float(pickup) = rows[1][2] else {
        panic!("{:?}", rows[1][2])
    };
    assert!((pickup - 0.909059405940594).abs() < 1e-12, "{pickup}");
    // The AHT, 300.74 s, as a duration: a fraction of a day in [h]:mm:ss.
    let aht = match &rows[4][2] {
        Data::DateTime(t) => t.as_f64(),
        Data::Float(f) => *f,
        other => panic!("{other:?}"),
    };
    assert!((aht * 86_400.0 - 300.7366987964929).abs() < 1e-6, "{aht}");
}

/// Declared marks are strict for durations as for numbers: with `thousands: "."`, `1.500`
/// seconds is 1500 (it was read as 1.5 s, exit 0), in CSV and in JSON Lines strings.
#[test]
fn declared_marks_read_durations_as_numbers() {
    let dir = temp_files(
        "dur-marks",
        &[
            ("d.csv", "n;d\n1.500;1.500\n2;1:00:00\n"),
            ("d.jsonl", "{\"n\":\"1.500\",\"d\":\"1.500\"}\n"),
        ],
    );
    for file in ["d.csv", "d.jsonl"] {
        std::fs::write(
            dir.join("k.yaml"),
            format!("sources: {{c: {{path: {file}, thousands: \".\", decimal: \",\", fields: {{n: number, d: duration}}}}}}\nkpis: {{sn: {{source: c, formula: sum(n)}}, sd: {{source: c, formula: sum(d)}}}}\n"),
        )
        .unwrap();
        let (code, out, err) = kpi_in(&dir, &["eval", "k.yaml", "--format", "csv"]);
        assert_eq!(code, 0, "{err}");
        let want = if file == "d.csv" {
            "sn,1502,,\nsd,5100,,\n"
        } else {
            "sn,1500,,\nsd,1500,,\n"
        };
        assert!(out.ends_with(want), "{file}: {out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A test's YAML numbers are read as written, as JSON Lines numbers are; quoted values are
/// read with the source's marks (with `thousands: "."`, `1.250` was 1250 and `2.5` an error).
#[test]
fn test_data_numbers_are_read_as_written() {
    let dir = temp_files(
        "inline-marks",
        &[(
            "c.yaml",
            "sources:\n  c:\n    path: x.csv\n    thousands: \".\"\n    decimal: \",\"\n    fields: {n: number}\nkpis:\n  s:\n    source: c\n    formula: sum(n)\n    tests:\n      - {name: plain, data: [{n: 1.250}, {n: 2.5}, {n: -1e1}], expect: -6.25}\n      - {name: quoted, data: [{n: \"1.250\"}, {n: \"2,5\"}], expect: 1252.5}\n",
        )],
    );
    let (code, out, err) = kpi_in(&dir, &["test", "c.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 passed, 0 failed"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A JSON Lines error underlines the field's key, not an earlier value that holds its name.
#[test]
fn jsonl_errors_point_at_the_key() {
    let dir = temp_files(
        "jsonl-key",
        &[
            ("j.jsonl", "{\"g\":\"x\",\"x\" : \"zz\"}\n"),
            (
                "k.yaml",
                "sources: {s: {path: j.jsonl, fields: {x: number, g: string}}}\nkpis: {k: {source: s, formula: sum(x)}}\n",
            ),
        ],
    );
    let (code, _, err) = kpi_in(&dir, &["eval", "k.yaml"]);
    insta::assert_snapshot!(format!("exit: {code}\n{err}"));
    let _ = std::fs::remove_dir_all(&dir);
}
