//! `ferry errors JOB --out F.csv`: a job's rejected rows, in the upload's columns plus the reason.

use std::path::PathBuf;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry errors 1 -o rejected.csv")]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// Where to write the report (CSV for spreadsheets: UTF-8 with BOM, CRLF, quoted); `-` for stdout
    #[arg(long, short, value_name = "F.csv")]
    out: PathBuf,
    /// Replace `--out` if it exists (without it, an existing file is an error and nothing is written)
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let store = open_store(global)?;
    let report = super::write_out(&args.out, args.force, printer, |out, force| {
        ferry_runner::report::write_errors(&store, &args.job, out, force).map_err(runner_error)
    })?;
    if printer.json {
        printer.json(&report)?;
    } else {
        let line = format!(
            "wrote {} rejected rows of job {} to {}",
            report.rows,
            report.job.id,
            super::shown(&args.out)
        );
        if super::is_stdout(&args.out) {
            printer.info(line)
        } else {
            printer.out(line)?
        }
        if let Some(e) = &report.job.error {
            printer.warn(format!("job {} failed: {e}", report.job.id));
        }
    }
    Ok(Outcome::Success)
}
