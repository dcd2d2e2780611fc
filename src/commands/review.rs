//! `ferry review JOB`: list a matched job's results, export them as CSV,
//! choose actions from an edited CSV or in bulk.

use std::path::PathBuf;

use ferry_runner::matchjob::Decision;
use ferry_runner::review;

use super::jobs::{open_store, runner_error};
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").args(["export", "apply", "accept_all", "accept_matches_above"])))]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// Write the match results as CSV (staged id, source file and line, legacy id, class,
    /// quality, proposed and chosen action, matched record, the other candidates)
    #[arg(long, value_name = "F.csv")]
    export: Option<PathBuf>,
    /// Read chosen actions back from an exported CSV (edit `chosen_action`, and
    /// `match_record_id` or `match_staged_id` for a merge); one bad row applies nothing
    #[arg(long, value_name = "F.csv")]
    apply: Option<PathBuf>,
    /// Set every chosen action back to the proposed one
    #[arg(long)]
    accept_all: bool,
    /// Merge only the Matches at or above this quality (as proposed); Matches below it
    /// become Create
    #[arg(long, value_name = "Q")]
    accept_matches_above: Option<u32>,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    if let Some(out) = &args.export {
        let (job, n) = review::export(&store, &args.job, out).map_err(runner_error)?;
        if printer.json {
            printer.json(&serde_json::json!({ "job": job.id, "rows": n, "out": out }))?;
        } else {
            printer.out(format!("wrote {n} rows of job {} to `{}`", job.id, out.display()))?;
        }
        printer.info(format!(
            "edit `chosen_action` (and `match_record_id` for a merge), then `ferry review {} --apply {}`",
            job.id,
            out.display()
        ));
        return Ok(Outcome::Success);
    }
    if let Some(file) = &args.apply {
        let applied = review::apply(&mut store, &args.job, file).map_err(|e| {
            crate::hint(e, "`ferry review JOB --export F.csv` writes a file in the expected form")
        })?;
        if printer.json {
            printer.json(&applied)?;
        } else {
            printer.out(format!(
                "applied {} rows to job {}: {} choices changed",
                applied.rows, applied.job.id, applied.changed
            ))?;
        }
        return Ok(Outcome::Success);
    }
    if args.accept_all {
        let (job, n) = review::accept_all(&mut store, &args.job).map_err(runner_error)?;
        if printer.json {
            printer.json(&serde_json::json!({ "job": job.id, "changed": n }))?;
        } else {
            printer.out(format!("job {}: every proposal accepted ({n} choices changed)", job.id))?;
        }
        return Ok(Outcome::Success);
    }
    if let Some(q) = args.accept_matches_above {
        let (job, accepted, created) =
            review::accept_matches_above(&mut store, &args.job, q).map_err(runner_error)?;
        if printer.json {
            printer.json(&serde_json::json!({ "job": job.id, "accepted": accepted, "create": created }))?;
        } else {
            printer.out(format!(
                "job {}: {accepted} Matches at or above {q} accepted, {created} below it set to Create",
                job.id
            ))?;
        }
        return Ok(Outcome::Success);
    }
    let (job, rows) = review::rows(&store, &args.job).map_err(runner_error)?;
    if printer.json {
        printer.json(&serde_json::json!({ "job": job.id, "rows": rows }))?;
        return Ok(Outcome::Success);
    }
    printer.out(format!(
        "{:>6}  {:<10}  {:<24}  {:<15}  {:>7}  {:<14}  {:<14}  match",
        "id", "legacy id", "name", "class", "quality", "proposed", "chosen"
    ))?;
    let label = |a: &Option<String>| {
        a.as_deref()
            .and_then(|a| Decision::parse(a, job.kind))
            .map(|d| d.label(job.kind).to_string())
            .unwrap_or_default()
    };
    for r in &rows {
        let name =
            format!("{} {}", r.first_name.as_deref().unwrap_or(""), r.last_name.as_deref().unwrap_or(""));
        let matched = match (r.match_record_id, r.match_staged_id) {
            (Some(id), _) => format!("record {id} {}", r.match_legacy_id.as_deref().unwrap_or("")),
            (None, Some(s)) => format!("staged {s}"),
            _ => String::new(),
        };
        printer.out(format!(
            "{:>6}  {:<10}  {:<24}  {:<15}  {:>7}  {:<14}  {:<14}  {}",
            r.staged_id,
            r.legacy_id.as_deref().unwrap_or(""),
            name.trim(),
            r.class.as_deref().unwrap_or(""),
            r.quality.map(|q| q.to_string()).unwrap_or_default(),
            label(&r.proposed),
            label(&r.chosen),
            matched.trim()
        ))?;
    }
    Ok(Outcome::Success)
}
