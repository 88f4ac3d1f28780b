//! The in-page log's lines: timestamped, capped so a long session never grows without bound. Pure Rust, tested
//! natively; [`crate::log::Logger`] writes them.

use std::{collections::VecDeque, sync::Arc};

/// How serious a log line is; errors are shown in red.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A step of the protocol or a state change.
    Info,
    /// Something failed.
    Error,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unique and increasing; the key for rendering.
    pub id: u64,
    /// Wall-clock time, `HH:MM:SS.mmm`.
    pub time: String,
    /// Info or error.
    pub level: Level,
    /// What happened.
    pub text: String,
}

/// The lines, oldest first, keeping only the last [`Lines::LIMIT`].
#[derive(Debug, Clone, Default)]
pub struct Lines {
    // Arc: the page re-reads every kept line on each new one; cloning 300 pointers is cheap, 300 strings not.
    entries: VecDeque<Arc<Entry>>,
    next_id: u64,
}

impl Lines {
    /// How many lines are kept. Older ones are dropped, so a hundred calls cost no more memory than one.
    pub const LIMIT: usize = 300;

    /// Appends a line stamped `time`, dropping the oldest line past the limit.
    pub fn push(&mut self, time: String, level: Level, text: String) {
        if self.entries.len() == Self::LIMIT {
            self.entries.pop_front();
        }
        self.entries.push_back(Arc::new(Entry {
            id: self.next_id,
            time,
            level,
            text,
        }));
        self.next_id += 1;
    }

    /// The kept lines, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.entries.iter()
    }

    /// How many lines are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True before anything was logged.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Formats a time of day as `HH:MM:SS.mmm`.
pub fn clock(hours: u32, minutes: u32, seconds: u32, millis: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}.{millis:03}")
}

/// Formats a duration in milliseconds with one decimal, `141.9`.
///
/// Written by hand because `{:.1}` pulls float formatting into the wasm: 16 KB raw, 8 KB gzipped.
pub fn millis(ms: f64) -> String {
    let tenths = (ms.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_pads_every_field() {
        assert_eq!(clock(9, 5, 3, 7), "09:05:03.007");
        assert_eq!(clock(23, 59, 59, 999), "23:59:59.999");
    }

    #[test]
    fn millis_has_one_decimal() {
        assert_eq!(millis(141.94), "141.9");
        assert_eq!(millis(141.96), "142.0");
        assert_eq!(millis(0.04), "0.0");
        assert_eq!(millis(-3.0), "0.0");
        assert_eq!(millis(2500.0), "2500.0");
    }

    #[test]
    fn lines_keep_order_and_unique_ids() {
        let mut lines = Lines::default();
        lines.push("t".into(), Level::Info, "a".into());
        lines.push("t".into(), Level::Error, "b".into());
        let texts: Vec<_> = lines.iter().map(|e| (e.id, e.text.as_str())).collect();
        assert_eq!(texts, [(0, "a"), (1, "b")]);
    }

    #[test]
    fn lines_are_capped_and_drop_the_oldest() {
        let mut lines = Lines::default();
        for i in 0..Lines::LIMIT + 5 {
            lines.push("t".into(), Level::Info, i.to_string());
        }
        assert_eq!(lines.len(), Lines::LIMIT);
        assert_eq!(lines.iter().next().map(|e| e.id), Some(5));
        assert_eq!(
            lines.iter().last().map(|e| e.text.clone()),
            Some((Lines::LIMIT + 4).to_string())
        );
    }
}
