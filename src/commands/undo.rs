//! `ferry undo JOB`: revert a completed import from its before-images.

use ferry_runner::complete;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{audit, open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry undo 1")]
pub struct Args {
    /// The job: its id or its description
    job: String,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    let summary = complete::undo(&mut store, &args.job).map_err(|e| {
        let changed = e.to_string().contains("changed since");
        let err = runner_error(e);
        if changed {
            crate::hint(err, "the records named were changed by a later import; undo that import first")
        } else {
            err
        }
    })?;
    audit(&store, summary.job.id, "undo", None)?;
    if printer.json {
        printer.json(&summary)?;
    } else {
        printer.out(format!("job {} undone", summary.job.id))?;
        printer.out(format!("removed    {:>8}", summary.removed))?;
        printer.out(format!("restored   {:>8}", summary.restored))?;
    }
    printer.info(format!(
        "job {} is back in Review Match Results / Waiting on User; complete it again or delete it",
        summary.job.id
    ));
    Ok(Outcome::Success)
}
