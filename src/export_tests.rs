//! Issue 8's fixtures (`tests/fixtures/inputs/`, written by its `make.py`): the same calls as
//! an ISO file and as French exports (CSV, CRLF CSV, Windows-1252 CSV, `.xlsx` with percent
//! cells, `.xlsx` in the 1904 system, `.ods` with percentage cells, JSON Lines with French
//! strings). The same KPIs give the same values over each; each diagnostic, and the rejects
//! file, is a snapshot.

use crate::analysis::catalogue_to_ir;
use crate::eval::{self, Records};
use crate::input::{rejections_to_csv, Reading, RejectLog};
use crate::plan::{ir_to_plan, Request};
use crate::render::{human, Style};
use crate::results::plain_value;
use crate::span::SourceMap;

const DIR: &str = "tests/fixtures/inputs";

const KPIS: &str = r#"source: calls
kpis:
  n: count()
  answered: pct(`Décroché`)
  wait: avg(Attente)
  longest: max(Attente)
  amount: sum(Montant)
  rate: avg(Taux)
  first: min(`Date d'appel`)
  last: max(`Date d'appel`)
  agents: pct(Agent is not null)
  ids: distinct(Appel)
  march: count(where month(`Date d'appel`) == "2025-03")
"#;

/// The French conventions of the CSV exports.
const FRENCH: &[&str] = &[
    "datetime_format: \"%d/%m/%Y %H:%M\"",
    "true: [Oui]",
    "false: [Non]",
    "thousands: \" \"",
    "null: [\"N/A\"]",
];

fn catalogue(file: &str, options: &[&str]) -> String {
    let mut s = format!("sources:\n  calls:\n    path: {DIR}/{file}\n");
    for o in options {
        s.push_str(&format!("    {o}\n"));
    }
    s.push_str("    fields: { Appel: string, \"Date d'appel\": datetime, \"Décroché\": bool, Attente: duration, Montant: number, Taux: number, Agent: string }\n");
    s + KPIS
}

struct Run {
    values: Vec<String>,
    diags: String,
    messages: Vec<String>,
    rejects: String,
}

fn run(yaml: &str) -> Run {
    let mut map = SourceMap::default();
    let mut diags = Vec::new();
    let cat = crate::catalogue::load_text("c.yaml", yaml, false, &mut map, &mut diags);
    run_catalogue(cat, map, diags, None)
}

/// Evaluate every KPI of `cat` over its source's file (or `file`).
fn run_catalogue(
    cat: crate::catalogue::Catalogue,
    map: SourceMap,
    mut diags: Vec<crate::diag::Diag>,
    file: Option<&str>,
) -> Run {
    crate::input::options::check_catalogue(&cat, &mut diags);
    let (ir, more) = catalogue_to_ir(&cat, &[]);
    diags.extend(more);
    assert!(diags.is_empty(), "{diags:?}");
    let mut req = Request {
        kpis: (0..cat.kpis.len())
            .map(|i| crate::ir::KpiId(i as u32))
            .collect(),
        ..Default::default()
    };
    let path = cat.sources[0].path.as_ref().expect("a path");
    let path = file.map_or_else(|| crate::catalogue::display_path(&path.0), str::to_string);
    req.files.insert(crate::ir::SourceId(0), path);
    let mut reading = Reading::from_catalogue(&cat);
    let log = RejectLog::default();
    reading.log_rejects(&cat.sources[0].name.text, log.clone());
    let plan = ir_to_plan(&ir, &req).unwrap_or_else(|d| panic!("{d:?}"));
    let out = eval::evaluate(&plan, Records::Files(&reading));
    let values = out
        .rows
        .iter()
        .map(|r| format!("{} = {}", plan.kpi_name(r.kpi), plain_value(&r.value)))
        .collect();
    let diags: Vec<String> = out
        .diags
        .iter()
        .map(|d| human(d, &map, Style::PLAIN))
        .collect();
    let rejects = rejections_to_csv(&log.lock().unwrap());
    let messages = out.diags.iter().map(|d| d.message.clone()).collect();
    Run {
        values,
        diags: diags.join("\n"),
        messages,
        rejects,
    }
}

