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

pub mod value;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::problem::{Problem, ProblemKind, Severity};
use crate::read::Row;
use crate::record::{Record, Value};
use crate::target::{Field, FieldType, TargetDefinition};
use crate::template::{ALL_CATEGORIES, Converter, FieldMapping, FileMapping, MappingTemplate};
use value::{ValueConverter, list_values, show};

/// Choices that change how values are validated.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Enumeration values the target does not know are added to it (with a
    /// warning) instead of ignored.
    pub create_missing: bool,
}

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
    fn resolve<'a>(&'a self, cell: &'a str) -> Result<&'a str, String> {
        let key = cell.trim();
        if key.is_empty() {
            return self.default.as_deref().ok_or_else(|| {
                format!(
                    "the type column `{}` is empty (give the mapping a `typeName` for such rows)",
                    self.column
                )
            });
        }
        let folded = key.to_lowercase();
        if let Some((_, type_name)) = self.values.iter().find(|(k, _)| *k == folded) {
            return Ok(type_name);
        }
        if self.any {
            return Ok(key);
        }
        let mut known: Vec<&str> = self.values.iter().map(|(_, t)| t.as_str()).collect();
        known.sort_unstable();
        known.dedup();
        Err(format!(
            "`{key}` is not a type of `{}` ({}); map it to one in the mapping's `typeFrom.values`",
            self.subcollection,
            list_values(known.into_iter())
        ))
    }
}

/// A file mapping compiled against a target and a file's headers.
#[derive(Debug, Clone)]
pub struct FileConverter {
    file: String,
    headers: usize,
    mappings: Vec<Compiled>,
    create_missing: bool,
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

/// Which converters serve which field types.
fn converter_fits(converter: &Converter, field_type: FieldType) -> bool {
    matches!(
        (converter, field_type),
        (Converter::Text { .. }, FieldType::String | FieldType::Enum)
            | (Converter::Integer, FieldType::Integer)
            | (Converter::Decimal, FieldType::Decimal)
            | (Converter::Date { .. }, FieldType::Date)
            | (Converter::Timestamp { .. }, FieldType::Timestamp)
            | (Converter::Boolean { .. }, FieldType::Boolean)
            | (Converter::Enumeration { .. }, FieldType::Enum | FieldType::String)
    )
}

/// The converter kind a field type asks for, for hints.
fn converter_for(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::String => "text",
        FieldType::Integer => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Timestamp => "timestamp",
        FieldType::Enum => "enumeration",
    }
}

