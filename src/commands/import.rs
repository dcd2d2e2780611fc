//! `ferry import`: create an import job and stage packages into it; or, with
//! `--data DIR --mapping M` (a stand-alone CSV import), pack the data into a
//! scratch package first, through the very code path of `ferry pack`.

use std::path::PathBuf;

use anyhow::Context;
use ferry_mapper::progress::Stage;
use ferry_runner::import::{self, ImportOptions};

use crate::Outcome;
use crate::bar::Bar;
use crate::cli::GlobalArgs;
use crate::printer::{Printer, count, number};
use crate::store::{KindArg, audit, create_store, runner_error};
use crate::summary::Summary;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry import contacts.zip --description \"legacy contacts\"")]
pub struct Args {
    /// The packages to import as one job (for example every part of a split set)
    #[arg(required_unless_present = "data", conflicts_with = "data", value_name = "PKG.zip")]
    packages: Vec<PathBuf>,
    #[command(flatten)]
    standalone: Standalone,
    /// The job's type (default: the packages' target)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<KindArg>,
    /// A unique description of the job (default: the package's name and the time);
    /// the description of a Failed job may be reused: the new job replaces it
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    #[command(flatten)]
    lead_source: LeadSource,
    #[command(flatten)]
    pub staging: StagingArgs,
}

/// How a job is staged: what `import` and `run` both take.
#[derive(Debug, Clone, clap::Args)]
pub struct StagingArgs {
    /// Add enumeration values the target does not know (instead of ignoring them)
    #[arg(long)]
    pub create_missing: bool,
    /// Leave existing records unchanged when a staged record's key finds them:
    /// such records go through ordinary matching instead of updating by key
    #[arg(long)]
    pub no_update: bool,
    /// The size cap each package must respect: bytes or KB, MB, GB (1024-based);
    /// a package made with a larger `pack --max-size` needs it raised here too
    #[arg(long, value_name = "SIZE", default_value = "10MB", value_parser = ferry_packager::inspect::parse_size)]
    pub max_size: u64,
}

/// The lead import dialog's fields, stored on every lead of the job.
#[derive(Debug, Clone, clap::Args)]
pub struct LeadSource {
    /// Leads: the type of source they came from, one of the target's source
    /// types (Conference, Event Marketing, Vendor List …)
    #[arg(long, value_name = "TYPE")]
    pub source_type: Option<String>,
    /// Leads: the name of the source (a conference's name, say)
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Leads: the user they are assigned to (a `ferry users` user, when the store has any)
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,
}

/// A stand-alone CSV import: legacy files and a mapping template, no package.
#[derive(Debug, Clone, clap::Args)]
pub struct Standalone {
    /// Import the legacy files of this directory with `--mapping` instead of a
    /// package: they are checked and packed as `ferry pack` does (into a
    /// scratch package, removed afterwards), then imported
    #[arg(long, value_name = "DIR", requires = "mapping")]
    pub data: Option<PathBuf>,
    /// The mapping template for `--data`
    #[arg(long, value_name = "M.json", requires = "data")]
    pub mapping: Option<PathBuf>,
    /// How to read the `--data` files (as in `ferry pack`)
    #[command(flatten)]
    pub read: super::legacy::ReadArgs,
}

/// Packages packed from `--data` into a scratch directory, removed when dropped.
pub(crate) struct Scratch {
    _dir: tempfile::TempDir,
    pub packages: Vec<PathBuf>,
}

impl Standalone {
    /// Packs `--data` with `--mapping` into a scratch directory, as `ferry pack`
    /// would (its problems printed); `Ok(None)` when there is no `--data`.
    pub(crate) fn pack(&self, printer: &Printer) -> anyhow::Result<Option<Packed>> {
        let (Some(data), Some(mapping)) = (&self.data, &self.mapping) else { return Ok(None) };
        let dir = tempfile::Builder::new()
            .prefix(".ferry-import-")
            .tempdir()
            .context("cannot create a scratch directory for the package")?;
        let name = data
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "data".into());
        let pack = super::pack::Args::with_defaults(
            data.clone(),
            mapping.clone(),
            dir.path().join(format!("{name}.zip")),
            self.read.clone(),
        );
        Ok(Some(match super::pack::build(&pack, printer)? {
            Some(report) => Packed::Scratch(Scratch {
                packages: report.packages.into_iter().map(|p| p.path).collect(),
                _dir: dir,
            }),
            None => {
                printer.info(format_args!(
                    "error: nothing imported: `{}` does not pass the check (`ferry check` lists every problem)",
                    data.display()
                ));
                Packed::Refused
            }
        }))
    }
}

/// What `--data` became.
pub(crate) enum Packed {
    /// The check refused the data (its problems are printed): no job.
    Refused,
    Scratch(Scratch),
}

/// Draws an import: the rows staged of those the packages declare. Off a
/// terminal (a log), each package and file is a line instead.
pub(crate) struct Reporter<'a> {
    pub bar: Bar,
    printer: &'a Printer,
}

