//! The JSON API: the command line's operations over HTTP, one runner call
//! each, answering the documents `--json` prints.
//!
//! | request | answers (as the command line prints) |
//! |---|---|
//! | `GET /api/jobs?type=&stage=&status=&search=&since=&until=` | `ferry jobs --json` |
//! | `GET /api/jobs/{job}` | `ferry jobs show JOB --json` |
//! | `GET /api/jobs/{job}/staged?sort=&columns=&limit=&offset=` | `ferry staged JOB --json` |
//! | `GET /api/jobs/{job}/matches` | `ferry review JOB --list --json` |
//! | `GET /api/jobs/{job}/errors` | the CSV `ferry errors JOB --out F.csv` writes |
//! | `GET /api/jobs/{job}/audit` | the job's audit trail |
//! | `POST /api/import` (multipart: `package` files, `description`, `type`, `source_type`, `source`, `owner`) | `ferry import --json` |
//! | `POST /api/jobs/{job}/staged/{id}` (`FIELD=VALUE`…, `version`) | `ferry staged JOB --edit --json` |
//! | `POST /api/jobs/{job}/staged/delete` (`ids=1,2` or `all=1`) | `ferry staged JOB --delete --json` |
//! | `POST /api/jobs/{job}/submit` · `/match` · `/complete` · `/undo` · `/delete` | `staged --submit`, `match`, `complete`, `undo`, `jobs delete` |
//! | `POST /api/jobs/{job}/matches/{id}` (`action`, `record`, `staged`, `version`) | one choice of `ferry review` |
//! | `POST /api/jobs/{job}/matches/{id}/same` | `ferry review JOB --same-as ID --json` |
//! | `POST /api/jobs/{job}/accept-all` | `ferry review JOB --accept-all --json` |
//!
//! A form posted with `_redirect=/path` (the pages' forms) is answered with
//! a redirect there, carrying `msg=` (or `err=`, to `_back` when given).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferry_runner::Error;
use ferry_runner::job::{self, JobFilter, Stage, Status};
use ferry_runner::matchjob::{self, Decision, MatchOptions};
use ferry_runner::store::Store;
use ferry_runner::users::{self, Session};
use ferry_runner::{complete, import, review, staged, views};

use crate::{Ctx, Shared, json, param, see_other, with_store};

/// Form fields that are not data.
const CONTROL_FIELDS: &[&str] = &["csrf", "_redirect", "_back", "version"];

