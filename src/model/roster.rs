//! [`Roster`]: the people of a room by id, in id order.
//!
//! A room holds a handful of people, so a sorted `Vec` does everything a `BTreeMap` did here, for about 12 KB
//! less gzipped wasm (the B-tree's code is instantiated for each value type).

/// Values by key, kept sorted by key, each key once.
#[derive(Debug, Clone, PartialEq)]
pub struct Roster<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for Roster<K, V> {
    fn default() -> Self {
        Roster {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> Roster<K, V> {
    /// An empty roster.
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// Puts `value` under `key`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Takes out the value under `key`.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.find(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// The value under `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        let at = self.find(key).ok()?;
        Some(&self.entries[at].1)
    }

    /// The value under `key`, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let at = self.find(key).ok()?;
        Some(&mut self.entries[at].1)
    }

    /// Whether `key` is here.
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(key, _)| key)
    }

    /// The values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, value)| value)
    }

    /// Keys and values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Keeps only the entries for which `keep` is true; the others are dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.entries.retain(|(key, value)| keep(key, value));
    }

    /// The value under `key`, made with `new` if there is none yet.
    pub fn get_or_insert_with(&mut self, key: K, new: impl FnOnce() -> V) -> &mut V {
        let at = match self.find(&key) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (key, new()));
                at
            }
        };
        &mut self.entries[at].1
    }
}

impl<K: Ord> FromIterator<K> for Roster<K, ()> {
    /// A set: each key once, in order.
    fn from_iter<I: IntoIterator<Item = K>>(keys: I) -> Self {
        let mut roster = Roster::new();
        for key in keys {
            roster.insert(key, ());
        }
        roster
    }
}

#[cfg(test)]
mod tests {
    use super::Roster;

    #[test]
    fn keeps_keys_sorted_and_unique() {
        let mut roster = Roster::new();
        assert_eq!(roster.insert("c", 3), None);
        assert_eq!(roster.insert("a", 1), None);
        assert_eq!(roster.insert("b", 2), None);
        assert_eq!(roster.insert("a", 10), Some(1));
        assert_eq!(roster.keys().copied().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(roster.values().copied().collect::<Vec<_>>(), [10, 2, 3]);
        assert_eq!(roster.len(), 3);
    }

    #[test]
    fn finds_changes_and_removes() {
        let mut roster: Roster<u32, &str> = Roster::new();
        roster.insert(2, "two");
        roster.insert(1, "one");
        assert_eq!(roster.get(&2), Some(&"two"));
        assert!(roster.contains_key(&1) && !roster.contains_key(&3));
        *roster.get_mut(&1).unwrap() = "uno";
        assert_eq!(
            roster.iter().collect::<Vec<_>>(),
            [(&1, &"uno"), (&2, &"two")]
        );
        assert_eq!(roster.remove(&1), Some("uno"));
        assert_eq!(roster.remove(&1), None);
        assert_eq!(roster.get_mut(&9), None);
        roster.clear();
        assert!(roster.is_empty());
    }

    #[test]
    fn retains_and_makes_a_missing_value_once() {
        let mut roster: Roster<u8, Vec<u8>> = Roster::new();
        roster.get_or_insert_with(7, Vec::new).push(1);
        roster
            .get_or_insert_with(7, || unreachable!("already there"))
            .push(2);
        roster.get_or_insert_with(3, Vec::new).push(3);
        assert_eq!(
            roster.iter().collect::<Vec<_>>(),
            [(&3, &vec![3]), (&7, &vec![1, 2])]
        );
        roster.retain(|key, _| *key != 3);
        assert_eq!(roster.keys().copied().collect::<Vec<_>>(), [7]);
    }

    #[test]
    fn a_set_from_keys() {
        let set: Roster<u8, ()> = [3, 1, 3, 2].into_iter().collect();
        assert_eq!(set.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    }
}
