//! `ferry run PKG.zip…`: import, submit, match and complete with the proposed
//! actions, in one go (for scripts).
//!
//! Each step is its own transaction (as the separate verbs are): if matching
//! or completing fails, the job stays where it stopped and the separate verbs
//! carry on from there.

use std::path::PathBuf;

use ferry_mapper::target::RecordKind;
use ferry_runner::import::{self, ImportOptions};
use ferry_runner::{complete, matchjob, staged};

use super::matching::{BarReporter, load_profile};
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{KindArg, create_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry run contacts.zip --description \"nightly contacts\"")]
pub struct Args {
    /// The packages to import as one job
    #[arg(required_unless_present = "data", conflicts_with = "data", value_name = "PKG.zip")]
    packages: Vec<PathBuf>,
    #[command(flatten)]
    standalone: super::import::Standalone,
    /// The job's type (default: the packages' target)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<KindArg>,
    /// A unique description of the job (default: the package's name and the time)
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    #[command(flatten)]
    lead_source: super::import::LeadSource,
    /// Also match the staged records against each other (duplicates within the import)
    #[arg(long)]
    within: bool,
    /// A matching profile (JSON; default: the bundled profile of the job's type)
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    #[command(flatten)]
    staging: super::import::StagingArgs,
}

#[derive(serde::Serialize)]
struct RunSummary {
    job: i64,
    staged: u64,
    rejected: u64,
    created: u64,
    merged: u64,
    updated: u64,
    discarded: u64,
    warnings: u64,
    values_dropped: u64,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let profile = load_profile(args.profile.as_ref())?;
    let mut store = create_store(global)?;
    let scratch = match args.standalone.pack(printer)? {
        Some(super::import::Packed::Refused) => return Ok(Outcome::Problems),
        Some(super::import::Packed::Scratch(s)) => Some(s),
        None => None,
    };
    let options = ImportOptions {
        packages: scratch.as_ref().map_or(args.packages, |s| s.packages.clone()),
        kind: args.kind.map(Into::into),
        description: args.description,
        create_missing: args.staging.create_missing,
        no_update: args.staging.no_update,
        max_size: Some(args.staging.max_size),
        source_type: args.lead_source.source_type,
        source: args.lead_source.source,
        owner: args.lead_source.owner,
        // Leads are matched as they are imported.
        matching: matchjob::MatchOptions { within: args.within, profile: profile.clone(), memory: None },
    };
    let reporter = super::import::Reporter::new(printer, &options.packages, args.staging.max_size);
    let imported = import::import(&mut store, &options, &reporter);
    reporter.bar.finish();
    let imported = imported.map_err(runner_error)?;
    for w in &imported.file_warnings {
        printer.warn(w);
    }
    let job = imported.job;
    let id = job.id.to_string();
    if !printer.json {
        super::import::staged_summary(&job).print(printer);
    }
    if job.kind == RecordKind::Contacts {
        staged::submit(&mut store, &id).map_err(runner_error)?;
    }
    let matched = match imported.matched {
        Some(matched) => matched,
        None => {
            let reporter = BarReporter::new(printer);
            let matched = matchjob::match_job(
                &mut store,
                &id,
                &matchjob::MatchOptions { within: args.within, profile, memory: None },
                &reporter,
            );
            reporter.0.finish();
            matched.map_err(runner_error)?
        }
    };
    super::matching::summary(&matched).print(printer);
    if let Some(line) = super::matching::split_line(matched.split_blocks, matched.uncompared_pairs) {
        printer.warn(line);
    }
    let reporter =
        super::complete::Completing(printer.bar("completing the proposed actions", "records", None));
    let done = complete::complete_reporting(&mut store, &id, &reporter);
    reporter.0.finish();
    let done = done.map_err(runner_error)?;
    let summary = RunSummary {
        job: job.id,
        staged: job.counts.records_staged,
        rejected: job.counts.rows_rejected,
        created: done.created,
        merged: done.merged,
        updated: done.updated,
        discarded: done.discarded,
        warnings: job.counts.warnings,
        values_dropped: job.counts.values_dropped,
    };
    if printer.json {
        printer.json(&summary)?;
    }
    let mut told = super::complete::summary(&done);
    told.count("rejected", summary.rejected).count("values dropped", summary.values_dropped);
    if summary.rejected > 0 {
        told.line(format!("rejected rows: `ferry errors {} --out errors.csv`", job.id));
    }
    if summary.warnings > 0 {
        told.line(format!("warnings and dropped values: `ferry warnings {}`", job.id));
    }
    told.line(format!("`ferry undo {}` reverts it while its records are unchanged", job.id));
    told.print(printer);
    if summary.rejected > 0 {
        printer.warn(format!(
            "{} rows were rejected; `ferry errors {} --out errors.csv` writes them with the reasons",
            summary.rejected, job.id
        ));
        return Ok(Outcome::Problems);
    }
    Ok(Outcome::Success)
}
