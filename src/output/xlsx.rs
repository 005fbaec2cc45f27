//! `--format xlsx --output FILE`: the results as a workbook. Numbers stay numbers (the
//! binary doubles Excel stores; JSON and CSV keep the exact values), with the KPI's unit as
//! the cell's number format: percentages as value / 100 in a `%` format, durations and
//! seconds as days in `[h]:mm:ss`, currencies with their sign. One row per result, the
//! status of each target, a frozen header.

use super::{has_compare, plain_value, status, Lang, Output};
use crate::catalogue::{Catalogue, KpiDef, Unit};
use crate::results::change;
use crate::time;
use crate::value::Value;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Write the results of `out` to a workbook at `path`.
pub fn write_xlsx(
    out: &Output,
    cat: &Catalogue,
    lang: Lang,
    path: &std::path::Path,
) -> Result<(), String> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    fill(sheet, out, cat, lang).map_err(|e| e.to_string())?;
    wb.save(path).map_err(|e| e.to_string())
}

fn fill(sheet: &mut Worksheet, out: &Output, cat: &Catalogue, lang: Lang) -> Result<(), XlsxError> {
    let fr = lang == Lang::Fr;
    sheet.set_name(if fr { "Résultats" } else { "Results" })?;
    let compare = has_compare(out);
    let totals = out.rows.iter().any(|r| r.total);
    let mut head: Vec<String> = vec!["kpi".into(), "label".into()];
    head.extend(out.key_names.iter().cloned());
    head.extend(["value", "unit", "target", "status"].map(String::from));
    if compare {
        head.extend(["previous", "change"].map(String::from));
    }
    if totals {
        head.push("total".into());
    }
    let bold = Format::new().set_bold();
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (i, r) in out.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let def = &cat.kpis[r.kpi.0 as usize];
        let mut c = 0u16;
        let mut next = || {
            c += 1;
            c - 1
        };
        sheet.write_string(row, next(), &def.name.text)?;
        let label = def
            .label
            .as_ref()
            .map_or_else(|| def.name.text.clone(), |l| l.get(lang.code()).to_string());
        sheet.write_string(row, next(), &label)?;
        for k in 0..out.key_names.len() {
            let col = next();
            if r.total {
                continue;
            }
            match r.key.get(k).unwrap_or(&Value::Null) {
                Value::Null => {}
                Value::Num(d) => {
                    sheet.write_number(row, col, d.to_f64().unwrap_or(f64::NAN))?;
                }
                Value::Date(d) => {
                    if let Some(x) = excel_date(*d) {
                        sheet.write_datetime_with_format(row, col, &x, &date)?;
                    }
                }
                Value::DateTime(t) => {
                    let d = t.div_euclid(time::MICROS_PER_DAY);
                    let secs = t.rem_euclid(time::MICROS_PER_DAY) as f64 / 1e6;
                    if let Some(x) = excel_date(d).and_then(|x| x.and_hms(0, 0, secs).ok()) {
                        sheet.write_datetime_with_format(row, col, &x, &datetime)?;
                    }
                }
                v => {
                    sheet.write_string(row, col, plain_value(v))?;
                }
            }
        }
        write_value(sheet, row, next(), &r.value, def)?;
        sheet.write_string(row, next(), def.unit.map_or("", Unit::as_str))?;
        sheet.write_string(
            row,
            next(),
            def.target.as_ref().map_or("", |t| t.text.as_str()),
        )?;
        let st = match (status(def, &r.value), fr) {
            (Some("met"), true) => "atteint",
            (Some("missed"), true) => "non atteint",
            (Some(s), _) => s,
            (None, _) => "",
        };
        sheet.write_string(row, next(), st)?;
        if compare {
            let prev = r.previous.clone().unwrap_or(Value::Null);
            write_value(sheet, row, next(), &prev, def)?;
            write_value(sheet, row, next(), &change(&r.value, &prev), def)?;
        }
        if totals {
            sheet.write_boolean(row, next(), r.total)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(())
}

/// A KPI's value: a number in its unit's format, or text for what is no number.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Value,
    def: &KpiDef,
) -> Result<(), XlsxError> {
    let Some(d) = v.decimal() else {
        if !v.is_null() {
            sheet.write_string(row, col, plain_value(v))?;
        }
        return Ok(());
    };
    let x = d.to_f64().unwrap_or(f64::NAN);
    let duration =
        matches!(v, Value::Dur(_)) || matches!(def.unit, Some(Unit::Seconds | Unit::Duration));
    let (x, format) = if duration {
        (x / 86_400.0, "[h]:mm:ss".to_string())
    } else {
        number_format(def, x)
    };
    sheet.write_number_with_format(row, col, x, &Format::new().set_num_format(format))?;
    Ok(())
}

/// The number as Excel stores it and its format, by the KPI's unit and decimals.
fn number_format(def: &KpiDef, x: f64) -> (f64, String) {
    let places = |default: u32| {
        let n = def.decimals.unwrap_or(default) as usize;
        if n == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(n))
        }
    };
    match def.unit {
        Some(Unit::Percent) => (x / 100.0, format!("0{}%", places(1))),
        Some(Unit::Count) => (x, format!("#,##0{}", places(0))),
        Some(Unit::Points) => (x, format!("0{} \"pts\"", places(1))),
        Some(Unit::Currency) => {
            let code = def.currency.as_deref().unwrap_or("");
            let sign = match code {
                "EUR" => "€".to_string(),
                "USD" => "$".to_string(),
                "GBP" => "£".to_string(),
                other => other.to_string(),
            };
            (x, format!("#,##0{} \"{sign}\"", places(2)))
        }
        Some(Unit::Ratio) => (x, format!("0{}", places(3))),
        Some(Unit::Number) => (x, format!("#,##0{}", places(2))),
        _ => match def.decimals {
            Some(_) => (x, format!("0{}", places(0))),
            None => (x, "General".into()),
        },
    }
}

fn excel_date(days: i64) -> Option<ExcelDateTime> {
    let (y, m, d) = time::civil_from_days(days);
    ExcelDateTime::from_ymd(u16::try_from(y).ok()?, m as u8, d as u8).ok()
}
