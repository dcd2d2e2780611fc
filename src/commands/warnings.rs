//! `ferry warnings JOB [--out F.csv]`: a job's warnings (values dropped,
//! truncated, ignored), listed, or written in the upload's columns plus
//! file, line, column and warning.

use std::path::PathBuf;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  ferry warnings 1\n  ferry warnings 1 --out warnings.csv")]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// Write the warned rows here (CSV for spreadsheets: UTF-8 with BOM, CRLF, quoted)
    /// instead of listing the warnings
    #[arg(long, value_name = "F.csv")]
    out: Option<PathBuf>,
    /// Replace `--out` if it exists (without it, an existing file is an error and nothing is written)
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let store = open_store(global)?;
    if let Some(out) = &args.out {
        let report =
            ferry_runner::report::write_warnings(&store, &args.job, out, args.force).map_err(runner_error)?;
        if printer.json {
            printer.json(&report)?;
        } else {
            printer.out(format!(
                "wrote {} warnings of job {} to `{}`",
                report.rows,
                report.job.id,
                out.display()
            ))?;
        }
        return Ok(Outcome::Success);
    }
    let (job, warnings) = ferry_runner::report::warnings(&store, &args.job).map_err(runner_error)?;
    if printer.json {
        printer.json(&serde_json::json!({ "job": job, "warnings": warnings }))?;
        return Ok(Outcome::Success);
    }
    for w in &warnings {
        let mut at = format!("`{}`", w.file);
        if let Some(line) = w.line {
            at.push_str(&format!(" line {line}"));
        }
        if let Some(column) = &w.column {
            at.push_str(&format!(", column `{column}`"));
        }
        printer.out(format!("{at}: {}", w.warning))?;
    }
    printer.info(format!("job {}: {} warnings", job.id, warnings.len()));
    Ok(Outcome::Success)
}
