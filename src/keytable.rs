//! A flat open-addressing table from encoded keys to dense ids (0, 1, 2… in first-seen
//! order). Short keys live inside the slot, so a lookup usually touches one cache line and
//! nothing is allocated per key; longer keys go to one shared arena. Used for `per`
//! entities, groups and `distinct`.

use crate::value::Value;
use std::hash::Hasher;

const INLINE: usize = 16;

#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    /// Id + 1; 0 marks an empty slot.
    id: u32,
    len: u32,
    /// The key itself, or (when longer than `INLINE`) its offset in the arena.
    key: [u8; INLINE],
}

#[derive(Clone)]
pub struct KeyTable {
    slots: Vec<Slot>,
    len: usize,
    arena: Vec<u8>,
}

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable {
            slots: vec![Slot::default(); 16],
            len: 0,
            arena: Vec::new(),
        }
    }
}

/// The hash of a key. A key of at most 16 bytes (the usual) is read as two overlapping
/// words, which with its length determine it; a longer one goes through `FxHasher`.
#[inline]
fn hash(key: &[u8]) -> u64 {
    let n = key.len();
    let x = if n > INLINE {
        let mut h = rustc_hash::FxHasher::default();
        h.write(key);
        h.finish()
    } else {
        let (a, b) = if n >= 8 {
            (u64_at(key, 0), u64_at(key, n - 8))
        } else if n >= 4 {
            (u64::from(u32_at(key, 0)), u64::from(u32_at(key, n - 4)))
        } else if n > 0 {
            let bytes =
                u64::from(key[0]) | u64::from(key[n / 2]) << 8 | u64::from(key[n - 1]) << 16;
            (bytes, 0)
        } else {
            (0, 0)
        };
        a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.rotate_left(32) ^ n as u64
    };
    mix(x)
}

/// A strong finish: linear probing needs well-spread low bits, partitions high ones.
#[inline]
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[inline(always)]
fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

#[inline(always)]
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"))
}

/// Whether an inline key starts with `key` (of at most `INLINE` bytes), compared as two
/// overlapping words rather than by a call to `memcmp`.
#[inline]
fn same_short(stored: &[u8; INLINE], key: &[u8]) -> bool {
    let n = key.len();
    if n >= 8 {
        u64_at(stored, 0) == u64_at(key, 0) && u64_at(stored, n - 8) == u64_at(key, n - 8)
    } else if n >= 4 {
        u32_at(stored, 0) == u32_at(key, 0) && u32_at(stored, n - 4) == u32_at(key, n - 4)
    } else {
        stored[..n] == *key
    }
}

impl std::fmt::Debug for KeyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyTable({} keys)", self.len)
    }
}

impl KeyTable {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn key_of<'a>(&'a self, s: &'a Slot) -> &'a [u8] {
        let len = s.len as usize;
        if len <= INLINE {
            &s.key[..len]
        } else {
            let off = u64::from_le_bytes(s.key[..8].try_into().expect("8 bytes")) as usize;
            &self.arena[off..off + len]
        }
    }

    /// Whether slot `s`, whose key has the length of `key`, holds `key`.
    #[inline]
    fn holds(&self, s: &Slot, key: &[u8]) -> bool {
        if key.len() <= INLINE {
            same_short(&s.key, key)
        } else {
            self.key_of(s) == key
        }
    }

    /// Where `key` (with hash `h`) is: `Ok(id)`, or `Err(slot)`, the empty slot it would take.
    #[inline(always)]
    fn probe(&self, key: &[u8], h: u64) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let s = &self.slots[i];
            if s.id == 0 {
                return Err(i);
            }
            if s.hash == h && s.len as usize == key.len() && self.holds(s, key) {
                return Ok(s.id - 1);
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `key`, inserting it if new; `true` when it was inserted.
    #[inline]
    pub fn insert(&mut self, key: &[u8]) -> (u32, bool) {
        self.insert_hashed(key, hash(key))
    }

    /// [`KeyTable::insert`] of a key whose [`KeyTable::hash_of`] is `h`.
    #[inline]
    pub fn insert_hashed(&mut self, key: &[u8], h: u64) -> (u32, bool) {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let i = match self.probe(key, h) {
            Ok(id) => return (id, false),
            Err(i) => i,
        };
        let id = self.len as u32;
        // Filled in place (an empty slot's key is zeros): a slot built aside and copied in
        // stalls on reading back the key bytes just written.
        let slot = &mut self.slots[i];
        slot.hash = h;
        slot.id = id + 1;
        slot.len = key.len() as u32;
        if key.len() <= INLINE {
            slot.key[..key.len()].copy_from_slice(key);
        } else {
            slot.key[..8].copy_from_slice(&(self.arena.len() as u64).to_le_bytes());
            self.arena.extend_from_slice(key);
        }
        self.len += 1;
        (id, true)
    }

    /// Read the slot where a key of hash `h` is first looked for, and return what it holds
    /// (meaningless): a caller reads the slots of a batch of keys before inserting them, so
    /// that their cache misses overlap rather than come one after the other.
    #[inline]
    pub fn touch(&self, h: u64) -> u32 {
        self.slots[h as usize & (self.slots.len() - 1)].id
    }

    /// The id of `key`, if present.
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        self.probe(key, hash(key)).ok()
    }

