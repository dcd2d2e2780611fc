//! The workspace's pages for jobs and staged data: the Import workspace (jobs
//! table with search, filter chips and sorting, import form), the job detail
//! page (banner, actions, histogram, staged records, rejected rows, audit
//! trail) and the edit form of a staged record. Match results are in
//! [`crate::review`].

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use ferry_runner::Error;
use ferry_runner::job::{self, Job, Stage, Status};
use ferry_runner::users::{self, Role, Session};
use ferry_runner::{matchjob, staged, views};

use crate::html::{self, action_button, csrf_field, esc, url};
use crate::{Ctx, Shared, with_store};

/// Rows per page of a table.
pub const PAGE: u64 = 50;

/// Routes the pages (GET).
pub async fn route(app: &Shared, ctx: &Ctx, segments: &[&str], session: &Session) -> Option<Response> {
    Some(match segments {
        [] => jobs_page(app, ctx, session).await,
        ["jobs", j] => job_page(app, ctx, session, j).await,
        ["jobs", j, "staged", id] => edit_page(app, ctx, session, j, id).await,
        ["jobs", j, "matches"] => crate::review::matches_page(app, ctx, session, j).await,
        ["jobs", j, "matches", id] => crate::review::record_page(app, ctx, session, j, id).await,
        _ => return None,
    })
}

/// The flash message of the last form.
pub fn flash(ctx: &Ctx) -> (Option<&str>, Option<&str>) {
    (ctx.param("msg"), ctx.param("err"))
}