/// Resolves a mapping's target against the target definition.
fn resolve_slot<'t>(
    target: &'t TargetDefinition,
    file: &FileMapping,
    m: &FieldMapping,
) -> Result<(Slot, &'t Field), String> {
    let in_category = |category: &str| file.category == ALL_CATEGORIES || file.category == category;
    let category_known = file.category == ALL_CATEGORIES || target.category(&file.category).is_some();
    match &m.subcollection {
        None => {
            if m.type_name.is_some() || m.type_from.is_some() {
                return Err(format!(
                    "`typeName` or `typeFrom` is set for field `{}`, which is not in a subcollection",
                    m.field
                ));
            }
            let Some(category) = target
                .categories
                .iter()
                .filter(|c| !c.subcollection)
                .find(|c| c.fields.iter().any(|f| f.name == m.field))
            else {
                let hint = if target
                    .categories
                    .iter()
                    .any(|c| c.subcollection && c.fields.iter().any(|f| f.name == m.field))
                {
                    " (it is a subcollection attribute: set `subcollection` and `typeName`)"
                } else {
                    ""
                };
                return Err(format!("target `{}` has no field `{}`{hint}", target.name, m.field));
            };
            if category_known && !in_category(&category.name) {
                return Err(format!(
                    "field `{}` is in category `{}`, not in the file's category `{}`",
                    m.field, category.name, file.category
                ));
            }
            let field = category.fields.iter().find(|f| f.name == m.field).expect("found above");
            Ok((Slot::Field(m.field.clone()), field))
        }
        Some(sub) => {
            let Some(category) = target.subcollection(sub) else {
                let known: Vec<&str> =
                    target.categories.iter().filter(|c| c.subcollection).map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "target `{}` has no subcollection `{sub}` (it has {})",
                    target.name,
                    list_values(known.into_iter())
                ));
            };
            if category_known && !in_category(&category.name) {
                return Err(format!(
                    "subcollection `{sub}` is not in the file's category `{}`",
                    file.category
                ));
            }
            // A subcollection without type names (UserField) takes any name.
            let check_type = |type_name: &str, what: &str| {
                if !category.type_names.is_empty() && !category.type_names.iter().any(|t| t == type_name) {
                    return Err(format!(
                        "subcollection `{sub}` has no type name `{type_name}`{what} (it has {})",
                        list_values(category.type_names.iter().map(String::as_str))
                    ));
                }
                Ok(())
            };
            if let Some(type_name) = &m.type_name {
                check_type(type_name, "")?;
            }
            let type_name = match (&m.type_from, &m.type_name) {
                // Told apart from fixed types, for duplicate mappings and instances.
                (Some(from), _) => {
                    for (value, type_name) in &from.values {
                        check_type(type_name, &format!(" (given for `{value}` in `typeFrom.values`)"))?;
                    }
                    format!("{{{}}}", from.column)
                }
                (None, Some(type_name)) => type_name.clone(),
                (None, None) => {
                    return Err(format!(
                        "subcollection `{sub}` needs a `typeName` (or a `typeFrom` column holding each row's type)"
                    ));
                }
            };
            let Some(field) = category.fields.iter().find(|f| f.name == m.field) else {
                return Err(format!(
                    "subcollection `{sub}` has no attribute `{}` (it has {})",
                    m.field,
                    list_values(category.fields.iter().map(|f| f.name.as_str()))
                ));
            };
            if m.instance == Some(0) {
                return Err("instance numbers start at 1".to_string());
            }
            Ok((
                Slot::Attribute {
                    subcollection: sub.clone(),
                    type_name: type_name.clone(),
                    instance: m.instance_number(),
                    attribute: m.field.clone(),
                },
                field,
            ))
        }
    }
}

/// Reads a null value in the canonical text of the field's type (the form
/// `Value::to_text` writes), for null values not written in the column's format.
fn canonical_value(field: &Field, text: &str) -> Option<Value> {
    Some(match field.field_type {
        FieldType::String | FieldType::Enum => Value::Text(text.to_string()),
        FieldType::Integer => Value::Integer(value::parse_integer(text.trim()).ok()?),
        FieldType::Decimal => Value::Decimal(value::parse_decimal(text.trim()).ok()?),
        FieldType::Boolean => Value::Boolean(text.trim().parse().ok()?),
        FieldType::Date => Value::Date(text.trim().parse().ok()?),
        FieldType::Timestamp => Value::Timestamp(text.trim().parse().ok()?),
    })
}

/// A value checked against its field.
struct Fitted {
    value: Option<Value>,
    problem: Option<(Severity, ProblemKind, String)>,
}

