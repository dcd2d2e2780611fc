//! `ferry diff A B`: what changed between two mapping templates, or between
//! two matching profiles (a file with `fields` and `thresholds`, such as one
//! written by `ferry learn`). Exits 0 when they mean the same, 1 when they
//! differ (like diff(1)).

use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::commands::check::load_template;
use crate::printer::Printer;
use ferry_runner::matching::MatchingProfile;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry diff mapping.json mapping-v2.json\n  ferry diff templates/matching/contacts.json learned.json"
)]
pub struct Args {
    /// The old template or matching profile
    #[arg(value_name = "A")]
    old: PathBuf,
    /// The new template or matching profile
    #[arg(value_name = "B")]
    new: PathBuf,
    /// Also print a unified diff of both templates' normalised JSON (templates only)
    #[arg(long, short)]
    unified: bool,
}

/// Whether a file reads as a matching profile (a JSON object with `fields`
/// and `thresholds`); unreadable files are left to the template loader's error.
fn is_profile(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("fields").is_some() && v.get("thresholds").is_some())
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    match (is_profile(&args.old), is_profile(&args.new)) {
        (true, true) => return profiles(&args, global, printer),
        (false, false) => {}
        (old, _) => {
            let (profile, other) = if old { (&args.old, &args.new) } else { (&args.new, &args.old) };
            anyhow::bail!(
                "`{}` is a matching profile but `{}` is not: give two mapping templates or two matching profiles",
                profile.display(),
                other.display()
            );
        }
    }
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

/// `ferry diff` of two matching profiles.
fn profiles(args: &Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let load = |p: &PathBuf| -> anyhow::Result<MatchingProfile> {
        super::matching::load_profile(Some(p))?
            .ok_or_else(|| anyhow::anyhow!("{}: no matching profile was read", p.display()))
    };
    let (old, new) = (load(&args.old)?, load(&args.new)?);
    let diff = ferry_runner::matching::diff::diff(&old, &new);
    if args.unified {
        printer.info("--unified compares mapping templates only; the profiles' changes follow");
    }
    if printer.json {
        printer.json(&serde_json::json!({ "identical": diff.is_empty(), "profiles": true, "diff": diff }))?;
    } else {
        let text = diff.to_string();
        if !text.is_empty() {
            printer.out(text.trim_end())?;
        }
        if diff.is_empty() {
            printer.info("the matching profiles are the same");
        }
    }
    Ok(if diff.is_empty() { Outcome::Success } else { Outcome::Problems })
}
