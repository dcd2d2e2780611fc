//! The converter a mapped field needs, asked one step at a time.
//!
//! `Session::start_converter` picks the first `ConvStep` for the field's
//! type: the text converter, a date or timestamp format (profiled formats
//! first, each shown reading the column's sample) and a time zone, the values
//! that mean true, or the target value of each distinct enumeration value.
//! Types with nothing to ask are committed at once.

use super::{Answer, Choice, ConvStep, Draft, IGNORE, OTHER, Question, Refusal, Session, State, shorten};
use crate::profile::InferredKind;
use crate::target::FieldType;
use crate::template::{Converter, TextConverter};

/// Formats the date-format question offers after the profiled ones.
const DATE_FORMATS: &[&str] =
    &["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y%m%d", "%d-%b-%Y", "%b %d, %Y"];
/// Formats the timestamp-format question offers after the profiled ones.
const TIMESTAMP_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M",
];

impl Session {
    /// Asks the first converter question the field's type needs, or commits the draft.
    pub(super) fn start_converter(&mut self, f: usize, draft: Draft) {
        let field = self.draft_field(&draft).clone();
        let column = self.source_column(f, &draft.mapping.column);
        let step = match field.field_type {
            // A phone or e-mail converter (from `--auto`) needs no question.
            FieldType::String
                if matches!(
                    draft.mapping.converter,
                    Converter::Phone { .. } | Converter::Email | Converter::Name { .. }
                ) =>
            {
                None
            }
            FieldType::String => Some(ConvStep::Text),
            FieldType::Date => Some(ConvStep::DateFormat),
            FieldType::Timestamp => Some(ConvStep::TimestampFormat),
            FieldType::Boolean if !column.distinct.is_empty() => Some(ConvStep::Boolean),
            FieldType::Enum if !column.distinct.is_empty() => Some(ConvStep::Enum(0)),
            _ => None,
        };
        match step {
            Some(step) => self.state = State::Convert(f, draft, step),
            None => self.commit(f, draft),
        }
    }

