//! Converting and validating rows: the code `check` runs and the runner stages with.
//!
//! A [`FileConverter`] is built once per file from the target, the file's
//! mapping and the file's headers (resolving columns and converters, and
//! reporting file-level problems), then turns each [`Row`] into a
//! [`Record`] plus the [`Problem`]s found. [`validate_record`] applies the
//! record-level rules (required fields, one-of groups) once a record is
//! assembled from its file and its child files. [`check_template`] reports
//! what is wrong with a template as a whole (required fields nobody maps,
//! unknown categories, parent links to unknown files).
//!
//! Per mapped cell: an empty cell becomes the field's null value (the
//! mapping's `nullValue`, else the file's `nullDefault`, else nothing);
//! otherwise the [`value::ValueConverter`] turns the text into a value, which
//! is then fitted to the target field: over-long text is truncated (warning),
//! an enumeration value the target does not know is dropped (warning) or, with
//! [`ConvertOptions::create_missing`], kept to be added.

mod fit;
mod phones;
mod repair;
mod resolve;
mod rules;
pub mod serial;
mod split;
mod template_check;
pub mod value;

use std::collections::{BTreeMap, HashMap};

use crate::problem::{Problem, ProblemKind, Severity};
use crate::read::Row;
use crate::record::{Record, Value};
use crate::target::{Field, TargetDefinition};
use crate::template::{Converter, FileMapping, OnInvalid};
use fit::{fit, null_value};
use phones::{country_slot, extension_slot, phone_country, split_extension};
pub(crate) use repair::lost_digits;
use resolve::{RowTypeError, converter_fits, converter_for, resolve_slot};
pub use rules::{rule_fields, validate_record};
pub use template_check::check_template;
use value::{ValueConverter, list_values};

/// Choices that change how values are validated.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Enumeration values the target does not know are added to it (with a
    /// warning) instead of ignored.
    pub create_missing: bool,
    /// The template is ready-made for a family of exports
    /// ([`crate::template::MappingTemplate::ready_made`]): a mapped column the
    /// file lacks is a warning and its mapping is skipped, not an error.
    pub ready_made: bool,
    /// The template's country ([`crate::template::MappingTemplate::country`]):
    /// the country of `phone` converters that name none.
    pub country: Option<String>,
}

/// What the country field of a phone says when the number is invalid (004).
pub const UNSPECIFIED_COUNTRY: &str = "Unspecified";

/// The result of converting one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub record: Record,
    /// Errors reject the row; warnings keep it (truncated, value ignored).
    pub problems: Vec<Problem>,
}

impl Converted {
    /// True when a problem rejects the row.
    pub fn is_rejected(&self) -> bool {
        self.problems.iter().any(|p| p.severity == crate::problem::Severity::Error)
    }
}

/// The most bytes of mapped values a row may hold (1 MiB): a package member
/// above this size is checked for its compression ratio, which one huge
/// repetitive value fails (`pack` would refuse it as "a ZIP bomb?").
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// Where `onInvalid`: `keep` keeps the text of a value that cannot be converted:
/// the user field named after the column.
const KEEP_SUBCOLLECTION: &str = "UserField";
const KEEP_ATTRIBUTE: &str = "value";

/// A mapped column the file lacks: an error, or for a ready-made template a
/// warning (the mapping is skipped).
fn missing_column(file: &str, column: &str, role: &str, headers: &[String], ready_made: bool) -> Problem {
    let repeats = crate::read::repeated_header(headers, column);
    if !repeats.is_empty() {
        let positions: Vec<String> = repeats.iter().map(|(at, _)| at.to_string()).collect();
        let names = list_values(repeats.iter().map(|(_, name)| name.as_str()));
        return file_problem(
            file,
            Severity::Error,
            ProblemKind::DuplicateColumn,
            Some(column),
            format!(
                "the header names column `{column}`{role} more than once (columns {}), so they are read as {names}; name the one you mean in the template (`\"column\": \"{}\"`)",
                positions.join(", "),
                repeats[0].1
            ),
        );
    }
    let has = list_values(headers.iter().map(String::as_str));
    if ready_made {
        file_problem(
            file,
            Severity::Warning,
            ProblemKind::ColumnMissing,
            Some(column),
            format!(
                "this export has no `{column}` column{role}, so its mapping is skipped (the template is ready-made for several versions of the export; it has {has})"
            ),
        )
    } else {
        file_problem(
            file,
            Severity::Error,
            ProblemKind::ColumnMissing,
            Some(column),
            format!(
                "the file has no column `{column}`{role} (it has {has}); rename the column in the file or in the template, or remove the mapping (a template made for several versions of an export can say `\"readyMade\": true`: a column an export lacks is then skipped with a warning)"
            ),
        )
    }
}

