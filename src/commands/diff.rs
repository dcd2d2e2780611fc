//! `ferry diff A B`: what changed between two mapping templates. Exits 0
//! when they mean the same, 1 when they differ (like diff(1)).

use std::path::PathBuf;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::commands::check::load_template;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ferry diff mapping.json mapping-v2.json")]
pub struct Args {
    /// The old template
    #[arg(value_name = "A")]
    old: PathBuf,
    /// The new template
    #[arg(value_name = "B")]
    new: PathBuf,
    /// Also print a unified diff of both templates' normalised JSON
    #[arg(long, short)]
    unified: bool,
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let old = load_template(&args.old)?;
    let new = load_template(&args.new)?;
    let diff = ferry_mapper::diff::diff(&old, &new);
    let unified = args.unified.then(|| {
        ferry_mapper::diff::unified(
            &old,
            &new,
            &args.old.display().to_string(),
            &args.new.display().to_string(),
        )
    });
    if printer.json {
        let mut value = serde_json::json!({ "identical": diff.is_empty(), "diff": diff });
        if let Some(u) = unified {
            value["unified"] = serde_json::Value::String(u);
        }
        printer.json(&value)?;
    } else {
        let text = diff.to_string();
        if !text.is_empty() {
            printer.out(text.trim_end())?;
        }
        if let Some(u) = unified.filter(|u| !u.is_empty()) {
            printer.out("")?;
            printer.out(u.trim_end())?;
        }
        if diff.is_empty() {
            printer.info("the templates are the same (after normalising order and defaults)");
        }
    }
    Ok(if diff.is_empty() { Outcome::Success } else { Outcome::Problems })
}
