//! How far one transfer is, for its progress bar and figures.

use crate::model::bytes::{bytes_text, rate_text};

/// How far a transfer is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes done.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
    /// Milliseconds since the transfer started.
    pub elapsed_ms: f64,
}

impl Progress {
    /// Whole percent done, 0 to 100 (an empty file counts as 100 %).
    pub fn percent(&self) -> u64 {
        // Sizes are far below u64::MAX / 100 (the limit is 500 MB).
        self.done
            .min(self.total)
            .saturating_mul(100)
            .checked_div(self.total)
            .unwrap_or(100)
    }

    /// Bytes per second so far (0 before any time has passed).
    pub fn bytes_per_second(&self) -> u64 {
        if self.elapsed_ms <= 0.0 {
            0
        } else {
            (self.done as f64 * 1000.0 / self.elapsed_ms) as u64
        }
    }

    /// `2.5 MB of 5 MB · 50 % · 12.3 MB/s`.
    pub fn text(&self) -> String {
        format!(
            "{} of {} · {} % · {}",
            bytes_text(self.done),
            bytes_text(self.total),
            self.percent(),
            rate_text(self.bytes_per_second())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_reads_well() {
        let progress = Progress {
            done: 2_500_000,
            total: 5_000_000,
            elapsed_ms: 200.0,
        };
        assert_eq!(progress.percent(), 50);
        assert_eq!(progress.bytes_per_second(), 12_500_000);
        assert_eq!(progress.text(), "2.5 MB of 5 MB · 50 % · 12.5 MB/s");
        let start = Progress {
            done: 0,
            total: 10,
            elapsed_ms: 0.0,
        };
        assert_eq!(
            start.bytes_per_second(),
            0,
            "no time yet, no division by zero"
        );
        assert_eq!(start.percent(), 0);
        let empty = Progress {
            done: 0,
            total: 0,
            elapsed_ms: 3.0,
        };
        assert_eq!(empty.percent(), 100);
    }
}