/// The status that answers a runner error.
fn status_of(e: &Error) -> StatusCode {
    match e {
        _ if e.is_busy() => StatusCode::SERVICE_UNAVAILABLE,
        Error::NoSuchJob(_) => StatusCode::NOT_FOUND,
        Error::StaleChanged { .. }
        | Error::StaleDeleted { .. }
        | Error::WrongState { .. }
        | Error::DuplicateDescription { .. } => StatusCode::CONFLICT,
        // The store, the machine or ferry itself failed: not the request.
        Error::Sqlite { .. }
        | Error::Io { .. }
        | Error::StoreTooNew { .. }
        | Error::Unreadable { .. }
        | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A runner error as JSON (`{"error": …}`) with its status.
pub fn error_response(_ctx: &Ctx, e: &Error) -> Response {
    json(status_of(e), &serde_json::json!({ "error": e.to_string(), "kind": e.kind() }))
}

/// A request that does not do (a query parameter, an upload), as JSON with its kind.
fn bad_request(e: &Error) -> Response {
    json(StatusCode::BAD_REQUEST, &serde_json::json!({ "error": e.to_string(), "kind": e.kind() }))
}

/// An upload that is not a whole multipart form.
fn bad_upload(message: String) -> Response {
    bad_request(&Error::BadParam { name: "package".into(), message })
}

/// Appends `key=value` to a local path's query.
pub fn with_param(path: &str, key: &str, value: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    format!("{path}{sep}{key}={value}")
}

/// A local path given by a form (never another site).
fn local(path: Option<&str>) -> Option<&str> {
    path.filter(|p| p.starts_with('/') && !p.starts_with("//"))
}

/// Answers an operation's outcome: JSON, or a redirect for the pages' forms.
fn finish<T: serde::Serialize>(
    ctx: &Ctx,
    form: &[(String, String)],
    outcome: Result<T, Error>,
    message: impl FnOnce(&T) -> String,
) -> Response {
    let redirect = local(param(form, "_redirect"));
    match (outcome, redirect) {
        (Ok(value), Some(to)) => see_other(&with_param(to, "msg", &message(&value))),
        (Ok(value), None) => json(StatusCode::OK, &value),
        (Err(e), Some(to)) => {
            let back = local(param(form, "_back")).unwrap_or(to);
            see_other(&with_param(back, "err", &e.to_string()))
        }
        (Err(e), None) => error_response(ctx, &e),
    }
}

/// The job filter of a query (`type`, `stage`, `status`, `search`, `since`, `until`).
pub fn job_filter(ctx: &Ctx) -> Result<JobFilter, Error> {
    let given = |name: &str| ctx.param(name).filter(|v| !v.is_empty());
    let bad = |name: &str, message: String| Error::BadParam { name: name.to_string(), message };
    let kind = given("type")
        .map(|t| {
            job::parse_kind(t)
                .ok_or_else(|| bad("type", format!("unknown import type `{t}` (contacts, leads)")))
        })
        .transpose()?;
    let stage = given("stage")
        .map(|s| Stage::parse(s).ok_or_else(|| bad("stage", format!("unknown stage `{s}`"))))
        .transpose()?;
    let status = given("status")
        .map(|s| Status::parse(s).ok_or_else(|| bad("status", format!("unknown status `{s}`"))))
        .transpose()?;
    let bound = |name: &str| given(name).map(job::parse_time_bound).transpose();
    Ok(JobFilter {
        kind,
        stage,
        status,
        search: given("search").map(str::to_string),
        since: bound("since")?,
        until: bound("until")?,
    })
}

/// The staged listing options of a query.
pub fn staged_options(ctx: &Ctx) -> Result<staged::ListOptions, Error> {
    let number = |name: &str| {
        ctx.param(name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<u64>().map_err(|_| Error::BadParam {
                    name: name.to_string(),
                    message: format!("`{name}` must be a number, not `{v}`"),
                })
            })
            .transpose()
    };
    Ok(staged::ListOptions {
        columns: ctx
            .param("columns")
            .map(|c| c.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect())
            .unwrap_or_default(),
        sort: ctx.param("sort").filter(|s| !s.is_empty()).map(str::to_string),
        limit: number("limit")?,
        offset: number("offset")?.unwrap_or(0),
    })
}

/// Routes `/api/…` (the segments after `api`).
pub async fn route(
    app: &Shared,
    ctx: &Ctx,
    segments: &[&str],
    form: &[(String, String)],
    session: &Session,
) -> Option<Response> {
    let get = ctx.method == axum::http::Method::GET;
    Some(match segments {
        ["jobs"] if get => match job_filter(ctx) {
            Ok(filter) => read(app, ctx, move |s| job::list(s.db(), &filter)).await,
            Err(e) => bad_request(&e),
        },
        ["jobs", j] if get => {
            let j = j.to_string();
            read(app, ctx, move |s| job::find(s.db(), &j)).await
        }
        ["jobs", j, "staged"] if get => match staged_options(ctx) {
            Ok(options) => {
                let j = j.to_string();
                read(app, ctx, move |s| staged::list(s, &j, &options)).await
            }
            Err(e) => bad_request(&e),
        },
        ["jobs", j, "matches"] if get => {
            let j = j.to_string();
            read(app, ctx, move |s| views::review_list(s, &j)).await
        }
        ["jobs", j, "audit"] if get => {
            let j = j.to_string();
            read(app, ctx, move |s| {
                let found = job::find(s.db(), &j)?;
                users::audit_trail(s, found.id)
            })
            .await
        }
        ["jobs", j, "errors"] if get => errors_csv(app, ctx, j).await,
        ["jobs", j, verb] if !get => {
            let j = j.to_string();
            match *verb {
                "submit" => {
                    write(app, ctx, form, session, op(&j, "submit"), staged::submit, |job| {
                        format!("job {} submitted for matching", job.id)
                    })
                    .await
                }
                "match" => {
                    let run = |s: &mut Store, j: &str| {
                        matchjob::match_job(s, j, &MatchOptions::default(), &ferry_mapper::progress::NoReporter)
                    };
                    write(app, ctx, form, session, op(&j, "match"), run, |m| {
                        format!(
                            "matched {} records: {} Match, {} Potential Match, {} Non-Match",
                            m.records, m.matches, m.potential_matches, m.non_matches
                        )
                    })
                    .await
                }
                "complete" => {
                    write(app, ctx, form, session, op(&j, "complete"), complete::complete, |c| {
                        format!(
                            "the import has been marked as complete: {} created, {} merged, {} updated, {} discarded",
                            c.created, c.merged, c.updated, c.discarded
                        )
                    })
                    .await
                }
                "undo" => {
                    write(app, ctx, form, session, op(&j, "undo"), complete::undo, |u| {
                        format!("job {} undone: {} removed, {} restored", u.job.id, u.removed, u.restored)
                    })
                    .await
                }
                "delete" => {
                    write(app, ctx, form, session, op(&j, "delete job"), job::delete, |d| {
                        format!("deleted job {} `{}`", d.job.id, d.job.description)
                    })
                    .await
                }
                "accept-all" => {
                    let run = |s: &mut Store, j: &str| {
                        review::accept_all(s, j).map(|(job, changed)| views::Changed { job: job.id, changed })
                    };
                    write(app, ctx, form, session, op(&j, "accept all"), run, |c| {
                        format!("every proposal accepted ({} choices changed)", c.changed)
                    })
                    .await
                }
                _ => return None,
            }
        }
        ["jobs", j, "staged", "delete"] if !get => {
            let ids: Vec<i64> = form
                .iter()
                .filter(|(k, _)| k == "ids")
                .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<i64>())
                .collect::<Result<_, _>>()
                .unwrap_or_default();
            let all = param(form, "all") == Some("1");
            if ids.is_empty() && !all {
                return Some(finish(
                    ctx,
                    form,
                    Err::<(), _>(Error::BadParam {
                        name: "ids".into(),
                        message: "choose records to delete".into(),
                    }),
                    |_| String::new(),
                ));
            }
            let detail = if all { "all".to_string() } else { format!("{ids:?}") };
            let run = move |s: &mut Store, j: &str| {
                staged::delete(s, j, if all { None } else { Some(&ids) })
                    .map(|deleted| views::DeletedStaged { deleted })
            };
            write(app, ctx, form, session, op(j, "delete staged").detail(detail), run, |d| {
                format!("deleted {} staged records", d.deleted)
            })
            .await
        }
        ["jobs", j, "staged", id] if !get => {
            let Ok(id) = id.parse::<i64>() else { return None };
            let version = param(form, "version").map(|v| (id, v.to_string()));
            let given: Vec<(String, String)> =
                form.iter().filter(|(k, _)| !CONTROL_FIELDS.contains(&k.as_str())).cloned().collect();
            let run = move |s: &mut Store, j: &str| {
                // Only the fields the form changed are assigned (the others re-parse as they are).
                let (_, fields, _) = views::staged_fields(s, j, id)?;
                let changed: Vec<(String, String)> = given
                    .into_iter()
                    .filter(|(k, v)| fields.iter().find(|f| &f.name == k).is_none_or(|f| &f.value != v))
                    .collect();
                let record = staged::edit(s, j, id, &changed)?;
                Ok(views::Edited { id, record })
            };
            let op = op(j, "edit staged").detail(format!("staged {id}")).version(version);
            write(app, ctx, form, session, op, run, |e| format!("staged record {} saved", e.id)).await
        }
        ["jobs", j, "matches", id] if !get => {
            let Ok(id) = id.parse::<i64>() else { return None };
            let number =
                |name: &str| param(form, name).filter(|v| !v.is_empty()).and_then(|v| v.parse::<i64>().ok());
            let (mut record, mut other) = (number("record"), number("staged"));
            // The pages' radio buttons name the match as `record:ID` or `staged:ID`.
            if let Some((what, id)) = param(form, "target").and_then(|t| t.split_once(':')) {
                let id = id.parse::<i64>().ok();
                match what {
                    "record" => record = id,
                    "staged" => other = id,
                    _ => {}
                }
            }
            let action = param(form, "action").unwrap_or("").to_string();
            let version = param(form, "version").map(|v| (id, v.to_string()));
            let detail = format!("staged {id}: {action}");
            let run = move |s: &mut Store, j: &str| {
                let found = job::find(s.db(), j)?;
                let decision = Decision::parse(&action, found.kind).ok_or_else(|| Error::BadParam {
                    name: "action".into(),
                    message: format!("unknown action `{action}`"),
                })?;
                let (record, other) = if decision == Decision::Merge || decision == Decision::Update {
                    (record, other)
                } else {
                    (None, None)
                };
                review::choose(s, j, id, decision, record, other)?;
                Ok(views::Changed { job: found.id, changed: 1 })
            };
            let op = op(j, "choose action").detail(detail).version(version);
            write(app, ctx, form, session, op, run, |_| format!("action of staged record {id} saved")).await
        }
        ["jobs", j, "matches", id, "same"] if !get => {
            let Ok(id) = id.parse::<i64>() else { return None };
            let run = move |s: &mut Store, j: &str| {
                review::same_values(s, j, id).map(|(job, changed)| views::Changed { job: job.id, changed })
            };
            write(app, ctx, form, session, op(j, "same as").detail(format!("staged {id}")), run, |c| {
                format!("{} identical records got the same choice", c.changed)
            })
            .await
        }
        _ => return None,
    })
}

