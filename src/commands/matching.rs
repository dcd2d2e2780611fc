//! `ferry match JOB`: score a job's staged records against the store's records.

use std::path::PathBuf;

use ferry_mapper::progress::Stage;
use ferry_runner::matching::{MatchingProfile, Reporter};
use ferry_runner::matchjob::{self, MatchOptions, MatchSummary};
use indicatif::ProgressBar;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{audit, open_store, runner_error};

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

/// Draws candidate generation on a progress bar.
pub struct BarReporter(pub ProgressBar);

impl Reporter for BarReporter {
    fn on_stage(&self, _stage: Stage<'_>, total: Option<u64>) {
        self.0.set_length(total.unwrap_or(0));
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

/// The lines printed about a match.
pub fn summary_lines(s: &MatchSummary) -> Vec<String> {
    let proposed = |a: &str| s.proposed.get(a).copied().unwrap_or(0);
    vec![
        format!("job {}: matched {} staged records against {} existing", s.job.id, s.records, s.existing),
        format!("Match            {:>8}", s.matches),
        format!("Potential Match  {:>8}", s.potential_matches),
        format!("Non-Match        {:>8}", s.non_matches),
        format!(
            "proposed: {} create, {} merge, {} update (same key)",
            proposed("Create"),
            proposed("Merge"),
            proposed("Update")
        ),
    ]
    .into_iter()
    .chain(split_line(s.split_blocks, s.uncompared_pairs))
    .collect()
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
    let reporter = BarReporter(printer.progress(0, "matching"));
    let result = matchjob::match_job(&mut store, &args.job, &options, &reporter);
    reporter.0.finish_and_clear();
    let summary = result.map_err(runner_error)?;
    audit(&store, summary.job.id, "match", None)?;
    if printer.json {
        printer.json(&summary)?;
    } else {
        for line in summary_lines(&summary) {
            printer.out(line)?;
        }
    }
    printer.info(format!(
        "next: review with `ferry review {} --export review.csv` (or `--accept-all`), then `ferry complete {}`",
        summary.job.id, summary.job.id
    ));
    Ok(Outcome::Success)
}
