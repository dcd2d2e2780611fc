//! `ferry profile PATH…`: what legacy files hold, before mapping them.
//!
//! Resolves the paths (a directory stands for its data files), builds one
//! `ReadOptions`/`ProfileOptions` pair, calls `profile::profile_file` per file
//! and renders the profiles as a table per file, or as JSON with `--json`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use ferry_mapper::profile::{self, ColumnProfile, FileProfile, InferredKind, ProfileOptions, SAMPLE_RECORDS};
use ferry_mapper::read::{self, FileFormat, ReadOptions};

use super::legacy::{OldEncodingArg, ReadArgs};
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry profile exports/\n  ferry profile old.csv --input-encoding windows-1252 --delimiter \";\""
)]
pub struct Args {
    /// Legacy files or directories (a directory stands for its .csv, .txt, .tsv, .xlsx and .xls files)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Sample values to show per column
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub samples: usize,
    /// Stop after the first 1,000 records: samples at once, no row count or whole-file empties
    #[arg(long)]
    pub no_count: bool,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub old_encoding: OldEncodingArg,
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    // Profiling shows what a file holds: bytes the encoding lacks are counted, not fatal.
    let read = ReadOptions { replace_invalid: true, ..args.read.options(Some(&args.old_encoding), printer)? };
    let options =
        ProfileOptions { samples: args.samples, count_rows: !args.no_count, ..ProfileOptions::default() };
    let files = resolve(&args.paths)?;

    let mut profiles = Vec::new();
    let mut failed = 0;
    let single = files.len() == 1;
    for file in &files {
        let spinner = printer.spinner(&format!("profiling {}", file.display()));
        let result = profile::profile_file(file, &read, &options);
        spinner.finish();
        match result {
            Ok(profile) => {
                if profile.undecodable > 0 {
                    printer.warn(format!(
                        "`{}`: {} undecodable byte sequences read as `\u{FFFD}` (in {}); try `--input-encoding`",
                        file.display(),
                        profile.undecodable,
                        profile.info.encoding
                    ));
                }
                if !printer.json {
                    render(printer, &profile)?;
                }
                profiles.push(profile);
            }
            Err(err) => {
                let err = with_hint(err);
                if single {
                    return Err(err);
                }
                failed += 1;
                printer.error(&err);
            }
        }
    }
    if printer.json {
        printer.json(&profiles)?;
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} files could not be profiled (see above)", files.len());
    }
    Ok(Outcome::Success)
}

/// A profiling error, with a hint where the user has an option to try.
fn with_hint(err: ferry_mapper::Error) -> anyhow::Error {
    match &err {
        ferry_mapper::Error::Spreadsheet { message, .. } if message.starts_with("no sheet") => {
            crate::hint(err, "name one of the sheets with `--sheet`")
        }
        ferry_mapper::Error::Read { message, .. } if message.contains("empty") => {
            crate::hint(err, "remove the file from the data location, or use `--no-header`")
        }
        _ => anyhow::Error::new(err),
    }
}

