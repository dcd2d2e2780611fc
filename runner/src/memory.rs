//! The memory budget of matching and learning (`--memory`): what a run may
//! hold, and the candidate-generation [`Limits`] that keep it inside.
//!
//! Records take about [`BYTES_PER_RECORD`] each while matched (prepared
//! values, blocking variants, candidate lists); the rest of the budget goes
//! to the keys and pair batches of candidate generation
//! ([`Limits::BYTES_PER_KEY`] per key). A run whose records alone would not
//! fit, or would leave too little to compare them, is refused before it
//! loads anything.

use crate::matching::Limits;

/// Bytes a record takes while matched or learned from, about (measured on
/// generated contacts: 1M × 1M peaked at 1.8 GB).
pub const BYTES_PER_RECORD: u64 = 1024;

/// Fixed overhead of a run (the binary, SQLite's cache, buffers).
pub const BASE_BYTES: u64 = 64 << 20;

/// Keys per slice below which candidate generation would crawl.
const MIN_KEYS_PER_SLICE: u64 = 1 << 18;

/// The default budget: half of the machine's memory (4 GiB when it cannot
/// be read).
pub fn default_budget() -> u64 {
    machine_memory().map_or(4 << 30, |m| m / 2)
}

/// The machine's memory in bytes (`MemTotal` of /proc/meminfo).
pub fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Mebibytes, for messages.
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes.div_ceil(1 << 20))
}

/// A budget too small for a run: what its records need, and what was allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLittle {
    pub records: u64,
    /// Bytes the records and the fixed overhead hold.
    pub held: u64,
    /// Bytes the run needs at least (with the smallest batches).
    pub need: u64,
    pub budget: u64,
    /// The machine's memory, when it can be read.
    pub machine: Option<u64>,
}

impl std::fmt::Display for TooLittle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} records need about {} (at least {} with the smallest batches), more than the {} allowed: \
             raise --memory{}, or match the job in smaller imports",
            self.records,
            mib(self.held),
            mib(self.need),
            mib(self.budget),
            self.machine.map_or(String::new(), |m| format!(" (the machine has {})", mib(m)))
        )
    }
}

/// The limits that keep a run over `records` records inside `budget`
/// bytes, or what it would need.
pub fn limits(budget: u64, records: u64) -> Result<Limits, TooLittle> {
    let default = Limits::default();
    let held = BASE_BYTES + records * BYTES_PER_RECORD;
    let need = held + MIN_KEYS_PER_SLICE * Limits::BYTES_PER_KEY;
    if budget < need {
        return Err(TooLittle { records, held, need, budget, machine: machine_memory() });
    }
    let keys = ((budget - held) / Limits::BYTES_PER_KEY).min(default.keys_per_slice as u64);
    Ok(Limits { keys_per_slice: keys as usize, ..default })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generous_budget_keeps_the_default_batches() {
        assert_eq!(limits(8 << 30, 200_000).unwrap(), Limits::default());
    }

    #[test]
    fn a_tight_budget_makes_smaller_batches() {
        let l = limits(512 << 20, 200_000).unwrap();
        assert!(l.keys_per_slice < Limits::default().keys_per_slice);
        let used = BASE_BYTES + 200_000 * BYTES_PER_RECORD + l.keys_per_slice as u64 * Limits::BYTES_PER_KEY;
        assert!(used <= 512 << 20);
    }

    #[test]
    fn too_little_memory_is_refused_with_what_it_needs() {
        let short = limits(100 << 20, 1_000_000).unwrap_err();
        assert_eq!((short.records, short.budget), (1_000_000, 100 << 20));
        assert!(short.need > short.held && short.held > short.budget);
        let e = short.to_string();
        assert!(e.contains("1000000 records need about 1041 MiB"), "{e}");
        assert!(e.contains("raise --memory"), "{e}");
    }
}
