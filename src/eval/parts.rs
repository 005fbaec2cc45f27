//! Radix partitions of `per` state: once a `per` has too many entities for a table that
//! stays in cache, each record's entity key and its 0/1 contributions are appended to one
//! of [`PARTS`] byte buffers, chosen by the key's hash; each partition is folded on its own
//! at the end, with a table a small part of the size of one for every entity. Millions of
//! entities then cost sequential writes rather than cache misses. A partition's table may
//! still outgrow the core's cache (some 24K tickets, 2 MB of slots): its entries go in
//! batches whose slots are read first, so that their misses overlap.
//!
//! A buffer is a list of chunks (no entry straddles two), so it grows without copying and
//! wastes at most one chunk: [`CHUNK_MAX`] bytes per partition.

use crate::keytable::KeyTable;

/// Number of partitions (top bits of the key hash).
pub const PARTS: usize = 256;
/// The first chunk of a partition, and the size chunks double up to.
const CHUNK_MIN: usize = 4 * 1024;
const CHUNK_MAX: usize = 64 * 1024;

/// An entry's payload: one record's 0/1 contributions (a byte per word), or summed words
/// (8 bytes each, little-endian: entities moved from a direct table, or merged).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    Bits,
    Words,
}

/// The partition of an entity key.
#[inline]
pub fn part_of(key: &[u8]) -> usize {
    (KeyTable::hash_of(key) >> 56) as usize
}

