//! A header row → where each needed column sits in it.

use super::Input;
use crate::diag::{did_you_mean, Code, Diag, Excerpt};

/// The position in `header` of each needed column (`usize::MAX` for the others): by exact
/// name, else ignoring case. `header_line` is the row as shown in errors.
pub fn resolve_columns(
    input: &Input,
    header: &[String],
    header_line: &str,
) -> Result<Vec<usize>, Diag> {
    let name = input.name();
    let excerpt = || Excerpt {
        file: name.to_string(),
        line: u64::from(input.options.header_row.max(1)),
        text: header_line.to_string(),
        range: None,
        label: Some("the header row".into()),
    };
    input
        .columns
        .iter()
        .zip(input.needed)
        .map(|((column, _), needed)| {
            if !needed {
                return Ok(usize::MAX);
            }
            if header.iter().filter(|h| *h == column).count() > 1 {
                return Err(Diag::error(
                    Code::Data,
                    format!(
                        "{name} names the column `{column}` twice: which one source `{}` reads is unclear",
                        input.source
                    ),
                )
                .excerpt(excerpt())
                .help("rename one of the columns"));
            }
            header
                .iter()
                .position(|h| h == column)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(column)))
                .ok_or_else(|| {
                    let d = Diag::error(
                        Code::Data,
                        format!(
                            "{name} has no column `{column}`, which source `{}` needs",
                            input.source
                        ),
                    )
                    .excerpt(excerpt());
                    match did_you_mean(column, header.iter().map(String::as_str)) {
                        Some(h) => d.help(format!(
                            "did you mean `{h}`? Rename the column or the field"
                        )),
                        None => d.help(format!("the columns are: {}", header.join(", "))),
                    }
                })
        })
        .collect()
}
