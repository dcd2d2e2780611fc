//! `ferry complete JOB`: carry out a job's chosen actions in one transaction.

use ferry_mapper::progress::{Reporter, Stage};
use ferry_runner::complete::{self, CompleteSummary};

use crate::Outcome;
use crate::bar::Bar;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{audit, open_store, runner_error};
use crate::summary::Summary;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry complete 1")]
pub struct Args {
    /// The job: its id or its description
    job: String,
}

/// Draws a completion: the staged records carried out of the job's.
pub struct Completing(pub Bar);

impl Reporter for Completing {
    fn on_stage(&self, _stage: Stage<'_>, total: Option<u64>) {
        self.0.set_total(total);
    }
    fn on_progress(&self, done: u64) {
        self.0.set_position(done);
    }
}

/// What a completion did.
pub fn summary(s: &CompleteSummary) -> Summary {
    let head = match &s.job {
        Some(job) => format!("job {} completed: its records are in the store", job.id),
        None => "completed".to_string(),
    };
    let mut summary = Summary::new(head);
    summary
        .count("created", s.created)
        .count("updated", s.updated)
        .count("merged", s.merged)
        .count("discarded", s.discarded);
    summary
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    let reporter = Completing(printer.bar("completing the chosen actions", "records", None));
    let result = complete::complete_reporting(&mut store, &args.job, &reporter);
    reporter.0.finish();
    let summary = result.map_err(runner_error)?;
    if let Some(job) = &summary.job {
        audit(&store, job.id, "complete", None)?;
    }
    if printer.json {
        printer.json(&summary)?;
    }
    let mut told = self::summary(&summary);
    if let Some(job) = &summary.job {
        told.line(format!("`ferry undo {}` reverts it while its records are unchanged", job.id));
    }
    told.print(printer);
    Ok(Outcome::Success)
}
