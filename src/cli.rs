//! The command line: clap types. Each `///` is the `--help` text.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::commands;

/// ferry carries contacts and leads out of legacy systems and into a CRM.
///
/// The pipeline: profile legacy files, map them onto a target with a mapping
/// template, check the template over every row, pack the data into import
/// packages, import a package into staging, review the staged records, match
/// them against the records in the store, review the matches, complete.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every verb accepts, before or after it. `--db` is offered only by
/// the verbs that open the store ([`STORE_VERBS`], added in [`command`]); it
/// lands in `db` after parsing.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The store named by `--db` (or `FERRY_DB`, default `ferry.db`); read by the store verbs only
    #[arg(skip = PathBuf::from(DEFAULT_DB))]
    pub db: PathBuf,
    /// Print machine-readable JSON on stdout (and nothing else there; an error is one object)
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// No progress bars and no talk on stderr (warnings and errors still show)
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// When to colour the output
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the bundled target definitions
    Targets(commands::targets::Args),
    /// Write a blank CSV with a target's simple-import column headers
    Template(commands::template::Args),
    /// Profile legacy files: encoding, delimiter, rows, columns, samples, inferred kinds
    Profile(commands::profile::Args),
    /// Map a legacy export onto a target, interactively or with --auto
    Map(commands::map::Args),
    /// Dry-run a mapping template over every row and report every problem
    Check(commands::check::Args),
    /// Show what changed between two mapping templates or two matching profiles
    Diff(commands::diff::Args),
    /// Write import packages (size-capped ZIPs) from legacy data and a template
    ///
    /// The data is checked as `ferry check` would while the packages are built
    /// (on a second thread); they are read back, verified and given their
    /// names only when the check passes, so refused data leaves nothing.
    Pack(commands::pack::Args),
    /// List and validate the contents of an import package
    Inspect(commands::inspect::Args),
    /// Create an import job and stage a package's records
    ///
    /// Every row is converted and validated; the valid ones are staged, the
    /// others rejected with their reason (`ferry errors JOB`), in one
    /// transaction: an interrupted import leaves the store as it was. When no
    /// other process has the store open, staging writes under SQLite's rollback
    /// journal (each page once) and other ferry commands wait until it commits.
    Import(commands::import::Args),
    /// List, show and delete import jobs
    Jobs(commands::jobs::Args),
    /// List, edit and delete a job's staged records; submit them for matching
    Staged(commands::staged::Args),
    /// Match a job's staged records against the records in the store
    Match(commands::matching::Args),
    /// Estimate a matching profile from a job's records (Fellegi–Sunter, no labelled pairs)
    ///
    /// u-probabilities come from random pairs, m-probabilities and the prior from
    /// expectation–maximisation over candidate pairs; exact agreement on a rare value
    /// weighs more than on a common one. The profile is an ordinary profile file for
    /// `ferry match --profile`; quality is the match probability in percent.
    Learn(commands::learn::Args),
    /// Review match results and choose import actions
    Review(commands::review::Args),
    /// Carry out a job's import actions
    Complete(commands::complete::Args),
    /// Revert a completed import
    Undo(commands::undo::Args),
    /// Import, match and complete packages with the proposed actions, in one go
    Run(commands::run::Args),
    /// Export the store's contacts or leads as CSV
    Export(commands::export::Args),
    /// Write a job's rejected rows as CSV, in the upload's columns plus the reason
    Errors(commands::errors::Args),
    /// List a job's warnings (values dropped, truncated, ignored), or write them as CSV in the upload's columns
    Warnings(commands::warnings::Args),
    /// Run the whole pipeline on the bundled example data, printing each step
    Demo(commands::demo::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(commands::completions::Args),
    /// Print the manual page (roff) on stdout
    Man(commands::man::Args),
    /// Serve the import workspace in a browser, on this store
    ///
    /// Pages and a JSON API (`/api/…`, answering what `--json` prints) over
    /// the same operations as the command line, for the users of `ferry users`:
    /// view (ImportProcessView) sees everything, manage (ImportProcessManage)
    /// also changes jobs. Loopback only by default.
    Serve(commands::serve::Args),
    /// Add, list and remove the users of `ferry serve`, and set their passwords
    Users(commands::users::Args),
    /// Print the JSON Schema of a mapping template, target definition or matching profile
    Schema(commands::schema::Args),
}

/// The store when neither `--db` nor `FERRY_DB` names one.
pub const DEFAULT_DB: &str = "ferry.db";

/// The verbs that open the store, and so the only ones offering `--db`.
pub const STORE_VERBS: [&str; 13] = [
    "import", "jobs", "staged", "match", "learn", "review", "complete", "undo", "run", "export", "errors",
    "serve", "users",
];

/// `--db`, one declaration shared by the store verbs (and their sub-verbs: it is global below them).
fn db_arg() -> clap::Arg {
    clap::Arg::new("db")
        .long("db")
        .global(true)
        .help_heading("Global options")
        .env("FERRY_DB")
        .default_value(DEFAULT_DB)
        .value_name("PATH")
        .value_parser(clap::value_parser!(PathBuf))
        .help("The store: an SQLite file (`import`, `run` and `users add` create it; the others need it)")
}

/// The whole command line: the derived types plus `--db` on the store verbs
/// (completions and the man page are generated from this too).
pub fn command() -> clap::Command {
    STORE_VERBS.iter().fold(Cli::command(), |cmd, verb| cmd.mut_subcommand(verb, |c| c.arg(db_arg())))
}

impl Cli {
    /// Parses the process's arguments.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        let mut command = command();
        let matches = command.try_get_matches_from_mut(std::env::args_os())?;
        let mut cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
        let db = matches.subcommand().and_then(|(_, sub)| sub.try_get_one::<PathBuf>("db").ok().flatten());
        if let Some(db) = db {
            cli.global.db = db.clone();
        }
        Ok(cli)
    }
}
