//! Progress leaving a library: the one [`Reporter`] trait every long
//! operation (check, pack, import, export, candidate generation, learn, complete) reports to,
//! and the binary implements with progress bars.
//!
//! A library names the [`Stage`] it starts (with its size when known) and the
//! running count of units done in it; it never draws anything. A hot loop
//! counts through a [`Throttle`], which reports every [`Throttle::EVERY`]
//! units and once at the end, so reporting costs nothing per row.

use std::path::Path;

/// What a long operation is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage<'a> {
    /// Reading a legacy file, by its name in the template (`check`, `pack`).
    File(&'a str),
    /// A package was written and verified (`pack`; 1-based, its size in bytes).
    Packaged { number: usize, size: u64 },
    /// Packing again, leaving out the rows the check rejected (`pack --allow-errors`).
    Repacking,
    /// Opening and checking a package (`import`).
    Package(&'a Path),
    /// Staging one file of a package (`import`).
    Staging { package: &'a Path, file: &'a str },
    /// Validating records assembled from their files (`import`).
    Validating,
    /// Writing records (`export`).
    Exporting,
    /// Generating match candidates, one unit a blocking plan (`match`).
    Candidates,
    /// Carrying out a job's chosen actions, one unit a staged record (`complete`).
    Completing,
    /// Drawing random pairs for the u-probabilities, one unit a pair (`learn`).
    RandomPairs,
    /// Sampling the pairs of the EM sessions, one unit a session (`learn`).
    EmSessions,
    /// Refining m, u and the prior by EM, one unit a round (`learn`).
    EmRounds,
}

/// Where a library's progress goes; every method defaults to nothing.
pub trait Reporter {
    /// `stage` starts; `total` is how many units it has, when known.
    fn on_stage(&self, _stage: Stage<'_>, _total: Option<u64>) {}
    /// `done` units of the current stage (or of the whole operation, for a
    /// count that runs on across stages) are done: a running total.
    fn on_progress(&self, _done: u64) {}
}

/// A reporter that reports nothing.
pub struct NoReporter;
impl Reporter for NoReporter {}

/// Counts units for a reporter, reporting every [`Throttle::EVERY`] of them.
pub struct Throttle<'a> {
    reporter: &'a dyn Reporter,
    done: u64,
}

impl<'a> Throttle<'a> {
    /// How many units pass between two reports.
    pub const EVERY: u64 = 1024;

    /// A count from `start` (an operation whose count runs on across stages).
    pub fn new(reporter: &'a dyn Reporter, start: u64) -> Throttle<'a> {
        Throttle { reporter, done: start }
    }

    /// One more unit done.
    pub fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(Self::EVERY) {
            self.reporter.on_progress(self.done);
        }
    }

    /// The units counted so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Reports the count as it stands (at the end of a stage).
    pub fn flush(&self) {
        self.reporter.on_progress(self.done);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    #[derive(Default)]
    struct Recorder(RefCell<Vec<u64>>);

    impl Reporter for Recorder {
        fn on_progress(&self, done: u64) {
            self.0.borrow_mut().push(done);
        }
    }

    #[test]
    fn a_throttle_reports_every_so_many_units_and_at_the_end() {
        let r = Recorder::default();
        let mut t = Throttle::new(&r, 0);
        for _ in 0..2500 {
            t.tick();
        }
        t.flush();
        assert_eq!(*r.0.borrow(), vec![1024, 2048, 2500]);
        let mut t = Throttle::new(&r, 2500);
        t.tick();
        assert_eq!(t.done(), 2501, "a count runs on from its start");
    }
}
