//! `ferry jobs`: list and filter import jobs; `jobs show JOB`, `jobs delete JOB`.
//! The lines of `jobs show` are also printed after an import.

use std::path::Path;

use ferry_runner::job::{self, Job, JobFilter, Stage, Status};
use ferry_runner::store::Store;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{KindArg, audit, open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  ferry jobs --stage review-match-results\n  ferry jobs show \"legacy contacts\""
)]
pub struct Args {
    #[command(subcommand)]
    command: Option<JobsCommand>,
    #[command(flatten)]
    filter: FilterArgs,
}

#[derive(Debug, clap::Subcommand)]
enum JobsCommand {
    /// Show a job: stage, status, times, counts (rows read = staged + rejected)
    Show {
        /// The job: its id or its description
        job: String,
    },
    /// Delete a job (Failed, Completed, Waiting on User or Queued): its staged and
    /// rejected rows go; records already completed into the store stay
    Delete {
        /// The job: its id or its description
        job: String,
    },
}

#[derive(Debug, clap::Args)]
struct FilterArgs {
    /// Only jobs of this type
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<KindArg>,
    /// Only jobs in this stage
    #[arg(long, value_enum)]
    stage: Option<StageArg>,
    /// Only jobs with this status
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
    /// Only jobs whose description, source or owner contains this text (any case)
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only jobs started at or after this date or time (`2026-11-21`, `2026-11-21T17:00:00Z`)
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Only jobs started before this date or time
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StageArg {
    ImportIntoStaging,
    ReviewStagedData,
    ReviewMatchResults,
    Completed,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StatusArg {
    Queued,
    Running,
    Failed,
    WaitingOnUser,
    Completed,
}

/// One line about a job, for listings.
pub fn job_line(job: &Job) -> String {
    format!(
        "{:>5}  {:<8}  {:<20}  {:<15}  {:<20}  {:>8} {:>8} {:>8}  {}",
        job.id,
        job.kind.as_str(),
        job.stage.label(),
        job.status.label(),
        job.started_at.as_deref().unwrap_or(&job.created_at),
        job.counts.rows_read,
        job.counts.rows_staged,
        job.counts.rows_rejected,
        job.description
    )
}

/// The lines of `jobs show`, also printed after an import.
pub fn job_details(job: &Job) -> Vec<String> {
    let mut lines = vec![
        format!("job {}: {}", job.id, job.description),
        format!("  type         {}", job.kind.as_str()),
        format!("  stage        {}", job.stage.label()),
        format!("  status       {}", job.status.label()),
    ];
    for (label, value) in [("source type", &job.source_type), ("source", &job.source), ("owner", &job.owner)]
    {
        if let Some(v) = value {
            lines.push(format!("  {label:<12} {v}"));
        }
    }
    lines.push(format!("  started      {}", job.started_at.as_deref().unwrap_or("-")));
    lines.push(format!("  staged       {}", job.staged_at.as_deref().unwrap_or("-")));
    lines.push(format!("  ended        {}", job.ended_at.as_deref().unwrap_or("-")));
    let c = &job.counts;
    lines.push(format!(
        "  rows         {} read = {} staged + {} rejected{}",
        c.rows_read,
        c.rows_staged,
        c.rows_rejected,
        if c.rows_read == c.rows_staged + c.rows_rejected { "" } else { "  (does not add up!)" }
    ));
    lines.push(format!(
        "  records      {} staged, {} still in staging",
        c.records_staged, c.records_remaining
    ));
    lines.push(format!("  warnings     {}", c.warnings));
    lines.push(format!("  values dropped {} (`ferry warnings {}` lists them)", c.values_dropped, job.id));
    if let Some(e) = &job.error {
        lines.push(format!("  error        {e}"));
    }
    lines
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    match args.command {
        Some(JobsCommand::Show { job }) => {
            let job = job::find(store.conn(), store.path(), &job).map_err(runner_error)?;
            if printer.json {
                printer.json(&job)?;
            } else {
                for line in job_details(&job) {
                    printer.out(line)?;
                }
            }
            Ok(Outcome::Success)
        }
        Some(JobsCommand::Delete { job }) => {
            let deleted = job::delete(&mut store, &job).map_err(runner_error)?;
            audit(&store, deleted.job.id, "delete job", None)?;
            if printer.json {
                printer.json(&deleted)?;
            } else {
                printer.out(format!(
                    "deleted job {} `{}` ({} / {}): {} staged records and {} rejected rows removed, {} records kept in the store",
                    deleted.job.id,
                    deleted.job.description,
                    deleted.job.stage,
                    deleted.job.status,
                    deleted.staged_removed,
                    deleted.rejected_removed,
                    deleted.records_kept
                ))?;
            }
            Ok(Outcome::Success)
        }
        None => list(&store, &args.filter, printer),
    }
}

fn list(store: &Store, f: &FilterArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let bound = |v: &Option<String>| -> anyhow::Result<Option<String>> {
        v.as_deref().map(job::parse_time_bound).transpose().map_err(anyhow::Error::from)
    };
    let filter = JobFilter {
        kind: f.kind.map(Into::into),
        stage: f.stage.map(|s| match s {
            StageArg::ImportIntoStaging => Stage::ImportIntoStaging,
            StageArg::ReviewStagedData => Stage::ReviewStagedData,
            StageArg::ReviewMatchResults => Stage::ReviewMatchResults,
            StageArg::Completed => Stage::Completed,
        }),
        status: f.status.map(|s| match s {
            StatusArg::Queued => Status::Queued,
            StatusArg::Running => Status::Running,
            StatusArg::Failed => Status::Failed,
            StatusArg::WaitingOnUser => Status::WaitingOnUser,
            StatusArg::Completed => Status::Completed,
        }),
        search: f.search.clone(),
        since: bound(&f.since)?,
        until: bound(&f.until)?,
    };
    let jobs = job::list(store.conn(), store.path(), &filter).map_err(runner_error)?;
    if printer.json {
        printer.json(&jobs)?;
        return Ok(Outcome::Success);
    }
    if jobs.is_empty() {
        printer.info(format!("no import jobs in `{}`", display(store.path())));
        return Ok(Outcome::Success);
    }
    printer.out(format!(
        "{:>5}  {:<8}  {:<20}  {:<15}  {:<20}  {:>8} {:>8} {:>8}  {}",
        "id", "type", "stage", "status", "started", "read", "staged", "rejected", "description"
    ))?;
    for job in &jobs {
        printer.out(job_line(job))?;
    }
    Ok(Outcome::Success)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
