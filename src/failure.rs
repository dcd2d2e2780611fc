//! What an error says, read once from its chain: the lines printed as
//! `error:` / `caused by:`, the hint, and for `--json` a kind and the
//! position (file, line, column) the typed library errors carry.

use std::path::Path;

use serde::Serialize;

/// An error as `--json` prints it on stdout: one object.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// What went wrong, as a stable kebab-case word (`usage`, `io`, `read`, `schema` …).
    pub kind: String,
    /// The message, with its causes after `: `.
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u64>,
    /// A column name, or a JSON or XML path.
    pub column: Option<String>,
    pub hint: Option<String>,
    /// The message lines: the error first, then its causes (not serialised).
    #[serde(skip)]
    pub lines: Vec<String>,
}

/// Where an error is and what kind it is.
#[derive(Default)]
struct Position {
    kind: Option<String>,
    file: Option<String>,
    line: Option<u64>,
    column: Option<String>,
}

fn path(p: &Path) -> Option<String> {
    Some(p.display().to_string())
}

fn mapper(e: &ferry_mapper::Error) -> Position {
    use ferry_mapper::Error as E;
    let at = |kind: &str, file: Option<String>| Position {
        kind: Some(kind.to_string()),
        file,
        ..Position::default()
    };
    match e {
        E::Io { path: p, .. } => at("io", path(p)),
        E::Json { path: p, line, column, .. } => Position {
            kind: Some("json".into()),
            file: path(p),
            line: Some(*line as u64),
            column: Some(column.to_string()),
        },
        E::Schema { path: p, errors } => {
            Position { column: errors.first().map(|e| e.json_path.clone()), ..at("schema", path(p)) }
        }
        E::Invalid { path: p, .. } => at("invalid", path(p)),
        E::UnknownTarget { .. } => at("unknown-target", None),
        E::Read { path: p, line, .. } => Position { line: Some(*line), ..at("read", path(p)) },
        E::UnknownEncoding { path: p, .. } => at("unknown-encoding", path(p)),
        E::Spreadsheet { path: p, .. } => at("spreadsheet", path(p)),
        E::Mapping { file, .. } => at("mapping", Some(file.clone())),
        // A package member's error, carried through the mapper's table.
        E::Source(source) => source.downcast_ref::<ferry_packager::Error>().map(packager).unwrap_or_default(),
        #[allow(unreachable_patterns)]
        _ => Position::default(),
    }
}

fn packager(e: &ferry_packager::Error) -> Position {
    use ferry_packager::Error as E;
    let kind = |kind: &str| Position { kind: Some(kind.to_string()), ..Position::default() };
    match e {
        E::Io { path: p, .. } => Position { file: path(p), ..kind("io") },
        E::Mapper(m) => mapper(m),
        // The package's own kind (`bad-csv`, `encoding`, `path-escapes` …), as `inspect` reports it.
        E::Invalid { path: p, kind: why, .. } => {
            let why = serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_string));
            Position {
                kind: Some(why.unwrap_or_else(|| "invalid-package".into())),
                file: path(p),
                ..Position::default()
            }
        }
        E::Check { source, .. } => mapper(source),
        E::Pack { .. } => kind("pack"),
        E::Unencodable { file, line, column, .. } => Position {
            kind: Some("unencodable".into()),
            file: Some(file.clone()),
            line: Some(*line),
            column: Some(column.clone()),
        },
        #[allow(unreachable_patterns)]
        _ => Position::default(),
    }
}

