//! Lookup tables (periods-lookups brief §14): a source with a unique `key:`, read once per run
//! before the sources that look fields up in it. Each row keeps the fields those sources use;
//! keys are compared as text, exactly (`007` is not `7`).

use super::row::{Row, Slot};
use crate::ir::Col;
use crate::value::Value;
use rustc_hash::FxHashMap;

/// One lookup table, read.
#[derive(Default)]
pub struct LookupTable {
    /// Key text → row.
    index: FxHashMap<Box<str>, u32>,
    /// Fields per row (row-major); strings are ranges of `text`.
    slots: Vec<Slot>,
    width: usize,
    text: String,
    /// Records read (1-based ordinals), for the rows of a repeated key.
    records: u32,
    row_record: Vec<u32>,
    row_key: Vec<Box<str>>,
    /// Keys found twice: the key and the two records holding it.
    pub repeated: Vec<(String, u32, u32)>,
}

impl LookupTable {
    /// A table keeping `width` fields per row (the input's columns are the key, then them).
    pub fn new(width: usize) -> LookupTable {
        LookupTable {
            width,
            ..Default::default()
        }
    }

    /// The row of a key.
    pub fn row(&self, key: &str) -> Option<usize> {
        self.index.get(key).map(|r| *r as usize)
    }

    /// Field `f` of row `r`, as a slot of a record whose printed text is `printed` (the
    /// field's text is appended to it).
    pub fn field(&self, r: usize, f: usize, printed: &mut String) -> Slot {
        match self.slots[r * self.width + f] {
            Slot::Printed(s, e) => {
                let start = printed.len() as u32;
                printed.push_str(&self.text[s as usize..e as usize]);
                Slot::Printed(start, printed.len() as u32)
            }
            other => other,
        }
    }

    fn add(&mut self, key: &str, row: &Row) {
        self.records += 1;
        if let Some(&first) = self.index.get(key) {
            let first = self.row_record[first as usize];
            self.repeated.push((key.to_string(), first, self.records));
            return;
        }
        let r = self.row_record.len() as u32;
        self.index.insert(key.into(), r);
        self.row_record.push(self.records);
        self.row_key.push(key.into());
        for f in 0..self.width {
            let slot = match row.get(Col(f as u32 + 1)) {
                Value::Str(s) => {
                    let start = self.text.len() as u32;
                    self.text.push_str(&s);
                    Slot::Printed(start, self.text.len() as u32)
                }
                _ => row.slots[f + 1],
            };
            self.slots.push(slot);
        }
    }
}

impl crate::input::Sink for LookupTable {
    fn on_row(&mut self, row: &Row) {
        match row.get(Col(0)) {
            Value::Str(k) => self.add(&k, row),
            // A row without a key can be matched by nothing.
            _ => self.records += 1,
        }
    }

    fn merge(&mut self, next: Self) {
        let offset = self.records;
        for r in 0..next.row_record.len() {
            let record = offset + next.row_record[r];
            let key = &next.row_key[r];
            if let Some(&first) = self.index.get(key) {
                let first = self.row_record[first as usize];
                self.repeated.push((key.to_string(), first, record));
                continue;
            }
            self.index.insert(key.clone(), self.row_record.len() as u32);
            self.row_record.push(record);
            self.row_key.push(key.clone());
            for f in 0..self.width {
                let mut text = std::mem::take(&mut self.text);
                let slot = next.field(r, f, &mut text);
                self.text = text;
                self.slots.push(slot);
            }
        }
        self.records = offset + next.records;
        self.repeated.extend(
            next.repeated
                .into_iter()
                .map(|(k, a, b)| (k, a + offset, b + offset)),
        );
    }
}
