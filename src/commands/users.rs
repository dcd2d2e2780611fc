//! `ferry users`: the workspace's users and their privileges (`view`, `manage`).

use std::io::BufRead;

use ferry_runner::users::{self, Role};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{create_store, open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  printf '%s\\n' \"$PASSWORD\" | ferry users add ann --role manage --password-stdin\n  ferry users list"
)]
pub struct Args {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UsersCommand {
    /// Add a user of `ferry serve`
    Add {
        /// The user's name (letters, digits, `.`, `_`, `-`, `@`)
        name: String,
        /// view: see everything, change nothing (ImportProcessView); manage: also import,
        /// edit, submit, choose actions, complete, undo and delete (ImportProcessManage)
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the password (at least 8 characters) from the first line of stdin
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the users and their privileges
    List,
    /// Remove a user (their sessions end)
    Remove {
        /// The user's name
        name: String,
    },
    /// Change a user's password (their sessions end)
    Passwd {
        /// The user's name
        name: String,
        /// Read the new password from the first line of stdin
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    View,
    Manage,
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(crate::hint(
            anyhow::anyhow!("no password on stdin"),
            "pipe it in: `printf '%s\\n' \"$PASSWORD\" | ferry users add NAME --role view --password-stdin`",
        ));
    }
    Ok(password)
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    // Adding the first user may create the store (before `ferry serve`); the rest need one.
    let mut store = match args.command {
        UsersCommand::Add { .. } => create_store(global)?,
        _ => open_store(global)?,
    };
    match args.command {
        UsersCommand::Add { name, role, .. } => {
            let password = read_password()?;
            let role = match role {
                RoleArg::View => Role::View,
                RoleArg::Manage => Role::Manage,
            };
            let user = users::add(&mut store, &name, role, &password).map_err(runner_error)?;
            if printer.json {
                printer.json(&user)?;
            } else {
                printer.out(format!("added user `{}` ({})", user.name, user.role.as_str()))?;
            }
        }
        UsersCommand::List => {
            let list = users::list(&store).map_err(runner_error)?;
            if printer.json {
                printer.json(&list)?;
            } else if list.is_empty() {
                printer.info("no users yet; `ferry users add NAME --role manage --password-stdin` adds one");
            } else {
                let mut t = crate::table::Table::new(["name", "role", "added"]);
                for u in &list {
                    t.row([u.name.as_str(), u.role.as_str(), u.created_at.as_str()]);
                }
                printer.table(t)?;
            }
        }
        UsersCommand::Remove { name } => {
            users::remove(&mut store, &name).map_err(runner_error)?;
            printer.out(format!("removed user `{name}`"))?;
        }
        UsersCommand::Passwd { name, .. } => {
            let password = read_password()?;
            users::set_password(&mut store, &name, &password).map_err(runner_error)?;
            printer.out(format!("changed the password of `{name}`"))?;
        }
    }
    Ok(Outcome::Success)
}