/// Where a mapped value goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Field(String),
    Attribute { subcollection: String, type_name: String, instance: u32, attribute: String },
}

/// One mapping, compiled.
#[derive(Debug, Clone)]
struct Compiled {
    column: String,
    index: usize,
    slot: Slot,
    field: Field,
    converter: ValueConverter,
    /// What an empty cell becomes, already fitted to the field.
    null: Option<Value>,
    /// For `typeFrom` mappings: where each row's type name comes from.
    row_type: Option<RowType>,
    /// Source values (folded: trimmed, lower-case) that mean an empty cell.
    nulls: Vec<String>,
    /// What a value the converter cannot read does.
    invalid: Invalid,
    /// For phones: where the number's country goes (`phoneCountry` beside
    /// `phone`, a `country` attribute beside a subcollection's value), if
    /// the target has such a field.
    country: Option<Slot>,
    /// For phones: where the number's extension goes (a Telcom's
    /// `extension`), if the target has such a field.
    extension: Option<Slot>,
    /// For e-mails kept in a subcollection: the first instance past those the
    /// file maps, where a cell's second address goes (see [`split`]).
    spare: Option<u32>,
    /// A ZIP code (an address's `zip`, a lead's): one of a row whose address
    /// names the US, missing its leading zeros, gets them back, with a warning.
    zip: bool,
    /// A plain first, middle or last name kept as text: a value naming two
    /// people (`Ann & Bob`, a household) is kept with a warning.
    person_name: bool,
    /// A name part whose failure another part of the same column reports
    /// (a full name that does not split fails every part; one problem says so).
    quiet: bool,
}

/// What a value the converter cannot read does to its row.
#[derive(Debug, Clone)]
enum Invalid {
    /// Dropped, with a warning.
    Drop,
    /// The row is rejected; the text says why (`onInvalid`, a required field, the key).
    Reject(&'static str),
    /// Kept as text in `UserField[<column>]`, fitted to this field.
    Keep(Field),
    /// Kept as entered in the field itself, with a warning (a phone number
    /// invalid for its country).
    AsEntered,
}

/// Folds a cell for comparing with null values: trimmed, lower-case.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

/// A `typeFrom` compiled: the type column and its values.
#[derive(Debug, Clone)]
struct RowType {
    column: String,
    index: usize,
    subcollection: String,
    /// Folded (trimmed, lower-case) cell values and the type names they stand
    /// for: the template's `values`, then the subcollection's own type names.
    values: Vec<(String, String)>,
    /// The subcollection has no fixed type names: a value is its own type.
    any: bool,
    /// The type of rows whose type cell is blank (`typeName`).
    default: Option<String>,
}

impl RowType {
    fn resolve<'a>(&'a self, cell: &'a str) -> Result<&'a str, RowTypeError> {
        let key = cell.trim();
        if key.is_empty() {
            return self
                .default
                .as_deref()
                .ok_or_else(|| RowTypeError::Blank { column: self.column.clone() });
        }
        let folded = key.to_lowercase();
        if let Some((_, type_name)) = self.values.iter().find(|(k, _)| *k == folded) {
            return Ok(type_name);
        }
        if self.any {
            return Ok(key);
        }
        let mut known: Vec<String> = self.values.iter().map(|(_, t)| t.clone()).collect();
        known.sort_unstable();
        known.dedup();
        Err(RowTypeError::Unknown {
            value: key.to_string(),
            subcollection: self.subcollection.clone(),
            known,
        })
    }
}

/// A file mapping compiled against a target and a file's headers.
#[derive(Debug, Clone)]
pub struct FileConverter {
    file: String,
    headers: usize,
    mappings: Vec<Compiled>,
    create_missing: bool,
    /// The column of the address's country, whose value tells the row's
    /// country (see [`FileConverter::row_country`]).
    country_column: Option<usize>,
}

/// The index of `column` among `headers`: an exact match, else the only
/// match ignoring case and surrounding spaces.
pub fn find_column(headers: &[String], column: &str) -> Option<usize> {
    if let Some(i) = headers.iter().position(|h| h == column) {
        return Some(i);
    }
    let want = column.trim().to_lowercase();
    let mut found = headers.iter().enumerate().filter(|(_, h)| h.trim().to_lowercase() == want);
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// A header that names a column twice: which of the two a mapping means cannot
/// be told, so each repeated name is an error.
fn duplicate_headers(file: &str, headers: &[String]) -> Vec<Problem> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut repeats: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        match first.get(h.as_str()) {
            Some(&at) => repeats.entry(at).or_default().push(i),
            None => {
                first.insert(h, i);
            }
        }
    }
    repeats
        .into_iter()
        .map(|(at, others)| {
            let positions: Vec<String> =
                std::iter::once(at).chain(others).map(|i| (i + 1).to_string()).collect();
            file_problem(
                file,
                Severity::Error,
                ProblemKind::DuplicateColumn,
                Some(&headers[at]),
                format!(
                    "the header names column `{}` more than once (columns {}); rename the repeats, or read the file with `--no-header` and map the columns by position (`column {}`)",
                    headers[at],
                    positions.join(", "),
                    at + 1
                ),
            )
        })
        .collect()
}

