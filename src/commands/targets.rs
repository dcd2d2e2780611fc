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
    let header = ["NAME", "LABEL", "KIND", "FIELDS", "SUBCOLLECTIONS"].map(str::to_string);
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for r in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| if i == r.len() - 1 { cell.clone() } else { format!("{cell:<w$}") })
            .collect();
        printer.out(line.join("  "))?;
    }
    printer.info("hint: `ferry template NAME` writes a blank CSV with a target's simple-import columns");
    Ok(Outcome::Success)
}
