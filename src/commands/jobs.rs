//! `ferry jobs`: list and filter import jobs; `jobs show JOB`, `jobs delete JOB`.
//! The lines of `jobs show` are also printed after an import.

use std::path::Path;

use ferry_runner::job::{self, Job, JobFilter, Stage, Status};
use ferry_runner::store::Store;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::{Printer, number};
use crate::store::{KindArg, audit, open_store, runner_error};
use crate::table::Table;

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

/// The lines of `jobs show`.
pub fn job_details(job: &Job) -> Vec<String> {
    let mut lines = vec![format!("job {}: {}", job.id, job.description)];
    let mut t = Table::plain().indent(2);
    t.row(["type", job.kind.as_str()]);
    t.row(["stage", job.stage.label()]);
    t.row(["status", job.status.label()]);
    for (label, value) in [("source type", &job.source_type), ("source", &job.source), ("owner", &job.owner)]
    {
        if let Some(v) = value {
            t.row([label, v.as_str()]);
        }
    }
    t.row(["started", job.started_at.as_deref().unwrap_or("-")]);
    t.row(["staged", job.staged_at.as_deref().unwrap_or("-")]);
    t.row(["ended", job.ended_at.as_deref().unwrap_or("-")]);
    let c = &job.counts;
    let rows = format!(
        "{} read = {} staged + {} rejected{}",
        number(c.rows_read),
        number(c.rows_staged),
        number(c.rows_rejected),
        if c.rows_read == c.rows_staged + c.rows_rejected { "" } else { "  (does not add up!)" }
    );
    t.row(["rows", rows.as_str()]);
    let records =
        format!("{} staged, {} still in staging", number(c.records_staged), number(c.records_remaining));
    t.row(["records", records.as_str()]);
    let warnings = format!("{} (`ferry warnings {}` lists them)", number(c.warnings), job.id);
    t.row(["warnings", warnings.as_str()]);
    t.row(["values dropped", number(c.values_dropped).as_str()]);
    if c.rows_rejected > 0 {
        let errors = format!("`ferry errors {} --out errors.csv` writes the rejected rows", job.id);
        t.row(["errors", errors.as_str()]);
    }
    if let Some(e) = &job.error {
        t.row(["error", e.as_str()]);
    }
    lines.extend(t.lines());
    lines
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    match args.command {
        Some(JobsCommand::Show { job }) => {
            let job = job::find(store.db(), &job).map_err(runner_error)?;
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
    let jobs = job::list(store.db(), &filter).map_err(runner_error)?;
    if printer.json {
        printer.json(&jobs)?;
        return Ok(Outcome::Success);
    }
    if jobs.is_empty() {
        printer.info(format!("no import jobs in `{}`", display(store.path())));
        return Ok(Outcome::Success);
    }
    let mut t =
        Table::new(["id", "type", "stage", "status", "started", "read", "staged", "rejected", "description"])
            .right(&[0, 5, 6, 7]);
    for job in &jobs {
        let c = &job.counts;
        t.row([
            job.id.to_string(),
            job.kind.as_str().to_string(),
            job.stage.label().to_string(),
            job.status.label().to_string(),
            job.started_at.clone().unwrap_or_else(|| job.created_at.clone()),
            number(c.rows_read),
            number(c.rows_staged),
            number(c.rows_rejected),
            job.description.clone(),
        ]);
    }
    printer.table(t)?;
    Ok(Outcome::Success)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