/// A read: JSON of what `work` returns.
async fn read<T: serde::Serialize + Send + 'static>(
    app: &Shared,
    ctx: &Ctx,
    work: impl FnOnce(&mut Store) -> Result<T, Error> + Send + 'static,
) -> Response {
    match with_store(app, work).await {
        Ok(Ok(value)) => json(StatusCode::OK, &value),
        Ok(Err(e)) => error_response(ctx, &e),
        Err(r) => r,
    }
}

/// What a write does to which job, for the audit trail and the version check.
struct Op {
    job: String,
    action: &'static str,
    detail: Option<String>,
    /// The staged record and the version the page showed of it.
    version: Option<(i64, String)>,
}

fn op(job: &str, action: &'static str) -> Op {
    Op { job: job.to_string(), action, detail: None, version: None }
}

impl Op {
    fn detail(mut self, detail: String) -> Op {
        self.detail = Some(detail);
        self
    }

    fn version(mut self, version: Option<(i64, String)>) -> Op {
        self.version = version;
        self
    }
}

/// A write on a job: the version check (when the form names one), the
/// operation, and its audit entry, together on the store.
async fn write<T, W>(
    app: &Shared,
    ctx: &Ctx,
    form: &[(String, String)],
    session: &Session,
    op: Op,
    work: W,
    message: impl FnOnce(&T) -> String,
) -> Response
where
    T: serde::Serialize + Send + 'static,
    W: FnOnce(&mut Store, &str) -> Result<T, Error> + Send + 'static,
{
    let user = session.user.clone();
    let outcome = with_store(app, move |store| {
        let found = job::find(store.db(), &op.job)?;
        if let Some((id, seen)) = &op.version {
            views::check_version(store, *id, seen)?;
        }
        let out = work(store, &found.id.to_string())?;
        users::audit(store, found.id, &user, op.action, op.detail.as_deref())?;
        Ok(out)
    })
    .await;
    match outcome {
        Ok(outcome) => finish(ctx, form, outcome, message),
        Err(r) => r,
    }
}