impl Reporter<'_> {
    /// A bar over the rows the packages declare (read only when it is drawn).
    pub fn new<'a>(printer: &'a Printer, packages: &[PathBuf], max_size: u64) -> Reporter<'a> {
        let total = printer.draws_progress().then(|| declared_rows(packages, max_size)).flatten();
        Reporter { bar: printer.bar("staging", "rows", total), printer }
    }

    /// Says what the import does now: on the bar, or as a line of the log.
    fn doing(&self, what: String) {
        if self.printer.draws_progress() {
            self.bar.set_message(what);
        } else {
            self.printer.info(what);
        }
    }
}

/// The data rows the packages' `fileMappings.xml` declare; `None` when one does not open.
fn declared_rows(packages: &[PathBuf], max_size: u64) -> Option<u64> {
    let limits = ferry_packager::read::Limits { max_package: max_size, ..Default::default() };
    let mut total = 0;
    for path in packages {
        let package = ferry_packager::read::Package::open_streaming(path, limits).ok()?;
        total += package.files.iter().map(|f| f.rows).sum::<u64>();
    }
    Some(total)
}

impl import::Reporter for Reporter<'_> {
    fn on_stage(&self, stage: Stage<'_>, _total: Option<u64>) {
        match stage {
            Stage::Package(path) => self.doing(format!("opening `{}`", path.display())),
            Stage::Staging { package, file } => {
                let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                self.doing(format!("staging `{file}` of `{name}`"));
            }
            Stage::Validating => self.bar.set_message("validating records"),
            Stage::Candidates => {
                self.bar.set_message("matching the leads");
                self.bar.set_total(None);
            }
            _ => {}
        }
    }
    fn on_progress(&self, rows_read: u64) {
        self.bar.set_position(rows_read);
    }
}

/// What staging a job did: its rows and records, and where the reports are.
pub(crate) fn staged_summary(job: &ferry_runner::job::Job) -> Summary {
    let c = &job.counts;
    let mut s = Summary::new(format!(
        "job {} `{}` imported: {} / {}",
        job.id, job.description, job.stage, job.status
    ));
    s.count_with("records staged", c.records_staged, format!("from {} read", count(c.rows_read, "row")));
    if c.rows_rejected > 0 {
        let note = format!("`ferry errors {} --out errors.csv` writes them with the reasons", job.id);
        s.count_with("rows rejected", c.rows_rejected, note);
    } else {
        s.count("rows rejected", 0);
    }
    if c.warnings > 0 {
        let note =
            format!("{} dropped; `ferry warnings {}` lists them", count(c.values_dropped, "value"), job.id);
        s.count_with("warnings", c.warnings, note);
    } else {
        s.count("values dropped", c.values_dropped);
    }
    s
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = create_store(global)?;
    let scratch = match args.standalone.pack(printer)? {
        Some(Packed::Refused) => return Ok(Outcome::Problems),
        Some(Packed::Scratch(s)) => Some(s),
        None => None,
    };
    let options = ImportOptions {
        packages: scratch.as_ref().map_or(args.packages, |s| s.packages.clone()),
        kind: args.kind.map(Into::into),
        description: args.description,
        source_type: args.lead_source.source_type,
        source: args.lead_source.source,
        owner: args.lead_source.owner,
        create_missing: args.staging.create_missing,
        no_update: args.staging.no_update,
        max_size: Some(args.staging.max_size),
        ..ImportOptions::default()
    };
    let reporter = Reporter::new(printer, &options.packages, args.staging.max_size);
    let result = import::import(&mut store, &options, &reporter);
    reporter.bar.finish();
    let summary = result.map_err(runner_error)?;
    audit(&store, summary.job.id, "import", None)?;
    for w in &summary.file_warnings {
        printer.warn(w);
    }
    for added in &summary.added_values {
        printer
            .warn(format!("added `{}` to the values of `{}` (`--create-missing`)", added.value, added.field));
    }
    let job = &summary.job;
    if printer.json {
        printer.json(&summary)?;
    }
    let mut told = staged_summary(job);
    if let Some(m) = &summary.matched {
        told.line(format!(
            "matched: {} Match, {} Potential Match, {} Non-Match",
            number(m.matches),
            number(m.potential_matches),
            number(m.non_matches)
        ));
    }
    told.print(printer);
    if job.counts.rows_rejected > 0 {
        printer.warn(format!(
            "{} rows were rejected; `ferry errors {} --out errors.csv` writes them with the reasons",
            job.counts.rows_rejected, job.id
        ));
    }
    if let Some(m) = &summary.matched
        && let Some(line) = super::matching::split_line(m.split_blocks, m.uncompared_pairs)
    {
        printer.warn(line);
    }
    printer.info(match job.kind {
        ferry_mapper::target::RecordKind::Contacts => {
            format!("next: review with `ferry staged {}`, then `ferry staged {} --submit`", job.id, job.id)
        }
        ferry_mapper::target::RecordKind::Leads => {
            format!(
                "next: review the match results with `ferry review {}`, then `ferry complete {}`",
                job.id, job.id
            )
        }
    });
    Ok(if job.counts.rows_rejected > 0 { Outcome::Problems } else { Outcome::Success })
}