/// A page, or the error that kept it from being drawn.
pub fn render(session: &Session, title: &str, ctx: &Ctx, body: Result<String, Error>) -> Response {
    match body {
        Ok(body) => Html(html::page(session, title, flash(ctx), &body)).into_response(),
        Err(e) => {
            let status = if matches!(e, Error::NoSuchJob(_)) {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let body = format!(
                "<p class=\"err\">{}</p><p><a href=\"/\">Back to the Import workspace</a></p>",
                esc(&e.to_string())
            );
            (status, Html(html::page(session, "Error", (None, None), &body))).into_response()
        }
    }
}

/// The jobs table's columns: (query key, heading).
const JOB_COLUMNS: &[(&str, &str)] = &[
    ("id", "Id"),
    ("description", "Description"),
    ("type", "Import Type"),
    ("stage", "Stage"),
    ("status", "Status"),
    ("started", "Start Time"),
    ("ended", "End Time"),
    ("read", "Read"),
    ("staged", "Staged"),
    ("rejected", "Rejected"),
];

fn sort_jobs(jobs: &mut [Job], key: &str, desc: bool) {
    jobs.sort_by(|a, b| {
        let o = match key {
            "description" => a.description.to_lowercase().cmp(&b.description.to_lowercase()),
            "type" => a.kind.as_str().cmp(b.kind.as_str()),
            "stage" => a.stage.label().cmp(b.stage.label()),
            "status" => a.status.label().cmp(b.status.label()),
            "started" => a.started_at.cmp(&b.started_at),
            "ended" => a.ended_at.cmp(&b.ended_at),
            "read" => a.counts.rows_read.cmp(&b.counts.rows_read),
            "staged" => a.counts.rows_staged.cmp(&b.counts.rows_staged),
            "rejected" => a.counts.rows_rejected.cmp(&b.counts.rows_rejected),
            _ => a.id.cmp(&b.id),
        };
        if desc { o.reverse() } else { o }
    });
}

/// The query of the jobs page with `key` set to `value` (empty: removed).
fn jobs_query(ctx: &Ctx, key: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        ctx.query.iter().filter(|(k, _)| k != key && k != "msg" && k != "err").cloned().collect();
    if !value.is_empty() {
        pairs.push((key.to_string(), value.to_string()));
    }
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", url(v))).collect();
    if q.is_empty() { "/".to_string() } else { format!("/?{}", q.join("&")) }
}

fn chips(ctx: &Ctx, key: &str, label: &str, values: &[&str]) -> String {
    let current = ctx.param(key).unwrap_or("");
    let mut out = format!("<div class=\"chips\" id=\"chips-{key}\"><span class=\"label\">{label}</span>");
    for v in values {
        let on = current.eq_ignore_ascii_case(v);
        let href = jobs_query(ctx, key, if on { "" } else { v });
        out.push_str(&format!(
            "<a class=\"chip{}\" href=\"{}\">{}</a>",
            if on { " on" } else { "" },
            esc(&href),
            esc(v)
        ));
    }
    out.push_str("</div>");
    out
}

async fn jobs_page(app: &Shared, ctx: &Ctx, session: &Session) -> Response {
    let filter = match crate::api::job_filter(ctx) {
        Ok(f) => f,
        Err(e) => return render(session, "Import workspace", ctx, Err(e)),
    };
    let listed = match with_store(app, move |s| job::list(s.db(), &filter)).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let body = listed.map(|mut jobs| {
        // End Time: the job list's fifth filter chip (the runner filters on start time).
        let ended_since = ctx.param("ended_since").filter(|v| !v.is_empty());
        let ended_until = ctx.param("ended_until").filter(|v| !v.is_empty());
        jobs.retain(|j| {
            let e = j.ended_at.as_deref().unwrap_or("");
            ended_since.is_none_or(|s| !e.is_empty() && e >= s)
                && ended_until.is_none_or(|u| !e.is_empty() && e < u)
        });
        let sort = ctx.param("sort").unwrap_or("id");
        let desc = ctx.param("desc") == Some("1");
        sort_jobs(&mut jobs, sort, desc);
        jobs_body(ctx, session, &jobs, sort, desc)
    });
    render(session, "Import workspace", ctx, body)
}

fn jobs_body(ctx: &Ctx, session: &Session, jobs: &[Job], sort: &str, desc: bool) -> String {
    let value = |k: &str| esc(ctx.param(k).unwrap_or(""));
    let stages: Vec<&str> = Stage::ALL.iter().map(|s| s.label()).collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.label()).collect();
    let mut out = String::from("<h1>Import workspace</h1>");
    out.push_str(&format!(
        "<form method=\"get\" action=\"/\" class=\"bar\" id=\"search-form\">\
<label>Search <input name=\"search\" id=\"search\" value=\"{}\" placeholder=\"description, source, owner\"></label>\
<label>Start Time from <input type=\"date\" name=\"since\" value=\"{}\"></label>\
<label>Start Time before <input type=\"date\" name=\"until\" value=\"{}\"></label>\
<label>End Time from <input type=\"date\" name=\"ended_since\" value=\"{}\"></label>\
<label>End Time before <input type=\"date\" name=\"ended_until\" value=\"{}\"></label>\
{}<button type=\"submit\" id=\"apply-search\">Search</button> <a href=\"/\">Clear</a></form>",
        value("search"),
        value("since"),
        value("until"),
        value("ended_since"),
        value("ended_until"),
        ["type", "stage", "status", "sort", "desc"]
            .iter()
            .filter_map(|k| ctx.param(k).map(|v| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v))))
            .collect::<String>()
    ));
    out.push_str(&chips(ctx, "type", "Import Type", &["contacts", "leads"]));
    out.push_str(&chips(ctx, "stage", "Stage", &stages));
    out.push_str(&chips(ctx, "status", "Status", &statuses));
    out.push_str("<table id=\"jobs\"><thead><tr>");
    for (key, heading) in JOB_COLUMNS {
        let (arrow, next_desc) =
            if *key == sort { (if desc { " ▼" } else { " ▲" }, !desc) } else { ("", false) };
        let href = jobs_query(ctx, "sort", key);
        let href = if next_desc {
            format!("{href}&desc=1")
        } else {
            href.replace("&desc=1", "").replace("?desc=1&", "?")
        };
        out.push_str(&format!("<th><a href=\"{}\">{heading}{arrow}</a></th>", esc(&href)));
    }
    out.push_str("<th></th></tr></thead><tbody>");
    for j in jobs {
        let delete = if j.status != Status::Running {
            action_button(
                session,
                &format!("/api/jobs/{}/delete", j.id),
                "/",
                "Delete",
                &format!("delete-{}", j.id),
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td><a href=\"/jobs/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
<td>{}</td><td>{}</td><td>{}</td><td>{delete}</td></tr>",
            j.id,
            j.id,
            esc(&j.description),
            j.kind.as_str(),
            j.stage,
            j.status,
            esc(j.started_at.as_deref().unwrap_or("")),
            esc(j.ended_at.as_deref().unwrap_or("")),
            j.counts.rows_read,
            j.counts.rows_staged,
            j.counts.rows_rejected
        ));
    }
    if jobs.is_empty() {
        out.push_str("<tr><td colspan=\"11\">No import jobs match.</td></tr>");
    }
    out.push_str("</tbody></table>");
    if session.role == Role::Manage {
        out.push_str(&format!(
            "<h2>Import</h2><form method=\"post\" action=\"/api/import\" enctype=\"multipart/form-data\" class=\"bar\" id=\"import-form\">{}\
<input type=\"hidden\" name=\"_redirect\" value=\"/\">\
<label>Import package (ZIP) <input type=\"file\" name=\"package\" accept=\".zip\" multiple required></label>\
<label>Description <input name=\"description\"></label>\
<label>Import Type <select name=\"type\"><option value=\"\">from the package</option><option>contacts</option><option>leads</option></select></label>\
<label>Source type <input name=\"source_type\"></label><label>Source <input name=\"source\"></label>\
<button type=\"submit\">Import</button></form>",
            csrf_field(session)
        ));
    }
    out
}

