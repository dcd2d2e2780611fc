//! `ferry complete JOB`: carry out a job's chosen actions in one transaction.

use ferry_runner::complete::{self, CompleteSummary};

use crate::Outcome;
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
    let spinner = printer.spinner("completing the chosen actions");
    let result = complete::complete(&mut store, &args.job);
    spinner.finish();
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
