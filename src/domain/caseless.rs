//! Usernames compared as [`super::username::comparison_key`] compares them
//! (trimmed, lower-cased) without building the lower-cased copies: the hash
//! of the lower-cased form is computed once per string, and a hash table
//! keyed by it compares the text only when two hashes are equal. Formatting
//! a directory of a million users looks up a few million such keys.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use rayon::prelude::*;

/// A trimmed string and the hash of its lower-cased form.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    hash: u64,
    text: &'a str,
}

/// Strings up to this length (nearly all usernames) are lower-cased on the
/// stack.
const STACK_LEN: usize = 128;

impl<'a> Key<'a> {
    pub fn new(value: &'a str) -> Self {
        let text = trim(value);
        Key {
            hash: caseless_hash(text),
            text,
        }
    }

    /// The trimmed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The key of an empty string: never counted.
    pub const EMPTY: Key<'static> = Key { hash: 0, text: "" };

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// `str::trim`, with a shortcut for the usual case of nothing to trim.
pub fn trim(value: &str) -> &str {
    let edge_is_kept = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !is_ascii_space(b));
    let bytes = value.as_bytes();
    if edge_is_kept(bytes.first()) && edge_is_kept(bytes.last()) {
        value
    } else {
        value.trim()
    }
}

/// The ASCII characters `char::is_whitespace` accepts (which, unlike
/// `u8::is_ascii_whitespace`, include the vertical tab).
pub fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

fn caseless_hash(text: &str) -> u64 {
    // Fixed seed: the same directory gives the same table layout every run.
    let state = foldhash::fast::FixedState::with_seed(0x6879_6272_6964);
    if text.is_ascii() && text.len() <= STACK_LEN {
        let mut buf = [0u8; STACK_LEN];
        let lowered = &mut buf[..text.len()];
        lowered.copy_from_slice(text.as_bytes());
        lowered.make_ascii_lowercase();
        state.hash_one(&*lowered)
    } else {
        state.hash_one(lowercase(text).as_bytes())
    }
}

fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.hash != other.hash {
            return false;
        }
        // Looking up a key finds itself: the same bytes need no reading.
        if std::ptr::eq(self.text, other.text) {
            return true;
        }
        if self.text.is_ascii() && other.text.is_ascii() {
            self.text.eq_ignore_ascii_case(other.text)
        } else {
            // Lengths may differ here: "K" (Kelvin sign) lower-cases to "k".
            lowercase(self.text) == lowercase(other.text)
        }
    }
}

impl Eq for Key<'_> {}

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes the precomputed hash through: hashing it again would only cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `Key`; fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A key on its way through [`occurrences_each`].
#[derive(Clone, Copy)]
struct Entry<'a> {
    key: Key<'a>,
    index: u32,
    count: u32,
}

/// Where a key's partition number is taken from: bits a hash table uses for
/// neither the bucket (low bits) nor the tag (top 7 bits).
const PARTITION_SHIFT: u32 = 40;
/// Keys per partition, about: its table then stays in the core's cache.
const PARTITION_TARGET: usize = 2_048;

/// For each key, how many keys (itself included) are equal to it; 0 for
/// an empty key.
///
/// Keys are first scattered into partitions by hash, small enough that each
/// partition's table stays in cache; partitions are counted in parallel.
/// A single table over a million keys would wait on memory at every step.
pub fn occurrences_each(keys: &[Key<'_>]) -> Vec<u32> {
    let partitions = (keys.len() / PARTITION_TARGET)
        .next_power_of_two()
        .clamp(1, 4_096);
    let mask = partitions as u64 - 1;
    let partition_of = |key: &Key<'_>| ((key.hash >> PARTITION_SHIFT) & mask) as usize;

    let mut starts = vec![0usize; partitions + 1];
    for key in keys.iter().filter(|k| !k.is_empty()) {
        starts[partition_of(key) + 1] += 1;
    }
    for p in 0..partitions {
        starts[p + 1] += starts[p];
    }
    let mut cursor = starts.clone();
    let mut entries = vec![
        Entry {
            key: Key::EMPTY,
            index: 0,
            count: 0,
        };
        starts[partitions]
    ];
    for (index, key) in keys.iter().enumerate().filter(|(_, k)| !k.is_empty()) {
        let slot = &mut cursor[partition_of(key)];
        entries[*slot] = Entry {
            key: *key,
            index: index as u32,
            count: 0,
        };
        *slot += 1;
    }

    let mut slices = Vec::with_capacity(partitions);
    let mut rest = entries.as_mut_slice();
    for p in 0..partitions {
        let (part, tail) = rest.split_at_mut(starts[p + 1] - starts[p]);
        slices.push(part);
        rest = tail;
    }
    slices.into_par_iter().for_each(count_partition);

    let mut counts = vec![0u32; keys.len()];
    for entry in &entries {
        counts[entry.index as usize] = entry.count;
    }
    counts
}

fn count_partition(part: &mut [Entry<'_>]) {
    let mut table: HashMap<Key<'_>, u32, BuildHasherDefault<PassThrough>> =
        HashMap::with_capacity_and_hasher(part.len(), Default::default());
    for entry in part.iter() {
        *table.entry(entry.key).or_insert(0) += 1;
    }
    for entry in part.iter_mut() {
        entry.count = table.get(&entry.key).copied().unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_ignoring_case_and_surrounding_space() {
        assert_eq!(
            Key::new("  JSmith@Example.com "),
            Key::new("jsmith@example.COM")
        );
        assert_eq!(Key::new("ÉLISE@x.fr"), Key::new("élise@x.fr"));
        assert_ne!(Key::new("a@x.fr"), Key::new("b@x.fr"));
        let long = "A".repeat(300);
        assert_eq!(Key::new(&long), Key::new(&long.to_lowercase()));
    }

    #[test]
    fn counts_skip_empty_keys() {
        let keys: Vec<Key<'_>> = ["a", "A ", "", "  ", "b"]
            .into_iter()
            .map(Key::new)
            .collect();
        assert_eq!(occurrences_each(&keys), vec![2, 2, 0, 0, 1]);
    }

    #[test]
    fn partitioned_counts_agree_with_a_plain_count() {
        let names: Vec<String> = (0..50_000)
            .map(|i| format!("User{}@x.com", i % 7_000))
            .collect();
        let keys: Vec<Key<'_>> = names.iter().map(|n| Key::new(n)).collect();
        let counts = occurrences_each(&keys);
        for (i, &n) in counts.iter().enumerate() {
            let expected = if i % 7_000 < 50_000 % 7_000 { 8 } else { 7 };
            assert_eq!(n, expected, "{}", names[i]);
        }
    }

    #[test]
    fn unicode_case_folds_like_comparison_key() {
        // The Kelvin sign lower-cases to an ASCII k.
        assert_eq!(Key::new("\u{212a}@x.com"), Key::new("k@x.com"));
        assert_eq!(
            crate::domain::username::comparison_key("\u{212a}@x.com"),
            crate::domain::username::comparison_key("k@x.com")
        );
    }
}
