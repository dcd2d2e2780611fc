//! `ferry template TARGET`: a blank CSV with the target's simple-import columns.

use std::path::PathBuf;

use anyhow::Context;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use ferry_mapper::csvout::ExcelCsv;
use ferry_mapper::target::TargetDefinition;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry template leads -o leads.csv\n  ferry template contacts          (the header on stdout)"
)]
pub struct Args {
    /// A bundled target (`contacts`, `leads`; see `ferry targets`) or a target definition file
    #[arg(value_name = "TARGET")]
    target: String,
    /// Write the CSV to this file (whole or not at all; UTF-8 with BOM, CRLF, quoted,
    /// for spreadsheets); `-` writes those bytes to stdout
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace `--out` if it exists (without it, an existing file is an error
    /// and nothing is written: it may be a filled-in template)
    #[arg(long)]
    force: bool,
}

/// One CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let target = TargetDefinition::resolve(&args.target)?;
    if target.simple_import_columns.is_empty() {
        return Err(crate::hint(
            anyhow::anyhow!("target `{}` defines no simple-import columns", target.name),
            "add `simpleImportColumns` to the target definition",
        ));
    }
    let Some(out) = &args.out else {
        if printer.json {
            printer.json(
                &serde_json::json!({ "target": target.name, "columns": target.simple_import_columns }),
            )?;
        } else {
            let header: Vec<String> = target.simple_import_columns.iter().map(|c| csv_field(c)).collect();
            printer.out(header.join(","))?;
        }
        return Ok(Outcome::Success);
    };
    // The file is for a spreadsheet, as the other CSVs ferry writes: BOM, CRLF, quoted.
    super::write_out(out, args.force, printer, |path, force| {
        let mut csv = match ExcelCsv::create(path, force) {
            Err(e @ ferry_mapper::Error::Exists { .. }) => {
                return Err(crate::hint(e, crate::store::EXISTS_HINT));
            }
            created => {
                created.with_context(|| format!("cannot write the template CSV {}", super::shown(out)))?
            }
        };
        csv.row(&target.simple_import_columns)?;
        csv.finish().with_context(|| format!("cannot write the template CSV {}", super::shown(out)))?;
        Ok(())
    })?;
    if printer.json {
        printer.json(&serde_json::json!({
            "target": target.name,
            "out": out,
            "columns": target.simple_import_columns,
        }))?;
    } else {
        printer.info(format!(
            "wrote the simple-import template of target `{}` ({} columns) to {}",
            target.name,
            target.simple_import_columns.len(),
            super::shown(out)
        ));
    }
    Ok(Outcome::Success)
}
