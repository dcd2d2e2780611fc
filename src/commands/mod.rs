//! One thin file per verb: parse, resolve settings, call one library function, render.

use crate::Outcome;
use crate::cli::{Cli, Command};
use crate::printer::Printer;

pub mod check;
pub mod complete;
pub mod completions;
pub mod demo;
pub mod diff;
pub mod errors;
pub mod export;
pub mod import;
pub mod inspect;
pub mod jobs;
pub mod learn;
pub mod legacy;
pub mod man;
pub mod map;
pub mod matching;
pub mod pack;
pub mod profile;
pub mod review;
pub mod run;
pub mod schema;
pub mod serve;
pub mod staged;
pub mod targets;
pub mod template;
pub mod undo;
pub mod users;
pub mod warnings;

/// `--out FILE` as a path; `None` for stdout (no `--out`, or `--out -`).
pub fn out_path(out: Option<&std::path::Path>) -> Option<&std::path::Path> {
    out.filter(|p| p.as_os_str() != "-")
}

/// True for `--out -` (stdout).
pub fn is_stdout(out: &std::path::Path) -> bool {
    out_path(Some(out)).is_none()
}

/// How an output is named in messages: `` `path` `` or `stdout`.
pub fn shown(out: &std::path::Path) -> String {
    if is_stdout(out) { "stdout".to_string() } else { format!("`{}`", out.display()) }
}

/// Refuses `--out -` together with `--json`: both would print on stdout.
pub fn refuse_json_on_stdout(out: &std::path::Path, printer: &Printer) -> anyhow::Result<()> {
    if printer.json && is_stdout(out) {
        return Err(crate::hint(
            anyhow::anyhow!("`--out -` and `--json` both print on stdout"),
            "give `--out FILE` with `--json`, or leave out `--json`",
        ));
    }
    Ok(())
}

/// Runs a writer of files on `out`; for `--out -`, on a scratch file that is
/// then copied to stdout whole, so a writer that fails prints nothing there
/// either. The writer gets the path to write and whether to replace it.
pub fn write_out<T>(
    out: &std::path::Path,
    force: bool,
    printer: &Printer,
    write: impl FnOnce(&std::path::Path, bool) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    use anyhow::Context;
    if !is_stdout(out) {
        return write(out, force);
    }
    refuse_json_on_stdout(out, printer)?;
    let dir = tempfile::Builder::new()
        .prefix(".ferry-out-")
        .tempdir()
        .context("cannot create a scratch directory for `--out -`")?;
    let scratch = dir.path().join("out");
    let value = write(&scratch, true)?;
    let mut file = std::fs::File::open(&scratch).context("cannot read back the output for `--out -`")?;
    let mut stdout = std::io::stdout().lock();
    std::io::copy(&mut file, &mut stdout)?;
    std::io::Write::flush(&mut stdout)?;
    Ok(value)
}

/// Runs the verb the command line names.
pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<Outcome> {
    let global = &cli.global;
    match cli.command {
        Command::Targets(args) => targets::run(args, global, printer),
        Command::Template(args) => template::run(args, global, printer),
        Command::Profile(args) => profile::run(args, global, printer),
        Command::Map(args) => map::run(args, global, printer),
        Command::Check(args) => check::run(args, global, printer),
        Command::Diff(args) => diff::run(args, global, printer),
        Command::Pack(args) => pack::run(args, global, printer),
        Command::Inspect(args) => inspect::run(args, global, printer),
        Command::Import(args) => import::run(args, global, printer),
        Command::Jobs(args) => jobs::run(args, global, printer),
        Command::Staged(args) => staged::run(args, global, printer),
        Command::Match(args) => matching::run(args, global, printer),
        Command::Learn(args) => learn::run(args, global, printer),
        Command::Review(args) => review::run(args, global, printer),
        Command::Complete(args) => complete::run(args, global, printer),
        Command::Undo(args) => undo::run(args, global, printer),
        Command::Run(args) => run::run(args, global, printer),
        Command::Export(args) => export::run(args, global, printer),
        Command::Warnings(args) => warnings::run(args, global, printer),
        Command::Errors(args) => errors::run(args, global, printer),
        Command::Demo(args) => demo::run(args, global, printer),
        Command::Completions(args) => completions::run(args, global, printer),
        Command::Man(args) => man::run(args, global, printer),
        Command::Serve(args) => serve::run(args, global, printer),
        Command::Users(args) => users::run(args, global, printer),
        Command::Schema(args) => schema::run(args, global, printer),
    }
}
