//! `ferry jobs`: list and filter import jobs; `jobs show JOB`, `jobs delete JOB`.
//!
//! Also home of what the store verbs share: opening the store, turning runner
//! errors into messages with hints, and the `--type`/`--stage`/`--status`
//! value types.

use std::path::Path;

use ferry_mapper::target::RecordKind;
use ferry_runner::Error;
use ferry_runner::job::{self, Job, JobFilter, Stage, Status};
use ferry_runner::store::Store;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

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

/// A record kind on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    #[value(alias = "contact")]
    Contacts,
    #[value(alias = "lead")]
    Leads,
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> RecordKind {
        match k {
            KindArg::Contacts => RecordKind::Contacts,
            KindArg::Leads => RecordKind::Leads,
        }
    }
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

/// Opens the store named by `--db`, which must exist: a mistyped path is an
/// error, not a new empty store.
pub fn open_store(global: &GlobalArgs) -> anyhow::Result<Store> {
    if !global.db.exists() {
        return Err(crate::hint(
            anyhow::anyhow!("no store at `{}`", global.db.display()),
            "run `ferry import` (or `ferry run`) first, which creates it, or check `--db PATH` / `FERRY_DB`",
        ));
    }
    create_store(global)
}

/// Opens the store named by `--db`, creating it when missing (the verbs that add to it).
pub fn create_store(global: &GlobalArgs) -> anyhow::Result<Store> {
    Store::open(&global.db).map_err(|e| crate::hint(e, "choose the store with `--db PATH` (or `FERRY_DB`)"))
}

/// A runner error, with a hint where the user can act.
/// The hint of an output file that exists.
pub const EXISTS_HINT: &str = "pass `--force` to replace it, or choose another `--out`";

pub fn runner_error(err: Error) -> anyhow::Error {
    let hint = match &err {
        Error::NoSuchJob(_) => {
            Some("`ferry jobs` lists the jobs with their ids and descriptions".to_string())
        }
        Error::DuplicateDescription { id, .. } => Some(format!(
            "give another `--description`, or delete the old job first (`ferry jobs delete {id}`)"
        )),
        Error::ImportFailed { id, .. } => Some(format!(
            "`ferry jobs show {id}` shows the failed job; fix the package (`ferry inspect`) and import it again with the same description to replace the failed job"
        )),
        Error::WrongState { id, .. } => Some(format!("`ferry jobs show {id}` shows where the job is")),
        Error::Mapper(ferry_mapper::Error::Exists { .. }) => Some(EXISTS_HINT.to_string()),
        _ => None,
    };
    match hint {
        Some(h) => crate::hint(err, h),
        None => err.into(),
    }
}

/// Records a change to job `job_id` in its audit trail, as the local user.
pub fn audit(store: &Store, job_id: i64, action: &str, detail: Option<&str>) -> anyhow::Result<()> {
    ferry_runner::users::audit(store, job_id, &ferry_runner::users::local_user(), action, detail)
        .map_err(runner_error)
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
