//! The registry: one definition per scalar function and per aggregate — name, arity,
//! parameter and result types, how it evaluates, its signature and one-line doc. Analysis
//! types calls from it, evaluation runs it, SQL writes it, and the language reference is
//! checked against it. Adding a function is one entry in the file of its family under
//! `functions/`; adding an aggregate is one file under `aggregates/`.

pub mod aggregates;
mod args;
pub mod functions;
mod params;

pub use aggregates::{aggregate, AggDef, AggKind, AggSql, Reads, AGGREGATES};
pub use args::{Args, Res};
pub use functions::{function, FrameFn, FuncDef, SqlForm, FUNCTIONS};
pub use params::{Param, Returns};

/// Every name a call can use, functions then aggregates (for suggestions).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .map(|f| f.name)
        .chain(AGGREGATES.iter().map(|a| a.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The names `name(` of the rows of the Markdown table under `heading` in the language
    /// reference.
    fn documented(heading: &str) -> BTreeSet<String> {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md"))
            .expect("docs/language.md");
        let section = doc
            .split("\n## ")
            .find(|s| s.starts_with(heading))
            .unwrap_or_else(|| panic!("a section `## {heading}`"));
        let mut names = BTreeSet::new();
        for line in section.lines().filter(|l| l.starts_with("| `")) {
            let first_cell = line.split('|').nth(1).unwrap_or("");
            for code in first_cell.split('`').skip(1).step_by(2) {
                if let Some((name, _)) = code.split_once('(') {
                    names.insert(name.to_string());
                }
            }
        }
        names
    }

    #[test]
    fn the_language_reference_lists_every_function_and_no_other() {
        let registered: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.name.to_string()).collect();
        let mut listed = documented("Functions");
        listed.extend(documented("Periods, windows, totals and ranks"));
        assert_eq!(listed, registered);
    }

    #[test]
    fn the_language_reference_lists_every_aggregate_and_no_other() {
        let registered: BTreeSet<String> = AGGREGATES.iter().map(|a| a.name.to_string()).collect();
        assert_eq!(documented("Aggregates"), registered);
    }

    #[test]
    fn every_definition_is_complete() {
        for f in FUNCTIONS.iter() {
            assert!(f.min <= f.max && !f.params.is_empty(), "{}", f.name);
            assert!(
                f.signature.iter().all(|s| s.starts_with(f.name)),
                "{}",
                f.name
            );
            assert!(!f.doc.is_empty(), "{}", f.name);
        }
        for a in AGGREGATES {
            assert!(a.min <= a.max, "{}", a.name);
            assert!(
                a.signature.iter().all(|s| s.starts_with(a.name)),
                "{}",
                a.name
            );
            assert!(!a.doc.is_empty(), "{}", a.name);
        }
    }
}