fn with(extra: &[&'static str]) -> Vec<&'static str> {
    FRENCH.iter().chain(extra).copied().collect()
}

#[test]
fn the_french_exports_give_the_values_of_the_iso_file() {
    let iso = run(&catalogue("calls_iso.csv", &[]));
    assert!(iso.diags.is_empty(), "{}", iso.diags);
    insta::assert_snapshot!("iso_values", iso.values.join("\n"));
    let exports: Vec<(&str, Vec<&str>)> = vec![
        ("appels.csv", with(&[])),
        ("appels_crlf.csv", with(&[])),
        ("appels_cp1252.csv", with(&["encoding: windows-1252"])),
        ("appels.xlsx", with(&["sheet: Appels", "header_row: 3"])),
        ("appels.xlsx", with(&["sheet: 2", "header_row: 3"])),
        ("appels_1904.xlsx", with(&[])),
        ("appels.xls", with(&["sheet: Appels", "header_row: 3"])),
        ("appels.ods", with(&["header_row: 3"])),
        (
            "appels_xlsx.csv",
            with(&["format: xlsx", "sheet: Appels", "header_row: 3"]),
        ),
        // JSON Lines: the options apply to the strings, not to the numbers and booleans.
        ("appels.jsonl", with(&["decimal: \",\""])),
    ];
    for (file, options) in exports {
        let got = run(&catalogue(file, &options));
        assert!(got.diags.is_empty(), "{file}: {}", got.diags);
        assert_eq!(got.values, iso.values, "{file} {options:?}");
    }
}

/// A cell shown as a percentage reads as the number shown, in a number field and in a text
/// field, in `.xlsx` (built-in and custom formats) and `.ods`; a plain number as it is.
#[test]
fn percent_cells_read_as_the_number_shown() {
    let as_text = |file: &str, options: &[&str]| {
        let yaml = catalogue(file, options).replace("Taux: number", "Taux: string");
        let (sources, _) = yaml.split_once("kpis:").unwrap();
        format!("{sources}kpis:\n  shown: count(where Taux == \"85\")\n  custom: count(where Taux == \"90\")\n")
    };
    let xlsx = with(&["sheet: Appels", "header_row: 3"]);
    let ods = with(&["header_row: 3"]);
    for (file, options) in [
        ("appels.xlsx", &xlsx),
        ("appels.ods", &ods),
        ("appels_plain.ods", &ods),
        ("appels_1904.xlsx", &with(&[])),
    ] {
        let text = run(&as_text(file, options));
        assert!(text.diags.is_empty(), "{file}: {}", text.diags);
        assert_eq!(text.values, ["shown = 1", "custom = 1"], "{file}");
        let number = run(&catalogue(file, options));
        assert!(
            number.values.contains(&"rate = 71.55".to_string()),
            "{file}: {:?}",
            number.values
        );
    }
}

/// JSON Lines with French strings and no `decimal: ","`: the help names the option, which
/// the JSON Lines reader honours (the JSON numbers read as they are).
#[test]
fn json_lines_undeclared_decimal_comma_names_its_option() {
    let got = run(&catalogue("appels.jsonl", FRENCH));
    assert!(got.diags.contains("help: add `decimal:"), "{}", got.diags);
    insta::assert_snapshot!("jsonl_undeclared_decimal", got.diags);
}

/// A workbook whose cell formats cannot be read is one error, before `calamine` reads it.
#[test]
fn unreadable_cell_formats_are_one_error() {
    let got = run(&catalogue(
        "appels_badstyles.xlsx",
        &with(&["sheet: Appels", "header_row: 3"]),
    ));
    assert!(got.values.is_empty(), "{:?}", got.values);
    insta::assert_snapshot!("workbook_bad_styles", got.diags);
}

/// A percent cell past column XFD is a broken file: one error, not a table grown to its
/// column (it took 7.5 GB).
#[test]
fn a_percent_cell_past_the_last_column_is_one_error() {
    let got = run(&catalogue(
        "appels_farcell.xlsx",
        &with(&["sheet: Appels", "header_row: 3"]),
    ));
    assert!(got.values.is_empty(), "{:?}", got.values);
    insta::assert_snapshot!("workbook_cell_past_xfd", got.diags);
}

/// JSON Lines: a declared null word, boolean word, mark or pattern reads a string value
/// only; a JSON number or boolean is read as written, whatever the options.
#[test]
fn json_lines_read_their_strings_with_the_options() {
    let dir = std::env::temp_dir().join(format!("kpi-jsonl-options-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"n": "1 234,5", "b": "Oui", "d": "02/03/2025", "s": "0"}"#,
            "\n",
            r#"{"n": 1234.5, "b": true, "d": "2025-03-02", "s": 0}"#,
            "\n",
            r#"{"n": "NC", "b": "Non", "d": "NC", "s": "NC"}"#,
            "\n",
        ),
    )
    .unwrap();
    let yaml = format!(
        "sources:\n  t:\n    path: {}\n    decimal: \",\"\n    thousands: \" \"\n    true: [Oui]\n    false: [Non]\n    date_format: \"%d/%m/%Y\"\n    null: [NC, \"0\"]\n    fields: {{ n: number, b: bool, d: date, s: string }}\nsource: t\nkpis:\n  total: sum(n)\n  yes: count(where b)\n  no: count(where not b)\n  days: distinct(d)\n  zeros: count(where s == \"0\")\n  nulls: count(where s is null)\n",
        path.display()
    );
    let got = run(&yaml);
    std::fs::remove_dir_all(&dir).ok();
    assert!(got.diags.is_empty(), "{}", got.diags);
    assert_eq!(
        got.values,
        [
            "total = 2469",
            "yes = 2",
            "no = 1",
            "days = 1",
            "zeros = 1",
            "nulls = 2"
        ]
    );
}

/// With one convention left undeclared, each record that writes it is rejected, and the
/// help names the line to add.
#[test]
fn each_convention_undeclared_names_its_option() {
    for (left_out, key) in [
        (0, "datetime_format"),
        (1, "true"),
        (3, "thousands"),
        (4, "null"),
    ] {
        let options: Vec<&str> = FRENCH
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != left_out && !(left_out == 1 && *i == 2))
            .map(|(_, o)| *o)
            .collect();
        let got = run(&catalogue("appels.csv", &options));
        assert!(
            got.diags.contains(&format!("help: add `{key}:")),
            "{key}: {}",
            got.diags
        );
        insta::assert_snapshot!(format!("undeclared_{key}"), got.diags);
        // CRLF files: the same lines.
        let crlf = run(&catalogue("appels_crlf.csv", &options));
        let crlf: Vec<String> = crlf
            .messages
            .iter()
            .map(|m| m.replace("appels_crlf.csv", "appels.csv"))
            .collect();
        assert_eq!(crlf, got.messages);
    }
}

#[test]
fn a_windows_1252_file_without_encoding_is_one_error() {
    let got = run(&catalogue("appels_cp1252.csv", FRENCH));
    assert!(got.values.is_empty());
    insta::assert_snapshot!("cp1252_without_encoding", got.diags);
}

#[test]
fn workbook_errors_name_sheet_row_and_column() {
    let named_csv = run(&catalogue("appels_xlsx.csv", FRENCH));
    let wrong_sheet = run(&catalogue("appels.xlsx", &with(&["sheet: Apels"])));
    let no_sheet = run(&catalogue("appels.xlsx", &with(&["sheet: 3"])));
    let no_header = run(&catalogue("appels.xlsx", &with(&["sheet: Appels"])));
    assert!(no_header
        .diags
        .contains("help: the header is on row 3: add `header_row: 3`"));
    let bad = run(&catalogue("appels_bad.xlsx", FRENCH));
    insta::assert_snapshot!(
        "workbook_errors",
        [
            named_csv.diags,
            wrong_sheet.diags,
            no_sheet.diags,
            no_header.diags,
            bad.diags,
        ]
        .join("\n----\n")
    );
    insta::assert_snapshot!("workbook_rejects", bad.rejects);
}

#[test]
fn the_rejects_file_lists_every_rejected_record() {
    let options: Vec<&str> = FRENCH
        .iter()
        .filter(|o| !o.starts_with("true") && !o.starts_with("null"))
        .copied()
        .collect();
    let got = run(&catalogue("appels.csv", &options));
    insta::assert_snapshot!("rejects_csv", got.rejects);
}

/// The example data's French export (`examples/data/appels.csv` and `appels.xlsx`, made by
/// `examples/generate_data.py`), read by `examples/catalogues/appels.yaml`, gives the values
/// of the same KPIs over the ISO file `examples/data/calls.csv`.
#[test]
fn the_example_french_export_gives_the_values_of_the_iso_data() {
    let iso = run(r#"sources:
  calls:
    path: examples/data/calls.csv
    fields: { answered: bool, wait_seconds: number, talk_seconds: number, hold_seconds: number, wrap_seconds: number, ticket_id: string }
source: calls
kpis:
  taux_decroche: pct(answered)
  attente_moyenne: avg(wait_seconds where answered)
  taux_rappel: pct(count() > 1 per ticket_id where answered)
  dmt: avg(talk_seconds + hold_seconds + wrap_seconds where answered)
"#);
    assert!(iso.diags.is_empty(), "{}", iso.diags);
    assert_eq!(iso.values.len(), 4);
    for file in [None, Some("examples/data/appels.xlsx")] {
        let mut map = SourceMap::default();
        let mut diags = Vec::new();
        let path = std::path::PathBuf::from("examples/catalogues/appels.yaml");
        let cat = crate::catalogue::load(&[path], &mut map, &mut diags);
        let fr = run_catalogue(cat, map, diags, file);
        assert!(fr.diags.is_empty(), "{file:?}: {}", fr.diags);
        assert_eq!(fr.values, iso.values, "{file:?}");
    }
}

/// Catalogue tests read their records with the source's options, and expect clocks.
#[test]
fn catalogue_tests_read_records_and_expectations_with_the_conventions() {
    let text = r#"sources:
  calls:
    true: [Oui]
    false: [Non]
    null: ["N/A"]
    fields: { wait: duration, answered: bool }
source: calls
kpis:
  avg_wait:
    formula: avg(wait where answered)
    tests:
      - data: [{wait: "00:04:05", answered: Oui}, {wait: "04:05", answered: Oui}, {wait: 1, answered: Non}, {wait: "N/A", answered: Oui}]
        expect: 00:04:05
      - data: [{wait: 245, answered: true}]
        expect: "04:05"
"#;
    let mut map = SourceMap::default();
    let mut diags = Vec::new();
    let cat = crate::catalogue::load_text("t.yaml", text, false, &mut map, &mut diags);
    let (ir, more) = catalogue_to_ir(&cat, &[]);
    assert!(diags.is_empty() && more.is_empty(), "{diags:?} {more:?}");
    let outcomes = crate::testing::run_all(&cat, &ir);
    assert_eq!(outcomes.len(), 2);
    for o in outcomes {
        assert!(o.passed, "{}: {:?}", o.test, o.diags);
    }
}

/// A title above the header, undeclared: the help gives the `header_row` to add.
#[test]
fn a_header_below_a_title_names_its_row() {
    let yaml = std::fs::read_to_string("examples/catalogues/appels.yaml")
        .unwrap()
        .replace("    header_row: 3\n", "")
        .replace("../data/", "examples/data/");
    let got = run(&yaml);
    insta::assert_snapshot!("header_below_a_title", got.diags);
}
