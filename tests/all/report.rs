//! `kpi report`, `--format html`, `kpi doc --format html`, `--ci` and `min_sample`: the pages
//! of the README's views and their structure; interval values against intervals worked by
//! hand and computed once with scipy/statsmodels (`scripts/ci_reference.py`); the new
//! diagnostics.

use crate::common::kpi;
use std::path::PathBuf;

/// A fresh folder under the system's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kpi-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `kpi report` commands of the README's "Report" section, as words.
fn readme_reports() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Report"))
        .expect("a README section `## Report`");
    section
        .lines()
        .filter_map(|l| l.strip_prefix("kpi report "))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Each README view renders one section per KPI, one SVG per chart (plus a sparkline per
/// tile with --grain), the target line of every KPI that has one, and no address at all.
#[test]
fn readme_report_views_render_whole_pages() {
    let dir = temp_dir("report");
    let views = readme_reports();
    assert!(views.len() >= 3, "{views:?}");
    for words in views {
        let mut args: Vec<String> = vec!["report".into()];
        let mut out = None;
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if w == "--output" {
                let file = dir.join(it.next().expect("a file after --output"));
                out = Some(file.clone());
                args.push(w.clone());
                args.push(file.display().to_string());
            } else {
                args.push(w.clone());
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = kpi(&refs);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "the page goes to --output, not stdout");
        let page = std::fs::read_to_string(out.expect("--output")).unwrap();
        let kpis = words.iter().filter(|w| *w == "--kpi").count();
        let grain = words.iter().any(|w| w == "--grain");
        let by = words.iter().any(|w| w == "--by");
        assert!(page.starts_with("<!DOCTYPE html>"), "{args:?}");
        assert_eq!(count(&page, "<section class=\"kpi\""), kpis, "{args:?}");
        assert_eq!(count(&page, "<a class=\"tile"), kpis, "{args:?}");
        let figures = count(&page, "<figure class=\"chart");
        let sparks = count(&page, "<svg class=\"spark\"");
        assert_eq!(count(&page, "<svg "), figures + sparks, "{args:?}");
        assert_eq!(sparks, if grain && !by { kpis } else { 0 }, "{args:?}");
        if grain != by {
            assert_eq!(figures, kpis, "one chart per KPI: {args:?}");
        } else {
            assert!(figures > kpis, "small multiples: {args:?}");
        }
        for section in page.split("<section class=\"kpi\"").skip(1) {
            assert!(
                section.contains("<svg "),
                "a chart in every section: {args:?}"
            );
        }
        // Every KPI with a target draws it (the views' KPIs with one are named here).
        for (name, target) in [("csat", true), ("nps", true), ("units_sold", false)] {
            if let Some(s) = page.split(&format!("id=\"kpi-{name}\"")).nth(1) {
                let s = s.split("</section>").next().unwrap();
                assert_eq!(s.contains("class=\"target\""), target, "{name}: {args:?}");
            }
        }
        for bad in [
            "http:", "https:", "//", "url(", "@import", "<script", " src=", "<link",
        ] {
            assert!(!page.contains(bad), "`{bad}` in the page of {args:?}");
        }
        assert!(page.contains("Content-Security-Policy"));
        if words.iter().any(|w| w == "--ci") && by {
            assert!(page.contains("class=\"err\""), "error bars: {args:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `eval --format html` is the page `report` writes for the same flags.
#[test]
fn eval_format_html_is_the_report() {
    let dir = temp_dir("html");
    let file = dir.join("a.html");
    let f = file.display().to_string();
    let flags = ["--kpi", "csat", "--by", "channel", "--ci", "95"];
    let mut report = vec!["report"];
    report.extend(flags);
    report.extend(["--output", &f]);
    assert_eq!(kpi(&report).0, 0);
    let mut eval = vec!["eval"];
    eval.extend(flags);
    eval.extend(["--format", "html"]);
    let (code, stdout, _) = kpi(&eval);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim_end(),
        std::fs::read_to_string(&file).unwrap().trim_end()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Others: a count folds the groups past --top into one bar; an average does not.
#[test]
fn others_fold_only_what_adds_up() {
    let (_, counts, _) = kpi(&["report", "--kpi", "disputes", "--by", "cause", "--top", "2"]);
    assert!(counts.contains(">others (3)</text>"), "{counts}");
    let (_, avg, _) = kpi(&["report", "--kpi", "avg_wait", "--by", "agent", "--top", "3"]);
    assert!(!avg.contains("others ("), "an average never folds");
    assert!(avg.contains("more groups not shown"), "{avg}");
}

/// French: labels, numbers with a decimal comma, month names.
#[test]
fn french_report() {
    let (code, page, _) = kpi(&[
        "report", "--kpi", "csat", "--grain", "quarter", "--lang", "fr",
    ]);
    assert_eq!(code, 0);
    assert!(page.contains("<html lang=\"fr\">"));
    assert!(page.contains("Satisfaction client (CSAT)"));
    assert!(page.contains("T4 2025"), "quarters in French");
    assert!(page.contains(" %<"), "percentages as 79,3 %");
    assert!(page.contains("objectif &gt;= 80"));
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = kpi(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The fixture's teams: a (10 records, 8 true), b (5, none: p = 0), c (3, all: p = 1),
/// d (1 record: n = 1). Intervals from statsmodels' `proportion_confint(method="wilson")`
/// and scipy's `t.interval` (`scripts/ci_reference.py`), written here once; the first
/// Wilson one also by hand in `src/stats/interval.rs`.
#[test]
fn ci_values_match_the_references() {
    let out = json(&[
        "eval",
        "tests/fixtures/ci",
        "--by",
        "team",
        "--total",
        "--ci",
        "95",
        "--format",
        "json",
    ]);
    let none = f64::NAN;
    let want: &[(&str, &str, f64, f64, u64)] = &[
        ("rate", "a", 49.01624715366418, 94.33178485456247, 10),
        ("rate", "b", 0.0, 43.448246478317486, 5),
        ("rate", "c", 43.850296824495445, 100.0, 3),
        ("rate", "d", 20.65493143772374, 100.0, 1),
        ("rate", "", 41.03953316480305, 80.85048725486493, 19),
        ("fraction", "a", 0.4901624715366418, 0.9433178485456247, 10),
        ("rate_again", "d", 20.65493143772374, 100.0, 1),
        ("mean", "a", 3.21251208176379, 6.787487918236209, 8),
        ("mean", "b", 3.0, 3.0, 5),
        ("mean", "d", none, none, 1),
        ("mean", "", 3.4079554322183894, 5.180279861899257, 17),
        ("wait", "a", 3.21251208176379, 6.787487918236209, 8),
        ("nps", "a", -28.89337415864865, 88.89337415864864, 10),
        ("nps", "b", -100.0, -100.0, 5),
        ("nps", "d", none, none, 1),
        ("nps", "", -34.61567533296079, 55.66830691190816, 19),
        // Not over the same records (score is null twice in a): no interval.
        ("mixed", "a", none, none, 8),
    ];
    let rows = out["results"].as_array().unwrap();
    for (k, team, low, high, n) in want {
        let row = rows
            .iter()
            .find(|r| {
                r["kpi"] == *k
                    && (r["by"]["team"] == *team || (team.is_empty() && r["total"] == true))
            })
            .unwrap_or_else(|| panic!("{k} {team}"));
        assert_eq!(row["sample"].as_u64(), Some(*n), "{k} {team}");
        for (got, want) in [(&row["low"], low), (&row["high"], high)] {
            if want.is_nan() {
                assert!(got.is_null(), "{k} {team}: {got}");
            } else {
                let g: f64 = got.to_string().parse().unwrap();
                assert!((g - want).abs() < 1e-9, "{k} {team}: {g} against {want}");
            }
        }
    }
    // Other KPIs have no interval, and no sample without min_sample.
    let total = rows.iter().find(|r| r["kpi"] == "total").unwrap();
    assert!(total["low"].is_null() && total.get("sample").is_none());
}

/// min_sample (YAML and `.kpi`): results from fewer records are marked in every format.
#[test]
fn low_samples_are_marked_in_every_format() {
    let args = [
        "eval",
        "tests/fixtures/ci",
        "--kpi",
        "rate",
        "--kpi",
        "ok_count",
        "--by",
        "team",
    ];
    let (_, table, _) = kpi(&args);
    insta::assert_snapshot!("low_sample_table", table);
    let mut csv = args.to_vec();
    csv.extend(["--format", "csv"]);
    insta::assert_snapshot!("low_sample_csv", kpi(&csv).1);
    let mut j = args.to_vec();
    j.extend(["--format", "json"]);
    let out = json(&j);
    let low: Vec<(String, bool)> = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!(
                    "{} {}",
                    r["kpi"].as_str().unwrap(),
                    r["by"]["team"].as_str().unwrap()
                ),
                r["low_sample"].as_bool().unwrap(),
            )
        })
        .collect();
    let marked: Vec<&str> = low
        .iter()
        .filter(|(_, l)| *l)
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(marked, ["rate c", "rate d", "ok_count c", "ok_count d"]);
    let mut html = args.to_vec();
    html.extend(["--format", "html"]);
    let page = kpi(&html).1;
    assert!(page.contains("low sample (n = 3)"), "{page}");
    assert!(page.contains("bar low"), "hollow bars for low samples");
}

/// The table with --ci: `± m`, the larger distance from the value to a bound.
#[test]
fn ci_table_and_csv() {
    let (_, table, _) = kpi(&["eval", "tests/fixtures/ci", "--by", "team", "--ci", "95"]);
    insta::assert_snapshot!("ci_table", table);
    let (_, csv, _) = kpi(&[
        "eval",
        "tests/fixtures/ci",
        "--kpi",
        "nps",
        "--ci",
        "90",
        "--format",
        "csv",
    ]);
    insta::assert_snapshot!("ci_csv", csv);
}

/// The diagnostics this adds: a bad --ci level, a bad min_sample, an --output that cannot
/// be written.
#[test]
fn ci_and_output_diagnostics() {
    let (code, _, err) = kpi(&["eval", "--kpi", "csat", "--ci", "100"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("ci_level_error", err);
    let (code, _, err) = kpi(&["check", "tests/fixtures/check/err/min_sample.yaml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("min_sample_error", err);
    let (code, _, err) = kpi(&[
        "report",
        "--kpi",
        "csat",
        "--output",
        "tests/fixtures/no/such/folder/r.html",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("output_error", err);
}

/// `kpi doc --format html`: a table of contents, one section per KPI, formulas highlighted,
/// every link to a KPI's section resolves, nothing external.
#[test]
fn doc_html_is_one_linked_page() {
    let (code, page, _) = kpi(&["doc", "--format", "html"]);
    assert_eq!(code, 0);
    let sections = count(&page, "<section id=\"kpi-");
    assert!(sections >= 60, "{sections}");
    assert_eq!(count(&page, "<li><a href=\"#kpi-"), sections);
    assert_eq!(count(&page, "<pre class=\"formula\">"), sections);
    for link in page.split("href=\"#").skip(1) {
        let id = link.split('"').next().unwrap();
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "dangling link #{id}"
        );
    }
    assert!(page.contains(
        "<span class=\"fn\">pct</span>(<span class=\"field\">recommend</span> <span class=\"op\">&gt;=</span> <span class=\"num\">9</span>)"
    ));
    assert!(
        page.contains("<a class=\"kpi\" href=\"#kpi-"),
        "KPIs in formulas are linked"
    );
    for bad in ["http:", "https:", "<script", " src="] {
        assert!(!page.contains(bad), "{bad}");
    }
}

/// An empty period (null CSAT on 2025-07-14) is a gap in the line, never a zero; missed
/// periods are marked.
#[test]
fn empty_periods_are_gaps() {
    let (code, page, _) = kpi(&[
        "report",
        "--kpi",
        "csat",
        "--grain",
        "day",
        "--from",
        "2025-07-12",
        "--to",
        "2025-07-17",
    ]);
    assert_eq!(code, 0);
    let chart = page.split("<figure class=\"chart\">").nth(1).unwrap();
    let path = chart.split("class=\"series\" d=\"").nth(1).unwrap();
    let d = path.split('"').next().unwrap();
    assert_eq!(
        d.matches('M').count(),
        2,
        "two runs around the empty day: {d}"
    );
    assert_eq!(d.matches('L').count(), 2, "{d}");
    assert!(chart.contains("class=\"gap\""));
    assert!(chart.contains("class=\"pt missed\""));
    assert!(
        chart.contains("14 Jul 2025: —"),
        "the empty day says it has no value"
    );
}
