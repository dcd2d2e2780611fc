//! `ferry complete JOB`: carry out a job's chosen actions in one transaction.

use ferry_runner::complete::{self, CompleteSummary};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{audit, open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry complete 1")]
pub struct Args {
    /// The job: its id or its description
    job: String,
}

/// The lines printed about a completion.
pub fn summary_lines(s: &CompleteSummary) -> Vec<String> {
    vec![
        format!("created    {:>8}", s.created),
        format!("merged     {:>8}", s.merged),
        format!("updated    {:>8}", s.updated),
        format!("discarded  {:>8}", s.discarded),
    ]
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    let spinner = printer.spinner("completing");
    let result = complete::complete(&mut store, &args.job);
    spinner.finish_and_clear();
    let summary = result.map_err(runner_error)?;
    if let Some(job) = &summary.job {
        audit(&store, job.id, "complete", None)?;
    }
    if printer.json {
        printer.json(&summary)?;
    } else {
        if let Some(job) = &summary.job {
            printer.out(format!("job {} completed", job.id))?;
        }
        for line in summary_lines(&summary) {
            printer.out(line)?;
        }
    }
    if let Some(job) = &summary.job {
        printer.info(format!("`ferry undo {}` reverts it while its records are unchanged", job.id));
    }
    Ok(Outcome::Success)
}
