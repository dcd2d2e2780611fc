//! `ferry man`: the manual page (roff), generated from the clap types.

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry man > ferry.1 && man ./ferry.1")]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command()).render(&mut page)?;
    printer.raw(&page)?;
    Ok(Outcome::Success)
}