/// The files the paths stand for, in the order given (a directory's sorted).
fn resolve(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = read::data_files(path)?;
            if found.is_empty() {
                return Err(crate::hint(
                    anyhow::anyhow!("`{}` holds no data files", path.display()),
                    "ferry reads .csv, .txt, .tsv, .xlsx and .xls files",
                ));
            }
            files.extend(found);
        } else {
            std::fs::metadata(path).with_context(|| format!("cannot access `{}`", path.display()))?;
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn render(printer: &Printer, profile: &FileProfile) -> anyhow::Result<()> {
    let info = &profile.info;
    let mut facts = Vec::new();
    match info.format {
        FileFormat::Csv => {
            let bom = if info.bom { " with BOM" } else { "" };
            facts.push(format!("CSV, {}{bom}", info.encoding));
            if let Some(d) = info.delimiter {
                facts.push(format!("delimiter {}", delimiter_name(d)));
            }
        }
        FileFormat::Xlsx | FileFormat::Xls => {
            let format = if info.format == FileFormat::Xlsx { "XLSX" } else { "XLS" };
            facts.push(format!("{format}, sheet `{}`", info.sheet.as_deref().unwrap_or("")));
        }
    }
    if !info.has_header {
        facts.push("no header".into());
    }
    facts.push(match profile.rows {
        Some(1) => "1 row".into(),
        Some(n) => format!("{n} rows"),
        None => format!("more than {SAMPLE_RECORDS} rows (not counted)"),
    });
    printer.out(format!("{}: {}", display_path(&info.path), facts.join(", ")))?;

    let empties_header = if profile.rows.is_some() { "empty" } else { "empty*" };
    let mut table =
        crate::table::Table::new(["column", "kind", empties_header, "samples"]).right(&[2]).indent(2);
    for column in &profile.columns {
        table.row([
            column.name.clone(),
            match &column.dates {
                Some(d) if d.formats.len() > 1 && !matches!(column.kind, InferredKind::Date { .. }) => {
                    format!("dates in {} formats", d.formats.len())
                }
                _ => kind_text(&column.kind),
            },
            crate::printer::number(column.empty),
            samples_text(column),
        ]);
    }
    printer.table(table)?;
    if profile.rows.is_none() {
        printer.out(format!("  * empties of the first {SAMPLE_RECORDS} records"))?;
    }
    for column in &profile.columns {
        if let Some(d) = &column.dates
            && (d.formats.len() > 1 || !d.ambiguities.is_empty())
        {
            render_dates(printer, &column.name, d)?;
        }
    }
    for column in profile.columns.iter().filter(|c| !c.nulls.is_empty()) {
        let seen: Vec<String> = column
            .nulls
            .iter()
            .map(|n| format!("`{}` {}", n.value, crate::printer::number(n.count)))
            .collect();
        printer.out(format!(
            "  `{}`: values for \"no value\" (read as empty; `map --auto` proposes them as `nullValues`): {}",
            column.name,
            seen.join(", ")
        ))?;
    }
    for column in &profile.columns {
        for d in &column.damaged {
            let one = d.count == 1;
            let what = match d.kind {
                "mojibake" => format!(
                    "UTF-8 text once read as Windows-1252 (`{}` for `{}`): check and import store {} repaired",
                    crate::printer::visible(&d.example),
                    ferry_mapper::mojibake::repair(&d.example).unwrap_or_default(),
                    if one { "it" } else { "them" }
                ),
                _ => format!(
                    "{} a spreadsheet wrote in scientific notation (`{}`): the last digits are lost; export the column formatted as text",
                    if one { "a number" } else { "numbers" },
                    crate::printer::visible(&d.example)
                ),
            };
            let (n, verb) = (crate::printer::count(d.count, "value"), if one { "is" } else { "are" });
            printer.out(format!("  `{}`: {n} {verb} {what}", column.name))?;
        }
    }
    printer.out("")?;
    Ok(())
}

/// A date column's formats with counts, and each ambiguous pair's split.
fn render_dates(printer: &Printer, column: &str, d: &profile::DateFormats) -> anyhow::Result<()> {
    printer.out(format!(
        "  `{column}`: dates in {} formats; {} of {} values read (in the first {SAMPLE_RECORDS} records)",
        d.formats.len(),
        d.values - d.unreadable,
        d.values
    ))?;
    let mut t = crate::table::Table::plain().indent(4).right(&[1]);
    for f in &d.formats {
        t.row([f.format.clone(), crate::printer::number(f.count), String::new()]);
    }
    if d.unreadable > 0 {
        let shown: Vec<String> = d.unreadable_examples.iter().map(|v| format!("`{v}`")).collect();
        t.row(["no format".to_string(), crate::printer::number(d.unreadable), shown.join(", ")]);
    }
    printer.table(t)?;
    for a in &d.ambiguities {
        printer.out(format!(
            "    ambiguous: {} against {}: {} fit both, {} only {}, {} only {} (values with a part above 12 decide)",
            a.day_first, a.month_first, a.both, a.only_day_first, a.day_first, a.only_month_first, a.month_first
        ))?;
    }
    Ok(())
}

fn display_path(path: &Path) -> String {
    path.display().to_string()
}

fn delimiter_name(d: char) -> String {
    match d {
        '\t' => "tab".into(),
        ' ' => "space".into(),
        c => format!("`{c}`"),
    }
}

/// The kind as a reader wants it: `date %d/%m/%Y (ambiguous: day/month, or %m/%d/%Y)`.
fn kind_text(kind: &InferredKind) -> String {
    match kind {
        InferredKind::Date { format, ambiguous: true, alternative } => match alternative {
            Some(alt) => format!("date {format} (ambiguous: day/month, or {alt})"),
            None => format!("date {format} (ambiguous: day/month)"),
        },
        InferredKind::Date { format, .. } => format!("date {format}"),
        InferredKind::Timestamp { format } => format!("timestamp {format}"),
        InferredKind::Integer => "integer".into(),
        InferredKind::Decimal => "decimal".into(),
        InferredKind::Boolean => "boolean".into(),
        InferredKind::Email => "email".into(),
        InferredKind::Phone => "phone".into(),
        InferredKind::Zip => "zip".into(),
        InferredKind::Text => "text".into(),
        InferredKind::Empty => "empty".into(),
    }
}

/// Samples on one line: line breaks and tabs made visible, long values cut.
fn samples_text(column: &ColumnProfile) -> String {
    const MAX: usize = 24;
    column
        .samples
        .iter()
        .map(|s| {
            let visible: String = s
                .chars()
                .map(|c| match c {
                    '\n' => '↵',
                    '\r' => ' ',
                    '\t' => '→',
                    c => c,
                })
                .collect();
            if visible.chars().count() > MAX {
                format!("`{}…`", visible.chars().take(MAX - 1).collect::<String>())
            } else {
                format!("`{visible}`")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
