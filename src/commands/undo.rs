//! `ferry undo JOB`: revert a completed import from its before-images.

use ferry_runner::complete;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{audit, open_store, runner_error};
use crate::summary::Summary;

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
    }
    let mut told = Summary::new(format!("job {} undone: the store is as it was before it", summary.job.id));
    told.count("removed", summary.removed).count("restored", summary.restored).line(format!(
        "job {} is back in Review Match Results / Waiting on User; complete it again or delete it",
        summary.job.id
    ));
    told.print(printer);
    Ok(Outcome::Success)
}