fn file_problem(
    file: &str,
    severity: Severity,
    kind: ProblemKind,
    column: Option<&str>,
    message: String,
) -> Problem {
    Problem {
        severity,
        kind,
        file: file.to_string(),
        line: None,
        column: column.map(str::to_string),
        value: None,
        message,
    }
}

impl FileConverter {
    /// Compiles `file` for a file with `headers`; the problems are file-level
    /// (a column the template names is missing, an unknown field or type name,
    /// a converter that does not suit its field). A mapping with an error is
    /// left out, so rows still convert through the others.
    pub fn new(
        target: &TargetDefinition,
        file: &FileMapping,
        headers: &[String],
        options: &ConvertOptions,
    ) -> (FileConverter, Vec<Problem>) {
        let name = file.name.as_str();
        let mut problems = Vec::new();
        let mut mappings = Vec::new();
        let mut seen: Vec<(Slot, String)> = Vec::new();
        let error = |column: &str, kind: ProblemKind, message: String| {
            file_problem(name, Severity::Error, kind, Some(column), message)
        };

        problems.extend(duplicate_headers(name, headers));
        if let Some(link) = &file.parent
            && find_column(headers, &link.column).is_none()
        {
            problems.push(error(
                &link.column,
                ProblemKind::BadParentLink,
                format!("the parent link names column `{}`, which the file does not have", link.column),
            ));
        }

        for m in &file.mappings {
            let column = m.column.as_str();
            let (slot, field) = match resolve_slot(target, file, m) {
                Ok(found) => found,
                Err(why) => {
                    problems.push(error(column, ProblemKind::UnknownField, why.to_string()));
                    continue;
                }
            };
            if let Some((_, other)) = seen.iter().find(|(s, _)| *s == slot) {
                problems.push(error(
                    column,
                    ProblemKind::DuplicateMapping,
                    format!("`{}` is already mapped from column `{other}`", m.target_label()),
                ));
                continue;
            }
            seen.push((slot.clone(), column.to_string()));
            if !converter_fits(&m.converter, field.field_type) {
                problems.push(error(
                    column,
                    ProblemKind::BadConverter,
                    format!(
                        "`{}` is a {} field; map it with a `{}` converter, not `{}`",
                        m.target_label(),
                        field.field_type.as_str(),
                        converter_for(field.field_type),
                        m.converter.kind()
                    ),
                ));
                continue;
            }
            let phone = matches!(m.converter, Converter::Phone { .. });
            let email = m.converter == Converter::Email;
            let own = match &m.converter {
                Converter::Phone { country: None } => Converter::Phone { country: options.country.clone() },
                c => c.clone(),
            };
            let converter = match ValueConverter::compile(&own) {
                Ok(c) => c,
                Err(e) => {
                    problems.push(error(column, ProblemKind::BadConverter, e.0));
                    continue;
                }
            };
            let null = match (&m.null_value, &file.null_default) {
                (Some(text), _) => match null_value(field, &converter, text, options.create_missing) {
                    Ok((value, warning)) => {
                        if let Some(message) = warning {
                            problems.push(file_problem(
                                name,
                                Severity::Warning,
                                ProblemKind::BadConverter,
                                Some(column),
                                message,
                            ));
                        }
                        value
                    }
                    Err(why) => {
                        problems.push(error(column, ProblemKind::BadConverter, why.to_string()));
                        continue;
                    }
                },
                (None, Some(text)) => {
                    let fitted = match null_value(field, &converter, text, options.create_missing) {
                        Ok((value, None)) => Ok(value),
                        Ok((_, Some(warning))) => Err(warning),
                        Err(why) => Err(why.to_string()),
                    };
                    // The file-wide default suits some fields and not others: where it
                    // does not, empty cells stay empty.
                    fitted.unwrap_or_else(|message| {
                        problems.push(file_problem(
                            name,
                            Severity::Warning,
                            ProblemKind::BadConverter,
                            Some(column),
                            format!("{message}; empty cells of this column stay empty"),
                        ));
                        None
                    })
                }
                (None, None) => None,
            };
            let Some(index) = find_column(headers, column) else {
                problems.push(missing_column(name, column, "", headers, options.ready_made));
                continue;
            };
            let row_type = match (&m.type_from, &m.subcollection) {
                (Some(from), Some(sub)) => {
                    let Some(type_index) = find_column(headers, &from.column) else {
                        let role = format!(", the type column of `{}`", m.target_label());
                        problems.push(missing_column(name, &from.column, &role, headers, options.ready_made));
                        continue;
                    };
                    let names = target.subcollection(sub).map(|c| c.type_names.clone()).unwrap_or_default();
                    let values = from
                        .values
                        .iter()
                        .map(|(k, t)| (k.trim().to_lowercase(), t.clone()))
                        .chain(names.iter().map(|t| (t.to_lowercase(), t.clone())))
                        .collect();
                    Some(RowType {
                        column: from.column.clone(),
                        index: type_index,
                        subcollection: sub.clone(),
                        values,
                        any: names.is_empty(),
                        default: m.type_name.clone(),
                    })
                }
                _ => None,
            };
            let invalid = match (m.on_invalid, &slot) {
                (OnInvalid::Reject, _) => {
                    Invalid::Reject("the template rejects such rows (`onInvalid`: `reject`)")
                }
                (OnInvalid::Drop, _) if phone || email => Invalid::AsEntered,
                (_, Slot::Field(_)) if field.key => Invalid::Reject("it is the key, so the row is rejected"),
                (_, Slot::Field(_)) if field.required => {
                    Invalid::Reject("the field is required, so the row is rejected")
                }
                (OnInvalid::Keep, _) => match target
                    .subcollection(KEEP_SUBCOLLECTION)
                    .and_then(|c| c.fields.iter().find(|f| f.name == KEEP_ATTRIBUTE))
                {
                    Some(user) => Invalid::Keep(user.clone()),
                    None => {
                        problems.push(error(
                            column,
                            ProblemKind::BadConverter,
                            format!(
                                "`onInvalid`: `keep` keeps text in the user field `{KEEP_SUBCOLLECTION}[{column}]`, but target `{}` has no `{KEEP_SUBCOLLECTION}` subcollection; use `drop` or `reject`",
                                target.name
                            ),
                        ));
                        continue;
                    }
                },
                (OnInvalid::Drop, _) => Invalid::Drop,
            };
            let nulls = file.null_values.iter().chain(&m.null_values).map(|v| fold(v)).collect();
            let country = if phone { country_slot(target, &slot) } else { None };
            let extension = if phone { extension_slot(target, &slot) } else { None };
            let person_name = matches!(m.converter, Converter::Text { .. })
                && matches!(&slot, Slot::Field(f) if crate::auto::name_part_for(f).is_some());
            let zip = matches!(&slot, Slot::Field(f) | Slot::Attribute { attribute: f, .. } if f == "zip");
            mappings.push(Compiled {
                spare: None,
                zip,
                person_name,
                country,
                extension,
                column: column.to_string(),
                index,
                slot,
                field: field.clone(),
                converter,
                null,
                row_type,
                nulls,
                invalid,
                quiet: false,
            });
        }
        // The part that speaks for a full-name column: a required one, else the first.
        let is_name = |m: &Compiled| matches!(m.converter, ValueConverter::Name(_));
        for i in 0..mappings.len() {
            if !is_name(&mappings[i]) {
                continue;
            }
            let siblings: Vec<usize> = (0..mappings.len())
                .filter(|&j| mappings[j].index == mappings[i].index && is_name(&mappings[j]))
                .collect();
            let speaker = siblings
                .iter()
                .copied()
                .find(|&j| matches!(mappings[j].invalid, Invalid::Reject(_)))
                .unwrap_or(siblings[0]);
            mappings[i].quiet = i != speaker;
        }

        split::number_spares(&mut mappings);
        let converter = FileConverter {
            file: file.name.clone(),
            headers: headers.len(),
            country_column: phones::address_country(&mappings),
            mappings,
            create_missing: options.create_missing,
        };
        (converter, problems)
    }