#[inline]
pub fn put_varint(buf: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

#[inline]
pub fn get_varint(buf: &[u8], pos: &mut usize) -> usize {
    let (mut n, mut shift) = (0usize, 0);
    loop {
        let b = buf[*pos];
        *pos += 1;
        n |= ((b & 0x7f) as usize) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// One partition: entries `varint(key length × 2 + payload kind), key, payload`, in full
/// chunks then the current one (kept inline: appending reads no other header).
#[derive(Clone, Default)]
pub struct Part {
    current: Vec<u8>,
    full: Vec<Vec<u8>>,
}

impl Part {
    /// Room for an entry of `len` bytes at most, in the current chunk.
    #[inline]
    fn room(&mut self, len: usize) -> &mut Vec<u8> {
        if self.current.capacity() - self.current.len() < len {
            self.next_chunk(len);
        }
        &mut self.current
    }

    #[cold]
    fn next_chunk(&mut self, len: usize) {
        let size = (self.current.capacity() * 2)
            .clamp(CHUNK_MIN, CHUNK_MAX)
            .max(len);
        let full = std::mem::replace(&mut self.current, Vec::with_capacity(size));
        if !full.is_empty() {
            self.full.push(full);
        }
    }

    fn chunks(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.full.iter().chain(std::iter::once(&self.current))
    }

    /// Append an entry whose payload is `stride` bytes (`Bits`), returned zeroed to fill.
    #[inline]
    pub fn push_bits(&mut self, key: &[u8], stride: usize) -> &mut [u8] {
        let c = self.room(key.len() + stride + 10);
        put_varint(c, key.len() << 1);
        c.extend_from_slice(key);
        let at = c.len();
        c.resize(at + stride, 0);
        &mut c[at..]
    }

    /// Append an entry of summed words.
    pub fn push_words(&mut self, key: &[u8], words: &[u64]) {
        let c = self.room(key.len() + words.len() * 8 + 10);
        put_varint(c, key.len() << 1 | 1);
        c.extend_from_slice(key);
        for w in words {
            c.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// Append an entry as [`Part::entries`] gave it.
    pub fn push_entry(&mut self, key: &[u8], kind: Payload, payload: &[u8]) {
        let c = self.room(key.len() + payload.len() + 10);
        put_varint(c, key.len() << 1 | usize::from(kind == Payload::Words));
        c.extend_from_slice(key);
        c.extend_from_slice(payload);
    }

    /// Every entry: its key, payload kind and payload bytes (`stride` words).
    pub fn entries(&self, stride: usize) -> impl Iterator<Item = (&[u8], Payload, &[u8])> {
        self.chunks().flat_map(move |c| {
            let mut pos = 0;
            std::iter::from_fn(move || {
                if pos >= c.len() {
                    return None;
                }
                let head = get_varint(c, &mut pos);
                let key = &c[pos..pos + (head >> 1)];
                pos += head >> 1;
                let (kind, n) = if head & 1 == 0 {
                    (Payload::Bits, stride)
                } else {
                    (Payload::Words, stride * 8)
                };
                let payload = &c[pos..pos + n];
                pos += n;
                Some((key, kind, payload))
            })
        })
    }

    /// Replace the group id that leads every key (a shared state's, `shared_per.rs`) by
    /// `remap[id]`: in place, unless the new id takes more or fewer bytes (then the chunk is
    /// copied).
    pub fn regroup(&mut self, remap: &[u32], stride: usize) {
        let chunks: Vec<Vec<u8>> = std::mem::take(&mut self.full)
            .into_iter()
            .chain(std::iter::once(std::mem::take(&mut self.current)))
            .collect();
        let mut copied = Part::default();
        let mut buf = Vec::new();
        for mut c in chunks {
            if regroup_in_place(&mut c, remap, stride) {
                self.full.push(c);
                continue;
            }
            let old = Part {
                current: c,
                full: Vec::new(),
            };
            for (key, kind, payload) in old.entries(stride) {
                copied.push_entry(regroup_key(key, remap, &mut buf), kind, payload);
            }
        }
        self.append(copied);
    }

    /// Move every entry of `other` here.
    pub fn append(&mut self, other: Part) {
        for c in other.full.into_iter().chain(std::iter::once(other.current)) {
            if !c.is_empty() {
                self.full.push(c);
            }
        }
    }
}

/// Where each entry of a chunk is: its key's start and length, and its payload's length.
fn offsets(c: &[u8], stride: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= c.len() {
            return None;
        }
        let head = get_varint(c, &mut pos);
        let key = pos;
        pos += (head >> 1) + if head & 1 == 0 { stride } else { stride * 8 };
        Some((key, head >> 1))
    })
}

fn varint_len(n: usize) -> usize {
    (usize::BITS as usize - n.leading_zeros() as usize)
        .max(1)
        .div_ceil(7)
}

/// [`Part::regroup`] of one chunk in place; `false` (and nothing changed) when a new id is
/// longer or shorter than the old one.
fn regroup_in_place(c: &mut [u8], remap: &[u32], stride: usize) -> bool {
    if remap.len() <= 0x80 && remap.iter().all(|&g| g < 0x80) {
        // Every id, old and new, is one byte: one pass.
        let mut pos = 0;
        while pos < c.len() {
            let head = get_varint(c, &mut pos);
            c[pos] = remap[usize::from(c[pos])] as u8;
            pos += (head >> 1) + if head & 1 == 0 { stride } else { stride * 8 };
        }
        return true;
    }
    let fits = offsets(c, stride).all(|(key, _)| {
        let mut end = key;
        let g = get_varint(c, &mut end);
        varint_len(remap[g] as usize) == end - key
    });
    if !fits {
        return false;
    }
    let keys: Vec<usize> = offsets(c, stride).map(|(key, _)| key).collect();
    let mut id = Vec::with_capacity(5);
    for key in keys {
        let mut end = key;
        let g = get_varint(c, &mut end);
        id.clear();
        put_varint(&mut id, remap[g] as usize);
        c[key..end].copy_from_slice(&id);
    }
    true
}

/// A key whose leading group id is replaced by `remap[id]`.
pub fn regroup_key<'b>(key: &[u8], remap: &[u32], buf: &'b mut Vec<u8>) -> &'b [u8] {
    let mut pos = 0;
    let g = get_varint(key, &mut pos);
    buf.clear();
    put_varint(buf, remap[g] as usize);
    buf.extend_from_slice(&key[pos..]);
    buf
}

/// The partition of a shared state's key: its group id left out, so that a remapped key
/// stays in its partition.
#[inline]
pub fn part_of_grouped(key: &[u8]) -> usize {
    let mut pos = 0;
    get_varint(key, &mut pos);
    part_of(&key[pos..])
}

/// Entries of a partition whose table slots are read together when folding.
const BATCH: usize = 16;

/// An entry of a chunk being folded: its key's place, payload kind, and hash.
#[derive(Clone, Copy, Default)]
struct Entry {
    key: usize,
    len: usize,
    words: bool,
    hash: u64,
}

/// Fold partitions one at a time into per-entity words, calling `each` with every entity's
/// group (`group` of its key, taken when the entity is first seen) and words. Entities come
/// in the order they were first seen, so their words are read in order, not at random.
/// `table`, `words` and `groups` are reused from one partition to the next.
pub fn fold<'a, E>(
    parts: impl Iterator<Item = &'a Part>,
    stride: usize,
    group: impl Fn(&[u8]) -> usize,
    mut each: impl FnMut(usize, &[u64]) -> Result<(), E>,
) -> Result<(), E> {
    let mut table = KeyTable::default();
    let mut words: Vec<u64> = Vec::new();
    let mut groups: Vec<u32> = Vec::new();
    for part in parts {
        table.clear();
        words.clear();
        groups.clear();
        // Entries go in batches whose table slots are read first (`KeyTable::touch`): a
        // partition's table outgrows the core's cache, and its misses then overlap.
        for c in part.chunks() {
            let mut pos = 0;
            while pos < c.len() {
                let mut batch = [Entry::default(); BATCH];
                let mut n = 0;
                while n < BATCH && pos < c.len() {
                    let head = get_varint(c, &mut pos);
                    let (key, len) = (pos, head >> 1);
                    let words = head & 1 == 1;
                    pos = key + len + if words { stride * 8 } else { stride };
                    let hash = KeyTable::hash_of(&c[key..key + len]);
                    batch[n] = Entry {
                        key,
                        len,
                        words,
                        hash,
                    };
                    n += 1;
                }
                let batch = &batch[..n];
                let touched = batch.iter().fold(0, |t, b| t ^ table.touch(b.hash));
                std::hint::black_box(touched);
                for b in batch {
                    let key = &c[b.key..b.key + b.len];
                    let (e, new) = table.insert_hashed(key, b.hash);
                    if new {
                        // Not `resize`: a call to `memset` for a word or two.
                        words.extend(std::iter::repeat_n(0, stride));
                        groups.push(group(key) as u32);
                    }
                    let w = &mut words[e as usize * stride..(e as usize + 1) * stride];
                    let payload = b.key + b.len;
                    if b.words {
                        let bytes = &c[payload..payload + stride * 8];
                        for (x, b) in w.iter_mut().zip(bytes.chunks_exact(8)) {
                            *x += u64::from_le_bytes(b.try_into().expect("8 bytes"));
                        }
                    } else {
                        for (x, b) in w.iter_mut().zip(&c[payload..payload + stride]) {
                            *x += u64::from(*b);
                        }
                    }
                }
            }
        }
        for (e, &g) in groups.iter().enumerate() {
            each(g as usize, &words[e * stride..(e + 1) * stride])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_are_remapped_in_place_or_copied() {
        let mut p = Part::default();
        let mut buf = Vec::new();
        for i in 0..5_000usize {
            buf.clear();
            put_varint(&mut buf, i % 3);
            buf.extend_from_slice(&(i as u32).to_le_bytes());
            p.push_bits(&buf, 1)[0] = 1;
        }
        // 0 → 2, 1 → 0 in place; 2 → 300 takes two bytes: copied.
        p.regroup(&[2, 0, 300], 1);
        let mut n = 0;
        for (key, kind, payload) in p.entries(1) {
            let mut pos = 0;
            let g = get_varint(key, &mut pos);
            let i = u32::from_le_bytes(key[pos..].try_into().unwrap()) as usize;
            assert_eq!(g, [2, 0, 300][i % 3]);
            assert!(kind == Payload::Bits && payload == [1]);
            n += 1;
        }
        assert_eq!(n, 5_000);
        // Ids of one byte, old and new, with entries of both payloads: rewritten in one pass.
        let mut r = Part::default();
        for i in 0..5_000usize {
            buf.clear();
            put_varint(&mut buf, i % 3);
            buf.extend_from_slice(&(i as u32).to_le_bytes());
            if i % 2 == 0 {
                r.push_words(&buf, &[i as u64]);
            } else {
                r.push_bits(&buf, 1)[0] = 1;
            }
        }
        r.regroup(&[1, 2, 0], 1);
        let mut n = 0;
        for (key, kind, payload) in r.entries(1) {
            let i = u32::from_le_bytes(key[1..].try_into().unwrap()) as usize;
            assert_eq!(usize::from(key[0]), [1, 2, 0][i % 3]);
            assert_eq!(kind == Payload::Words, i % 2 == 0);
            if i % 2 == 0 {
                assert_eq!(payload, (i as u64).to_le_bytes());
            }
            n += 1;
        }
        assert_eq!(n, 5_000);
        let mut q = Part::default();
        q.push_bits(&[1, 9], 0);
        q.regroup(&[0, 1], 0);
        assert_eq!(q.entries(0).next().unwrap().0, [1, 9]);
        assert_eq!(varint_len(127), 1);
        assert_eq!(varint_len(128), 2);
        assert_eq!(varint_len(0), 1);
    }

    #[test]
    fn entries_come_back_across_chunks() {
        let mut p = Part::default();
        for i in 0..10_000u32 {
            let key = i.to_le_bytes();
            if i % 3 == 0 {
                p.push_words(&key, &[u64::from(i), 7]);
            } else {
                p.push_bits(&key, 2).copy_from_slice(&[1, 0]);
            }
        }
        assert!(!p.full.is_empty());
        let mut n = 0;
        for (i, (key, kind, payload)) in p.entries(2).enumerate() {
            assert_eq!(key, (i as u32).to_le_bytes());
            assert_eq!(kind == Payload::Words, i % 3 == 0);
            assert_eq!(payload.len(), if i % 3 == 0 { 16 } else { 2 });
            n += 1;
        }
        assert_eq!(n, 10_000);
        // Each entity's words, summed by group (the low bits of the key's first byte).
        let mut sums = [0u64; 4];
        fold::<()>(
            [&p].into_iter(),
            2,
            |key| usize::from(key[0] % 4),
            |g, w| {
                sums[g] += w[0];
                Ok(())
            },
        )
        .unwrap();
        let mut expected = [0u64; 4];
        for i in 0..10_000u64 {
            expected[(i % 4) as usize] += if i % 3 == 0 { i } else { 1 };
        }
        assert_eq!(sums, expected);
    }
}
