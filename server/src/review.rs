//! The match-results pages: the results table (Match, Quality, Action, with
//! class chips and bulk accept) and the review of one record (candidates
//! with their quality, Compare Details side by side with the differences
//! marked, the choice of action and of the match to merge with, Complete
//! Import).

use axum::response::Response;
use ferry_mapper::target::RecordKind;
use ferry_runner::Error;
use ferry_runner::job::{Job, Stage};
use ferry_runner::matching::{Decision, MatchClass};
use ferry_runner::review::{self, ReviewCandidate, ReviewRow};
use ferry_runner::users::{Role, Session};
use ferry_runner::views;

use crate::html::{self, action_button, csrf_field, esc, url};
use crate::pages::{PAGE, render};
use crate::{Ctx, Shared, with_store};

fn label(action: Option<Decision>, kind: RecordKind) -> String {
    action.map(|d| d.label(kind).to_string()).unwrap_or_default()
}

fn class_cell(class: Option<MatchClass>) -> String {
    let c = class.map_or("", MatchClass::label);
    let css = c.split(' ').next().unwrap_or("");
    format!("<td class=\"cls-{}\">{}</td>", esc(css), esc(c))
}

fn matched(row: &ReviewRow) -> String {
    match (row.match_record_id, row.match_staged_id) {
        (Some(id), _) => format!("record {id} {}", row.match_legacy_id.as_deref().unwrap_or("")),
        (None, Some(s)) => format!("staged {s}"),
        _ => String::new(),
    }
}

/// `GET /jobs/{job}/matches?class=&offset=`.
pub async fn matches_page(app: &Shared, ctx: &Ctx, session: &Session, j: &str) -> Response {
    let class = ctx.param("class").filter(|c| !c.is_empty()).map(str::to_string);
    let offset = ctx.param("offset").and_then(|o| o.parse::<u64>().ok()).unwrap_or(0);
    let j = j.to_string();
    let page = with_store(app, move |s| views::review_page(s, &j, class.as_deref(), offset, PAGE)).await;
    let page = match page {
        Ok(p) => p,
        Err(r) => return r,
    };
    let body = page.map(|p| matches_body(ctx, session, &p));
    render(session, "Review Match Results", ctx, body)
}

fn matches_body(ctx: &Ctx, session: &Session, p: &views::ReviewPage) -> String {
    let job = &p.job;
    let here = format!("/jobs/{}/matches", job.id);
    let current = ctx.param("class").unwrap_or("");
    let mut out = format!(
        "<p><a href=\"/jobs/{}\">← Job {}: {}</a></p><h1>Match results</h1>",
        job.id,
        job.id,
        esc(&job.description)
    );
    out.push_str("<div class=\"chips\" id=\"class-chips\"><span class=\"label\">Match</span>");
    let all: u64 = p.classes.iter().sum();
    out.push_str(&format!(
        "<a class=\"chip{}\" href=\"{here}\">All ({all})</a>",
        if current.is_empty() { " on" } else { "" }
    ));
    for (i, c) in views::CLASSES.iter().enumerate() {
        out.push_str(&format!(
            "<a class=\"chip{}\" href=\"{here}?class={}\" id=\"class-{}\">{c} ({})</a>",
            if current == *c { " on" } else { "" },
            url(c),
            c.to_lowercase().replace(' ', "-"),
            p.classes[i]
        ));
    }
    out.push_str("</div><div class=\"actions\">");
    if job.stage != Stage::Completed {
        let api = format!("/api/jobs/{}", job.id);
        out.push_str(&action_button(
            session,
            &format!("{api}/accept-all"),
            &here,
            "Accept all proposals",
            "accept-all",
        ));
        out.push_str(&action_button(
            session,
            &format!("{api}/complete"),
            &format!("/jobs/{}", job.id),
            "Complete Import",
            "complete",
        ));
    }
    out.push_str("</div>");
    out.push_str(
        "<table id=\"matches\"><thead><tr><th>Id</th><th>Legacy id</th><th>Name</th><th>File:line</th><th>Match</th>\
<th>Quality</th><th>Proposed</th><th>Action</th><th>Merge with</th><th></th></tr></thead><tbody>",
    );
    for r in &p.rows {
        let name =
            format!("{} {}", r.first_name.as_deref().unwrap_or(""), r.last_name.as_deref().unwrap_or(""));
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}:{}</td>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
<td><a href=\"{here}/{}\" id=\"review-{}\">Review</a></td></tr>",
            r.staged_id,
            esc(r.legacy_id.as_deref().unwrap_or("")),
            esc(name.trim()),
            esc(&r.file),
            r.line,
            class_cell(r.class),
            r.quality.map(|q| format!("{q}%")).unwrap_or_default(),
            esc(&label(r.proposed, job.kind)),
            esc(&label(r.chosen, job.kind)),
            esc(matched(r).trim()),
            r.staged_id,
            r.staged_id
        ));
    }
    out.push_str("</tbody></table>");
    let base = if current.is_empty() { here.clone() } else { format!("{here}?class={}", url(current)) };
    out.push_str(&html::pager(&base, p.offset, PAGE, p.rows.len(), p.total));
    out
}

