//! `ferry review JOB`: walk a matched job's results and choose actions
//! (on a terminal, or `--interactive` with answers on stdin), list them,
//! export them as CSV, choose actions from an edited CSV or in bulk.

use std::path::PathBuf;

use std::io::IsTerminal;

use ferry_mapper::session::{Answer, Choice, Question, QuestionKind};
use ferry_runner::matchjob::Decision;
use ferry_runner::review::{self, ReviewRow};
use ferry_runner::store::Store;

use ferry_runner::views;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::prompt::{EndOfAnswers, LinePrompter, Prompter, TerminalPrompter};
use crate::store::{audit, open_store, runner_error};
use crate::summary::Summary;
use crate::table::Table;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").args(["export", "apply", "accept_all", "accept_matches_above", "interactive", "list", "same_as"])))]
#[command(
    after_help = "Examples:\n  ferry review 1 --export review.csv            (edit chosen_action in a spreadsheet)\n  ferry review 1 --apply review.csv"
)]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// Write the match results as CSV (staged id, source file and line, legacy id, class,
    /// quality, proposed and chosen action, matched record, the other candidates); `-` for stdout
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
    /// Walk the records by class (Match, Potential Match, Non-Match): see the candidates,
    /// compare side by side, choose each action; the default on a terminal (when stdin is
    /// not one, answers are read from it, one a line)
    #[arg(long, short)]
    interactive: bool,
    /// Give every staged record with the same values as record ID (name, birth date,
    /// gender, zip, e-mail, phone) the same chosen action and match
    #[arg(long, value_name = "ID")]
    same_as: Option<i64>,
    /// List the match results (the default when stdin is not a terminal)
    #[arg(long)]
    list: bool,
    /// With `--export`: replace the file if it exists (without it, an existing file is an error)
    #[arg(long, requires = "export")]
    force: bool,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut store = open_store(global)?;
    if let Some(out) = &args.export {
        let (job, n) = super::write_out(out, args.force, printer, |path, force| {
            review::export(&store, &args.job, path, force).map_err(runner_error)
        })?;
        if printer.json {
            printer.json(&serde_json::json!({ "job": job.id, "rows": n, "out": out }))?;
        } else {
            let line = format!(
                "wrote {} of job {} to {}",
                crate::printer::count(n, "row"),
                job.id,
                super::shown(out)
            );
            if super::is_stdout(out) { printer.info(line) } else { printer.out(line)? }
        }
        if !super::is_stdout(out) {
            printer.info(format!(
                "edit `chosen_action` (and `match_record_id` for a merge), then `ferry review {} --apply {}`",
                job.id,
                out.display()
            ));
        }
        return Ok(Outcome::Success);
    }
    if let Some(file) = &args.apply {
        let applied = review::apply(&mut store, &args.job, file).map_err(|e| {
            crate::hint(e, "`ferry review JOB --export F.csv` writes a file in the expected form")
        })?;
        audit(&store, applied.job.id, "apply", Some(&file.display().to_string()))?;
        if printer.json {
            printer.json(&applied)?;
        }
        let mut told = Summary::new(format!("applied `{}` to job {}", file.display(), applied.job.id));
        told.count("rows read", applied.rows)
            .count("choices changed", applied.changed)
            .count("unchanged", applied.rows.saturating_sub(applied.changed))
            .line(format!("next: `ferry complete {}`", applied.job.id));
        told.print(printer);
        return Ok(Outcome::Success);
    }
    if args.accept_all {
        let (job, n) = review::accept_all(&mut store, &args.job).map_err(runner_error)?;
        audit(&store, job.id, "accept all", None)?;
        if printer.json {
            printer.json(&views::Changed { job: job.id, changed: n })?;
        } else {
            printer.out(format!("job {}: every proposal accepted ({n} choices changed)", job.id))?;
        }
        return Ok(Outcome::Success);
    }
    if let Some(q) = args.accept_matches_above {
        let (job, accepted, created) =
            review::accept_matches_above(&mut store, &args.job, q).map_err(runner_error)?;
        audit(&store, job.id, "accept matches above", Some(&q.to_string()))?;
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
    if let Some(id) = args.same_as {
        let (job, n) = review::same_values(&mut store, &args.job, id).map_err(runner_error)?;
        audit(&store, job.id, "same as", Some(&format!("staged {id}")))?;
        if printer.json {
            printer.json(&views::Changed { job: job.id, changed: n })?;
        } else {
            printer
                .out(format!("job {}: {n} records with the values of staged {id} got its choice", job.id))?;
        }
        return Ok(Outcome::Success);
    }
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if args.interactive || (terminal && !args.list && !printer.json) {
        return walk(&mut store, &args.job, printer);
    }
    if printer.json {
        printer.json(&views::review_list(&store, &args.job).map_err(runner_error)?)?;
        return Ok(Outcome::Success);
    }
    let (job, rows) = review::rows(&store, &args.job).map_err(runner_error)?;
    let label = |a: Option<Decision>| a.map(|d| d.label(job.kind).to_string()).unwrap_or_default();
    let mut t = Table::new(["id", "legacy id", "name", "class", "quality", "proposed", "chosen", "match"])
        .right(&[0, 4]);
    for r in &rows {
        let name =
            format!("{} {}", r.first_name.as_deref().unwrap_or(""), r.last_name.as_deref().unwrap_or(""));
        let matched = match (r.match_record_id, r.match_staged_id) {
            (Some(id), _) => format!("record {id} {}", r.match_legacy_id.as_deref().unwrap_or("")),
            (None, Some(s)) => format!("staged {s}"),
            _ => String::new(),
        };
        t.row([
            r.staged_id.to_string(),
            r.legacy_id.clone().unwrap_or_default(),
            name.trim().to_string(),
            r.class.map(|c| c.label().to_string()).unwrap_or_default(),
            r.quality.map(|q| q.to_string()).unwrap_or_default(),
            label(r.proposed),
            label(r.chosen),
            matched.trim().to_string(),
        ]);
    }
    printer.table(t)?;
    // Why each record was classed so: its sources, and what its best candidate agreed on.
    for r in &rows {
        let source: Vec<String> =
            [("source type", &r.source_type), ("source", &r.source), ("owner", &r.owner)]
                .into_iter()
                .filter_map(|(label, v)| v.as_deref().map(|v| format!("{label} {v}")))
                .collect();
        let best = r.candidates.first().filter(|c| !c.explain.is_empty());
        if source.is_empty() && best.is_none() {
            continue;
        }
        printer.out(format!("{:>6}  {}", r.staged_id, name_of(r)))?;
        if !source.is_empty() {
            printer.out(format!("        {}", source.join(", ")))?;
        }
        if let Some(best) = best {
            printer.out(format!("        best {}: {}", best.quality, review::explain_line(&best.explain)))?;
        }
    }
    Ok(Outcome::Success)
}