    /// The file's name, as in the template.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The source column mapped to a plain field, if any.
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.mappings.iter().find(|m| m.slot == Slot::Field(field.to_string())).map(|m| m.column.as_str())
    }

    /// The plain fields this file maps.
    pub fn mapped_fields(&self) -> impl Iterator<Item = &str> {
        self.mappings.iter().filter_map(|m| match &m.slot {
            Slot::Field(f) => Some(f.as_str()),
            Slot::Attribute { .. } => None,
        })
    }

    /// Converts one row: values through their converters, null values and
    /// null converters, truncation and enumeration checks. A value the
    /// converter cannot read is dropped with a warning (the row is kept),
    /// unless the field is required or the key, or the mapping says
    /// `onInvalid`: `reject` (an error) or `keep` (the text is kept in
    /// `UserField[<column>]`).
    /// The country the row's address names (`Germany`, `DE`), as a code.
    fn row_country(&self, row: &Row) -> Option<String> {
        crate::country::country_of_name(row.cell(self.country_column?))
    }

    pub fn convert(&self, row: &Row) -> Converted {
        let mut record = Record::default();
        let mut problems = Vec::new();
        let problem = |severity, kind, column: Option<&str>, value: Option<&str>, message| Problem {
            severity,
            kind,
            file: self.file.clone(),
            line: Some(row.line),
            column: column.map(str::to_string),
            value: value.map(str::to_string),
            message,
        };

        if row.cells.len() > self.headers {
            let extra = &row.cells[self.headers..];
            if extra.iter().any(|c| !c.trim().is_empty()) {
                problems.push(problem(
                    Severity::Error,
                    ProblemKind::RaggedRow,
                    None,
                    None,
                    format!(
                        "the row has {} cells but the header has {}; the cells past the last column cannot be placed (a value holding the delimiter needs quotes, `\"…\"`): fix the line and run again",
                        row.cells.len(),
                        self.headers
                    ),
                ));
            }
        } else if row.cells.len() < self.headers {
            problems.push(problem(
                Severity::Error,
                ProblemKind::RaggedRow,
                None,
                None,
                format!(
                    "the row has {} cells but the header has {}; a delimiter is missing (or a line break splits the row), so the cells cannot be placed",
                    row.cells.len(),
                    self.headers
                ),
            ));
        }

        // A package carries the mapped values; one that cannot carry them is refused here.
        let long = self.mappings.iter().map(|m| row.cell(m.index).len()).sum::<usize>();
        if long > MAX_ROW_BYTES {
            let widest = self.mappings.iter().max_by_key(|m| row.cell(m.index).len());
            problems.push(problem(
                Severity::Error,
                ProblemKind::RowTooLong,
                widest.map(|m| m.column.as_str()),
                None,
                format!(
                    "the row's mapped values are {long} bytes long, more than the {MAX_ROW_BYTES} bytes a package row may hold; shorten the value, or leave its column unmapped"
                ),
            ));
            return Converted { record, problems };
        }

        // The country the row's address names, once per row (phones and ZIP codes read it).
        let named = self.row_country(row);
        for m in &self.mappings {
            let cell = row.cell(m.index);
            // A phone's country and extension, for the target's fields beside it.
            let mut country: Option<String> = None;
            let mut extension: Option<Value> = None;
            let mut more = Vec::new();
            let value = if cell.trim().is_empty() || (!m.nulls.is_empty() && m.nulls.contains(&fold(cell))) {
                m.null.clone()
            } else {
                let mut found = Vec::new();
                let raw = cell;
                let cell: &str = &repair::prepare(m, raw, named.as_deref(), &mut found);
                let cell = split::first_address(m, cell, &mut more, &mut found);
                for (severity, kind, message) in found {
                    problems.push(problem(severity, kind, Some(&m.column), Some(raw), message));
                }
                let converted = match phones::for_country(&m.converter, named.as_deref()) {
                    Some(own) => own.convert(cell),
                    None => m.converter.convert(cell),
                };
                match value::refuse_placeholder(converted, cell) {
                    Ok(Some(mut v)) => {
                        if m.country.is_some() {
                            country = Some(phone_country(&v));
                        }
                        if m.extension.is_some()
                            && let Some((number, ext)) = split_extension(&v)
                        {
                            v = number;
                            extension = Some(ext);
                        }
                        if m.person_name
                            && let Value::Text(text) = &v
                            && let Some(message) = crate::name::household_warning(text)
                        {
                            problems.push(problem(
                                Severity::Warning,
                                ProblemKind::InvalidName,
                                Some(&m.column),
                                Some(cell),
                                message,
                            ));
                        }
                        let fitted = fit(&m.field, v, self.create_missing);
                        if let Some((severity, kind, message)) = fitted.problem {
                            problems.push(problem(severity, kind, Some(&m.column), Some(cell), message));
                        }
                        fitted.value
                    }
                    Ok(None) => None,
                    Err(_) if m.quiet => None,
                    Err(failure) if matches!(m.invalid, Invalid::AsEntered) => {
                        let message = if matches!(m.converter, ValueConverter::Email) {
                            format!("{}; it is kept as entered", failure.message)
                        } else {
                            country = Some(UNSPECIFIED_COUNTRY.to_string());
                            format!(
                                "{}; it is kept as entered, with no country (`{UNSPECIFIED_COUNTRY}`)",
                                failure.message
                            )
                        };
                        problems.push(problem(
                            Severity::Warning,
                            failure.kind,
                            Some(&m.column),
                            Some(cell),
                            message,
                        ));
                        let kept = fit(&m.field, Value::Text(cell.trim().to_string()), false);
                        if let Some((severity, kind, message)) = kept.problem {
                            problems.push(problem(severity, kind, Some(&m.column), Some(cell), message));
                        }
                        kept.value
                    }
                    Err(failure) => {
                        let (severity, message) = match &m.invalid {
                            Invalid::Reject(why) => (Severity::Error, format!("{}; {why}", failure.message)),
                            Invalid::Drop | Invalid::AsEntered => (
                                Severity::Warning,
                                format!(
                                    "{}; the value is dropped (the field is left empty)",
                                    failure.message
                                ),
                            ),
                            Invalid::Keep(user) => {
                                let kept = fit(user, Value::Text(cell.to_string()), false);
                                if let Some(text) = kept.value {
                                    record
                                        .instance_mut(KEEP_SUBCOLLECTION, &m.column, 1)
                                        .attributes
                                        .insert(KEEP_ATTRIBUTE.to_string(), text);
                                }
                                if let Some((severity, kind, message)) = kept.problem {
                                    problems.push(problem(
                                        severity,
                                        kind,
                                        Some(&m.column),
                                        Some(cell),
                                        message,
                                    ));
                                }
                                continue;
                            }
                        };
                        problems.push(problem(severity, failure.kind, Some(&m.column), Some(cell), message));
                        None
                    }
                }
            };
            let Some(value) = value else { continue };
            let country = country.map(Value::Text);
            match &m.slot {
                Slot::Field(name) => {
                    record.fields.insert(name.clone(), value);
                    if let (Some(Slot::Field(at)), Some(c)) = (&m.country, country) {
                        record.fields.entry(at.clone()).or_insert(c);
                    }
                    if let (Some(Slot::Field(at)), Some(e)) = (&m.extension, extension) {
                        record.fields.entry(at.clone()).or_insert(e);
                    }
                }
                Slot::Attribute { subcollection, type_name, instance, attribute } => {
                    let type_name = match &m.row_type {
                        None => type_name.as_str(),
                        Some(rt) => match rt.resolve(row.cell(rt.index)) {
                            Ok(t) => t,
                            Err(why) => {
                                // Once per row and type column, however many values it types.
                                let column = Some(rt.column.as_str());
                                if !problems.iter().any(|p: &Problem| {
                                    p.kind == ProblemKind::UnknownTypeName && p.column.as_deref() == column
                                }) {
                                    problems.push(problem(
                                        Severity::Error,
                                        ProblemKind::UnknownTypeName,
                                        column,
                                        Some(row.cell(rt.index)),
                                        why.to_string(),
                                    ));
                                }
                                continue;
                            }
                        },
                    };
                    let attributes = &mut record.instance_mut(subcollection, type_name, *instance).attributes;
                    attributes.insert(attribute.clone(), value);
                    if let (Some(Slot::Attribute { attribute: at, .. }), Some(c)) = (&m.country, country) {
                        attributes.entry(at.clone()).or_insert(c);
                    }
                    if let (Some(Slot::Attribute { attribute: at, .. }), Some(e)) = (&m.extension, extension)
                    {
                        attributes.entry(at.clone()).or_insert(e);
                    }
                    split::store(&mut record, m, more);
                }
            }
        }
        Converted { record, problems }
    }
}

#[cfg(test)]
mod tests;