/// Fits a converted value to its field: truncation of over-long text, enumeration values.
fn fit(field: &Field, value: Value, create_missing: bool) -> Fitted {
    match value {
        Value::Text(text) if field.field_type == FieldType::Enum => {
            if field.values.contains(&text) {
                return Fitted { value: Some(Value::Text(text)), problem: None };
            }
            let folded = text.trim().to_lowercase();
            if let Some(known) = field.values.iter().find(|v| v.to_lowercase() == folded) {
                return Fitted { value: Some(Value::Text(known.clone())), problem: None };
            }
            if create_missing {
                let message =
                    format!("`{}` is not a value of `{}`; it will be added", show(&text), field.label);
                Fitted {
                    value: Some(Value::Text(text)),
                    problem: Some((Severity::Warning, ProblemKind::UnknownEnumValue, message)),
                }
            } else {
                let message = format!(
                    "`{}` is not a value of `{}` (it knows {}); it will be ignored",
                    show(&text),
                    field.label,
                    list_values(field.values.iter().map(String::as_str))
                );
                Fitted {
                    value: None,
                    problem: Some((Severity::Warning, ProblemKind::UnknownEnumValue, message)),
                }
            }
        }
        Value::Text(text) => match field.max_length {
            Some(max) if text.len() > max && text.chars().count() > max => {
                let cut: String = text.chars().take(max).collect();
                let message = format!(
                    "`{}` is longer than {max} characters ({}); it will be truncated to `{}`",
                    show(&text),
                    text.chars().count(),
                    show(&cut)
                );
                Fitted {
                    value: Some(Value::Text(cut)),
                    problem: Some((Severity::Warning, ProblemKind::Truncated, message)),
                }
            }
            _ => Fitted { value: Some(Value::Text(text)), problem: None },
        },
        other => Fitted { value: Some(other), problem: None },
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
                Err(message) => {
                    problems.push(error(column, ProblemKind::UnknownField, message));
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
            let converter = match ValueConverter::compile(&m.converter) {
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
                    Err(message) => {
                        problems.push(error(column, ProblemKind::BadConverter, message));
                        continue;
                    }
                },
                (None, Some(text)) => match null_value(field, &converter, text, options.create_missing) {
                    Ok((value, None)) => value,
                    // The file-wide default suits some fields and not others: where it
                    // does not, empty cells stay empty.
                    Ok((_, Some(message))) | Err(message) => {
                        problems.push(file_problem(
                            name,
                            Severity::Warning,
                            ProblemKind::BadConverter,
                            Some(column),
                            format!("{message}; empty cells of this column stay empty"),
                        ));
                        None
                    }
                },
                (None, None) => None,
            };
            let Some(index) = find_column(headers, column) else {
                problems.push(error(
                    column,
                    ProblemKind::ColumnMissing,
                    format!(
                        "the file has no column `{column}` (it has {})",
                        list_values(headers.iter().map(String::as_str))
                    ),
                ));
                continue;
            };
            let row_type = match (&m.type_from, &m.subcollection) {
                (Some(from), Some(sub)) => {
                    let Some(type_index) = find_column(headers, &from.column) else {
                        problems.push(error(
                            &from.column,
                            ProblemKind::ColumnMissing,
                            format!(
                                "the file has no column `{}`, the type column of `{}` (it has {})",
                                from.column,
                                m.target_label(),
                                list_values(headers.iter().map(String::as_str))
                            ),
                        ));
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
            mappings.push(Compiled {
                column: column.to_string(),
                index,
                slot,
                field: field.clone(),
                converter,
                null,
                row_type,
            });
        }

        let converter = FileConverter {
            file: file.name.clone(),
            headers: headers.len(),
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

    /// Converts one row: values through their converters, null converters,
    /// truncation and enumeration checks.
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
                        "the row has {} cells but the header has {}; the cells past the last column cannot be placed",
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

        for m in &self.mappings {
            let cell = row.cell(m.index);
            let value = if cell.trim().is_empty() {
                m.null.clone()
            } else {
                match m.converter.convert(cell) {
                    Ok(Some(v)) => {
                        let fitted = fit(&m.field, v, self.create_missing);
                        if let Some((severity, kind, message)) = fitted.problem {
                            problems.push(problem(severity, kind, Some(&m.column), Some(cell), message));
                        }
                        fitted.value
                    }
                    Ok(None) => None,
                    Err(failure) => {
                        problems.push(problem(
                            Severity::Error,
                            failure.kind,
                            Some(&m.column),
                            Some(cell),
                            failure.message,
                        ));
                        None
                    }
                }
            };
            let Some(value) = value else { continue };
            match &m.slot {
                Slot::Field(name) => {
                    record.fields.insert(name.clone(), value);
                }
                Slot::Attribute { subcollection, type_name, instance, attribute } => {
                    let type_name = match &m.row_type {
                        None => type_name.as_str(),
                        Some(rt) => match rt.resolve(row.cell(rt.index)) {
                            Ok(t) => t,
                            Err(message) => {
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
                                        message,
                                    ));
                                }
                                continue;
                            }
                        },
                    };
                    record
                        .instance_mut(subcollection, type_name, *instance)
                        .attributes
                        .insert(attribute.clone(), value);
                }
            }
        }
        Converted { record, problems }
    }

    /// [`validate_record`], with each problem placed at the column that maps
    /// the field when this file maps it.
    pub fn validate(&self, target: &TargetDefinition, record: &Record, line: u64) -> Vec<Problem> {
        violations(target, record)
            .into_iter()
            .map(|v| {
                let column = match &v.fields[..] {
                    [one] => self.column_of(one),
                    _ => None,
                };
                v.into_problem(&self.file, line, column)
            })
            .collect()
    }
}