/// A review row's name, as listed.
fn name_of(r: &ReviewRow) -> String {
    format!("{} {}", r.first_name.as_deref().unwrap_or(""), r.last_name.as_deref().unwrap_or(""))
        .trim()
        .to_string()
}

/// The walk of `--interactive`: each unprocessed record, by class, then id.
fn walk(store: &mut Store, job: &str, printer: &Printer) -> anyhow::Result<Outcome> {
    let (found, rows) = review::rows(store, job).map_err(runner_error)?;
    if found.stage == ferry_runner::job::Stage::Completed {
        anyhow::bail!("job {} is completed; `ferry undo {}` reverts it first", found.id, found.id);
    }
    let rows = review::walk_order(rows);
    let mut prompter: Box<dyn Prompter> = if std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    {
        Box::new(TerminalPrompter::new())
    } else {
        Box::new(LinePrompter::new(std::io::stdin().lock(), "stdin", !printer.quiet))
    };
    let kind = found.kind;
    let label = |a: Option<Decision>| a.map_or("-", |d| d.label(kind));
    let (mut changed, total) = (0u64, rows.len());
    for (n, row) in rows.iter().enumerate() {
        let staged = review::staged_record(store, row.staged_id).map_err(runner_error)?.unwrap_or_default();
        let mut notes = vec![format!(
            "[{}/{total}] staged {} ({}) {} {}: {}, quality {}, proposed {}, chosen {}",
            n + 1,
            row.staged_id,
            row.legacy_id.as_deref().unwrap_or("no id"),
            row.first_name.as_deref().unwrap_or(""),
            row.last_name.as_deref().unwrap_or(""),
            row.class.map_or("-", |c| c.label()),
            row.quality.map_or("-".to_string(), |q| q.to_string()),
            label(row.proposed),
            label(row.chosen),
        )];
        for (i, c) in row.candidates.iter().enumerate().filter(|(_, c)| !c.explain.is_empty()) {
            notes.push(format!(
                "  candidate {} (quality {}): {}",
                i + 1,
                c.quality,
                review::explain_line(&c.explain)
            ));
        }
        if let Some(best) = row.candidates.first() {
            let other = review::candidate_record(store, best).map_err(runner_error)?.unwrap_or_default();
            notes.extend(side_by_side(&review::flatten(&staged), &review::flatten(&other), printer));
        }
        let mut options = vec![
            Choice::new("keep", format!("Keep the chosen action ({})", label(row.chosen))),
            Choice::new("create", Decision::Create.label(kind)),
            Choice::new("delete", Decision::Delete.label(kind)),
        ];
        for (i, c) in row.mergeable() {
            let what = match (c.record_id, c.staged_id) {
                (Some(id), _) => format!("record {id}"),
                (None, Some(id)) => format!("staged {id}"),
                _ => continue,
            };
            options.push(Choice::new(
                format!("merge{}", i + 1),
                format!(
                    "{} with {what} ({}), quality {}",
                    Decision::Merge.label(kind),
                    c.legacy_id.as_deref().unwrap_or("no id"),
                    c.quality
                ),
            ));
        }
        options.push(Choice::new("accept-rest", "Accept the chosen actions of all remaining records"));
        options.push(Choice::new("quit", "Stop here (choices so far are saved)"));
        let question = Question {
            notes,
            prompt: "action".to_string(),
            kind: QuestionKind::Select { options: options.clone(), default: 0 },
        };
        let answer = match prompter.ask(&question) {
            Ok(a) => a,
            Err(e) if e.downcast_ref::<EndOfAnswers>().is_some() => break,
            Err(e) => return Err(e),
        };
        let Answer::Select(i) = answer else { anyhow::bail!("expected a choice") };
        let key = options[i].key.as_str();
        let (decision, record, other) = match key {
            "keep" => continue,
            "accept-rest" | "quit" => break,
            "create" => (Decision::Create, row.match_record_id, row.match_staged_id),
            "delete" => (Decision::Delete, row.match_record_id, row.match_staged_id),
            merge => {
                let idx: usize = merge.trim_start_matches("merge").parse::<usize>()? - 1;
                let c = &row.candidates[idx];
                (Decision::Merge, c.record_id, c.staged_id)
            }
        };
        review::choose(store, job, row.staged_id, decision, record, other).map_err(runner_error)?;
        audit(
            store,
            found.id,
            "choose action",
            Some(&format!("staged {}: {}", row.staged_id, decision.as_str())),
        )?;
        changed += 1;
    }
    printer.out(format!("job {}: {changed} choices made", found.id))?;
    printer.info(format!("next: `ferry complete {}`", found.id));
    Ok(Outcome::Success)
}

