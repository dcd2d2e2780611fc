//! ferry's browser workspace: `ferry serve` puts pages and a JSON API on the
//! store, for business users who review imports without a terminal.
//!
//! - [`serve`] opens the store, binds, and answers until the process ends;
//! - `dispatch` routes a request: the login form, the embedded assets, the
//!   pages (`pages`, `review`) and the JSON API (`api`);
//! - `auth`: sessions by cookie (HttpOnly, SameSite=Strict), the CSRF token
//!   every state-changing request carries, and the two privileges (view:
//!   read only; manage: also every POST);
//! - `html`: escaping, the page layout, the match-quality histogram (SVG).
//!
//! The server holds no business rules: every operation is one runner call,
//! the one the command line makes, and the API answers the documents the
//! command line's `--json` prints (from the same runner types). Work on the
//! store runs on tokio's blocking pool behind one connection and a mutex,
//! so that a version check and the write it guards happen together: a write
//! based on a stale page is refused ([`ferry_runner::views::check_version`]).

// A refused request is answered at once: handlers return the answer as their error.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferry_runner::store::Store;

mod api;
mod auth;
mod html;
mod pages;
mod review;

/// What [`serve`] needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The store.
    pub db: PathBuf,
    /// Where to listen (loopback by default; port 0 picks a free port).
    pub bind: SocketAddr,
}

/// An error of the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Runner(#[from] ferry_runner::Error),
    #[error("cannot listen on `{addr}`: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Io(std::io::Error),
}

/// Largest upload (an import of several packages).
const MAX_UPLOAD: usize = 512 * 1024 * 1024;
/// Largest form.
const MAX_FORM: usize = 1024 * 1024;

/// Opens the store and serves the workspace on `options.bind`; calls `ready`
/// with the address once it listens. Returns only on error.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    let store = Store::open(&options.db)?;
    let app = Arc::new(App { store: Mutex::new(store) });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Error::Io)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .map_err(|source| Error::Bind { addr: options.bind, source })?;
        ready(listener.local_addr().map_err(Error::Io)?);
        let router =
            axum::Router::new().fallback(dispatch).layer(DefaultBodyLimit::max(MAX_UPLOAD)).with_state(app);
        axum::serve(listener, router).await.map_err(Error::Io)
    })
}

/// The server's state: the store behind one connection.
pub(crate) struct App {
    store: Mutex<Store>,
}

pub(crate) type Shared = Arc<App>;

/// Runs `work` on the store, on the blocking pool.
pub(crate) async fn with_store<T: Send + 'static>(
    app: &Shared,
    work: impl FnOnce(&mut Store) -> T + Send + 'static,
) -> Result<T, Response> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = app.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut store)
    })
    .await
    .map_err(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "the request failed inside the server"))
}

/// A parsed request, its body not yet read.
pub(crate) struct Ctx {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
}

impl Ctx {
    /// A query parameter (the first one of that name).
    pub fn param(&self, name: &str) -> Option<&str> {
        param(&self.query, name)
    }

    /// Whether the request is to the JSON API.
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    /// Whether the client asked for JSON.
    pub fn wants_json(&self) -> bool {
        self.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"))
    }
}

/// The first value of `name` in parsed pairs.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Parses `a=1&b=2`.
pub(crate) fn parse_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

async fn dispatch(axum::extract::State(app): axum::extract::State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let ctx = Ctx {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: parse_pairs(parts.uri.query().unwrap_or("").as_bytes()),
        headers: parts.headers.clone(),
    };
    let segments: Vec<&str> = ctx.path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match (ctx.method.as_str(), segments.as_slice()) {
        ("GET", ["assets", "style.css"]) => {
            ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], html::STYLE).into_response()
        }
        ("GET", ["login"]) => auth::login_page(None, StatusCode::OK),
        ("POST", ["login"]) => match read_form(body).await {
            Ok(form) => auth::login(&app, &ctx, &form).await,
            Err(r) => r,
        },
        ("POST", ["api", "import"]) => {
            let req = Request::from_parts(parts, body);
            api::import(&app, &ctx, req).await
        }
        _ => {
            let form = if ctx.method == Method::POST {
                match read_form(body).await {
                    Ok(form) => form,
                    Err(r) => return r,
                }
            } else {
                Vec::new()
            };
            let session = match auth::require(&app, &ctx).await {
                Ok(s) => s,
                Err(r) => return r,
            };
            if ctx.method == Method::POST && segments.as_slice() == ["logout"] {
                // Any user may sign out (with the token: no forged sign-outs).
                return match auth::check_csrf(&ctx, &form, &session) {
                    Ok(()) => auth::logout(&app, &ctx).await,
                    Err(r) => r,
                };
            }
            if ctx.method != Method::GET
                && let Err(r) = auth::check_write(&ctx, &form, &session)
            {
                return r;
            }
            let found = if ctx.is_api() {
                api::route(&app, &ctx, &segments[1..], &form, &session).await
            } else if ctx.method == Method::GET {
                pages::route(&app, &ctx, &segments, &session).await
            } else {
                None
            };
            found.unwrap_or_else(|| plain(StatusCode::NOT_FOUND, "no such page"))
        }
    }
}

async fn read_form(body: Body) -> Result<Vec<(String, String)>, Response> {
    axum::body::to_bytes(body, MAX_FORM)
        .await
        .map(|b| parse_pairs(&b))
        .map_err(|_| plain(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"))
}

/// A plain-text answer.
pub(crate) fn plain(status: StatusCode, text: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{text}\n")).into_response()
}

/// A JSON document as the command line prints it (pretty, with a final newline).
pub(crate) fn json_text(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_string());
    text.push('\n');
    text
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], json_text(value)).into_response()
}

/// A redirect after a form (303: the browser follows with GET).
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}