fn runner(e: &ferry_runner::Error) -> Position {
    use ferry_runner::Error as E;
    // The variant's own kind (`Error::kind`), with where it is when the error knows.
    let at = |file: Option<String>, line: Option<u64>, column: Option<&String>| Position {
        kind: Some(e.kind().to_string()),
        file,
        line,
        column: column.cloned(),
    };
    match e {
        E::Package(p) => packager(p),
        E::Mapper(m) => mapper(m),
        E::Matching(m) => matching(m),
        // The cause's kind: the package's own fault, not a generic failure.
        E::ImportFailed { cause, .. } => runner(cause),
        E::Sqlite { path: p, .. }
        | E::Io { path: p, .. }
        | E::StoreTooNew { path: p, .. }
        | E::Unreadable { path: p, .. }
        | E::KindMismatch { package: p, .. }
        | E::PackageTwice { path: p, .. } => at(path(p), None, None),
        E::BadAnswer { file, line, .. } => at(path(file), *line, None),
        E::BadValue { field: c, .. }
        | E::UnknownColumn { name: c, .. }
        | E::UnknownField { name: c, .. }
        | E::NotEditable { name: c } => at(None, None, Some(c)),
        _ => at(None, None, None),
    }
}

fn matching(e: &ferry_runner::matching::Error) -> Position {
    use ferry_runner::matching::Error as E;
    let at = |kind: &str, file: &Path, column: Option<&String>| Position {
        kind: Some(kind.to_string()),
        file: path(file),
        line: None,
        column: column.cloned(),
    };
    match e {
        E::Io { path: p, .. } => at("io", p, None),
        E::Load(m) => mapper(m),
        // Where in the profile: a JSON pointer.
        E::Profile { path: p, at: pointer, .. } => at("bad-profile", p, Some(pointer)),
    }
}

/// The kind and position of one error of the chain, when it is a typed one.
fn typed(cause: &(dyn std::error::Error + 'static)) -> Position {
    if let Some(e) = cause.downcast_ref::<ferry_mapper::Error>() {
        mapper(e)
    } else if let Some(e) = cause.downcast_ref::<ferry_packager::Error>() {
        packager(e)
    } else if let Some(e) = cause.downcast_ref::<ferry_runner::Error>() {
        runner(e)
    } else if let Some(e) = cause.downcast_ref::<ferry_runner::matching::Error>() {
        matching(e)
    } else if cause.downcast_ref::<std::io::Error>().is_some() {
        Position { kind: Some("io".into()), ..Position::default() }
    } else {
        Position::default()
    }
}

impl Failure {
    /// Reads an error's chain: the first typed error gives the kind and position.
    pub fn of(err: &anyhow::Error) -> Failure {
        let mut hint = None;
        let mut lines: Vec<String> = Vec::new();
        let mut position = Position::default();
        for cause in err.chain() {
            // A hinted error displays as the error it wraps: keep its text too.
            if let Some(h) = cause.downcast_ref::<crate::Hinted>() {
                hint.get_or_insert_with(|| h.hint.clone());
            }
            if cause.downcast_ref::<ferry_runner::Error>().is_some_and(ferry_runner::Error::is_busy) {
                hint.get_or_insert_with(|| {
                    "another ferry is writing to the store (a large import holds it until it commits); run this again when it has finished".to_string()
                });
            }
            if position.kind.is_none() {
                position = typed(cause);
            }
            // A hinted error's source skips the error it wraps: read that one too.
            if let Some(h) = cause.downcast_ref::<crate::Hinted>()
                && position.kind.is_none()
            {
                position = typed(h.error.as_ref());
            }
            let text = cause.to_string();
            if lines.last() != Some(&text) && !lines.iter().any(|l: &String| l.contains(&text)) {
                lines.push(text);
            }
        }
        Failure {
            kind: position.kind.unwrap_or_else(|| "error".into()),
            message: lines.join(": "),
            file: position.file,
            line: position.line,
            column: position.column,
            hint,
            lines,
        }
    }

    /// A command-line usage error (from clap).
    pub fn usage(err: &clap::Error) -> Failure {
        let rendered = err.to_string();
        let message = rendered.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
        Failure {
            kind: "usage".to_string(),
            message: message.clone(),
            file: None,
            line: None,
            column: None,
            hint: Some("`ferry --help` lists the verbs, `ferry VERB --help` their options".to_string()),
            lines: vec![message],
        }
    }
}