/// Staged values beside a candidate's; `≠` marks values that differ, `+` values only one has.
fn side_by_side(staged: &[(String, String)], other: &[(String, String)], printer: &Printer) -> Vec<String> {
    let mut names: Vec<&str> = staged.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in other {
        if !names.contains(&k.as_str()) {
            names.push(k);
        }
    }
    // One line per field: line breaks become spaces, long values are cut.
    let get = |list: &[(String, String)], k: &str| {
        list.iter().find(|(n, _)| n == k).map(|(_, v)| {
            let v = v.replace(['\n', '\r'], " ");
            if v.chars().count() > 40 { format!("{}…", v.chars().take(39).collect::<String>()) } else { v }
        })
    };
    let mut marks = Vec::new();
    let mut t = Table::new(["", "field", "staged", "best candidate"]).cut();
    for k in names {
        let (a, b) = (get(staged, k), get(other, k));
        let mark = match (&a, &b) {
            (Some(x), Some(y)) if x.trim().to_lowercase() == y.trim().to_lowercase() => " ",
            (Some(_), Some(_)) => "≠",
            _ => "+",
        };
        marks.push(mark);
        t.row([mark, k, &a.unwrap_or_default(), &b.unwrap_or_default()]);
    }
    let mut lines = t.lines().into_iter();
    let mut out: Vec<String> = lines.next().into_iter().collect();
    for (line, mark) in lines.zip(marks) {
        out.push(if mark == "≠" { printer.paint(&line, console::Style::new().yellow()) } else { line });
    }
    out
}
