//! `ferry errors` (not written yet).

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _global: &GlobalArgs, _printer: &Printer) -> anyhow::Result<Outcome> {
    anyhow::bail!("`ferry errors` is not available yet")
}