/// `GET /api/jobs/{job}/errors`: the error report as `ferry errors` writes it.
async fn errors_csv(app: &Shared, ctx: &Ctx, job: &str) -> Response {
    let job = job.to_string();
    let outcome = with_store(app, move |store| {
        let dir =
            tempfile::tempdir().map_err(|e| Error::io(std::path::Path::new("temporary directory"), e))?;
        let out = dir.path().join("errors.csv");
        let report = ferry_runner::report::write_errors(store, &job, &out, true)?;
        let bytes = std::fs::read(&out).map_err(|e| Error::io(&out, e))?;
        Ok((report.job.id, bytes))
    })
    .await;
    match outcome {
        Ok(Ok((id, bytes))) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"job-{id}-errors.csv\"")),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => error_response(ctx, &e),
        Err(r) => r,
    }
}

/// `POST /api/import`: the uploaded packages become a job (`ferry import`).
pub async fn import(app: &Shared, ctx: &Ctx, req: Request) -> Response {
    let session = match crate::auth::require(app, ctx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    // The privilege first (the CSRF token may be among the fields).
    if session.role != users::Role::Manage {
        return crate::auth::forbidden(ctx, "your user has the view privilege only (ImportProcessView)");
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            return crate::plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("no temporary directory: {e}"));
        }
    };
    let mut form: Vec<(String, String)> = Vec::new();
    let mut packages = Vec::new();
    let mut multipart = match Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => return bad_upload(format!("expected a multipart form: {e}")),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return bad_upload(format!("the upload was cut short: {e}")),
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) if name == "package" => {
                if file_name.is_empty() {
                    continue;
                }
                let base = std::path::Path::new(&file_name)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "package.zip".to_string());
                let path = dir.path().join(format!("{}-{base}", packages.len()));
                match field.bytes().await {
                    Ok(bytes) => {
                        if let Err(e) = std::fs::write(&path, &bytes) {
                            return crate::plain(
                                StatusCode::INTERNAL_SERVER_ERROR,
                                &format!("cannot keep the upload: {e}"),
                            );
                        }
                    }
                    Err(e) => return bad_upload(format!("the upload was cut short: {e}")),
                }
                packages.push(path);
            }
            _ => match field.text().await {
                Ok(text) => form.push((name, text)),
                Err(e) => return bad_upload(format!("the upload was cut short: {e}")),
            },
        }
    }
    if let Err(r) = crate::auth::check_write(ctx, &form, &session) {
        return r;
    }
    if packages.is_empty() {
        return finish(
            ctx,
            &form,
            Err::<(), _>(Error::BadParam {
                name: "package".into(),
                message: "choose a package (ZIP) to import".into(),
            }),
            |_| String::new(),
        );
    }
    let text = |name: &str| param(&form, name).filter(|v| !v.is_empty()).map(str::to_string);
    let kind = text("type").and_then(|t| job::parse_kind(&t));
    let options = import::ImportOptions {
        packages,
        kind,
        description: text("description"),
        source_type: text("source_type"),
        source: text("source"),
        owner: text("owner"),
        ..Default::default()
    };
    let user = session.user.clone();
    let outcome = with_store(app, move |store| {
        let summary = import::import(store, &options, &import::NoReporter)?;
        users::audit(store, summary.job.id, &user, "import", None)?;
        drop(dir);
        Ok(summary)
    })
    .await;
    match outcome {
        Ok(outcome) => finish(ctx, &form, outcome, |s| {
            format!(
                "imported job {}: {} rows read, {} staged, {} rejected",
                s.job.id, s.job.counts.rows_read, s.job.counts.rows_staged, s.job.counts.rows_rejected
            )
        }),
        Err(r) => r,
    }
}
