//! The open-files limit: each connection is a file, so the soft limit is raised to the hard one at start (the
//! `rlimit` crate does the system calls).

use crate::config::Config;
use std::io;
use tracing::warn;

/// Raises this process's soft limit of open files as far as the hard limit allows, and returns the new soft
/// limit.
pub fn raise_nofile_limit() -> io::Result<u64> {
    // As high as allowed: the crate caps the request at the hard limit (and at the kernel's per-process
    // maximum where the hard limit reads as unlimited).
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Raises the open-files limit and warns when it is lower than `--max-connections` needs.
pub fn prepare(config: &Config) {
    match raise_nofile_limit() {
        Ok(limit) if (limit as usize) < config.max_connections.saturating_add(64) => warn!(
            limit,
            max_connections = config.max_connections,
            "the open-files limit is below --max-connections: connections beyond it will be refused"
        ),
        Ok(_) => {}
        Err(e) => warn!(error = %e, "could not raise the open-files limit"),
    }
}