    fn grow(&mut self) {
        let doubled = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.id != 0) {
            let mut i = s.hash as usize & mask;
            while self.slots[i].id != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Empty the table, keeping its memory.
    pub fn clear(&mut self) {
        self.slots.fill(Slot::default());
        self.arena.clear();
        self.len = 0;
    }

    /// The hash that places `key`: callers partition by its high bits.
    #[inline]
    pub fn hash_of(key: &[u8]) -> u64 {
        hash(key)
    }

    /// Every (id, key), in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &[u8])> {
        self.slots
            .iter()
            .filter(|s| s.id != 0)
            .map(|s| (s.id - 1, self.key_of(s)))
    }
}

/// Append a value to a key buffer, in a form where equal values give equal bytes.
/// `false` for null (a null key leaves the record out of a `per`).
pub fn encode_key(v: &Value, buf: &mut Vec<u8>) -> bool {
    match v {
        Value::Null => {
            buf.push(0);
            return false;
        }
        Value::Bool(b) => buf.extend_from_slice(&[1, u8::from(*b)]),
        Value::Num(d) => {
            // Whole numbers (ids, counts) in 9 bytes; others in 17. Tags keep it unambiguous.
            let n = d.normalize();
            match (n.scale(), rust_decimal::prelude::ToPrimitive::to_i64(&n)) {
                (0, Some(i)) => encode_int(i, buf),
                _ => {
                    buf.push(2);
                    buf.extend_from_slice(&n.serialize());
                }
            }
        }
        Value::Dur(d) => {
            buf.push(3);
            buf.extend_from_slice(&d.normalize().serialize());
        }
        Value::Str(s) => encode_str(s.as_bytes(), buf),
        Value::Date(d) => encode_date(*d, buf),
        Value::DateTime(t) => encode_datetime(*t, buf),
    }
    true
}

/// [`encode_key`] of a text, from its bytes.
#[inline]
pub fn encode_str(s: &[u8], buf: &mut Vec<u8>) {
    if s.len() < 256 {
        buf.extend_from_slice(&[4, s.len() as u8]);
    } else {
        buf.push(7);
        buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    }
    buf.extend_from_slice(s);
}

/// [`encode_key`] of a whole number that an `i64` holds.
#[inline]
pub fn encode_int(i: i64, buf: &mut Vec<u8>) {
    buf.push(9);
    buf.extend_from_slice(&i.to_le_bytes());
}

/// [`encode_key`] of a date (a day number).
#[inline]
pub fn encode_date(d: i64, buf: &mut Vec<u8>) {
    match i32::try_from(d) {
        Ok(d) => {
            buf.push(5);
            buf.extend_from_slice(&d.to_le_bytes());
        }
        Err(_) => {
            buf.push(8);
            buf.extend_from_slice(&d.to_le_bytes());
        }
    }
}

/// [`encode_key`] of a datetime.
#[inline]
pub fn encode_datetime(t: i64, buf: &mut Vec<u8>) {
    buf.push(6);
    buf.extend_from_slice(&t.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable_across_growth() {
        let mut t = KeyTable::default();
        let keys: Vec<Vec<u8>> = (0..10_000u32)
            .map(|i| {
                if i % 3 == 0 {
                    vec![7; 40 + (i % 5) as usize]
                } else {
                    i.to_le_bytes().to_vec()
                }
            })
            .collect();
        let mut ids = Vec::new();
        for k in &keys {
            ids.push(t.insert(k).0);
        }
        for (k, id) in keys.iter().zip(&ids) {
            assert_eq!(t.insert(k), (*id, false));
            assert_eq!(t.get(k), Some(*id));
        }
        assert_eq!(t.get(b"absent"), None);
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(t.len(), distinct.len());
        assert_eq!(t.entries().count(), t.len());
    }

    /// Keys of every length up to past `INLINE`, and keys that differ in a single byte
    /// anywhere, are told apart (short keys are hashed and compared as words).
    #[test]
    fn keys_differing_in_one_byte_are_distinct() {
        let mut t = KeyTable::default();
        let mut keys = Vec::new();
        for len in 0..=INLINE + 2 {
            let base: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
            keys.push(base.clone());
            for at in 0..len {
                let mut k = base.clone();
                k[at] ^= 0x80;
                keys.push(k);
            }
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.insert(k), (i as u32, true), "{k:?}");
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32), "{k:?}");
            let (h, mut batch) = (KeyTable::hash_of(k), KeyTable::default());
            batch.touch(h);
            assert_eq!(batch.insert_hashed(k, h), (0, true));
            assert_eq!(batch.insert(k), (0, false));
        }
    }
}
