//! `ferry inspect`: list and validate an import package.

use std::path::PathBuf;

use ferry_packager::Invalid;
use ferry_packager::inspect::{InspectOptions, InspectReport};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::{Printer, bytes};
use crate::table::Table;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  ferry inspect contacts.zip\n  ferry inspect contacts.zip --json")]
pub struct Args {
    /// The package (a ZIP written by `ferry pack`, or by anyone)
    #[arg(value_name = "PKG.zip")]
    pub package: PathBuf,
    /// The size cap the package must respect: bytes or KB, MB, GB (1024-based)
    #[arg(long, value_name = "SIZE", default_value = "10MB", value_parser = ferry_packager::inspect::parse_size)]
    pub max_size: u64,
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let report =
        ferry_packager::inspect::inspect(&args.package, &InspectOptions { max_size: args.max_size })?;
    // Not a ZIP at all: nothing to list, so no report but an error.
    if report.contents.is_none() && report.checks.iter().any(|c| c.kind == Some(Invalid::NotZip)) {
        // The ZIP reader's own words (`Could not find EOCD`) help nobody; a damaged member's do.
        let why = report
            .checks
            .iter()
            .find_map(|c| c.message.clone())
            .filter(|m| !m.starts_with("not a readable ZIP archive"))
            .unwrap_or_else(|| "it is not a ZIP archive (or a damaged one)".to_string());
        return Err(crate::hint(
            anyhow::anyhow!("`{}` is not an import package: {why}", args.package.display()),
            "give a package written by `ferry pack` (a ZIP); legacy files are read by `ferry profile` and `ferry check`",
        ));
    }
    if printer.json {
        printer.json(&report)?;
    } else {
        render(&report, printer)?;
    }
    Ok(if report.valid { Outcome::Success } else { Outcome::Problems })
}

fn render(r: &InspectReport, printer: &Printer) -> anyhow::Result<()> {
    printer.out(format_args!("package  {} ({})", r.path.display(), bytes(r.size)))?;
    if let Some(c) = &r.contents {
        printer.out(format_args!("target   {} ({})", c.target, c.target_label))?;
        printer.out(format_args!("encoding {}", c.encoding))?;
        printer.out("")?;
        printer.out("members")?;
        let mut members = Table::new(["member", "size", "compressed"]).right(&[1, 2]).indent(2);
        for m in &c.members {
            members.row([m.name.clone(), bytes(m.uncompressed), bytes(m.compressed)]);
        }
        printer.table(members)?;
        for f in &c.files {
            printer.out("")?;
            printer.out(format_args!(
                "{} ({}, category {}, mappings in {})",
                f.name,
                crate::printer::count(f.rows, "row"),
                f.category,
                f.mappings_file
            ))?;
            if let Some(p) = &f.parent {
                printer.out(format_args!("  parent link  {p}"))?;
            }
            if let Some(id) = &f.id_column {
                printer.out(format_args!("  id column    {id}"))?;
            }
            if let Some(n) = &f.null_default {
                printer.out(format_args!("  null default `{n}`"))?;
            }
            let mut mappings = Table::plain().indent(2);
            for m in &f.mappings {
                let null = match m.null_value.as_deref() {
                    Some("") => " (empty stays empty)".to_string(),
                    Some(n) => format!(" (empty → `{n}`)"),
                    None => String::new(),
                };
                mappings.row([
                    m.column.clone(),
                    "→".into(),
                    m.target.clone(),
                    format!("{}{null}", m.converter),
                ]);
            }
            printer.table(mappings)?;
        }
    }
    printer.out("")?;
    printer.out("validation")?;
    for c in &r.checks {
        let mark = if c.ok { "ok  " } else { "FAIL" };
        printer.out(format_args!("  {mark} {}", c.name))?;
        if let Some(m) = &c.message {
            printer.out(format_args!("       {m}"))?;
        }
    }
    if !r.valid {
        let first = r.checks.iter().find(|c| !c.ok).and_then(|c| c.message.clone()).unwrap_or_default();
        printer.error_line(format_args!("`{}` is not a valid package: {first}", r.path.display()));
        printer.hint_line("`ferry pack` writes valid packages; the FAIL line above names what is wrong");
    }
    Ok(())
}
