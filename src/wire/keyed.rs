//! [`Keyed`]: values by key, for the JS-side things kept beside the chat's state (a channel per link, a task or
//! chunks or a download link per transfer), each keyed like the state.

/// Values by key, in the order they came; a handful at a time, so a `Vec` and a linear search.
#[derive(Debug)]
pub(super) struct Keyed<K, V>(Vec<(K, V)>);

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<K: Copy + PartialEq, V> Keyed<K, V> {
    /// Keeps `value` under `key` (after any others).
    pub(super) fn insert(&mut self, key: K, value: V) {
        self.0.push((key, value));
    }

    /// The value under `key`.
    pub(super) fn get(&self, key: K) -> Option<&V> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value)
    }

    /// The value under `key`, made with `new` if there is none yet.
    pub(super) fn get_or_insert_with(&mut self, key: K, new: impl FnOnce() -> V) -> &mut V {
        let at = match self.0.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.0.push((key, new()));
                self.0.len() - 1
            }
        };
        &mut self.0[at].1
    }

    /// Takes the value under `key` out.
    pub(super) fn take(&mut self, key: K) -> Option<V> {
        let at = self.0.iter().position(|(k, _)| *k == key)?;
        Some(self.0.swap_remove(at).1)
    }

    /// Keeps only the values for which `keep` is true; the others are dropped.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(K, &V) -> bool) {
        self.0.retain(|(key, value)| keep(*key, value));
    }

    /// True when some value is `wanted`.
    pub(super) fn any(&self, wanted: impl FnMut(&V) -> bool) -> bool {
        self.0.iter().map(|(_, value)| value).any(wanted)
    }

    /// Every key with its value, in the order they came.
    pub(super) fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        self.0.iter().map(|(key, value)| (*key, value))
    }

    /// Drops every value.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::Keyed;

    #[test]
    fn values_are_found_taken_and_dropped_by_key() {
        let mut keyed = Keyed::default();
        keyed.insert(1, "one");
        keyed.insert(2, "two");
        keyed.insert(3, "three");
        assert_eq!(keyed.get(2), Some(&"two"));
        assert_eq!(keyed.get(4), None);
        assert!(keyed.any(|value| *value == "three"));
        assert!(!keyed.any(|value| *value == "four"));

        assert_eq!(keyed.take(1), Some("one"));
        assert_eq!(keyed.take(1), None, "taken once");
        keyed.retain(|key, _| key != 3);
        assert_eq!(keyed.iter().collect::<Vec<_>>(), [(2, &"two")]);
        keyed.clear();
        assert_eq!(keyed.iter().count(), 0);
    }

    #[test]
    fn a_missing_value_is_made_once() {
        let mut keyed: Keyed<u8, Vec<u8>> = Keyed::default();
        keyed.get_or_insert_with(7, Vec::new).push(1);
        keyed
            .get_or_insert_with(7, || unreachable!("already there"))
            .push(2);
        keyed.get_or_insert_with(8, Vec::new).push(3);
        assert_eq!(keyed.get(7), Some(&vec![1, 2]));
        assert_eq!(keyed.get(8), Some(&vec![3]));
    }

    #[test]
    fn retain_sees_each_key_and_value() {
        let mut keyed = Keyed::default();
        for key in 0..6u32 {
            keyed.insert(key, key * 10);
        }
        keyed.retain(|key, value| key % 2 == 0 && *value < 40);
        assert_eq!(keyed.iter().collect::<Vec<_>>(), [(0, &0), (2, &20)]);
    }
}
