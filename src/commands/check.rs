//! `ferry check --data DIR --mapping M`: a dry run of a template over every
//! row, printing each problem with its file, line and column, then counts.

use std::path::{Path, PathBuf};

use super::legacy::{OldEncodingArg, ReadArgs};
use crate::Outcome;
use crate::bar::Bar;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::printer::{count, number};
use ferry_mapper::check::{CheckOptions, CheckReport};
use ferry_mapper::convert::ConvertOptions;
use ferry_mapper::problem::Severity;
use ferry_mapper::progress::{Reporter, Stage};
use ferry_mapper::read::ReadOptions;
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::MappingTemplate;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry check --data exports --mapping mapping.json\n  ferry check --data exports --mapping mapping.json --json | jq .errors"
)]
pub struct Args {
    /// The data location: the directory holding the files the template names
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// The mapping template (JSON)
    #[arg(long, value_name = "FILE")]
    mapping: PathBuf,
    /// Enumeration values the target does not know will be added (a warning) instead of ignored
    #[arg(long)]
    create_missing: bool,
    /// Check only the first N rows of each file
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Read bytes that are not valid in the file's encoding as `�` (a warning per
    /// cell) instead of rejecting their row
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    old_encoding: OldEncodingArg,
}

/// Loads a mapping template, with a hint when it does not load.
pub(crate) fn load_template(path: &Path) -> anyhow::Result<MappingTemplate> {
    MappingTemplate::load(path).map_err(|e| {
        crate::hint(
            e,
            "fix the template (its schema is `schemas/mapping.schema.json`), or make one with `ferry map`",
        )
    })
}

/// The template's target: a bundled name, a path relative to the template, or a path as given.
pub(crate) fn target_of(
    template: &MappingTemplate,
    template_path: &Path,
) -> anyhow::Result<TargetDefinition> {
    if TargetDefinition::bundled(&template.target).is_none()
        && let Some(dir) = template_path.parent()
    {
        let beside = dir.join(&template.target);
        if beside.is_file() {
            return Ok(TargetDefinition::load(&beside)?);
        }
    }
    Ok(TargetDefinition::resolve(&template.target)?)
}

/// A template made on another export: each file it names that `data` lacks is
/// taken from the data file with the same columns, and the user is told so.
pub(crate) fn adopt_files(
    template: &mut MappingTemplate,
    data: &Path,
    read: &ReadOptions,
    printer: &Printer,
) -> anyhow::Result<()> {
    for t in ferry_mapper::reuse::adopt_in(template, data, read)? {
        printer.info(format!(
            "taking `{}` for the template's `{}` (it has the columns the template maps)",
            t.data_file, t.template_file
        ));
    }
    Ok(())
}

/// Draws the check's progress: the file, and the rows checked of the
/// template's files (their lines counted first, when the bar is drawn).
pub(crate) struct Progress {
    pub bar: Bar,
    pub verb: &'static str,
    /// Whether the library's count runs on across files (pack) or starts
    /// again at each (check): the rows of the files done before, the rows of this one.
    pub runs_on: bool,
    pub counted: std::cell::Cell<(u64, u64)>,
}

impl Progress {
    pub fn new(bar: Bar, verb: &'static str, runs_on: bool) -> Progress {
        Progress { bar, verb, runs_on, counted: Default::default() }
    }
}

impl Reporter for Progress {
    fn on_stage(&self, stage: Stage<'_>, _total: Option<u64>) {
        match stage {
            Stage::File(name) => {
                let (before, this) = self.counted.get();
                self.counted.set((before + this, 0));
                self.bar.set_message(format!("{} `{name}`", self.verb));
            }
            Stage::Repacking => {
                self.counted.set((0, 0));
                self.bar.set_position(0);
                self.bar.set_message("packing the rows that passed");
            }
            Stage::Packaged { number, size } => {
                self.bar.set_message(format!("package {number} written ({})", crate::printer::bytes(size)));
            }
            _ => {}
        }
    }
    fn on_progress(&self, rows: u64) {
        if self.runs_on {
            self.bar.set_position(rows);
        } else {
            let (before, _) = self.counted.get();
            self.counted.set((before, rows));
            self.bar.set_position(before + rows);
        }
    }
}