/// What the review of one record shows.
struct RecordView {
    job: Job,
    row: ReviewRow,
    version: String,
    staged: Vec<(String, String)>,
    /// The compared candidate's rank and values.
    other: Option<(usize, Vec<(String, String)>)>,
}

/// `GET /jobs/{job}/matches/{id}?cand=N`: the review of one staged record.
pub async fn record_page(app: &Shared, ctx: &Ctx, session: &Session, j: &str, id: &str) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return render(
            session,
            "Review",
            ctx,
            Err(Error::BadId { text: id.to_string(), what: "staged record" }),
        );
    };
    let cand = ctx.param("cand").and_then(|c| c.parse::<usize>().ok());
    let j = j.to_string();
    let view = with_store(app, move |s| -> Result<RecordView, Error> {
        let (job, row, version) = views::review_row(s, &j, id)?;
        let staged = review::flatten(&review::staged_record(s, id)?.unwrap_or_default());
        // Compare with the chosen match, else the best candidate.
        let chosen = row.candidates.iter().position(|c| {
            c.record_id.is_some() && c.record_id == row.match_record_id
                || c.staged_id.is_some() && c.staged_id == row.match_staged_id
        });
        let rank = cand
            .filter(|c| *c < row.candidates.len())
            .or(chosen)
            .or((!row.candidates.is_empty()).then_some(0));
        let other = match rank {
            Some(r) => Some((
                r,
                review::flatten(&review::candidate_record(s, &row.candidates[r])?.unwrap_or_default()),
            )),
            None => None,
        };
        Ok(RecordView { job, row, version, staged, other })
    })
    .await;
    let view = match view {
        Ok(v) => v,
        Err(r) => return r,
    };
    let body = view.map(|v| record_body(session, &v));
    render(session, "Review Match Results", ctx, body)
}

fn candidate_name(c: &ReviewCandidate) -> String {
    match (c.record_id, c.staged_id) {
        (Some(id), _) => format!("record {id}"),
        (None, Some(id)) => format!("staged {id}"),
        _ => "?".to_string(),
    }
}

