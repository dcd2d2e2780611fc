//! `ferry import`: create an import job and stage packages into it; or, with
//! `--data DIR --mapping M` (a stand-alone CSV import), pack the data into a
//! scratch package first, through the very code path of `ferry pack`.

use std::path::PathBuf;

use anyhow::Context;
use ferry_mapper::progress::Stage;
use ferry_runner::import::{self, ImportOptions};
use indicatif::ProgressBar;

use super::jobs::job_details;
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{KindArg, audit, create_store, runner_error};

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
    /// Add enumeration values the target does not know (instead of ignoring them)
    #[arg(long)]
    create_missing: bool,
    /// Leave existing records unchanged when a staged record's key finds them:
    /// such records go through ordinary matching instead of updating by key
    #[arg(long)]
    no_update: bool,
    /// The size cap each package must respect: bytes or KB, MB, GB (1024-based);
    /// a package made with a larger `pack --max-size` needs it raised here too
    #[arg(long, value_name = "SIZE", default_value = "10MB", value_parser = ferry_packager::inspect::parse_size)]
    max_size: u64,
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
        #[derive(clap::Parser)]
        struct PackCli {
            #[command(flatten)]
            args: super::pack::Args,
        }
        let argv: Vec<std::ffi::OsString> = vec![
            "pack".into(),
            "--data".into(),
            data.into(),
            "--mapping".into(),
            mapping.into(),
            "--out".into(),
            dir.path().join(format!("{name}.zip")).into(),
        ];
        let mut pack =
            <PackCli as clap::Parser>::try_parse_from(argv).context("cannot set up the packing")?;
        pack.args.read = self.read.clone();
        Ok(Some(match super::pack::build(&pack.args, printer)? {
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

struct Reporter<'a> {
    printer: &'a Printer,
    bar: ProgressBar,
}

impl import::Reporter for Reporter<'_> {
    fn on_stage(&self, stage: Stage<'_>, _total: Option<u64>) {
        match stage {
            Stage::Package(path) => {
                self.bar.suspend(|| self.printer.info(format!("opening `{}`", path.display())))
            }
            Stage::Staging { package, file } => {
                let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                self.bar.suspend(|| self.printer.info(format!("staging `{file}` of `{name}`")));
            }
            Stage::Validating => self.bar.set_message("validating records".to_string()),
            Stage::Candidates => self.bar.set_message("matching the leads".to_string()),
            _ => {}
        }
    }
    fn on_progress(&self, rows_read: u64) {
        self.bar.set_message(format!("staging: {rows_read} rows read"));
    }
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
        create_missing: args.create_missing,
        no_update: args.no_update,
        max_size: Some(args.max_size),
        ..ImportOptions::default()
    };
    let reporter = Reporter { printer, bar: printer.spinner("staging") };
    let result = import::import(&mut store, &options, &reporter);
    reporter.bar.finish_and_clear();
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
    } else {
        for line in job_details(job) {
            printer.out(line)?;
        }
    }
    if job.counts.rows_rejected > 0 {
        printer.warn(format!(
            "{} rows were rejected; `ferry errors {} --out errors.csv` writes them with the reasons",
            job.counts.rows_rejected, job.id
        ));
    }
    if let Some(m) = &summary.matched {
        printer.info(format!(
            "matched: {} Match, {} Potential Match, {} Non-Match",
            m.matches, m.potential_matches, m.non_matches
        ));
        if let Some(line) = super::matching::split_line(m.split_blocks, m.uncompared_pairs) {
            printer.warn(line);
        }
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