    pub(super) fn ask_converter(&self, f: usize, draft: &Draft, step: &ConvStep) -> Question {
        let column = self.source_column(f, &draft.mapping.column);
        let label = draft.mapping.target_label();
        let col = &draft.mapping.column;
        let sample_note = || match &column.sample {
            Some(_) => vec![format!(
                "`{col}` holds values such as {}",
                column
                    .samples
                    .iter()
                    .take(3)
                    .map(|v| format!("`{}`", shorten(v, 40)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
            None => vec![format!("`{col}` is empty in the first records")],
        };
        match (step, &draft.mapping.converter) {
            (ConvStep::Text, Converter::Text { text }) => {
                let mut options = vec![
                    Choice::new("none", "none: keep the text as it is"),
                    Choice::new("rtf2plain", "rtf2plain: turn RTF into plain text"),
                    Choice::new(
                        "email",
                        "email: an e-mail address, stored in lower case (`mailto:`, `Ann <…>` taken off)",
                    ),
                ];
                if let Some(part) = crate::auto::name_part_for(&draft.mapping.field)
                    .filter(|_| draft.mapping.subcollection.is_none())
                {
                    options.push(Choice::new(
                        "name",
                        format!(
                            "name: the {} name of a full name (`Lee, Ann B.`, `Dr. Ann B. Lee Jr.`)",
                            part.as_str()
                        ),
                    ));
                }
                let default = usize::from(*text == TextConverter::Rtf2plain);
                let mut q =
                    Question::select(format!("text converter for `{col}` → {label}"), options, default);
                q.notes = sample_note();
                q
            }
            (ConvStep::DateFormat, Converter::Date { formats: list })
            | (ConvStep::TimestampFormat, Converter::Timestamp { formats: list, .. }) => {
                let format = &first_format(list);
                let timestamp = matches!(step, ConvStep::TimestampFormat);
                let mut formats: Vec<String> = Vec::new();
                match &column.kind {
                    InferredKind::Date { format, alternative, .. } => {
                        formats.push(format.clone());
                        formats.extend(alternative.clone());
                    }
                    InferredKind::Timestamp { format } => formats.push(format.clone()),
                    _ => {}
                }
                formats.push(format.clone());
                formats.extend(
                    (if timestamp { TIMESTAMP_FORMATS } else { DATE_FORMATS }).iter().map(|s| s.to_string()),
                );
                let mut seen = Vec::new();
                formats.retain(|x| {
                    if seen.contains(x) {
                        false
                    } else {
                        seen.push(x.clone());
                        true
                    }
                });
                let mut options: Vec<Choice> = formats
                    .iter()
                    .map(|fmt| {
                        Choice::new(fmt, format!("{fmt}{}", reads(fmt, column.sample.as_deref(), timestamp)))
                    })
                    .collect();
                let default = options.iter().position(|o| &o.key == format).unwrap_or(0);
                options.push(Choice::new(OTHER, "another format (type it)"));
                let what = if timestamp { "timestamp" } else { "date" };
                let mut q = Question::select(format!("{what} format of `{col}` → {label}"), options, default);
                q.notes = sample_note();
                q
            }
            (ConvStep::DateTyped, Converter::Date { formats })
            | (ConvStep::TimestampTyped, Converter::Timestamp { formats, .. }) => Question::text(
                format!("format of `{col}` (strftime: %Y %m %d %H %M %S %b %p)"),
                Some(first_format(formats)),
            ),
            (ConvStep::TimeZone, Converter::Timestamp { time_zone, .. }) => Question::text(
                format!("time zone `{col}` is written in (IANA name)"),
                Some(time_zone.clone()),
            ),
            (ConvStep::Boolean, Converter::Boolean { table }) => {
                let options: Vec<Choice> = column.distinct.iter().map(|v| Choice::new(v, v)).collect();
                let defaults = column
                    .distinct
                    .iter()
                    .map(|v| table.get(v).copied().unwrap_or_else(|| crate::auto::is_truthy(v)))
                    .collect();
                let mut q = Question::multi(
                    format!("which values of `{col}` mean true for {label}? (the others mean false)"),
                    options,
                    defaults,
                );
                if column.distinct_capped {
                    q.notes.push(format!(
                        "`{col}` has more than {} distinct values; the first are listed",
                        column.distinct.len()
                    ));
                }
                q
            }
            (ConvStep::Enum(i), Converter::Enumeration { table }) => {
                let field = self.draft_field(draft);
                let value = &column.distinct[*i];
                let mut options: Vec<Choice> = field.values.iter().map(|v| Choice::new(v, v)).collect();
                options.push(Choice::new(IGNORE, "(ignore: import no value)"));
                let current = match table.get(value) {
                    Some(v) => v.clone(),
                    None => crate::auto::guess_enum_value(value, &field.values),
                };
                let default = current
                    .and_then(|c| options.iter().position(|o| o.key == c))
                    .unwrap_or(options.len() - 1);
                let mut q = Question::select(
                    format!(
                        "`{value}` in `{col}` ({} of {}) means which {label}?",
                        i + 1,
                        column.distinct.len()
                    ),
                    options,
                    default,
                );
                if *i == 0 && column.distinct_capped {
                    q.notes.push(format!(
                        "`{col}` has more than {} distinct values; the first are listed",
                        column.distinct.len()
                    ));
                }
                q
            }
            _ => Question::confirm("internal: converter step out of order; continue?", true),
        }
    }

    pub(super) fn take_converter(
        &mut self,
        f: usize,
        mut draft: Draft,
        step: ConvStep,
        key: &str,
        answer: Answer,
    ) -> Result<(), Refusal> {
        let column = self.source_column(f, &draft.mapping.column);
        let timestamp = matches!(draft.mapping.converter, Converter::Timestamp { .. });
        let next = match (&mut draft.mapping.converter, step) {
            (converter @ Converter::Text { .. }, ConvStep::Text) => {
                let part = crate::auto::name_part_for(&draft.mapping.field);
                *converter = match (key, part) {
                    ("rtf2plain", _) => Converter::Text { text: TextConverter::Rtf2plain },
                    ("email", _) => Converter::Email,
                    ("name", Some(part)) if draft.mapping.subcollection.is_none() => Converter::Name { part },
                    _ => Converter::Text { text: TextConverter::None },
                };
                None
            }
            (Converter::Date { formats }, ConvStep::DateFormat)
            | (Converter::Timestamp { formats, .. }, ConvStep::TimestampFormat) => {
                if key == OTHER {
                    Some(if timestamp { ConvStep::TimestampTyped } else { ConvStep::DateTyped })
                } else {
                    put_first(formats, key);
                    timestamp.then_some(ConvStep::TimeZone)
                }
            }
            (Converter::Date { formats }, ConvStep::DateTyped)
            | (Converter::Timestamp { formats, .. }, ConvStep::TimestampTyped) => {
                let Answer::Text(typed) = &answer else { unreachable!("checked by answer") };
                check_format(typed, column.sample.as_deref(), timestamp)?;
                put_first(formats, typed);
                timestamp.then_some(ConvStep::TimeZone)
            }
            (Converter::Timestamp { time_zone, .. }, ConvStep::TimeZone) => {
                let Answer::Text(zone) = &answer else { unreachable!("checked by answer") };
                if jiff::tz::TimeZoneDatabase::bundled().get(zone).is_err()
                    && jiff::tz::db().get(zone).is_err()
                {
                    return Err(Refusal::NotATimeZone { zone: zone.clone() });
                }
                *time_zone = zone.clone();
                None
            }
            (Converter::Boolean { table }, ConvStep::Boolean) => {
                let Answer::MultiSelect(picked) = &answer else { unreachable!("checked by answer") };
                for (i, v) in column.distinct.iter().enumerate() {
                    table.insert(v.clone(), picked.contains(&i));
                }
                None
            }
            (Converter::Enumeration { table }, ConvStep::Enum(i)) => {
                let value = column.distinct[i].clone();
                table.insert(value, (key != IGNORE).then(|| key.to_string()));
                (i + 1 < column.distinct.len()).then_some(ConvStep::Enum(i + 1))
            }
            _ => None,
        };
        match next {
            Some(step) => self.state = State::Convert(f, draft, step),
            None => self.commit(f, draft),
        }
        Ok(())
    }
}

/// The converter kind a field type takes (a changed field type means a fresh converter).
pub(super) fn converter_kind(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "text",
        FieldType::Integer => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Date => "date",
        FieldType::Timestamp => "timestamp",
        FieldType::Boolean => "boolean",
        FieldType::Enum => "enumeration",
    }
}

/// How `format` reads `sample`: `  (`12/03/1985` → 1985-03-12)`.
fn reads(format: &str, sample: Option<&str>, timestamp: bool) -> String {
    let Some(s) = sample else { return String::new() };
    let parsed = jiff::fmt::strtime::parse(format, s.trim());
    let shown = parsed.and_then(|p| {
        if timestamp { p.to_datetime().map(|d| d.to_string()) } else { p.to_date().map(|d| d.to_string()) }
    });
    match shown {
        Ok(v) => format!("  (`{}` → {v})", shorten(s, 30)),
        Err(_) => format!("  (does not read `{}`)", shorten(s, 30)),
    }
}

/// A typed format must be a strftime format that reads the column's sample.
fn check_format(format: &str, sample: Option<&str>, timestamp: bool) -> Result<(), Refusal> {
    let excel = !timestamp && format == crate::convert::serial::EXCEL;
    if !excel && !format.contains('%') {
        return Err(Refusal::NotAFormat { format: format.to_string() });
    }
    if let Some(s) = sample {
        // Dates are read as conversion reads them (four-digit `%Y`, `%y` in
        // the past century, Excel day numbers), so a format the session
        // accepts never rejects its own sample at check time.
        let ok = if timestamp {
            jiff::fmt::strtime::parse(format, s.trim()).is_ok_and(|p| p.to_datetime().is_ok())
        } else {
            crate::convert::value::parse_date(format, s.trim()).is_ok()
        };
        if !ok {
            return Err(Refusal::FormatMisreads { format: format.to_string(), sample: s.to_string() });
        }
    }
    Ok(())
}

/// The first format of a list (the one the session asks about).
fn first_format(formats: &[String]) -> String {
    formats.first().cloned().unwrap_or_default()
}

/// The chosen format replaces the first one tried; further formats (as
/// `map --auto` lists them for a mixed column) stay after it.
fn put_first(formats: &mut Vec<String>, chosen: &str) {
    let rest: Vec<String> = formats.iter().skip(1).filter(|f| *f != chosen).cloned().collect();
    *formats = std::iter::once(chosen.to_string()).chain(rest).collect();
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn a_typed_date_format_reads_its_sample_as_conversion_does() {
        assert_eq!(check_format("%m/%d/%Y", Some("11/14/1981"), false), Ok(()));
        // `%Y` wants four digits: conversion would reject `81`, so the session does.
        assert!(matches!(
            check_format("%m/%d/%Y", Some("11/14/81"), false),
            Err(Refusal::FormatMisreads { .. })
        ));
        assert_eq!(check_format("%m/%d/%y", Some("11/14/81"), false), Ok(()));
        assert_eq!(check_format("excel", Some("22666"), false), Ok(()));
        assert!(matches!(check_format("excel", Some("60"), false), Err(Refusal::FormatMisreads { .. })));
        assert!(matches!(check_format("excel", None, true), Err(Refusal::NotAFormat { .. })));
        assert!(matches!(check_format("dd/mm/yyyy", None, false), Err(Refusal::NotAFormat { .. })));
        assert_eq!(check_format("%Y-%m-%d %H:%M", Some("1980-12-31 10:30"), true), Ok(()));
    }
}