/// The null value of a mapping, fitted to its field. The text is read as the
/// column's text would be, else in the canonical form of the field's type.
/// `Ok((value, Some(warning)))` when the value needed changing.
fn null_value(
    field: &Field,
    converter: &ValueConverter,
    text: &str,
    create_missing: bool,
) -> Result<(Option<Value>, Option<String>), String> {
    if text.is_empty() {
        return Ok((None, None));
    }
    let value = match converter.convert(text) {
        Ok(v) => v,
        Err(_) => Some(canonical_value(field, text).ok_or_else(|| {
            format!(
                "the null value `{}` is not a valid {} for `{}`",
                show(text),
                field.field_type.as_str(),
                field.name
            )
        })?),
    };
    let Some(value) = value else { return Ok((None, None)) };
    let fitted = fit(field, value, create_missing);
    match fitted.problem {
        None => Ok((fitted.value, None)),
        Some((_, ProblemKind::Truncated, message)) => {
            Ok((fitted.value, Some(format!("null value: {message}"))))
        }
        Some((_, _, message)) => Err(format!("null value: {message}")),
    }
}

/// A broken record-level rule.
struct Violation {
    kind: ProblemKind,
    /// The fields the rule is about.
    fields: Vec<String>,
    message: String,
}

impl Violation {
    fn into_problem(self, file: &str, line: u64, column: Option<&str>) -> Problem {
        Problem {
            severity: Severity::Error,
            kind: self.kind,
            file: file.to_string(),
            line: Some(line),
            column: column.map(str::to_string),
            value: None,
            message: self.message,
        }
    }
}

fn label_of<'t>(target: &'t TargetDefinition, name: &'t str) -> &'t str {
    target.field(name).map_or(name, |f| f.label.as_str())
}

fn violations(target: &TargetDefinition, record: &Record) -> Vec<Violation> {
    let mut out = Vec::new();
    for f in target.plain_fields().filter(|f| f.required) {
        if !record.fields.contains_key(&f.name) {
            out.push(Violation {
                kind: ProblemKind::RequiredMissing,
                fields: vec![f.name.clone()],
                message: format!("required field `{}` is empty", f.label),
            });
        }
    }
    for group in &target.require_one_of {
        if !group.iter().any(|name| record.fields.contains_key(name)) {
            let labels: Vec<&str> = group.iter().map(|n| label_of(target, n)).collect();
            out.push(Violation {
                kind: ProblemKind::RequiredOneOfMissing,
                fields: group.clone(),
                message: format!("one of {} must hold a value", list_values(labels.into_iter())),
            });
        }
    }
    out
}

/// The plain fields the record-level rules look at (required fields and one-of groups).
pub fn rule_fields(target: &TargetDefinition) -> BTreeSet<String> {
    let mut out: BTreeSet<String> =
        target.plain_fields().filter(|f| f.required).map(|f| f.name.clone()).collect();
    out.extend(target.require_one_of.iter().flatten().cloned());
    out
}

/// Record-level rules: required fields and one-of groups. `file` and `line`
/// locate the record's main row.
pub fn validate_record(target: &TargetDefinition, record: &Record, file: &str, line: u64) -> Vec<Problem> {
    violations(target, record).into_iter().map(|v| v.into_problem(file, line, None)).collect()
}

