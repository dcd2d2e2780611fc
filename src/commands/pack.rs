//! `ferry pack`: check the data and write size-capped import packages (side by
//! side; the packages are named only when the check passes).

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use ferry_mapper::check::CheckOptions;
use ferry_mapper::problem::Severity;
use ferry_mapper::progress::{NoReporter, Reporter, Stage};
use ferry_packager::write::PackOptions;

use super::legacy::ReadArgs;
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry pack --data exports --mapping mapping.json --out contacts.zip\n  ferry pack --data exports --mapping mapping.json --out contacts.zip --allow-errors --max-size 5MB"
)]
pub struct Args {
    /// The data location: the folder holding the template's legacy files
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The mapping template (JSON)
    #[arg(long, value_name = "M")]
    pub mapping: PathBuf,
    /// The package to write; when the data needs several, they are PKG-1.zip, PKG-2.zip …
    /// (a file: packages and error CSVs cannot go to stdout)
    #[arg(long, short, value_name = "PKG.zip")]
    pub out: PathBuf,
    /// The largest package: bytes or KB, MB, GB (1024-based; 10MB = 10485760 bytes)
    #[arg(long, value_name = "SIZE", default_value = "10MB", value_parser = ferry_packager::inspect::parse_size)]
    pub max_size: u64,
    /// Encoding of the package's CSVs (overrides the template's; e.g. UTF-8, windows-1252)
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<String>,
    /// Write `?` for characters the package encoding cannot hold instead of failing,
    /// and read bytes that are not valid in a legacy file's encoding as `�` (a
    /// warning per cell) instead of rejecting their row
    #[arg(long)]
    pub replace: bool,
    /// Pack the rows that pass the checks; rejected rows go to an error CSV beside the package
    #[arg(long)]
    pub allow_errors: bool,
    /// Replace the packages and error CSVs of an earlier run (without it, when
    /// `PKG.zip`, `PKG-1.zip` … or an error CSV exists, nothing is read or written)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

struct Progress(indicatif::ProgressBar);

impl Reporter for Progress {
    fn on_stage(&self, stage: Stage<'_>, _total: Option<u64>) {
        match stage {
            Stage::File(name) => self.0.set_message(format!("packing {name}")),
            Stage::Packaged { number, size } => {
                self.0.set_message(format!("package {number} done ({size} bytes)"))
            }
            _ => {}
        }
    }
    fn on_progress(&self, rows: u64) {
        self.0.set_position(rows);
    }
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let Some(report) = build(&args, printer)? else { return Ok(Outcome::Problems) };
    print_report(printer, &report)?;
    Ok(if report.rejected.is_empty() { Outcome::Success } else { Outcome::Problems })
}

/// Checks and packs as `ferry pack` does, printing the problems; `None` when
/// the check refused the data (nothing was written). `ferry import --data`
/// goes through here too.
pub(crate) fn build(
    args: &Args,
    printer: &Printer,
) -> anyhow::Result<Option<ferry_packager::write::PackReport>> {
    if super::is_stdout(&args.out) {
        return Err(crate::hint(
            anyhow::anyhow!("`pack` cannot write to stdout (`--out -`)"),
            "give a file such as `--out contacts.zip`: the data may need several packages, and `--allow-errors` writes an error CSV beside them",
        ));
    }
    let mut template = super::check::load_template(&args.mapping)?;
    let target = super::check::target_of(&template, &args.mapping)?;
    let read = ferry_mapper::read::ReadOptions {
        replace_invalid: args.replace,
        ..args.read.options(None, printer)?
    };
    if !args.data.is_dir() {
        return Err(crate::hint(
            anyhow::anyhow!("the data location `{}` is not a directory", args.data.display()),
            "give the directory that holds the legacy files with `--data`",
        ));
    }
    super::check::adopt_files(&mut template, &args.data, &read, printer)?;

    let check_options = CheckOptions {
        data_dir: args.data.clone(),
        template: template.clone(),
        target: target.clone(),
        read: read.clone(),
        convert: Default::default(),
        limit: None,
    };
    let options = PackOptions {
        data_dir: args.data.clone(),
        template,
        target,
        read,
        out: args.out.clone(),
        max_size: args.max_size,
        encoding: args.encoding.clone(),
        replace: args.replace,
        rejected: HashMap::new(),
        force: args.force,
    };
    ferry_packager::write::refuse_existing(&options)
        .map_err(|e| crate::hint(e, crate::store::EXISTS_HINT))?;
    // The check and the packing read the data side by side, on two threads:
    // the packages are built in unnamed scratch files and named only when the
    // check passes, so refused data leaves nothing behind. Data with errors
    // packed with `--allow-errors` is packed again, leaving the rejected rows out.
    let progress = Progress(printer.spinner("checking and packing"));
    let (check, built) = std::thread::scope(|scope| {
        let checker = scope.spawn(|| ferry_mapper::check::check(&check_options, &NoReporter));
        let built = ferry_packager::write::build(&options, &progress);
        (checker.join(), built)
    });
    progress.0.finish_and_clear();
    let check = check
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .with_context(|| format!("cannot check `{}`", args.data.display()))?;

    let errors: Vec<_> = check.problems.iter().filter(|p| p.severity == Severity::Error).collect();
    let file_level = errors.iter().any(|p| p.line.is_none());
    if !errors.is_empty() && (!args.allow_errors || file_level) {
        if printer.json {
            printer.json(&serde_json::json!({ "packed": false, "check": check }))?;
        }
        // One error: what was refused, the problems under it, what to do.
        printer.error_line(format_args!(
            "nothing packed: `ferry check` finds {} in `{}`:",
            crate::printer::count(errors.len() as u64, "error"),
            args.data.display()
        ));
        for p in errors.iter().take(20) {
            printer.detail(p);
        }
        if errors.len() > 20 {
            printer.detail(format_args!("… and {} more (`ferry check` lists them all)", errors.len() - 20));
        }
        let hint = if file_level {
            "fix the template (`ferry check` lists the problems); template-level errors cannot be packed around"
        } else {
            "fix the data or the template, or pass `--allow-errors` to pack the other rows and write the rejected ones to an error CSV"
        };
        printer.hint_line(hint);
        return Ok(None);
    }

    let warnings = check.problems.iter().filter(|p| p.severity == Severity::Warning).count();
    if warnings > 0 {
        printer.warn(format_args!(
            "{warnings} {}: values dropped, truncated or ignored; the import records them (`ferry check` lists them, `ferry warnings JOB` after the import)",
            if warnings == 1 { "warning" } else { "warnings" }
        ));
    }
    let result = if errors.is_empty() {
        built.and_then(|built| built.publish())
    } else {
        drop(built);
        let options = PackOptions { rejected: rejected_rows(&errors), ..options };
        let progress = Progress(printer.spinner("packing the rows that passed"));
        let result = ferry_packager::write::pack(&options, &progress);
        progress.0.finish_and_clear();
        result
    };
    let report = result.map_err(|e| match e {
        ferry_packager::Error::Unencodable { .. } => crate::hint(
            e,
            "pass `--replace` to write `?` instead, or choose an encoding that holds it (`--encoding UTF-8`)",
        ),
        other => anyhow::Error::new(other),
    })?;
    Ok(Some(report))
}

/// The rows `check` rejected, by file and line, with their reasons.
fn rejected_rows(errors: &[&ferry_mapper::problem::Problem]) -> HashMap<String, HashMap<u64, String>> {
    let mut rejected: HashMap<String, HashMap<u64, String>> = HashMap::new();
    for p in errors {
        let Some(line) = p.line else { continue };
        let reason = match &p.column {
            Some(c) => format!("line {line}, column `{c}`: {}", p.message),
            None => format!("line {line}: {}", p.message),
        };
        rejected
            .entry(p.file.clone())
            .or_default()
            .entry(line)
            .and_modify(|r| {
                r.push_str("; ");
                r.push_str(&reason);
            })
            .or_insert(reason);
    }
    rejected
}

fn print_report(printer: &Printer, report: &ferry_packager::write::PackReport) -> anyhow::Result<()> {
    if printer.json {
        printer.json(&report)?;
    } else {
        for p in &report.packages {
            printer.out(p.path.display())?;
            let rows: Vec<String> = p
                .files
                .iter()
                .map(|f| format!("{} {}", f.name, crate::printer::count(f.rows, "row")))
                .collect();
            printer.info(format_args!(
                "wrote `{}`: {}, {}",
                p.path.display(),
                crate::printer::share(p.size, report.max_size),
                rows.join(", ")
            ));
        }
        for p in &report.removed {
            printer.info(format_args!("removed `{}`, left by an earlier run", p.display()));
        }
        for r in &report.rejected {
            printer.warn(format_args!(
                "{} rows of `{}` rejected, written to `{}`",
                r.rows,
                r.file,
                r.path.display()
            ));
        }
    }
    Ok(())
}
