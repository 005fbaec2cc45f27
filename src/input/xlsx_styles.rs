//! Which cell formats of an `.xlsx` show a number as a percentage (`calamine` reads the
//! formats for dates only): `xl/styles.xml`'s `cellXfs`, each with its `numFmtId`, a built-in
//! format (9 `0%`, 10 `0.00%`) or one of `numFmts` whose code has a `%` of its own.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::BufRead;

/// Per cell format (`cellXfs` index, what a cell's `s` attribute names): whether it shows a
/// percentage. Empty when none does.
pub fn percent_formats(xml: impl BufRead) -> Result<Vec<bool>, quick_xml::Error> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().expand_empty_elements = true;
    let mut codes: HashMap<Vec<u8>, bool> = HashMap::new();
    let mut xfs = Vec::new();
    let (mut in_num_fmts, mut in_cell_xfs) = (false, false);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"numFmts" => in_num_fmts = true,
                b"numFmt" if in_num_fmts => {
                    let (mut id, mut code) = (Vec::new(), String::new());
                    for a in e.attributes().flatten() {
                        match a.key.local_name().as_ref() {
                            b"numFmtId" => id = a.value.into_owned(),
                            b"formatCode" => {
                                code = a.decode_and_unescape_value(reader.decoder())?.into_owned()
                            }
                            _ => {}
                        }
                    }
                    codes.insert(id, is_percent_format(&code));
                }
                b"cellXfs" => in_cell_xfs = true,
                b"xf" if in_cell_xfs => {
                    let id = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"numFmtId")
                        .map(|a| a.value.into_owned());
                    xfs.push(id.is_some_and(|id| match codes.get(&id) {
                        Some(&percent) => percent,
                        None => matches!(&id[..], b"9" | b"10"),
                    }));
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"numFmts" => in_num_fmts = false,
                b"cellXfs" => in_cell_xfs = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !xfs.contains(&true) {
        xfs.clear();
    }
    Ok(xfs)
}

/// Whether a number format code shows its number as a percentage: a `%` of the first
/// section (positive numbers) outside quotes, brackets (`[Red]`, `[$€-40C]`) and escapes
/// (`\%`, and the character after `_` or `*`).
pub fn is_percent_format(code: &str) -> bool {
    let mut chars = code.chars();
    let (mut quoted, mut bracket) = (false, false);
    while let Some(c) = chars.next() {
        match c {
            '"' if !bracket => quoted = !quoted,
            _ if quoted => {}
            ']' if bracket => bracket = false,
            _ if bracket => {}
            '[' => bracket = true,
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => return false,
            '%' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_codes() {
        for code in ["0%", "0.00%", "#,##0.0 %", "0%;-0%", "[Red]0.0%", "\"x\"0%"] {
            assert!(is_percent_format(code), "{code}");
        }
        for code in [
            "General",
            "0.00",
            "0\\%",
            "0\"%\"",
            "[$%-40C]0",
            "0_%",
            "0*%",
            "0;0%",
            "dd/mm/yyyy",
            "",
        ] {
            assert!(!is_percent_format(code), "{code}");
        }
    }

    #[test]
    fn styles_name_their_percent_formats() {
        let xml = r#"<?xml version="1.0"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="0.0&quot; %&quot;"/><numFmt numFmtId="165" formatCode="0.0 %"/><numFmt numFmtId="9" formatCode="0.00"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="10"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165" applyNumberFormat="1"></xf><xf numFmtId="10"/><xf numFmtId="9"/><xf/></cellXfs>
</styleSheet>"#;
        let got = percent_formats(xml.as_bytes()).unwrap();
        assert_eq!(got, [false, false, true, true, false, false]);
        let none = r#"<styleSheet><cellStyleXfs><xf numFmtId="9"/></cellStyleXfs>
<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>"#;
        assert_eq!(
            percent_formats(none.as_bytes()).unwrap(),
            Vec::<bool>::new()
        );
    }
}
