//! What the server under test costs, read from /proc: CPU time (user + system) and resident memory.

use std::time::Duration;

/// A reading of one process.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// User plus system CPU time so far.
    pub cpu: Duration,
    /// Resident set size, in KiB.
    pub rss_kib: u64,
}

/// Reads `/proc/<pid>/stat` (utime and stime, fields 14 and 15, in clock ticks) and `/proc/<pid>/status`
/// (`VmRSS`). `None` if the process is gone or the files are not as expected.
pub fn usage(pid: u32) -> Option<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // After the name, field 3 (state) is index 0, so utime (14) is 11 and stime (15) is 12.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // Linux reports in USER_HZ, which is 100 on every architecture it runs on today.
    Some(Usage {
        cpu: Duration::from_millis(ticks * 10),
        rss_kib,
    })
}

/// Latency percentiles over a run, in microseconds.
pub struct Percentiles {
    pub count: usize,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

impl Percentiles {
    /// From every latency measured (sorted here).
    pub fn of(mut micros: Vec<u64>) -> Option<Percentiles> {
        if micros.is_empty() {
            return None;
        }
        micros.sort_unstable();
        let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize];
        Some(Percentiles {
            count: micros.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: micros[micros.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_list() {
        let p = Percentiles::of((1..=100).collect()).unwrap();
        assert_eq!(
            (p.count, p.p50, p.p90, p.p99, p.max),
            (100, 51, 90, 99, 100)
        );
        assert!(Percentiles::of(Vec::new()).is_none());
    }

    #[test]
    fn this_process_can_be_read() {
        let me = usage(std::process::id()).expect("our own /proc entry");
        assert!(me.rss_kib > 0);
    }
}
