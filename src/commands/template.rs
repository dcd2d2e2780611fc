//! `ferry template TARGET`: a blank CSV with the target's simple-import columns.

use std::path::PathBuf;

use anyhow::Context;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use ferry_mapper::target::TargetDefinition;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry template leads -o leads.csv\n  ferry template contacts          (the header on stdout)"
)]
pub struct Args {
    /// A bundled target (`contacts`, `leads`; see `ferry targets`) or a target definition file
    #[arg(value_name = "TARGET")]
    target: String,
    /// Write the CSV to this file (whole or not at all) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
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
    let header: Vec<String> = target.simple_import_columns.iter().map(|c| csv_field(c)).collect();
    let line = header.join(",");
    match &args.out {
        Some(path) => {
            let mut bytes = line.into_bytes();
            bytes.push(b'\n');
            ferry_mapper::fsutil::write_atomic(path, &bytes)
                .with_context(|| format!("cannot write the template CSV `{}`", path.display()))?;
            if printer.json {
                printer.json(&serde_json::json!({
                    "target": target.name,
                    "out": path,
                    "columns": target.simple_import_columns,
                }))?;
            } else {
                printer.info(format!(
                    "wrote `{}`: {} columns for target `{}`",
                    path.display(),
                    target.simple_import_columns.len(),
                    target.name
                ));
            }
        }
        None if printer.json => {
            printer.json(
                &serde_json::json!({ "target": target.name, "columns": target.simple_import_columns }),
            )?;
        }
        None => printer.out(line)?,
    }
    Ok(Outcome::Success)
}
