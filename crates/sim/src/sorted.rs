//! `SortedMap` and `SortedSet`: ordered collections kept as one sorted
//! `Vec`, for the model's small maps (tens of keys).
//!
//! They iterate in key order, as `BTreeMap` does, so the model's behaviour
//! does not depend on which is used; but each key and value type costs the
//! web page far less code than a `BTreeMap` (whose node splitting, merging
//! and rebalancing is instantiated again for every type), and at these
//! sizes a binary search over one `Vec` is as fast.

use std::borrow::Borrow;

/// An ordered map over a sorted `Vec` of entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        SortedMap::default()
    }

    /// Where `key` is (`Ok`), or would go (`Err`).
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted first as `make()` if it is missing.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// Keeps only the entries for which `keep` says so.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The entries from `key` on (inclusive), in key order.
    pub fn iter_from<Q>(&self, key: &Q) -> impl Iterator<Item = (&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let start = self.find(key).unwrap_or_else(|i| i);
        self.entries[start..].iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut map = SortedMap::new();
        for (k, v) in items {
            map.insert(k, v);
        }
        map
    }
}

/// An ordered set over a sorted `Vec`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedSet<K> {
    map: SortedMap<K, ()>,
}

impl<K> Default for SortedSet<K> {
    fn default() -> Self {
        SortedSet {
            map: SortedMap::default(),
        }
    }
}

impl<K: Ord> SortedSet<K> {
    pub fn new() -> Self {
        SortedSet::default()
    }

    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// Adds `key`; whether it was new.
    pub fn insert(&mut self, key: K) -> bool {
        self.map.insert(key, ()).is_none()
    }

    /// Removes `key`; whether it was there.
    pub fn remove<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.remove(key).is_some()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.map.retain(|k, ()| keep(k));
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Every element, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.map.keys()
    }
}

impl<K: Ord> FromIterator<K> for SortedSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(items: I) -> Self {
        SortedSet {
            map: items.into_iter().map(|k| (k, ())).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::rng::SimRng;

    /// Random operations on a `SortedMap` and a `BTreeMap` side by side:
    /// every answer and every iteration (whole, and from a key) agree.
    #[test]
    fn behaves_as_a_btree_map_under_random_operations() {
        for seed in 0..40 {
            let mut rng = SimRng::stream(seed, "sorted");
            let mut ours: SortedMap<u8, u32> = SortedMap::new();
            let mut theirs: BTreeMap<u8, u32> = BTreeMap::new();
            for step in 0..400u32 {
                let key = (rng.below(24)) as u8;
                match rng.below(6) {
                    0 | 1 => assert_eq!(ours.insert(key, step), theirs.insert(key, step)),
                    2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                    3 => {
                        *ours.get_or_insert_with(key, || step) += 1;
                        *theirs.entry(key).or_insert(step) += 1;
                    }
                    4 => {
                        let limit = step % 24;
                        ours.retain(|k, v| (u32::from(*k) + *v) % 24 >= limit);
                        theirs.retain(|k, v| (u32::from(*k) + *v) % 24 >= limit);
                    }
                    _ => {
                        if let (Some(a), Some(b)) = (ours.get_mut(&key), theirs.get_mut(&key)) {
                            *a += 7;
                            *b += 7;
                        }
                    }
                }
                assert_eq!(ours.get(&key), theirs.get(&key));
                assert_eq!(ours.contains_key(&key), theirs.contains_key(&key));
                assert_eq!(ours.len(), theirs.len());
                assert!(ours.iter().eq(theirs.iter()), "seed {seed} step {step}");
                assert!(ours.iter_from(&key).eq(theirs.range(key..)));
            }
            ours.clear();
            assert!(ours.is_empty());
        }
    }

    #[test]
    fn a_set_behaves_as_a_btree_set() {
        let mut rng = SimRng::stream(7, "sorted-set");
        let mut ours: SortedSet<u8> = SortedSet::new();
        let mut theirs: BTreeSet<u8> = BTreeSet::new();
        for step in 0..500u32 {
            let key = rng.below(30) as u8;
            match rng.below(4) {
                0 | 1 => assert_eq!(ours.insert(key), theirs.insert(key)),
                2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                _ => {
                    let odd = step % 2 == 1;
                    ours.retain(|k| (k % 2 == 1) == odd || *k < 15);
                    theirs.retain(|k| (k % 2 == 1) == odd || *k < 15);
                }
            }
            assert_eq!(ours.contains(&key), theirs.contains(&key));
            assert!(ours.iter().eq(theirs.iter()));
        }
        let collected: SortedSet<u8> = [5, 1, 5, 3].into_iter().collect();
        assert_eq!(collected.iter().copied().collect::<Vec<_>>(), [1, 3, 5]);
    }
}