/// About how many data rows the template's files hold: their lines less the
/// header (a quoted field over several lines counts more), `None` when a file
/// is no CSV or cannot be read. Counted only for a drawn bar.
pub(crate) fn estimate_rows(template: &MappingTemplate, data: &Path, printer: &Printer) -> Option<u64> {
    use std::io::Read;
    if !printer.draws_progress() {
        return None;
    }
    let mut total = 0u64;
    for file in &template.files {
        let path = data.join(&file.name);
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if !matches!(ext.as_str(), "csv" | "txt" | "tsv") {
            return None;
        }
        let mut reader = std::fs::File::open(&path).ok()?;
        let (mut buf, mut lines, mut last) = (vec![0u8; 1 << 16], 0u64, b'\n');
        loop {
            let n = reader.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            last = buf[n - 1];
        }
        if last != b'\n' {
            lines += 1;
        }
        total += lines.saturating_sub(1);
    }
    Some(total)
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut template = load_template(&args.mapping)?;
    let target = target_of(&template, &args.mapping)?;
    if !args.data.is_dir() {
        return Err(crate::hint(
            anyhow::anyhow!("the data location `{}` is not a directory", args.data.display()),
            "give the directory that holds the legacy files with `--data`",
        ));
    }
    let read = ReadOptions {
        replace_invalid: args.replace,
        ..args.read.options(Some(&args.old_encoding), printer)?
    };
    adopt_files(&mut template, &args.data, &read, printer)?;
    let options = CheckOptions {
        data_dir: args.data.clone(),
        template,
        target,
        read,
        convert: ConvertOptions { create_missing: args.create_missing, ..Default::default() },
        limit: args.limit,
    };
    let total =
        estimate_rows(&options.template, &options.data_dir, printer).filter(|_| options.limit.is_none());
    let progress = Progress::new(printer.bar("checking", "rows", total), "checking", false);
    let report = ferry_mapper::check::check(&options, &progress);
    progress.bar.finish();
    let report = report?;

    if printer.json {
        printer.json(&report)?;
    } else {
        render(&report, printer)?;
        // Files the template does not name are not imported: say so, they may be forgotten.
        if let Ok(files) = ferry_mapper::read::data_files(&args.data) {
            for path in files {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if options.template.file(&name).is_none() {
                    printer.info(format!(
                        "note: `{name}` is not in the template, so it is neither checked nor imported"
                    ));
                }
            }
        }
    }
    if report.is_clean() {
        Ok(Outcome::Success)
    } else {
        printer.info("hint: fix the rows, or change the mapping (`ferry map --mapping …`) and check again");
        Ok(Outcome::Problems)
    }
}

/// How many warnings `check` prints (`--json` holds them all).
const SHOWN_WARNINGS: usize = 50;

fn render(report: &CheckReport, printer: &Printer) -> anyhow::Result<()> {
    let mut warnings = 0;
    for p in &report.problems {
        let mark = match p.severity {
            Severity::Error => printer.paint("error", console::Style::new().red().bold()),
            Severity::Warning => {
                warnings += 1;
                if warnings > SHOWN_WARNINGS {
                    continue;
                }
                printer.paint("warning", console::Style::new().yellow().bold())
            }
        };
        printer.out(format!("{mark}: {}", crate::printer::visible(&p.to_string())))?;
    }
    if warnings > SHOWN_WARNINGS {
        printer.out(format!(
            "… and {} more warnings (`ferry check --json` lists them all)",
            warnings - SHOWN_WARNINGS
        ))?;
    }
    if !report.problems.is_empty() {
        printer.out("")?;
    }
    let (mut rows, mut rejected) = (0, 0);
    for f in &report.files {
        printer.out(format!("`{}`: {}, {} rejected", f.name, count(f.rows, "row"), number(f.rejected)))?;
        if !f.unmapped.is_empty() {
            printer.out(format!("  {}", unmapped_line(&f.unmapped, "imported")))?;
        }
        rows += f.rows;
        rejected += f.rejected;
    }
    printer.out(format!(
        "total: {}, {} rejected; {}, {}",
        count(rows, "row"),
        number(rejected),
        count(report.errors as u64, "error"),
        count(report.warnings as u64, "warning")
    ))?;
    Ok(())
}

/// The columns a template leaves out that hold values, and what to do:
/// "not in the template, so not imported: `ID` (2 rows with a value); …".
pub(crate) fn unmapped_line(unmapped: &[ferry_mapper::check::UnmappedColumn], what: &str) -> String {
    let columns: Vec<String> = unmapped
        .iter()
        .map(|u| format!("`{}` ({} with a value)", crate::printer::visible(&u.column), count(u.rows, "row")))
        .collect();
    let one = columns.len() == 1;
    format!(
        "not in the template, so not {what}: {}; map {} (`ferry map --mapping …`) if {} should be",
        columns.join(", "),
        if one { "it" } else { "them" },
        if one { "it" } else { "they" }
    )
}