fn banner(job: &Job) -> String {
    let c = &job.counts;
    let cell = |label: &str, value: &str| format!("<div><span>{label}</span>{}</div>", esc(value));
    let mut out = format!(
        "<section class=\"banner\" id=\"banner\">{}{}{}{}{}{}{}",
        cell("Import Type", job.kind.as_str()),
        cell("Stage", job.stage.label()),
        cell("Status", job.status.label()),
        cell("Start Time", job.started_at.as_deref().unwrap_or("-")),
        cell("Staged", job.staged_at.as_deref().unwrap_or("-")),
        cell("End Time", job.ended_at.as_deref().unwrap_or("-")),
        cell(
            "Rows",
            &format!("{} read = {} staged + {} rejected", c.rows_read, c.rows_staged, c.rows_rejected)
        ),
    );
    out.push_str(&cell(
        "Records",
        &format!("{} staged, {} in staging", c.records_staged, c.records_remaining),
    ));
    out.push_str(&cell("Warnings", &c.warnings.to_string()));
    for (label, v) in [("Source type", &job.source_type), ("Source", &job.source), ("Owner", &job.owner)] {
        if let Some(v) = v {
            out.push_str(&cell(label, v));
        }
    }
    if let Some(e) = &job.error {
        out.push_str(&cell("Error", e));
    }
    out.push_str("</section><div class=\"stages\">");
    let now = Stage::ALL.iter().position(|s| *s == job.stage).unwrap_or(0);
    for (i, s) in Stage::ALL.iter().enumerate() {
        let class = if i < now || job.stage == Stage::Completed {
            "done"
        } else if i == now {
            "now"
        } else {
            ""
        };
        out.push_str(&format!("<span class=\"{class}\">{}</span>", s.label()));
    }
    out.push_str("</div>");
    out
}

/// What the job page shows, read in one go.
struct JobView {
    job: Job,
    listing: Option<staged::Listing>,
    rejected: (u64, Vec<views::RejectedRow>),
    histogram: Option<([u64; 11], u32, u32)>,
    audit: Vec<users::AuditEntry>,
}

async fn job_page(app: &Shared, ctx: &Ctx, session: &Session, j: &str) -> Response {
    let mut options = match crate::api::staged_options(ctx) {
        Ok(o) => o,
        Err(e) => return render(session, "Job", ctx, Err(e)),
    };
    options.limit = Some(options.limit.unwrap_or(PAGE).min(500));
    let j = j.to_string();
    let view = with_store(app, move |s| -> Result<JobView, Error> {
        let job = job::find(s.db(), &j)?;
        let listing = if job.counts.records_remaining > 0 || job.stage != Stage::Completed {
            Some(staged::list(s, &job.id.to_string(), &options)?)
        } else {
            None
        };
        let rejected = views::rejected_page(s, job.id, 0, 20)?;
        let histogram = if job.stage == Stage::ReviewMatchResults && job.status == Status::WaitingOnUser
            || job.stage == Stage::Completed
        {
            let t = matchjob::job_profile(s.db(), &job)?.thresholds;
            Some((views::quality_histogram(s, job.id)?, t.match_, t.potential))
        } else {
            None
        };
        let audit = users::audit_trail(s, job.id)?;
        Ok(JobView { job, listing, rejected, histogram, audit })
    })
    .await;
    let view = match view {
        Ok(v) => v,
        Err(r) => return r,
    };
    let title = view.as_ref().map(|v| v.job.description.clone()).unwrap_or_else(|_| "Job".into());
    let body = view.map(|v| job_body(ctx, session, &v));
    render(session, &title, ctx, body)
}

