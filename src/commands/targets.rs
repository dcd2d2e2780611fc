//! `ferry targets`: the bundled target definitions, as a table or JSON.

use serde::Serialize;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use ferry_mapper::target::{BUNDLED_TARGETS, TargetDefinition};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  ferry targets\n  ferry targets --json")]
pub struct Args {}

/// One row of the listing.
#[derive(Debug, Serialize)]
struct Listed {
    name: String,
    label: String,
    kind: &'static str,
    /// Plain fields (subcollection attributes not counted).
    fields: usize,
    required: Vec<String>,
    subcollections: Vec<String>,
    simple_import_columns: usize,
}

pub fn run(_args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let listed: Vec<Listed> = BUNDLED_TARGETS
        .iter()
        .filter_map(|(name, _)| TargetDefinition::bundled(name))
        .map(|t| Listed {
            name: t.name.clone(),
            label: t.label.clone(),
            kind: t.kind.as_str(),
            fields: t.plain_fields().count(),
            required: t.plain_fields().filter(|f| f.required).map(|f| f.name.clone()).collect(),
            subcollections: t.categories.iter().filter(|c| c.subcollection).map(|c| c.name.clone()).collect(),
            simple_import_columns: t.simple_import_columns.len(),
        })
        .collect();
    if printer.json {
        printer.json(&listed)?;
        return Ok(Outcome::Success);
    }
    let rows: Vec<[String; 5]> = listed
        .iter()
        .map(|t| {
            let subs =
                if t.subcollections.is_empty() { "-".to_string() } else { t.subcollections.join(", ") };
            [t.name.clone(), t.label.clone(), t.kind.to_string(), t.fields.to_string(), subs]
        })
        .collect();
    let mut t = crate::table::Table::new(["NAME", "LABEL", "KIND", "FIELDS", "SUBCOLLECTIONS"]).right(&[3]);
    for r in &rows {
        t.row(r);
    }
    printer.table(t)?;
    printer.info("hint: `ferry template NAME` writes a blank CSV with a target's simple-import columns");
    Ok(Outcome::Success)
}
