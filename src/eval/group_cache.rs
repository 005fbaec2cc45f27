//! The group of a record whose one group key is a short text field (`--by agent`), found
//! from the field's bytes in a small direct-mapped cache instead of encoding the key and
//! probing the group table on every record. A group's id never changes once given, and a
//! text's group is decided by its bytes alone, so a cached answer is the table's answer.

use super::row::{Row, Slot};
use crate::ir::Col;

/// Entries of the cache (a power of two).
const WAYS: usize = 64;

#[derive(Clone, Copy)]
struct Entry {
    /// The text's bytes, little-endian in a word (zeros after them), and its length;
    /// `len == u8::MAX`: empty.
    word: u64,
    len: u8,
    group: u32,
}

pub struct GroupCache {
    col: Col,
    entries: [Entry; WAYS],
}

/// The cache's key for a text of at most 8 bytes: the word and the length.
#[inline]
fn key(bytes: &[u8]) -> Option<(u64, u8)> {
    if bytes.len() > 8 {
        return None;
    }
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    Some((u64::from_le_bytes(word), bytes.len() as u8))
}

#[inline]
fn way(word: u64, len: u8) -> usize {
    ((word ^ u64::from(len)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize & (WAYS - 1)
}

impl GroupCache {
    /// A cache for groups keyed by field `col` alone.
    pub fn new(col: Col) -> GroupCache {
        let empty = Entry {
            word: 0,
            len: u8::MAX,
            group: 0,
        };
        GroupCache {
            col,
            entries: [empty; WAYS],
        }
    }

    /// The record's key bytes, when the cache can answer for them: a text of at most 8 bytes.
    #[inline]
    fn text<'r>(&self, row: &Row<'r>) -> Option<&'r [u8]> {
        match row.slots[self.col.0 as usize] {
            Slot::Str(s, e) if e - s <= 8 => row.text.as_bytes().get(s as usize..e as usize),
            _ => None,
        }
    }

    /// The record's group, if remembered.
    #[inline]
    pub fn get(&self, row: &Row) -> Option<u32> {
        let (word, len) = key(self.text(row)?)?;
        let e = &self.entries[way(word, len)];
        (e.word == word && e.len == len).then_some(e.group)
    }

    /// Remember the record's group, as the group table gave it.
    #[inline]
    pub fn put(&mut self, row: &Row, group: u32) {
        let Some((word, len)) = self.text(row).and_then(key) else {
            return;
        };
        self.entries[way(word, len)] = Entry { word, len, group };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_of_the_same_bytes_share_a_group_and_no_others() {
        let text = "A1A1\0A12345678A12345678";
        let mut cache = GroupCache::new(Col(0));
        let row = |s: Slot| ([s], text);
        let at = |s: u32, e: u32| Slot::Str(s, e);
        let look = |cache: &GroupCache, s: Slot| {
            let (slots, text) = row(s);
            cache.get(&Row {
                slots: &slots,
                text,
                printed: "",
            })
        };
        let put = |cache: &mut GroupCache, s: Slot, g: u32| {
            let (slots, text) = row(s);
            cache.put(
                &Row {
                    slots: &slots,
                    text,
                    printed: "",
                },
                g,
            )
        };
        assert_eq!(look(&cache, at(0, 2)), None);
        put(&mut cache, at(0, 2), 7);
        // "A1" again, elsewhere in the text.
        assert_eq!(look(&cache, at(2, 4)), Some(7));
        // "A1\0" is another text; so is "A".
        assert_eq!(look(&cache, at(2, 5)), None);
        assert_eq!(look(&cache, at(0, 1)), None);
        // Longer than 8 bytes, or not a text: not cached.
        put(&mut cache, at(5, 14), 3);
        assert_eq!(look(&cache, at(5, 14)), None);
        put(&mut cache, Slot::Int(1), 4);
        assert_eq!(look(&cache, Slot::Int(1)), None);
        // 8 bytes exactly.
        put(&mut cache, at(5, 13), 9);
        assert_eq!(look(&cache, at(14, 22)), Some(9));
    }
}