fn job_body(ctx: &Ctx, session: &Session, v: &JobView) -> String {
    let job = &v.job;
    let here = format!("/jobs/{}", job.id);
    let api = format!("/api/jobs/{}", job.id);
    let mut out = format!(
        "<p><a href=\"/\">← Import workspace</a></p><h1 id=\"job-title\">Job {}: {}</h1>",
        job.id,
        esc(&job.description)
    );
    out.push_str(&banner(job));
    out.push_str("<div class=\"actions\">");
    match (job.stage, job.status) {
        (Stage::ReviewStagedData, _) => out.push_str(&action_button(
            session,
            &format!("{api}/submit"),
            &here,
            "Submit for Matching",
            "submit",
        )),
        (Stage::ReviewMatchResults, Status::Queued) => out.push_str(&action_button(
            session,
            &format!("{api}/match"),
            &here,
            "Run Matching",
            "run-matching",
        )),
        (Stage::ReviewMatchResults, Status::WaitingOnUser) => {
            out.push_str(&format!(
                "<a class=\"chip\" href=\"{here}/matches\" id=\"review-matches\">Review Match Results</a>"
            ));
            out.push_str(&action_button(
                session,
                &format!("{api}/complete"),
                &here,
                "Complete Import",
                "complete",
            ));
        }
        (Stage::Completed, _) => {
            out.push_str(&format!(
                "<a class=\"chip\" href=\"{here}/matches\" id=\"review-matches\">Match Results</a>"
            ));
            out.push_str(&action_button(session, &format!("{api}/undo"), &here, "Undo Import", "undo"));
        }
        _ => {}
    }
    if job.status != Status::Running {
        out.push_str(&action_button(session, &format!("{api}/delete"), "/", "Delete Job", "delete-job"));
    }
    out.push_str("</div>");
    if let Some((counts, m, p)) = &v.histogram {
        out.push_str("<h2>Match quality</h2>");
        out.push_str(&html::histogram(counts, *m, *p));
    }
    if let Some(listing) = &v.listing {
        out.push_str(&staged_table(ctx, session, job, listing));
    }
    out.push_str(&format!("<h2 id=\"rejected\">Rejected rows ({})</h2>", v.rejected.0));
    if v.rejected.0 > 0 {
        out.push_str(&format!("<p><a href=\"{api}/errors\" id=\"download-errors\" download>Download the error file (CSV)</a></p>"));
        out.push_str("<table id=\"rejected-rows\"><thead><tr><th>File</th><th>Line</th><th>Error</th></tr></thead><tbody>");
        for r in &v.rejected.1 {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.file),
                r.line,
                esc(&r.reason)
            ));
        }
        out.push_str("</tbody></table>");
        if v.rejected.0 > v.rejected.1.len() as u64 {
            out.push_str(&format!(
                "<p>… and {} more in the error file.</p>",
                v.rejected.0 - v.rejected.1.len() as u64
            ));
        }
    }
    out.push_str("<h2>Audit trail</h2><table id=\"audit\"><thead><tr><th>When</th><th>Who</th><th>What</th><th></th></tr></thead><tbody>");
    for a in &v.audit {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.at),
            esc(&a.user),
            esc(&a.action),
            esc(a.detail.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("</tbody></table>");
    out
}

