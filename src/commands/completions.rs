//! `ferry completions SHELL`: the shell completion script, generated from the clap types.

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

const EXAMPLES: &str = "\
Examples:
  ferry completions bash > ~/.local/share/bash-completion/completions/ferry
  ferry completions zsh > ~/.zfunc/_ferry        (with `fpath+=~/.zfunc` before `compinit`)";

#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    // Generated into memory: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::cli::command(), "ferry", &mut script);
    printer.raw(&script)?;
    Ok(Outcome::Success)
}
