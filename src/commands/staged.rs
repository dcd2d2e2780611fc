//! `ferry staged JOB`: list, edit and delete a job's staged records; submit them for matching.

use ferry_runner::staged::{self, ListOptions};

use ferry_runner::views;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{audit, open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("action").args(["edit", "delete", "delete_all", "submit"])))]
#[command(after_help = "Examples:\n  ferry staged 1 --sort lastName --limit 20\n  ferry staged 1 --submit")]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// Sort by this column (a field name or label, or id, file, line); `-COL` sorts descending
    #[arg(long, value_name = "COL", allow_hyphen_values = true)]
    sort: Option<String>,
    /// The columns to list, comma-separated (field names or labels, or id, file, line, rows)
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    columns: Vec<String>,
    /// List at most N records (one page; with --offset, the next ones)
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Skip the first N records of the (sorted) listing
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: u64,
    /// Edit basic fields of a staged record: `--edit 12 firstName=Ann "Last Name=Smith"`
    /// (an empty value clears the field)
    #[arg(long, num_args = 2.., value_names = ["ID", "FIELD=VALUE"])]
    edit: Option<Vec<String>>,
    /// Delete these staged records (cannot be undone)
    #[arg(long, num_args = 1.., value_name = "ID")]
    delete: Option<Vec<i64>>,
    /// Delete every staged record of the job (cannot be undone)
    #[arg(long)]
    delete_all: bool,
    /// Submit the staged records for matching (Review Match Results / Queued; then `ferry match`)
    #[arg(long)]
    submit: bool,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    if let Some(edit) = &args.edit {
        let id: i64 = edit[0].parse().map_err(|_| {
            crate::hint(
                anyhow::anyhow!("`{}` is not a staged record id", edit[0]),
                "write `--edit ID field=value …`; `ferry staged JOB` lists the ids",
            )
        })?;
        let mut assignments = Vec::new();
        for a in &edit[1..] {
            let Some((field, value)) = a.split_once('=') else {
                return Err(crate::hint(
                    anyhow::anyhow!("`{a}` is not `field=value`"),
                    "write `--edit ID field=value …`",
                ));
            };
            assignments.push((field.trim().to_string(), value.to_string()));
        }
        let record = staged::edit(&mut store, &args.job, id, &assignments).map_err(runner_error)?;
        let job = ferry_runner::job::find(store.db(), &args.job).map_err(runner_error)?;
        audit(&store, job.id, "edit staged", Some(&format!("staged {id}")))?;
        let edited = views::Edited { id, record };
        if printer.json {
            printer.json(&edited)?;
        } else {
            printer.out(format!("edited staged record {id}"))?;
            let mut t = crate::table::Table::plain().indent(2);
            for (name, value) in &edited.record.fields {
                t.row([name.to_string(), value.to_string()]);
            }
            printer.table(t)?;
        }
        return Ok(Outcome::Success);
    }
    if args.delete.is_some() || args.delete_all {
        let removed = staged::delete(&mut store, &args.job, args.delete.as_deref()).map_err(runner_error)?;
        let job = ferry_runner::job::find(store.db(), &args.job).map_err(runner_error)?;
        let detail = args.delete.as_ref().map_or("all".to_string(), |ids| format!("{ids:?}"));
        audit(&store, job.id, "delete staged", Some(&detail))?;
        if printer.json {
            printer.json(&views::DeletedStaged { deleted: removed })?;
        } else {
            printer.out(format!("deleted {removed} staged records"))?;
        }
        return Ok(Outcome::Success);
    }
    if args.submit {
        let job = staged::submit(&mut store, &args.job).map_err(runner_error)?;
        audit(&store, job.id, "submit", None)?;
        if printer.json {
            printer.json(&job)?;
        } else {
            printer.out(format!(
                "job {} submitted for matching: {} / {} ({} records)",
                job.id, job.stage, job.status, job.counts.records_remaining
            ))?;
            printer.info(format!("next: `ferry match {}`", job.id));
        }
        return Ok(Outcome::Success);
    }
    let options =
        ListOptions { columns: args.columns, sort: args.sort, limit: args.limit, offset: args.offset };
    let listing = staged::list(&store, &args.job, &options).map_err(runner_error)?;
    if printer.json {
        printer.json(&listing)?;
        return Ok(Outcome::Success);
    }
    let mut t = crate::table::Table::new(&listing.columns).cut();
    for row in &listing.rows {
        t.row(&row.values);
    }
    printer.table(t)?;
    let shown = listing.rows.len() as u64;
    let what = if shown == listing.total {
        format!("{} staged records", listing.total)
    } else if shown == 0 {
        format!("none of {} staged records (--offset {})", listing.total, listing.offset)
    } else {
        format!(
            "records {}–{} of {} staged records",
            listing.offset + 1,
            listing.offset + shown,
            listing.total
        )
    };
    printer
        .info(format!("{what} in job {} ({} / {})", listing.job.id, listing.job.stage, listing.job.status));
    Ok(Outcome::Success)
}
