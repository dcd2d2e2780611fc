//! Helpers for running the real `ferry` binary in a sandbox directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (where `templates/` lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under the repository root.
pub fn repo_file(rel: &str) -> PathBuf {
    repo().join(rel)
}

/// A temporary working directory with its own store.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating parent directories) and returns its path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `ferry` with the working directory, store and environment controlled.
    pub fn ferry(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.current_dir(self.path())
            .env_remove("FERRY_DB")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env("FERRY_DB", self.join("ferry.db"));
        cmd
    }

    /// `ferry map --data data --target TARGET --auto --out m.json`, which must succeed.
    pub fn map_auto(&self, target: &str) -> std::process::Output {
        let out = self
            .ferry()
            .args(["map", "--data", "data", "--target", target, "--auto", "--out", "m.json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out
    }

    /// The template `m.json`, parsed.
    pub fn template(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.join("m.json")).unwrap()).unwrap()
    }

    /// (line, record) of each staged record of the store, in line order.
    pub fn staged_records(&self) -> Vec<(i64, serde_json::Value)> {
        let conn = rusqlite::Connection::open(self.join("ferry.db")).unwrap();
        let mut stmt = conn.prepare("SELECT line, record FROM staged ORDER BY line").unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(|r| {
                let (line, record) = r.unwrap();
                (line, serde_json::from_str(&record).unwrap())
            })
            .collect()
    }
}

/// Stdout of a finished command as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Text with each run of blanks made one space: table columns compared without their widths.
pub fn squash(text: &str) -> String {
    text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n")
}

/// Stderr of a finished command as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An HTTP answer (for the tests of `ferry serve`).
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(120))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    // Read the head, then the body by its length (a server may keep the connection open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buf).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(n > 0, "{method} {path}: the connection closed before an HTTP head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status =
        lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let find =
        |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let chunked = find("transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let length = find("content-length").and_then(|v| v.parse::<usize>().ok());
    loop {
        let done = match length {
            Some(len) => body.len() >= len,
            None if chunked => body.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if chunked {
        body = unchunk(&body);
    }
    HttpResponse { status, headers, body }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}