fn record_body(session: &Session, v: &RecordView) -> String {
    let (job, row) = (&v.job, &v.row);
    let kind = job.kind;
    let here = format!("/jobs/{}/matches/{}", job.id, row.staged_id);
    let name =
        format!("{} {}", row.first_name.as_deref().unwrap_or(""), row.last_name.as_deref().unwrap_or(""));
    let mut out = format!(
        "<p><a href=\"/jobs/{}/matches\">← Match results of job {}</a></p>\
<h1>Review Match Results: staged record {} <small>{}</small></h1>\
<section class=\"banner\"><div><span>Match</span>{}</div><div><span>Quality</span>{}</div>\
<div><span>Proposed</span>{}</div><div><span>Action</span><b id=\"chosen\">{}</b></div><div><span>Merge with</span>{}</div>\
<div><span>Source</span>{}:{}</div></section>",
        job.id,
        job.id,
        row.staged_id,
        esc(name.trim()),
        esc(row.class.map_or("-", MatchClass::label)),
        row.quality.map(|q| format!("{q}%")).unwrap_or_else(|| "-".into()),
        esc(&label(row.proposed, kind)),
        esc(&label(row.chosen, kind)),
        esc(matched(row).trim()),
        esc(&row.file),
        row.line
    );
    let editable = session.role == Role::Manage && job.stage != Stage::Completed && !row.processed;
    out.push_str(&format!(
        "<form method=\"post\" action=\"/api/jobs/{}/matches/{}\" id=\"choose-form\">{}\
<input type=\"hidden\" name=\"version\" value=\"{}\"><input type=\"hidden\" name=\"_redirect\" value=\"{here}\">",
        job.id,
        row.staged_id,
        csrf_field(session),
        esc(&v.version)
    ));
    out.push_str("<h2>Matches</h2><table id=\"candidates\"><thead><tr><th>Merge with</th><th>Candidate</th><th>Legacy id</th><th>Quality</th><th></th></tr></thead><tbody>");
    for (i, c) in row.candidates.iter().enumerate() {
        let (field, id) = match (c.record_id, c.staged_id) {
            (Some(id), _) => ("record", id),
            (None, Some(id)) => ("staged", id),
            _ => continue,
        };
        let checked = if Some(id) == row.match_record_id && field == "record"
            || Some(id) == row.match_staged_id && field == "staged"
        {
            " checked"
        } else {
            ""
        };
        let disabled = if editable { "" } else { " disabled" };
        out.push_str(&format!(
            "<tr><td><input type=\"radio\" name=\"target\" value=\"{field}:{id}\" id=\"target-{i}\"{checked}{disabled}></td>\
<td>{}</td><td>{}</td><td>{}%</td><td><a href=\"{here}?cand={i}\" id=\"compare-{i}\">Compare Details</a></td></tr>",
            candidate_name(c),
            esc(c.legacy_id.as_deref().unwrap_or("")),
            c.quality
        ));
    }
    if row.candidates.is_empty() {
        out.push_str(
            "<tr><td colspan=\"5\">No candidates: nothing in the store resembles this record.</td></tr>",
        );
    }
    out.push_str("</tbody></table>");
    if editable {
        out.push_str("<h2>Import action</h2><div class=\"actions\">");
        let chosen = row.chosen;
        let mut decisions = vec![Decision::Create, Decision::Delete, Decision::Merge];
        // Update is offered where matching proposed it (the same key as an existing record).
        if row.proposed == Some(Decision::Update) {
            decisions.push(Decision::Update);
        }
        for d in decisions {
            let checked = if chosen == Some(d) { " checked" } else { "" };
            out.push_str(&format!(
                "<label class=\"choice\"><span><input type=\"radio\" name=\"action\" value=\"{}\" id=\"action-{}\"{checked}> {}</span></label>",
                d.as_str(),
                d.as_str().to_lowercase(),
                esc(d.label(kind))
            ));
        }
        out.push_str("<button type=\"submit\" id=\"save-action\">Save action</button></div>");
    }
    out.push_str("</form>");
    if editable {
        out.push_str("<div class=\"actions\">");
        out.push_str(&action_button(
            session,
            &format!("/api/jobs/{}/matches/{}/same", job.id, row.staged_id),
            &here,
            "Apply to every identical record",
            "same-as",
        ));
        out.push_str(&action_button(
            session,
            &format!("/api/jobs/{}/complete", job.id),
            &format!("/jobs/{}", job.id),
            "Complete Import",
            "complete",
        ));
        out.push_str("</div>");
    }
    out.push_str(&compare(v));
    out
}

/// Compare Details: the staged record beside the compared candidate, each
/// field once; `≠` marks values that differ, `+` values only one side has.
fn compare(v: &RecordView) -> String {
    let Some((rank, other)) = &v.other else { return String::new() };
    let c = &v.row.candidates[*rank];
    let mut names: Vec<&str> = v.staged.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in other {
        if !names.contains(&k.as_str()) {
            names.push(k);
        }
    }
    let get = |list: &[(String, String)], k: &str| list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut out = format!(
        "<h2 id=\"compare\">Compare Details: staged {} and {} ({}%)</h2>\
<table class=\"compare\" id=\"compare-table\"><thead><tr><th></th><th>Field</th><th>Staged</th><th>{}</th></tr></thead><tbody>",
        v.row.staged_id,
        candidate_name(c),
        c.quality,
        candidate_name(c)
    );
    for k in names {
        let (a, b) = (get(&v.staged, k), get(other, k));
        let mark = match (&a, &b) {
            (Some(x), Some(y)) if x.trim().to_lowercase() == y.trim().to_lowercase() => "",
            (Some(_), Some(_)) => "≠",
            _ => "+",
        };
        out.push_str(&format!(
            "<tr{}><td class=\"mark\">{mark}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if mark.is_empty() { "" } else { " class=\"diff\"" },
            esc(k),
            esc(&a.unwrap_or_default()),
            esc(&b.unwrap_or_default())
        ));
    }
    out.push_str("</tbody></table>");
    out
}
