//! The review of the mapping: per file its category, parent link, each
//! mapping with its converter and null converter, and the columns left out.

use super::{IGNORE, Session, rows::show_null};
use crate::template::{Converter, TextConverter};

impl Session {
    /// The review of one file's mapping, as lines.
    fn review_file(&self, f: usize) -> Vec<String> {
        let fm = self.fm(f);
        let file = &self.files[f];
        let mut lines = Vec::new();
        let mapped: Vec<&str> = fm.mappings.iter().map(|m| m.column.as_str()).collect();
        lines.push(format!(
            "{} (category {}; {} columns, {} mapped)",
            fm.name,
            fm.category,
            file.columns.len(),
            file.columns.iter().filter(|c| mapped.contains(&c.name.as_str())).count()
        ));
        if let Some(p) = &fm.parent {
            lines.push(format!("  child of `{}`: {} = {}", p.file, p.column, p.parent_column));
        }
        for m in &fm.mappings {
            let conv = describe_converter(&m.converter);
            let null =
                m.null_value.as_ref().map(|v| format!("  null → {}", show_null(v))).unwrap_or_default();
            lines.push(format!("  {} → {}{conv}{null}", m.column, m.target_label()));
        }
        if let Some(d) = &fm.null_default {
            lines.push(format!("  null converter (every field): `{d}`"));
        }
        let link = fm.parent.as_ref().map(|p| p.column.as_str());
        let unmapped: Vec<&str> = file
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|c| !mapped.contains(c) && Some(*c) != link)
            .collect();
        if !unmapped.is_empty() {
            lines.push(format!("  not mapped (not imported): {}", unmapped.join(", ")));
        }
        lines
    }

    /// The review of the whole mapping, as lines.
    pub fn review(&self) -> Vec<String> {
        let mut lines = vec![format!("mapping onto `{}`:", self.template.target)];
        for f in 0..self.files.len() {
            lines.extend(self.review_file(f));
        }
        lines
    }
}

fn describe_converter(c: &Converter) -> String {
    match c {
        Converter::Text { text: TextConverter::None } => String::new(),
        Converter::Text { text: TextConverter::Rtf2plain } => "  [rtf2plain]".to_string(),
        Converter::Integer => "  [integer]".to_string(),
        Converter::Decimal { comma: false } => "  [decimal]".to_string(),
        Converter::Decimal { comma: true } => "  [decimal, decimal comma]".to_string(),
        Converter::Date { formats } => format!("  [date {}]", formats.join(", then ")),
        Converter::Timestamp { formats, time_zone } => {
            format!("  [timestamp {} in {time_zone}]", formats.join(", then "))
        }
        Converter::Boolean { table } => {
            format!("  [boolean {}]", table_text(table.iter().map(|(k, v)| (k, v.to_string()))))
        }
        Converter::Phone { country: Some(c) } => format!("  [phone {c}]"),
        Converter::Phone { country: None } => "  [phone]".to_string(),
        Converter::Email => "  [email]".to_string(),
        Converter::Name { part } => format!("  [{} name]", part.as_str()),
        Converter::Enumeration { table } => format!(
            "  [enumeration {}]",
            table_text(table.iter().map(|(k, v)| (k, v.clone().unwrap_or_else(|| IGNORE.to_string()))))
        ),
    }
}

fn table_text<'a>(entries: impl Iterator<Item = (&'a String, String)>) -> String {
    let parts: Vec<String> = entries.map(|(k, v)| format!("{k}={v}")).collect();
    if parts.len() > 8 {
        format!("{}, … ({} values)", parts[..8].join(", "), parts.len())
    } else {
        parts.join(", ")
    }
}
