//! `ferry pack`: check the data and write size-capped import packages (side by
//! side; the packages are named only when the check passes).

use std::collections::HashMap;
use std::path::PathBuf;

use ferry_mapper::problem::Severity;
use ferry_packager::checked::{CheckedPack, CheckedPackOptions};
use ferry_packager::write::PackOptions;

use super::check::Progress;
use super::legacy::ReadArgs;
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::{Printer, count, number, share};
use crate::summary::Summary;
use crate::table::Table;

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

impl Args {
    /// `ferry pack --data DATA --mapping MAPPING --out OUT` with every other
    /// option at its default and the data read as `read` says (for `map
    /// --pack` and `import --data`, which pack as `ferry pack` does).
    pub fn with_defaults(data: PathBuf, mapping: PathBuf, out: PathBuf, read: ReadArgs) -> Args {
        Args {
            data,
            mapping,
            out,
            max_size: ferry_packager::write::DEFAULT_MAX_SIZE,
            encoding: None,
            replace: false,
            allow_errors: false,
            force: false,
            read,
        }
    }
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let Some(report) = build(&args, printer)? else { return Ok(Outcome::Problems) };
    print_report(printer, &args.data, &report)?;
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

    let options = CheckedPackOptions {
        pack: PackOptions {
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
        },
        allow_errors: args.allow_errors,
    };
    ferry_packager::write::refuse_existing(&options.pack)
        .map_err(|e| crate::hint(e, crate::store::EXISTS_HINT))?;
    let total = super::check::estimate_rows(&options.pack.template, &args.data, printer);
    let progress = Progress::new(printer.bar("checking and packing", "rows", total), "packing", true);
    let result = ferry_packager::checked::check_and_pack(&options, &progress);
    progress.bar.finish();
    let result = result.map_err(|e| match e {
        ferry_packager::Error::Unencodable { .. } => crate::hint(
            e,
            "pass `--replace` to write `?` instead, or choose an encoding that holds it (`--encoding UTF-8`)",
        ),
        other => anyhow::Error::new(other),
    })?;
    let (report, warnings, unmapped) = match result {
        CheckedPack::Packed { report, warnings, unmapped } => (report, warnings, unmapped),
        CheckedPack::Refused { check, file_level } => {
            print_refused(printer, &args.data, &check, file_level)?;
            return Ok(None);
        }
    };
    if warnings > 0 {
        printer.warn(format_args!(
            "{warnings} {}: values dropped, truncated or ignored, or a legacy id on two rows; `ferry check` lists them, and the import records those about values (`ferry warnings JOB`)",
            if warnings == 1 { "warning" } else { "warnings" }
        ));
    }
    for (file, columns) in &unmapped {
        printer.warn(format_args!("`{file}`: {}", super::check::unmapped_line(columns, "packed")));
    }
    Ok(Some(report))
}

/// One error: what was refused, the problems under it, what to do.
fn print_refused(
    printer: &Printer,
    data: &std::path::Path,
    check: &ferry_mapper::check::CheckReport,
    file_level: bool,
) -> anyhow::Result<()> {
    if printer.json {
        printer.json(&serde_json::json!({ "packed": false, "check": check }))?;
    }
    let errors: Vec<_> = check.problems.iter().filter(|p| p.severity == Severity::Error).collect();
    printer.error_line(format_args!(
        "nothing packed: `ferry check` finds {} in `{}`:",
        crate::printer::count(errors.len() as u64, "error"),
        data.display()
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
    Ok(())
}

fn print_report(
    printer: &Printer,
    data: &std::path::Path,
    report: &ferry_packager::write::PackReport,
) -> anyhow::Result<()> {
    if printer.json {
        return printer.json(&report);
    }
    for p in &report.packages {
        printer.out(p.path.display())?;
    }
    let packed: u64 = report.packages.iter().flat_map(|p| &p.files).map(|f| f.rows).sum();
    let rejected: u64 = report.rejected.iter().map(|r| r.rows).sum();
    let mut told = Summary::new(format!(
        "packed `{}` into {} ({})",
        data.display(),
        count(report.packages.len() as u64, "package"),
        report.encoding
    ));
    told.count("rows packed", packed);
    match report.rejected.as_slice() {
        [] => told.count("rows rejected", 0),
        [one] => told.count_with("rows rejected", rejected, format!("written to `{}`", one.path.display())),
        _ => told.count_with("rows rejected", rejected, "written to the error CSVs below"),
    };
    let mut t = Table::new(["package", "size", "rows"]).right(&[1]);
    for p in &report.packages {
        let rows: Vec<String> =
            p.files.iter().map(|f| format!("{} {}", f.name, count(f.rows, "row"))).collect();
        t.row([p.path.display().to_string(), share(p.size, report.max_size), rows.join(", ")]);
    }
    for line in t.lines() {
        told.line(line);
    }
    for p in &report.removed {
        told.line(format!("removed `{}`, left by an earlier run", p.display()));
    }
    if report.rejected.len() > 1 {
        for r in &report.rejected {
            told.line(format!("{} rejected rows of `{}` in `{}`", number(r.rows), r.file, r.path.display()));
        }
    }
    told.print(printer);
    if rejected > 0 {
        printer.warn(format_args!(
            "{} rejected (the import will not have them); the error CSV says why",
            count(rejected, "row")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_defaults_is_pack_given_only_data_mapping_and_out() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let argv = ["pack", "--data", "d", "--mapping", "m.json", "--out", "p.zip"];
        let parsed = <Cli as clap::Parser>::try_parse_from(argv).unwrap().args;
        let built = Args::with_defaults("d".into(), "m.json".into(), "p.zip".into(), parsed.read.clone());
        assert_eq!(format!("{built:?}"), format!("{parsed:?}"));
    }
}
