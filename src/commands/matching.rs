//! `ferry match JOB`: score a job's staged records against the store's records.

use std::path::PathBuf;

use ferry_mapper::progress::Stage;
use ferry_runner::matching::{MatchingProfile, Reporter};
use ferry_runner::matchjob::{self, MatchOptions, MatchSummary};

use crate::Outcome;
use crate::bar::Bar;
use crate::cli::GlobalArgs;
use crate::printer::{Printer, count, number};
use crate::store::{audit, open_store, runner_error};
use crate::summary::Summary;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry match 1 --within")]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// Also match the job's staged records against each other (duplicates within the import)
    #[arg(long)]
    within: bool,
    /// A matching profile (JSON; default: the bundled profile of the job's type,
    /// `templates/matching/`)
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// The most memory matching may use: bytes or KB, MB, GB (1024-based; default:
    /// half the machine's memory). A job that cannot be matched inside it is refused
    /// before anything is loaded; inside it, candidates are compared in smaller batches
    #[arg(long, value_name = "SIZE", value_parser = ferry_packager::inspect::parse_size)]
    memory: Option<u64>,
}

/// Draws candidate generation on a progress bar: the blocking passes done
/// of the profile's (a spinner while the records load).
pub struct BarReporter(pub Bar);

impl BarReporter {
    pub fn new(printer: &Printer) -> BarReporter {
        BarReporter(printer.bar("loading the records", "blocking passes", None))
    }
}

impl Reporter for BarReporter {
    fn on_stage(&self, _stage: Stage<'_>, total: Option<u64>) {
        self.0.set_message("comparing candidates");
        self.0.set_total(total);
    }
    fn on_progress(&self, done: u64) {
        self.0.set_position(done);
    }
}

/// Loads `--profile`.
pub fn load_profile(path: Option<&PathBuf>) -> anyhow::Result<Option<MatchingProfile>> {
    match path {
        None => Ok(None),
        Some(p) => MatchingProfile::load(p)
            .map(Some)
            .map_err(|e| crate::hint(e, "the bundled profiles in `templates/matching/` show the format")),
    }
}

/// What a match did.
pub fn summary(s: &MatchSummary) -> Summary {
    let proposed = |a: &str| s.proposed.get(a).copied().unwrap_or(0);
    let mut summary = Summary::new(format!(
        "job {}: matched {} against {}",
        s.job.id,
        count(s.records, "staged record"),
        count(s.existing, "existing record")
    ));
    summary
        .count("Match", s.matches)
        .count("Potential Match", s.potential_matches)
        .count("Non-Match", s.non_matches)
        .line(format!(
            "proposed: {} create, {} merge, {} update (same key)",
            number(proposed("Create")),
            number(proposed("Merge")),
            number(proposed("Update"))
        ));
    summary
}

/// What splitting too-large blocks left out, when it did.
pub fn split_line(blocks: u64, pairs: u64) -> Option<String> {
    (blocks > 0).then(|| {
        format!(
            "{blocks} blocks too large to compare in full were split on a stricter key: {pairs} pairs \
             not compared (candidates among them may be missed)"
        )
    })
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let profile = load_profile(args.profile.as_ref())?;
    let mut store = open_store(global)?;
    let options = MatchOptions { within: args.within, profile, memory: args.memory };
    let reporter = BarReporter::new(printer);
    let result = matchjob::match_job(&mut store, &args.job, &options, &reporter);
    reporter.0.finish();
    let summary = result.map_err(runner_error)?;
    audit(&store, summary.job.id, "match", None)?;
    if printer.json {
        printer.json(&summary)?;
    }
    let mut told = self::summary(&summary);
    if let Some(line) = split_line(summary.split_blocks, summary.uncompared_pairs) {
        told.line(line);
    }
    told.line(format!("`ferry review {} --list` shows each record's best candidate and why", summary.job.id));
    told.print(printer);
    printer.info(format!(
        "next: review with `ferry review {} --export review.csv` (or `--accept-all`), then `ferry complete {}`",
        summary.job.id, summary.job.id
    ));
    Ok(Outcome::Success)
}