/// Template-level problems: required target fields that no column maps to,
/// files whose category or parent link is unknown. Problems within one
/// file's mappings (unknown fields, converters, columns) come from
/// [`FileConverter::new`], which knows the file's headers.
pub fn check_template(target: &TargetDefinition, template: &MappingTemplate) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Template-wide problems are filed under the main file (the first without a parent).
    let main = template
        .files
        .iter()
        .find(|f| f.parent.is_none())
        .or(template.files.first())
        .map_or("(template)", |f| f.name.as_str());
    let error = |file: &str, column: Option<&str>, kind, message| {
        file_problem(file, Severity::Error, kind, column, message)
    };

    if template.files.is_empty() {
        problems.push(error(
            main,
            None,
            ProblemKind::RequiredUnmapped,
            "the template maps no file".to_string(),
        ));
        return problems;
    }

    let mut names = BTreeSet::new();
    for file in &template.files {
        if !names.insert(file.name.as_str()) {
            problems.push(error(
                &file.name,
                None,
                ProblemKind::DuplicateMapping,
                format!("file `{}` is mapped twice", file.name),
            ));
        }
        if file.category != ALL_CATEGORIES && target.category(&file.category).is_none() {
            let known: Vec<&str> = std::iter::once(ALL_CATEGORIES)
                .chain(target.categories.iter().map(|c| c.name.as_str()))
                .collect();
            problems.push(error(
                &file.name,
                None,
                ProblemKind::UnknownField,
                format!(
                    "target `{}` has no category `{}` (it has {})",
                    target.name,
                    file.category,
                    list_values(known.into_iter())
                ),
            ));
        }
        if let Some(link) = &file.parent {
            match template.file(&link.file) {
                None => problems.push(error(
                    &file.name,
                    Some(&link.column),
                    ProblemKind::BadParentLink,
                    format!("the parent link names file `{}`, which the template does not map", link.file),
                )),
                Some(parent) if parent.name == file.name => problems.push(error(
                    &file.name,
                    Some(&link.column),
                    ProblemKind::BadParentLink,
                    "a file cannot be its own parent".to_string(),
                )),
                Some(parent) if parent.parent.is_some() => problems.push(error(
                    &file.name,
                    Some(&link.column),
                    ProblemKind::BadParentLink,
                    format!(
                        "parent file `{}` is itself a child file; link to the main file instead",
                        parent.name
                    ),
                )),
                Some(parent) => match &parent.id_column {
                    // The runner finds parents by the parent's `idColumn`: the two must agree.
                    None => problems.push(error(
                        &parent.name,
                        None,
                        ProblemKind::BadParentLink,
                        format!(
                            "child file `{}` links to this file, which names no `idColumn` (set it to `{}`)",
                            file.name, link.parent_column
                        ),
                    )),
                    Some(id) if *id != link.parent_column => problems.push(error(
                        &file.name,
                        Some(&link.column),
                        ProblemKind::BadParentLink,
                        format!(
                            "the parent link names column `{}` of `{}`, whose `idColumn` is `{id}`",
                            link.parent_column, parent.name
                        ),
                    )),
                    Some(_) => {}
                },
            }
        }
    }

    let mapped: BTreeSet<&str> = template
        .files
        .iter()
        .flat_map(|f| f.mappings.iter())
        .filter(|m| m.subcollection.is_none())
        .map(|m| m.field.as_str())
        .collect();
    for f in target.plain_fields().filter(|f| f.required) {
        if !mapped.contains(f.name.as_str()) {
            problems.push(error(
                main,
                None,
                ProblemKind::RequiredUnmapped,
                format!("required field `{}` (`{}`) is not mapped from any column", f.label, f.name),
            ));
        }
    }
    for group in &target.require_one_of {
        if !group.iter().any(|n| mapped.contains(n.as_str())) {
            let labels: Vec<&str> = group.iter().map(|n| label_of(target, n)).collect();
            problems.push(error(
                main,
                None,
                ProblemKind::RequiredUnmapped,
                format!(
                    "none of {} is mapped; every record needs one of them",
                    list_values(labels.into_iter())
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests;
