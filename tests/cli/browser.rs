//! End-to-end tests of the workspace in a real browser: headless Chromium
//! driven over WebDriver (Debian's `chromium` and `chromium-driver`, or
//! `FERRY_CHROMIUM` / `FERRY_CHROMEDRIVER`). Without a browser the test
//! fails: `.ci/run` installs them.
//!
//! With `FERRY_SCREENSHOT=path.png` the review page is saved there
//! (`docs/screenshot.sh` makes the README's picture so).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{Server, workspace};
use crate::util::{Sandbox, http};

fn tool(var: &str, default: &str) -> String {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_string());
    assert!(
        std::path::Path::new(&path).exists(),
        "no `{path}`: the browser tests need Chromium and its WebDriver \
         (`apt-get install -y chromium chromium-driver`, or set {var})"
    );
    path
}

/// A chromedriver process with one headless Chromium session.
struct Browser {
    driver: Child,
    addr: String,
    session: String,
}

impl Browser {
    fn start(downloads: &std::path::Path, profile: &std::path::Path) -> Browser {
        let chromium = tool("FERRY_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = tool("FERRY_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut browser = Browser { driver, addr, session: String::new() };
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1280,1000",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": { "download.default_directory": downloads.display().to_string(),
                           "download.prompt_for_download": false }
            }
        }}});
        let created = browser.call("POST", "/session", Some(caps));
        browser.session =
            created["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}")).to_string();
        browser
    }

    fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Value> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = http(&self.addr, method, path, &[("Content-Type", "application/json")], body.as_bytes());
        let v = r.json();
        if r.status < 400 { Ok(v["value"].clone()) } else { Err(v) }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body.as_ref())
            .unwrap_or_else(|v| panic!("WebDriver {method} {path}: {v}"))
    }

    fn cmd(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{what}", self.session), body)
    }

    /// Runs `step` on the element `css` of the page, retrying while the page
    /// is still being replaced (a form answered with a redirect) for 15 s.
    fn on<T>(&self, css: &str, step: impl Fn(&str) -> Result<T, Value>) -> T {
        let started = Instant::now();
        let by = json!({ "using": "css selector", "value": css });
        loop {
            let found = self
                .try_call("POST", &format!("/session/{}/element", self.session), Some(&by))
                .and_then(|v| {
                    v.as_object()
                        .and_then(|o| o.values().next())
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or(v)
                });
            match found.and_then(|id| step(&id)) {
                Ok(out) => return out,
                Err(e) if started.elapsed() > Duration::from_secs(15) => panic!("`{css}`: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        self.on(css, |id| Ok(id.to_string()))
    }

    fn element(&self, id: &str, method: &str, what: &str, body: Option<Value>) -> Result<Value, Value> {
        self.try_call(method, &format!("/session/{}/element/{id}{what}", self.session), body.as_ref())
    }

    fn click(&self, css: &str) {
        self.on(css, |id| self.element(id, "POST", "/click", Some(json!({}))));
    }

    fn fill(&self, css: &str, text: &str) {
        self.on(css, |id| {
            self.element(id, "POST", "/clear", Some(json!({})))?;
            self.element(id, "POST", "/value", Some(json!({ "text": text })))
        });
    }

    fn text(&self, css: &str) -> String {
        self.on(css, |id| self.element(id, "GET", "/text", None)).as_str().unwrap_or("").to_string()
    }

    /// The text of `css` once it contains `needle`: a click that submits a
    /// form replaces the page a moment later, so the old page's text is not
    /// the answer. Fails with the last text seen after 15 s.
    fn text_with(&self, css: &str, needle: &str) -> String {
        self.text_until(css, needle, |t| t.contains(needle))
    }

    /// The text of `css` once `ready` holds for it (`what` names the wait in
    /// the failure).
    fn text_until(&self, css: &str, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(css);
            if ready(&text) {
                return text;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "`{css}` never showed {what}: {text}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap_or("").to_string()
    }

    fn screenshot(&self) -> Vec<u8> {
        base64(self.cmd("GET", "/screenshot", None).as_str().unwrap())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(&self.addr, "DELETE", &format!("/session/{}", self.session), &[], b"");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> =
        text.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()).map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn a_manager_reviews_an_import_in_the_browser_from_staging_to_completion() {
    let sb = Sandbox::new();
    workspace(&sb);
    let server = Server::start(&sb);
    let downloads = sb.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let b = Browser::start(&downloads, &sb.join("chromium-profile"));
    let url = |path: &str| format!("http://{}{path}", server.addr);

    // Sign in.
    b.go(&url("/"));
    assert!(b.url().ends_with("/login"), "{}", b.url());
    b.fill("#user", "ann");
    b.fill("#password", "secret-pw");
    b.click("#signin");
    b.text_with("#jobs", "existing");

    // Filter the jobs: search, then a Stage chip.
    b.fill("#search", "sec");
    b.click("#apply-search");
    b.text_until("#jobs", "only the job `second`", |t| t.contains("second") && !t.contains("existing"));
    b.go(&url("/"));
    b.click("#chips-stage a:nth-of-type(4)");
    b.text_until("#jobs", "Completed jobs only", |t| t.contains("existing") && !t.contains("second"));

    // Open the job, edit a staged record: a bad date is refused, a good name saved.
    b.go(&url("/jobs/2"));
    b.text_with("#banner", "rejected");
    b.click("#edit-31");
    b.fill("#field-birthDate", "31/02/1985");
    b.click("#save");
    b.text_with("#err", "31/02/1985");
    b.go(&url("/jobs/2/staged/31"));
    b.fill("#field-firstName", "Johnny");
    b.click("#save");
    b.text_with("#msg", "saved");
    b.text_with("#staged-rows", "Johnny");

    // Submit for matching, run it.
    b.click("#submit");
    b.text_with("#msg", "submitted");
    b.click("#run-matching");
    b.text_with("#msg", ", 1 Potential Match");
    b.find("#histogram");

    // Review a Potential Match and merge it with its candidate.
    b.click("#review-matches");
    b.click("#class-potential-match");
    b.text_until("#matches", "Tremblay as a Potential Match", |t| {
        t.contains("Tremblay") && t.contains("Potential Match")
    });
    b.click("#matches a[id^=review-]");
    b.text_with("#compare-table tr.diff", "1972-04-15");
    b.find("#compare-table tr.diff");
    if let Ok(path) = std::env::var("FERRY_SCREENSHOT") {
        std::fs::write(&path, b.screenshot()).unwrap();
    }
    b.click("#target-0");
    b.click("#action-merge");
    b.click("#save-action");
    b.text_with("#msg", "saved");
    b.text_with("#chosen", "Merge");

    // Complete the import.
    b.click("#complete");
    b.text_with("#msg", "marked as complete");
    b.text_with("#msg", "1 merged");
    b.text_with("#banner", "Completed");

    // Download the error file.
    b.click("#download-errors");
    let started = Instant::now();
    let file = loop {
        let found = std::fs::read_dir(&downloads)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "csv"));
        if let Some(f) = found {
            break f;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no error file downloaded");
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
    assert!(text.contains("C003") && text.contains("Last Name"), "{text}");
}
