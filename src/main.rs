//! The `ferry` binary: parse the command line, run one verb, map the outcome
//! to an exit code.
//!
//! Exit codes: 0 success; 1 the run finished but the data has problems it
//! reported; 2 usage, I/O or internal error. A broken pipe is 0.

use std::process::ExitCode;

/// mimalloc: an import or a pack allocates and frees a few dozen small values
/// per row on two threads, where the system allocator spent a third of the
/// converting thread's time (bench/import.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bar;
mod cli;
mod commands;
mod failure;
mod printer;
mod prompt;
mod store;
mod summary;
mod table;

/// How a verb that ran to its end finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went well.
    Success,
    /// The run finished, but the data has problems that were reported.
    Problems,
}

/// An error with a `hint:` line telling the user what to do.
#[derive(Debug)]
pub struct Hinted {
    pub error: anyhow::Error,
    pub hint: String,
}

impl std::fmt::Display for Hinted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// Wraps `error` with a hint.
pub fn hint(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted { error: error.into(), hint: hint.into() })
}

fn main() -> ExitCode {
    let cli = match cli::Cli::parse_args() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    let printer = printer::Printer::new(&cli.global);
    match commands::run(cli, &printer) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let failure = failure::Failure::of(&err);
            printer.failure(&failure);
            if printer.json {
                // Scripts read the error from stdout as one object; a closed stdout changes nothing.
                let _ = printer.json(&failure);
            }
            ExitCode::from(2)
        }
    }
}

/// clap's own output (help, version) and its usage errors; under `--json`
/// a usage error is also one JSON object on stdout.
fn usage_error(err: &clap::Error) -> ExitCode {
    let code = err.exit_code();
    let json = std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--json");
    if code == 2 && json {
        let failure = failure::Failure::usage(err);
        if let Ok(text) = serde_json::to_string_pretty(&failure) {
            use std::io::Write;
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }
    // A broken pipe while printing help is no error either.
    let _ = err.print();
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

/// A closed stdout (`ferry jobs --json | head -1`) anywhere in the chain: exit 0, quietly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let broken = |kind: Option<std::io::ErrorKind>| kind == Some(std::io::ErrorKind::BrokenPipe);
        broken(cause.downcast_ref::<std::io::Error>().map(std::io::Error::kind))
            || broken(cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind))
            || cause.downcast_ref::<Hinted>().is_some_and(|h| is_broken_pipe(&h.error))
            || cause.downcast_ref::<ferry_runner::Error>().is_some_and(
                |e| matches!(e, ferry_runner::Error::Io { source, .. } if broken(Some(source.kind()))),
            )
    })
}
