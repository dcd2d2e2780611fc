//! Sign-in, sessions and privileges.
//!
//! `POST /login` (form fields `user`, `password`) sets the session cookie
//! (HttpOnly, SameSite=Strict); asked with `Accept: application/json` it
//! answers `{"csrf": TOKEN}`, else it redirects to the workspace. Every
//! other request needs a session: pages without one redirect to `/login`,
//! the API answers 401. Every POST needs the session's CSRF token (form
//! field `csrf` or header `X-CSRF-Token`) and the manage privilege; without
//! either the answer is 403.

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferry_runner::users::{self, Role, Session};

use crate::{Ctx, Shared, html, json, param, plain, see_other, with_store};

const COOKIE: &str = "ferry_session";

/// The session token of the request's cookie.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then(|| value.to_string())
        })
    })
}

/// The login form.
pub fn login_page(error: Option<&str>, status: StatusCode) -> Response {
    let message = error.map(|e| format!("<p class=\"err\">{}</p>", html::esc(e))).unwrap_or_default();
    let body = format!(
        "<main class=\"login\"><h1>ferry import workspace</h1>{message}
<form method=\"post\" action=\"/login\">
<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required autofocus></label>
<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>
<button type=\"submit\" id=\"signin\">Sign in</button>
</form></main>"
    );
    (status, axum::response::Html(html::document("Sign in", &body))).into_response()
}

/// `POST /login`.
pub async fn login(app: &Shared, ctx: &Ctx, form: &[(String, String)]) -> Response {
    let user = param(form, "user").unwrap_or("").to_string();
    let password = param(form, "password").unwrap_or("").to_string();
    let found = match with_store(app, move |store| users::login(store, &user, &password)).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return crate::api::error_response(ctx, &e),
        Err(r) => return r,
    };
    let Some((token, session)) = found else {
        return if ctx.wants_json() {
            json(StatusCode::UNAUTHORIZED, &serde_json::json!({ "error": "wrong user name or password" }))
        } else {
            login_page(Some("wrong user name or password"), StatusCode::UNAUTHORIZED)
        };
    };
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
    let mut response = if ctx.wants_json() {
        json(StatusCode::OK, &serde_json::json!({ "csrf": session.csrf }))
    } else {
        see_other("/")
    };
    if let Ok(v) = cookie.parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// `POST /logout`.
pub async fn logout(app: &Shared, ctx: &Ctx) -> Response {
    if let Some(token) = cookie_token(&ctx.headers) {
        let _ = with_store(app, move |store| users::logout(store, &token)).await;
    }
    let mut response = see_other("/login");
    if let Ok(v) = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0").parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// The request's session (a POST is then checked with [`check_write`]).
pub async fn require(app: &Shared, ctx: &Ctx) -> Result<Session, Response> {
    let session = match cookie_token(&ctx.headers) {
        Some(token) => match with_store(app, move |store| users::session(store, &token)).await? {
            Ok(s) => s,
            Err(e) => return Err(crate::api::error_response(ctx, &e)),
        },
        None => None,
    };
    let Some(session) = session else {
        return Err(if ctx.is_api() || ctx.method != Method::GET {
            json(StatusCode::UNAUTHORIZED, &serde_json::json!({ "error": "sign in first (POST /login)" }))
        } else {
            see_other("/login")
        });
    };
    Ok(session)
}

/// A state-changing request needs the CSRF token and the manage privilege.
pub fn check_write(ctx: &Ctx, form: &[(String, String)], session: &Session) -> Result<(), Response> {
    check_csrf(ctx, form, session)?;
    if session.role != Role::Manage {
        return Err(forbidden(ctx, "your user has the view privilege only (ImportProcessView)"));
    }
    Ok(())
}

/// The request carries the session's CSRF token (header or form field).
pub fn check_csrf(ctx: &Ctx, form: &[(String, String)], session: &Session) -> Result<(), Response> {
    let header_token = ctx.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    let token = header_token.or_else(|| param(form, "csrf"));
    if token != Some(session.csrf.as_str()) {
        return Err(forbidden(ctx, "the request lacks this session's CSRF token; reload the page"));
    }
    Ok(())
}

pub fn forbidden(ctx: &Ctx, message: &str) -> Response {
    if ctx.is_api() || ctx.wants_json() {
        json(StatusCode::FORBIDDEN, &serde_json::json!({ "error": message }))
    } else {
        plain(StatusCode::FORBIDDEN, message)
    }
}
