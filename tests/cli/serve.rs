//! Tests of `ferry serve` and `ferry users` at the HTTP level: sign-in,
//! sessions, CSRF, the two privileges, the API against the command line's
//! `--json`, and two reviewers at once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use ferry_runner::import::{ImportOptions, NoReporter, stage};
use ferry_runner::store::Store;

use crate::import::DirPackage;
use crate::matching::{example_package, json, ok};
use crate::util::{HttpResponse, Sandbox, http, repo_file, stderr};

/// A running `ferry serve` on a free port, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(sb: &Sandbox) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .current_dir(sb.path())
            .env("FERRY_DB", sb.join("ferry.db"))
            .env("NO_COLOR", "1")
            .args(["serve", "--bind", "127.0.0.1:0", "--quiet"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ferry serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("no address in `{line}`")
        });
        Server { addr: addr.to_string(), child }
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> HttpResponse {
        let cookie = cookie.map(|c| format!("ferry_session={c}"));
        let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("Cookie", c.as_str())).collect();
        http(&self.addr, "GET", path, &headers, b"")
    }

    /// A form POST with the session cookie and (when given) the CSRF header.
    pub fn post(&self, path: &str, cookie: &str, csrf: Option<&str>, form: &str) -> HttpResponse {
        let cookie = format!("ferry_session={cookie}");
        let mut headers =
            vec![("Cookie", cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        if let Some(t) = csrf {
            headers.push(("X-CSRF-Token", t));
        }
        http(&self.addr, "POST", path, &headers, form.as_bytes())
    }

    /// Signs in; returns the session cookie and the CSRF token.
    pub fn login(&self, user: &str, password: &str) -> (String, String) {
        let body = format!("user={user}&password={password}");
        let r = http(
            &self.addr,
            "POST",
            "/login",
            &[("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let cookie = r.header("set-cookie").expect("a session cookie").to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let token = cookie.split(';').next().unwrap().trim_start_matches("ferry_session=").to_string();
        (token, r.json()["csrf"].as_str().unwrap().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds a user with a password through `ferry users add`.
pub fn add_user(sb: &Sandbox, name: &str, role: &str) {
    let out = sb
        .ferry()
        .args(["users", "add", name, "--role", role, "--password-stdin"])
        .write_stdin("secret-pw\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A store with a completed job `existing` (the example, 30 contacts) and a
/// job `second` in Review Staged Data: the example again with Emily
/// Tremblay's birth date changed (a Potential Match, 70) and Rajesh Kumar's
/// last name removed (rejected); users `ann` (manage) and `vic` (view).
pub fn workspace(sb: &Sandbox) {
    example_package(sb);
    ok(sb, &["import", "example.zip", "--description", "existing"]);
    ok(sb, &["staged", "existing", "--submit"]);
    ok(sb, &["match", "existing"]);
    ok(sb, &["complete", "existing"]);
    let src = repo_file("templates/examples/three-tables");
    for f in ["addresses.csv", "phones.csv"] {
        sb.write(&format!("second/{f}"), std::fs::read(src.join(f)).unwrap());
    }
    let contacts = std::fs::read_to_string(src.join("contacts.csv")).unwrap();
    let contacts = contacts
        .replace("C002,Ms,Emily,Tremblay,28/09/1990", "C002,Ms,Emily,Tremblay,15/04/1972")
        .replace("C003,Dr,Rajesh,Kumar,", "C003,Dr,Rajesh,,");
    sb.write("second/contacts.csv", contacts);
    // Staged as a package would be (`pack` refuses the row without a last name).
    let mut store = Store::open(&sb.join("ferry.db")).expect("store opens");
    let pkg = DirPackage::new(sb.join("second").to_str().unwrap(), "templates/mappings/three-tables.json");
    stage(&mut store, "second", &[pkg], &ImportOptions::default(), &NoReporter).expect("stages");
    add_user(sb, "ann", "manage");
    add_user(sb, "vic", "view");
}

#[test]
fn users_are_added_listed_and_removed_and_passwords_are_not_shown() {
    let sb = Sandbox::new();
    add_user(&sb, "ann", "manage");
    add_user(&sb, "vic", "view");
    let listed = json(&sb, &["users", "list"]);
    assert_eq!(listed[0]["name"], "ann");
    assert_eq!(listed[0]["role"], "manage");
    assert_eq!(listed[1]["role"], "view");
    assert!(!listed.to_string().contains("argon2"), "{listed}");
    let short = sb
        .ferry()
        .args(["users", "add", "bob", "--role", "view", "--password-stdin"])
        .write_stdin("short\n")
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2));
    assert!(stderr(&short).contains("shorter than 8"), "{}", stderr(&short));
    ok(&sb, &["users", "remove", "vic"]);
    assert_eq!(json(&sb, &["users", "list"]).as_array().unwrap().len(), 1);
    let missing = sb.ferry().args(["users", "remove", "vic"]).output().unwrap();
    assert!(stderr(&missing).contains("no user `vic`"), "{}", stderr(&missing));
}

#[test]
fn anonymous_requests_are_sent_to_login_or_refused() {
    let sb = Sandbox::new();
    workspace(&sb);
    let server = Server::start(&sb);
    let page = server.get("/", None);
    assert_eq!((page.status, page.header("location")), (303, Some("/login")));
    assert_eq!(server.get("/jobs/2", None).status, 303);
    assert_eq!(server.get("/api/jobs", None).status, 401);
    assert_eq!(server.get("/api/jobs/2/staged", None).status, 401);
    assert_eq!(server.get("/api/jobs", Some("forged")).status, 401);
    assert_eq!(server.get("/login", None).status, 200);
    let wrong = http(
        &server.addr,
        "POST",
        "/login",
        &[("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded")],
        b"user=ann&password=wrong-pw",
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("set-cookie").is_none());
    // A password changed ends the session.
    let (cookie, _) = server.login("ann", "secret-pw");
    assert_eq!(server.get("/api/jobs", Some(&cookie)).status, 200);
    let out = sb
        .ferry()
        .args(["users", "passwd", "ann", "--password-stdin"])
        .write_stdin("another-pw\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.get("/api/jobs", Some(&cookie)).status, 401);
    server.login("ann", "another-pw");
}

#[test]
fn state_changing_requests_need_the_csrf_token() {
    let sb = Sandbox::new();
    workspace(&sb);
    let server = Server::start(&sb);
    let (cookie, csrf) = server.login("ann", "secret-pw");
    let refused = server.post("/api/jobs/second/submit", &cookie, None, "");
    assert_eq!(refused.status, 403, "{}", refused.text());
    let forged = server.post("/api/jobs/second/submit", &cookie, Some("0000"), "");
    assert_eq!(forged.status, 403);
    assert_eq!(json(&sb, &["jobs", "show", "second"])["stage"], "Review Staged Data", "nothing changed");
    // The token as a form field works as well as the header.
    let done = server.post("/api/jobs/second/submit", &cookie, None, &format!("csrf={csrf}"));
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["status"], "Queued");
}

#[test]
fn the_view_privilege_is_refused_every_post() {
    let sb = Sandbox::new();
    workspace(&sb);
    let server = Server::start(&sb);
    let (cookie, csrf) = server.login("vic", "secret-pw");
    assert_eq!(server.get("/api/jobs/second", Some(&cookie)).status, 200);
    assert_eq!(server.get("/jobs/2", Some(&cookie)).status, 200);
    for path in [
        "/api/jobs/2/submit",
        "/api/jobs/2/match",
        "/api/jobs/2/complete",
        "/api/jobs/1/undo",
        "/api/jobs/2/delete",
        "/api/jobs/2/accept-all",
        "/api/jobs/2/staged/1",
        "/api/jobs/2/staged/delete",
        "/api/jobs/1/matches/1",
        "/api/jobs/1/matches/1/same",
        "/api/import",
    ] {
        let r = server.post(path, &cookie, Some(&csrf), "ids=31&all=1&firstName=X&action=Create");
        assert_eq!(r.status, 403, "{path}: {}", r.text());
    }
    // Signing out is the one POST a viewer may make.
    assert_eq!(server.post("/logout", &cookie, None, "").status, 403);
    assert_eq!(server.post("/logout", &cookie, Some(&csrf), "").status, 303);
    assert_eq!(server.get("/api/jobs", Some(&cookie)).status, 401);
    let show = json(&sb, &["jobs", "show", "second"]);
    assert_eq!(show["stage"], "Review Staged Data");
    assert_eq!(show["counts"]["records_remaining"], 29, "{show}");
    assert_eq!(json(&sb, &["jobs", "show", "existing"])["stage"], "Completed");
}

#[test]
fn the_api_answers_what_the_command_line_prints() {
    let sb = Sandbox::new();
    workspace(&sb);
    let server = Server::start(&sb);
    let (cookie, csrf) = server.login("ann", "secret-pw");
    let same = |path: &str, args: &[&str]| {
        let r = server.get(path, Some(&cookie));
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        let out = sb.ferry().args(args).output().unwrap();
        assert_eq!(r.text(), String::from_utf8(out.stdout).unwrap(), "{path} against ferry {args:?}");
    };
    same("/api/jobs", &["jobs", "--json"]);
    same("/api/jobs?stage=completed", &["jobs", "--json", "--stage", "completed"]);
    same("/api/jobs/second", &["jobs", "show", "second", "--json"]);
    same(
        "/api/jobs/2/staged?sort=-lastName&limit=5&offset=2",
        &["staged", "2", "--json", "--sort=-lastName", "--limit", "5", "--offset", "2"],
    );
    same("/api/jobs/existing/matches", &["review", "existing", "--list", "--json"]);
    // The error file is the CSV `ferry errors` writes.
    let errors = server.get("/api/jobs/second/errors", Some(&cookie));
    assert_eq!(errors.status, 200);
    assert!(errors.header("content-disposition").unwrap().contains("job-2-errors.csv"));
    ok(&sb, &["errors", "second", "--out", "errors.csv"]);
    assert_eq!(errors.body, std::fs::read(sb.join("errors.csv")).unwrap());
    // A write answers what the command line prints for it, and is on the audit trail.
    ok(&sb, &["staged", "second", "--delete", "32"]);
    let r = server.post("/api/jobs/second/staged/delete", &cookie, Some(&csrf), "ids=31");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "{\n  \"deleted\": 1\n}\n");
    let audit = server.get("/api/jobs/second/audit", Some(&cookie)).json();
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["user"].as_str().unwrap(), a["action"].as_str().unwrap()))
        .collect();
    assert!(actions[0].0.starts_with("cli"), "{audit}");
    assert_eq!(actions[0].1, "delete staged");
    assert_eq!(actions.last(), Some(&("ann", "delete staged")));
    // Unknown jobs and bad filters are errors with a message.
    let nope = server.get("/api/jobs/nope", Some(&cookie));
    assert_eq!((nope.status, nope.json()["kind"].as_str()), (404, Some("no-such-job")));
    let bad = server.get("/api/jobs?stage=Sleeping", Some(&cookie));
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("`Sleeping`"));
    assert_eq!(bad.json()["kind"], "bad-param");
}

#[test]
fn a_write_based_on_a_stale_page_is_refused() {
    let sb = Sandbox::new();
    workspace(&sb);
    let server = Server::start(&sb);
    add_user(&sb, "bea", "manage");
    let (ann, ann_csrf) = server.login("ann", "secret-pw");
    let (bea, bea_csrf) = server.login("bea", "secret-pw");
    // Both open the edit page of staged record 31 and read its version.
    let version = |cookie: &str| {
        let page = server.get("/jobs/2/staged/31", Some(cookie)).text();
        let at = page.find("name=\"version\" value=\"").expect("a version field") + 22;
        page[at..at + 16].to_string()
    };
    let (seen_by_ann, seen_by_bea) = (version(&ann), version(&bea));
    let first = server.post(
        "/api/jobs/2/staged/31",
        &ann,
        Some(&ann_csrf),
        &format!("version={seen_by_ann}&firstName=Johnny"),
    );
    assert_eq!(first.status, 200, "{}", first.text());
    let second = server.post(
        "/api/jobs/2/staged/31",
        &bea,
        Some(&bea_csrf),
        &format!("version={seen_by_bea}&firstName=Jack"),
    );
    assert_eq!(second.status, 409, "{}", second.text());
    assert!(second.json()["error"].as_str().unwrap().contains("reload"), "{}", second.text());
    assert_eq!(second.json()["kind"], "stale", "{}", second.text());
    let listed = json(&sb, &["staged", "2", "--columns", "id,firstName"]);
    let row = listed["rows"].as_array().unwrap().iter().find(|r| r["id"] == 31).unwrap().clone();
    assert_eq!(row["values"][1], "Johnny", "the first write stays");
    // After a reload the second reviewer's write goes through.
    let again = server.post(
        "/api/jobs/2/staged/31",
        &bea,
        Some(&bea_csrf),
        &format!("version={}&firstName=Jack", version(&bea)),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    // A value the target refuses is refused with its reason.
    let bad = server.post(
        "/api/jobs/2/staged/31",
        &ann,
        Some(&ann_csrf),
        &format!("version={}&birthDate=31/02/1987", version(&ann)),
    );
    assert_eq!(bad.status, 422, "{}", bad.text());
}

#[test]
fn binding_beyond_loopback_warns_about_tls() {
    let sb = Sandbox::new();
    // An address that cannot be bound ends the command after the warning.
    let out = sb.ferry().args(["serve", "--bind", "203.0.113.1:1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("warning") && err.contains("TLS"), "{err}");
    assert!(err.contains("cannot listen on `203.0.113.1:1`"), "{err}");
}