fn staged_table(ctx: &Ctx, session: &Session, job: &Job, listing: &staged::Listing) -> String {
    let here = format!("/jobs/{}", job.id);
    let editable = session.role == Role::Manage
        && (job.stage == Stage::ReviewStagedData
            || job.stage == Stage::ReviewMatchResults && job.status == Status::Queued);
    let columns = ctx.param("columns").unwrap_or("");
    let sort = ctx.param("sort").unwrap_or("");
    let base = |sort: &str| {
        let mut q = vec![];
        if !columns.is_empty() {
            q.push(format!("columns={}", url(columns)));
        }
        if !sort.is_empty() {
            q.push(format!("sort={}", url(sort)));
        }
        if q.is_empty() { here.clone() } else { format!("{here}?{}", q.join("&")) }
    };
    let label =
        if job.kind == ferry_mapper::target::RecordKind::Leads { "Staged Leads" } else { "Staged Contacts" };
    let mut out = format!("<h2 id=\"staged\">{label}</h2>");
    out.push_str(&format!(
        "<details><summary>Select columns</summary><form method=\"get\" action=\"{here}\" class=\"bar\">\
<label>Columns (comma-separated field names) <input name=\"columns\" size=\"60\" value=\"{}\"></label>\
<button type=\"submit\">Show</button></form></details>",
        esc(&listing.columns.join(","))
    ));
    out.push_str(&format!(
        "<form method=\"post\" action=\"/api/jobs/{}/staged/delete\" id=\"staged-form\">",
        job.id
    ));
    out.push_str(&csrf_field(session));
    out.push_str(&format!("<input type=\"hidden\" name=\"_redirect\" value=\"{}\">", esc(&base(sort))));
    out.push_str("<table id=\"staged-rows\"><thead><tr>");
    if editable {
        out.push_str("<th></th>");
    }
    for c in &listing.columns {
        let (next, arrow) = if sort == c.as_str() {
            (format!("-{c}"), " ▲")
        } else if sort.strip_prefix('-') == Some(c.as_str()) {
            (c.clone(), " ▼")
        } else {
            (c.clone(), "")
        };
        out.push_str(&format!("<th><a href=\"{}\">{}{arrow}</a></th>", esc(&base(&next)), esc(c)));
    }
    out.push_str(if editable { "<th></th></tr></thead><tbody>" } else { "</tr></thead><tbody>" });
    for row in &listing.rows {
        out.push_str("<tr>");
        if editable {
            out.push_str(&format!("<td><input type=\"checkbox\" name=\"ids\" value=\"{}\"></td>", row.id));
        }
        for v in &row.values {
            out.push_str(&format!("<td>{}</td>", esc(v)));
        }
        if editable {
            out.push_str(&format!(
                "<td><a href=\"{here}/staged/{}\" id=\"edit-{}\">Edit</a></td>",
                row.id, row.id
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if editable {
        out.push_str(
            "<div class=\"actions\"><button type=\"submit\" class=\"danger\" id=\"delete-selected\">Delete selected</button>\
<button type=\"submit\" class=\"danger\" name=\"all\" value=\"1\" id=\"delete-all\">Delete all</button></div>",
        );
    }
    out.push_str("</form>");
    out.push_str(&html::pager(&base(sort), listing.offset, PAGE, listing.rows.len(), listing.total));
    out
}

async fn edit_page(app: &Shared, ctx: &Ctx, session: &Session, j: &str, id: &str) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return render(
            session,
            "Edit",
            ctx,
            Err(Error::BadId { text: id.to_string(), what: "staged record" }),
        );
    };
    let j = j.to_string();
    let found = match with_store(app, move |s| views::staged_fields(s, &j, id)).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let body = found.map(|(job, fields, version)| {
        let here = format!("/jobs/{}/staged/{id}", job.id);
        let mut out = format!(
            "<p><a href=\"/jobs/{}\">← Job {}: {}</a></p><h1>Edit staged record {id}</h1>\
<p>Basic fields only; addresses, communications and other subcollections are shown on the review pages.</p>\
<form method=\"post\" action=\"/api/jobs/{}/staged/{id}\" id=\"edit-form\" class=\"bar\">{}\
<input type=\"hidden\" name=\"version\" value=\"{}\"><input type=\"hidden\" name=\"_redirect\" value=\"/jobs/{}\">\
<input type=\"hidden\" name=\"_back\" value=\"{here}\">",
            job.id,
            job.id,
            esc(&job.description),
            job.id,
            csrf_field(session),
            esc(&version),
            job.id
        );
        for f in &fields {
            let star = if f.required { " *" } else { "" };
            let input = if f.kind == "enum" {
                let mut s = format!("<select name=\"{0}\" id=\"field-{0}\"><option value=\"\"></option>", esc(&f.name));
                for v in &f.values {
                    let sel = if *v == f.value { " selected" } else { "" };
                    s.push_str(&format!("<option{sel}>{}</option>", esc(v)));
                }
                s.push_str("</select>");
                s
            } else {
                // Text even for dates: a date input would blank a value in another format.
                format!("<input type=\"text\" name=\"{0}\" id=\"field-{0}\" value=\"{1}\">", esc(&f.name), esc(&f.value))
            };
            out.push_str(&format!("<label>{}{star} {input}</label>", esc(&f.label)));
        }
        out.push_str("<button type=\"submit\" id=\"save\">Save</button></form>");
        out
    });
    render(session, "Edit staged record", ctx, body)
}
