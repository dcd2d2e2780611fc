//! The interactive mapping session, as a state machine with no terminal code.
//!
//! A [`Session`] holds the target, the data location's [`SourceFile`]s and the
//! template being built. [`Session::step`] returns the next [`Step`]: a
//! [`Question`] to ask, or the end (save the template, or quit). The caller
//! asks the question however it likes (dialoguer on a terminal, a line of an
//! answers file) and hands the [`Answer`] to [`Session::answer`]; an answer
//! the session cannot take comes back as an error message and the same
//! question is asked again.
//!
//! The flow follows the seed's mapping tool: per file its field category and
//! (for child tables) its parent link, then a menu: map a field, add a
//! subcollection instance, copy or delete a subcollection row, unmap, null
//! converters, review, next file. Mapping a column asks what the field's type
//! needs (text converter, date or timestamp format and time zone, boolean and
//! enumeration tables). Nothing is written here: the caller saves the template
//! that [`Step::Save`] carries.

mod question;
mod source;

pub use question::{Answer, Choice, Question, QuestionKind};
pub use source::{DISTINCT_CAP, SourceColumn, SourceFile, load_data};

use crate::profile::InferredKind;
use crate::target::{Category, Field, FieldType, TargetDefinition};
use crate::template::{
    ALL_CATEGORIES, Converter, FieldMapping, FileMapping, MappingTemplate, ParentLink, TextConverter,
    TypeFrom,
};

/// How the session draws its marks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionOptions {
    /// ASCII marks (`[x]`, `[ ]`, `(*)`, `( )`) instead of `✓`, `·`, `●`, `○`.
    pub ascii: bool,
}

/// What the session wants next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Ask this and pass the answer to [`Session::answer`].
    Ask(Question),
    /// The user chose to save: write this template.
    Save(MappingTemplate),
    /// The user chose to quit without saving.
    Quit,
}

struct Marks {
    mapped: &'static str,
    unmapped: &'static str,
    plugged: &'static str,
    unplugged: &'static str,
}

const UNICODE_MARKS: Marks = Marks { mapped: "✓", unmapped: "·", plugged: "●", unplugged: "○" };
const ASCII_MARKS: Marks = Marks { mapped: "[x]", unmapped: "[ ]", plugged: "(*)", unplugged: "( )" };

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

const BACK: &str = "back";
/// The choice of a type name read from a column, per row.
const TYPE_FROM_COLUMN: &str = "from-column";
/// No type name: rows with this type value (or a blank one) are errors.
const NO_TYPE: &str = "none";
const OTHER: &str = "other";
const IGNORE: &str = "(ignore)";

/// A field mapping being built.
#[derive(Debug, Clone)]
struct Draft {
    /// The mapping it replaces, if any.
    replace: Option<usize>,
    mapping: FieldMapping,
    /// The type name is typed after the column is chosen (subcollections without type names).
    type_typed: bool,
    /// The instance number is the next free one, decided when committed.
    new_instance: bool,
}

#[derive(Debug, Clone)]
enum ConvStep {
    Text,
    DateFormat,
    DateTyped,
    TimestampFormat,
    TimestampTyped,
    TimeZone,
    Boolean,
    Enum(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowPurpose {
    Copy,
    Delete,
    Unmap,
    NullOverride,
}

#[derive(Debug, Clone)]
enum State {
    Category(usize),
    Parent(usize),
    ParentColumn(usize, String),
    ParentIdColumn(usize, String, String),
    Menu(usize),
    PickField(usize),
    PickSub(usize),
    PickType(usize, String),
    /// The column that names each row's type (a `typeFrom` mapping).
    TypeColumn(usize, String),
    /// The type name of the first of the type column's values that is none.
    TypeValue(usize, Draft, Vec<String>),
    /// The type of rows whose type cell is blank.
    TypeBlank(usize, Draft),
    PickAttr(usize, Draft),
    PickColumn(usize, Draft),
    TypeName(usize, Draft),
    Convert(usize, Draft, ConvStep),
    PickRow(usize, RowPurpose),
    NullMenu(usize),
    NullDefault(usize),
    NullOverride(usize, usize),
    Finish,
    PickFile,
    Saved,
    Quit,
}

/// The mapping session.
pub struct Session {
    target: TargetDefinition,
    files: Vec<SourceFile>,
    template: MappingTemplate,
    state: State,
    notes: Vec<String>,
    marks: &'static Marks,
}

impl Session {
    /// A session over `files` that starts from `start` (a suggestion or a loaded
    /// template). Data files the template lacks are added, unmapped; columns and
    /// files the template names that the data lacks are reported in the first
    /// question's notes.
    pub fn new(
        target: TargetDefinition,
        files: Vec<SourceFile>,
        start: MappingTemplate,
        options: SessionOptions,
    ) -> Session {
        let mut template = start;
        let mut notes = vec![format!("the data location holds {} file(s):", files.len())];
        for f in &files {
            let rows = f.rows.map(|r| format!(", {r} rows")).unwrap_or_default();
            notes.push(format!("  {}  ({} columns{rows})", f.name, f.columns.len()));
        }
        for fm in &template.files {
            match files.iter().find(|f| f.name == fm.name) {
                None => notes.push(format!(
                    "the template maps `{}`, which the data location lacks (kept as is)",
                    fm.name
                )),
                Some(f) => {
                    let mut missing: Vec<&str> = Vec::new();
                    let named = fm
                        .mappings
                        .iter()
                        .map(|m| m.column.as_str())
                        .chain(fm.parent.iter().map(|p| p.column.as_str()))
                        .chain(fm.id_column.as_deref());
                    for c in named {
                        if f.column(c).is_none() && !missing.contains(&c) {
                            missing.push(c);
                        }
                    }
                    if !missing.is_empty() {
                        let list: Vec<String> = missing.iter().map(|c| format!("`{c}`")).collect();
                        notes.push(format!(
                            "the template names columns that `{}` lacks: {} (unmap or remap them)",
                            fm.name,
                            list.join(", ")
                        ));
                    }
                }
            }
        }
        for f in &files {
            if template.file(&f.name).is_none() {
                template.files.push(FileMapping {
                    name: f.name.clone(),
                    category: ALL_CATEGORIES.to_string(),
                    parent: None,
                    id_column: None,
                    null_default: None,
                    null_values: Vec::new(),
                    mappings: Vec::new(),
                });
            }
        }
        let state = if files.is_empty() { State::Finish } else { State::Category(0) };
        Session {
            target,
            files,
            template,
            state,
            notes,
            marks: if options.ascii { &ASCII_MARKS } else { &UNICODE_MARKS },
        }
    }

    /// The template as it stands.
    pub fn template(&self) -> &MappingTemplate {
        &self.template
    }

    /// The next step: a question, or the end.
    pub fn step(&mut self) -> Step {
        match self.state {
            State::Saved => return Step::Save(self.template.clone()),
            State::Quit => return Step::Quit,
            _ => {}
        }
        let mut q = self.question();
        let mut notes = std::mem::take(&mut self.notes);
        notes.append(&mut q.notes);
        q.notes = notes;
        Step::Ask(q)
    }

    /// Takes the answer to the question [`Session::step`] returned. An error
    /// says why the answer does not do; the same question comes next.
    pub fn answer(&mut self, answer: Answer) -> Result<(), String> {
        let q = self.question();
        let key = match (&q.kind, &answer) {
            (QuestionKind::Select { options, .. }, Answer::Select(i)) => {
                Some(options.get(*i).ok_or_else(|| format!("option {} does not exist", i + 1))?.key.clone())
            }
            (QuestionKind::MultiSelect { options, .. }, Answer::MultiSelect(picked)) => {
                if picked.iter().any(|i| *i >= options.len()) {
                    return Err("an option picked does not exist".to_string());
                }
                None
            }
            (QuestionKind::Text { .. }, Answer::Text(_))
            | (QuestionKind::Confirm { .. }, Answer::Confirm(_)) => None,
            _ => return Err("that kind of answer does not fit this question".to_string()),
        };
        let key = key.unwrap_or_default();
        let state = self.state.clone();
        match state {
            State::Category(f) => {
                self.fm_mut(f).category = key;
                self.state = if self.files.len() > 1 { State::Parent(f) } else { State::Menu(f) };
            }
            State::Parent(f) => {
                if key == BACK {
                    self.fm_mut(f).parent = None;
                    self.state = State::Menu(f);
                } else {
                    self.state = State::ParentColumn(f, key);
                }
            }
            State::ParentColumn(f, parent) => self.state = State::ParentIdColumn(f, parent, key),
            State::ParentIdColumn(f, parent, column) => {
                let link = ParentLink { file: parent.clone(), column, parent_column: key.clone() };
                if self.fm(f).parent.as_ref() != Some(&link) {
                    self.fm_mut(f).parent = Some(link);
                    if let Some(p) = self.template.files.iter_mut().find(|x| x.name == parent) {
                        p.id_column = Some(key);
                    }
                }
                self.state = State::Menu(f);
            }
            State::Menu(f) => self.menu(f, &key),
            State::PickField(f) => {
                if key == BACK {
                    self.state = State::Menu(f);
                } else {
                    let existing =
                        self.fm(f).mappings.iter().position(|m| m.subcollection.is_none() && m.field == key);
                    let mapping = match existing {
                        Some(i) => self.fm(f).mappings[i].clone(),
                        None => new_mapping("", &key, None, None),
                    };
                    let draft = Draft { replace: existing, mapping, type_typed: false, new_instance: false };
                    self.state = State::PickColumn(f, draft);
                }
            }
            State::PickSub(f) => {
                if key == BACK {
                    self.state = State::Menu(f);
                } else if self.target.subcollection(&key).is_some_and(|c| c.type_names.is_empty()) {
                    let draft = Draft {
                        replace: None,
                        mapping: new_mapping("", "", Some(&key), None),
                        type_typed: true,
                        new_instance: true,
                    };
                    self.state = State::PickAttr(f, draft);
                } else {
                    self.state = State::PickType(f, key);
                }
            }
            State::PickType(f, sub) => {
                if key == BACK {
                    self.state = State::Menu(f);
                } else if key == TYPE_FROM_COLUMN {
                    self.state = State::TypeColumn(f, sub);
                } else {
                    let draft = Draft {
                        replace: None,
                        mapping: new_mapping("", "", Some(&sub), Some(&key)),
                        type_typed: false,
                        new_instance: true,
                    };
                    self.state = State::PickAttr(f, draft);
                }
            }
            State::TypeColumn(f, sub) => {
                if key == BACK {
                    self.state = State::Menu(f);
                    return Ok(());
                }
                let names = self.target.subcollection(&sub).map(|c| c.type_names.clone()).unwrap_or_default();
                // Values that are type names need no answer; the others are asked one by one.
                let unknown: Vec<String> = self
                    .source_column(f, &key)
                    .distinct
                    .into_iter()
                    .filter(|v| !names.iter().any(|t| t.eq_ignore_ascii_case(v.trim())))
                    .collect();
                let mut mapping = new_mapping("", "", Some(&sub), None);
                mapping.type_from = Some(TypeFrom { column: key, values: Default::default() });
                let draft = Draft { replace: None, mapping, type_typed: false, new_instance: true };
                self.state = type_values_or_blank(f, draft, unknown);
            }
            State::TypeValue(f, mut draft, mut unknown) => {
                let value = unknown.remove(0);
                if key != NO_TYPE {
                    let from = draft.mapping.type_from.as_mut().expect("a type-column draft");
                    from.values.insert(value, key);
                }
                self.state = type_values_or_blank(f, draft, unknown);
            }
            State::TypeBlank(f, mut draft) => {
                draft.mapping.type_name = (key != NO_TYPE).then_some(key);
                self.state = State::PickAttr(f, draft);
            }
            State::PickAttr(f, mut draft) => {
                if key == BACK {
                    self.state = State::Menu(f);
                } else {
                    draft.mapping.field = key;
                    self.state = State::PickColumn(f, draft);
                }
            }
            State::PickColumn(f, mut draft) => {
                if key == BACK {
                    self.state = State::Menu(f);
                    return Ok(());
                }
                let changed = draft.mapping.column != key;
                draft.mapping.column = key;
                let field = self.draft_field(&draft).clone();
                if changed || draft.mapping.converter.kind() != converter_kind(field.field_type) {
                    let column = self.source_column(f, &draft.mapping.column);
                    draft.mapping.converter = crate::auto::converter_for(&field, &column);
                }
                if draft.type_typed {
                    self.state = State::TypeName(f, draft);
                } else {
                    self.start_converter(f, draft);
                }
            }
            State::TypeName(f, mut draft) => {
                let Answer::Text(name) = answer else { unreachable!("checked above") };
                let name = name.trim().to_string();
                if name.is_empty() {
                    return Err("a user field needs a name".to_string());
                }
                draft.mapping.type_name = Some(name);
                self.start_converter(f, draft);
            }
            State::Convert(f, draft, step) => self.convert(f, draft, step, &key, answer)?,
            State::PickRow(f, purpose) => {
                if key == BACK {
                    self.state = State::Menu(f);
                    return Ok(());
                }
                let i = self.fm(f).mappings.iter().position(|m| row_key(m) == key).ok_or("no such row")?;
                match purpose {
                    RowPurpose::Copy => {
                        let row = self.fm(f).mappings[i].clone();
                        let sub = row.subcollection.clone().unwrap_or_default();
                        let used: Vec<&str> = self
                            .fm(f)
                            .mappings
                            .iter()
                            .filter(|m| same_instance(m, &row))
                            .map(|m| m.field.as_str())
                            .collect();
                        let next_attr = self
                            .target
                            .subcollection(&sub)
                            .and_then(|c| c.fields.iter().find(|a| !used.contains(&a.name.as_str())))
                            .map_or(row.field.clone(), |a| a.name.clone());
                        let mapping = FieldMapping { field: next_attr, null_value: None, ..row };
                        let draft = Draft { replace: None, mapping, type_typed: false, new_instance: false };
                        self.state = State::PickAttr(f, draft);
                    }
                    RowPurpose::Delete | RowPurpose::Unmap => {
                        let m = self.fm_mut(f).mappings.remove(i);
                        self.notes.push(format!("unmapped `{}` from {}", m.column, m.target_label()));
                        self.state = State::Menu(f);
                    }
                    RowPurpose::NullOverride => self.state = State::NullOverride(f, i),
                }
            }
            State::NullMenu(f) => match key.as_str() {
                "default" => self.state = State::NullDefault(f),
                "apply" => {
                    let fm = self.fm_mut(f);
                    let default = fm.null_default.clone();
                    for m in &mut fm.mappings {
                        m.null_value = default.clone();
                    }
                    let n = fm.mappings.len();
                    self.notes.push(match default {
                        Some(d) => format!("null converter `{d}` applied to {n} field(s)"),
                        None => "no default to apply: set one first".to_string(),
                    });
                }
                "erase" => {
                    let fm = self.fm_mut(f);
                    fm.null_default = None;
                    for m in &mut fm.mappings {
                        m.null_value = None;
                    }
                    self.notes.push("null converters erased: empty cells stay empty".to_string());
                }
                "field" => self.state = State::PickRow(f, RowPurpose::NullOverride),
                _ => self.state = State::Menu(f),
            },
            State::NullDefault(f) => {
                let Answer::Text(v) = answer else { unreachable!("checked above") };
                self.fm_mut(f).null_default = null_text(&v);
                self.state = State::NullMenu(f);
            }
            State::NullOverride(f, i) => {
                let Answer::Text(v) = answer else { unreachable!("checked above") };
                // `-` is an override too: this field has no null converter,
                // whatever the file's default (`""` in the template).
                self.fm_mut(f).mappings[i].null_value = Some(null_text(&v).unwrap_or_default());
                self.state = State::NullMenu(f);
            }
            State::Finish => match key.as_str() {
                "save" => self.state = State::Saved,
                "quit" => self.state = State::Quit,
                _ => self.state = State::PickFile,
            },
            State::PickFile => {
                let f = self.files.iter().position(|x| x.name == key).ok_or("no such file")?;
                self.state = State::Category(f);
            }
            State::Saved | State::Quit => return Err("the session is over".to_string()),
        }
        Ok(())
    }

    fn menu(&mut self, f: usize, key: &str) {
        self.state = match key {
            "map" => State::PickField(f),
            "add" => State::PickSub(f),
            "copy" => State::PickRow(f, RowPurpose::Copy),
            "delete" => State::PickRow(f, RowPurpose::Delete),
            "unmap" => State::PickRow(f, RowPurpose::Unmap),
            "null" => State::NullMenu(f),
            "review" => {
                self.notes.extend(self.review());
                State::Menu(f)
            }
            _ if f + 1 < self.files.len() => State::Category(f + 1),
            _ => State::Finish,
        };
    }

    fn start_converter(&mut self, f: usize, draft: Draft) {
        let field = self.draft_field(&draft).clone();
        let column = self.source_column(f, &draft.mapping.column);
        let step = match field.field_type {
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

    fn convert(
        &mut self,
        f: usize,
        mut draft: Draft,
        step: ConvStep,
        key: &str,
        answer: Answer,
    ) -> Result<(), String> {
        let column = self.source_column(f, &draft.mapping.column);
        let timestamp = matches!(draft.mapping.converter, Converter::Timestamp { .. });
        let next = match (&mut draft.mapping.converter, step) {
            (Converter::Text { text }, ConvStep::Text) => {
                *text = if key == "rtf2plain" { TextConverter::Rtf2plain } else { TextConverter::None };
                None
            }
            (Converter::Date { format }, ConvStep::DateFormat)
            | (Converter::Timestamp { format, .. }, ConvStep::TimestampFormat) => {
                if key == OTHER {
                    Some(if timestamp { ConvStep::TimestampTyped } else { ConvStep::DateTyped })
                } else {
                    *format = key.to_string();
                    timestamp.then_some(ConvStep::TimeZone)
                }
            }
            (Converter::Date { format }, ConvStep::DateTyped)
            | (Converter::Timestamp { format, .. }, ConvStep::TimestampTyped) => {
                let Answer::Text(typed) = &answer else { unreachable!("checked by answer") };
                check_format(typed, column.sample.as_deref(), timestamp)?;
                *format = typed.clone();
                timestamp.then_some(ConvStep::TimeZone)
            }
            (Converter::Timestamp { time_zone, .. }, ConvStep::TimeZone) => {
                let Answer::Text(zone) = &answer else { unreachable!("checked by answer") };
                if jiff::tz::TimeZoneDatabase::bundled().get(zone).is_err()
                    && jiff::tz::db().get(zone).is_err()
                {
                    return Err(format!(
                        "`{zone}` is not an IANA time zone (such as `UTC`, `America/Toronto`, `Europe/Paris`)"
                    ));
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

    fn commit(&mut self, f: usize, mut draft: Draft) {
        if draft.new_instance {
            let m = &draft.mapping;
            let max = self
                .fm(f)
                .mappings
                .iter()
                .filter(|x| {
                    x.subcollection == m.subcollection
                        && x.type_name == m.type_name
                        && x.type_from == m.type_from
                })
                .map(FieldMapping::instance_number)
                .max();
            draft.mapping.instance = max.map(|n| n + 1).filter(|n| *n > 1);
        }
        let label = draft.mapping.target_label();
        let column = draft.mapping.column.clone();
        let fm = self.fm_mut(f);
        match draft.replace {
            Some(i) => fm.mappings[i] = draft.mapping,
            None => fm.mappings.push(draft.mapping),
        }
        self.notes.push(format!("mapped `{column}` to {label}"));
        self.state = State::Menu(f);
    }

    fn fm(&self, f: usize) -> &FileMapping {
        let name = &self.files[f].name;
        self.template.files.iter().find(|x| &x.name == name).expect("every data file has a mapping")
    }

    fn fm_mut(&mut self, f: usize) -> &mut FileMapping {
        let name = self.files[f].name.clone();
        self.template.files.iter_mut().find(|x| x.name == name).expect("every data file has a mapping")
    }

    fn draft_field(&self, draft: &Draft) -> &Field {
        let m = &draft.mapping;
        match &m.subcollection {
            Some(sub) => self.target.attribute(sub, &m.field),
            None => self.target.field(&m.field),
        }
        .expect("drafts name target fields")
    }

    /// The column as profiled, or an empty stand-in when the data lacks it.
    /// The file's columns as choices, each with its sample and mark.
    fn column_choices(&self, f: usize) -> Vec<Choice> {
        self.files[f].columns.iter().map(|c| Choice::new(&c.name, self.column_label(f, c))).collect()
    }

    fn source_column(&self, f: usize, name: &str) -> SourceColumn {
        self.files[f].column(name).cloned().unwrap_or_else(|| SourceColumn {
            name: name.to_string(),
            sample: None,
            samples: Vec::new(),
            distinct: Vec::new(),
            distinct_capped: false,
            kind: InferredKind::Empty,
        })
    }

    /// The categories a file's category lets it map: (plain fields offered, subcollections offered).
    fn offered(&self, f: usize) -> (Vec<&Field>, Vec<&Category>) {
        let cat = &self.fm(f).category;
        let cats: Vec<&Category> =
            self.target.categories.iter().filter(|c| cat == ALL_CATEGORIES || &c.name == cat).collect();
        let plain = cats.iter().filter(|c| !c.subcollection).flat_map(|c| c.fields.iter()).collect();
        let subs = cats.into_iter().filter(|c| c.subcollection).collect();
        (plain, subs)
    }

    fn column_label(&self, f: usize, c: &SourceColumn) -> String {
        let targets: Vec<String> = self
            .fm(f)
            .mappings
            .iter()
            .filter(|m| m.column == c.name)
            .map(FieldMapping::target_label)
            .collect();
        let mark = if targets.is_empty() { self.marks.unmapped } else { self.marks.mapped };
        let sample = match &c.sample {
            Some(s) => format!("  e.g. `{}`", shorten(s, 40)),
            None => "  (empty in the first records)".to_string(),
        };
        let to = if targets.is_empty() { String::new() } else { format!("  → {}", targets.join(", ")) };
        format!("{mark} {}{sample}{to}", c.name)
    }

    fn question(&self) -> Question {
        match &self.state {
            State::Category(f) => {
                let fm = self.fm(*f);
                let mut options = vec![Choice::new(ALL_CATEGORIES, "All (every field)")];
                for c in &self.target.categories {
                    let what = if c.subcollection { "subcollection" } else { "fields" };
                    options.push(Choice::new(&c.name, format!("{} ({what}: {})", c.name, field_list(c))));
                }
                let default = options.iter().position(|o| o.key == fm.category).unwrap_or(0);
                let mut q = Question::select(format!("type of data in `{}`", fm.name), options, default);
                let file = &self.files[*f];
                let mapped =
                    file.columns.iter().filter(|c| fm.mappings.iter().any(|m| m.column == c.name)).count();
                q.notes.push(format!(
                    "file {} of {}: `{}` ({} columns, {} mapped)",
                    f + 1,
                    self.files.len(),
                    file.name,
                    file.columns.len(),
                    mapped
                ));
                q
            }
            State::Parent(f) => {
                let fm = self.fm(*f);
                let mut options = vec![Choice::new(BACK, "no: a main file")];
                for other in self.files.iter().filter(|x| x.name != fm.name) {
                    options.push(Choice::new(&other.name, format!("yes: a child of `{}`", other.name)));
                }
                let default = fm
                    .parent
                    .as_ref()
                    .and_then(|p| options.iter().position(|o| o.key == p.file))
                    .unwrap_or(0);
                Question::select(
                    format!("are the rows of `{}` children of another file's rows?", fm.name),
                    options,
                    default,
                )
            }
            State::ParentColumn(f, parent) => {
                let fm = self.fm(*f);
                let pf = self.template.file(parent);
                let guess = pf.and_then(|p| p.id_column.clone()).or_else(|| {
                    self.files
                        .iter()
                        .find(|x| &x.name == parent)
                        .and_then(|x| x.columns.first())
                        .map(|c| c.name.clone())
                });
                let current = fm.parent.as_ref().filter(|p| &p.file == parent).map(|p| p.column.clone());
                let options: Vec<Choice> = self.files[*f]
                    .columns
                    .iter()
                    .map(|c| Choice::new(&c.name, self.column_label(*f, c)))
                    .collect();
                let default =
                    current.or(guess).and_then(|g| options.iter().position(|o| o.key == g)).unwrap_or(0);
                Question::select(
                    format!("which column of `{}` holds the parent's id?", fm.name),
                    options,
                    default,
                )
            }
            State::ParentIdColumn(f, parent, column) => {
                let fm = self.fm(*f);
                let pi = self.files.iter().position(|x| &x.name == parent).expect("offered from the files");
                let current =
                    fm.parent.as_ref().filter(|p| &p.file == parent).map(|p| p.parent_column.clone());
                let id = self.template.file(parent).and_then(|p| p.id_column.clone());
                let options: Vec<Choice> = self.files[pi]
                    .columns
                    .iter()
                    .map(|c| Choice::new(&c.name, self.column_label(pi, c)))
                    .collect();
                let default = current
                    .or(id)
                    .or(Some(column.clone()))
                    .and_then(|g| options.iter().position(|o| o.key == g))
                    .unwrap_or(0);
                Question::select(
                    format!("which column of `{parent}` does `{column}` refer to?"),
                    options,
                    default,
                )
            }
            State::Menu(f) => self.menu_question(*f),
            State::PickField(f) => {
                let (plain, _) = self.offered(*f);
                let fm = self.fm(*f);
                let mut options = Vec::new();
                for field in plain {
                    let from: Vec<&str> = fm
                        .mappings
                        .iter()
                        .filter(|m| m.subcollection.is_none() && m.field == field.name)
                        .map(|m| m.column.as_str())
                        .collect();
                    let (mark, src) = if from.is_empty() {
                        (self.marks.unplugged, String::new())
                    } else {
                        (self.marks.plugged, format!("  ← {}", from.join(", ")))
                    };
                    let req = if field.required { ", required" } else { "" };
                    options.push(Choice::new(
                        &field.name,
                        format!(
                            "{mark} {} ({}, {}{req}){src}",
                            field.label,
                            field.name,
                            field.field_type.as_str()
                        ),
                    ));
                }
                let default =
                    options.iter().position(|o| o.label.starts_with(self.marks.unplugged)).unwrap_or(0);
                options.push(Choice::new(BACK, "back to the menu"));
                Question::select("map which target field?", options, default)
            }
            State::PickSub(f) => {
                let (_, subs) = self.offered(*f);
                let mut options: Vec<Choice> = subs
                    .iter()
                    .map(|c| Choice::new(&c.name, format!("{} ({})", c.label, field_list(c))))
                    .collect();
                options.push(Choice::new(BACK, "back to the menu"));
                Question::select("add an instance of which subcollection?", options, 0)
            }
            State::PickType(_, sub) => {
                let c = self.target.subcollection(sub).expect("offered from the target");
                let mut options: Vec<Choice> = c.type_names.iter().map(|t| Choice::new(t, t)).collect();
                options.push(Choice::new(
                    TYPE_FROM_COLUMN,
                    "from a column: the file has a row per instance and a column naming its type",
                ));
                options.push(Choice::new(BACK, "back to the menu"));
                Question::select(format!("type name of the new {} instance", c.label), options, 0)
            }
            State::TypeColumn(f, sub) => {
                let mut options = self.column_choices(*f);
                options.push(Choice::new(BACK, "back to the menu"));
                Question::select(format!("which column names the type of each {sub} row?"), options, 0)
            }
            State::TypeValue(_, draft, unknown) => {
                let sub = draft.mapping.subcollection.clone().unwrap_or_default();
                let from = draft.mapping.type_from.as_ref().expect("a type-column draft");
                let c = self.target.subcollection(&sub).expect("offered from the target");
                let mut options: Vec<Choice> = c.type_names.iter().map(|t| Choice::new(t, t)).collect();
                options.push(Choice::new(NO_TYPE, "none: rows with this value are errors"));
                let value = unknown.first().map_or("", String::as_str);
                Question::select(
                    format!("`{}` holds `{value}`: which {sub} type is that?", from.column),
                    options,
                    0,
                )
            }
            State::TypeBlank(_, draft) => {
                let sub = draft.mapping.subcollection.clone().unwrap_or_default();
                let from = draft.mapping.type_from.as_ref().expect("a type-column draft");
                let c = self.target.subcollection(&sub).expect("offered from the target");
                let mut options = vec![Choice::new(NO_TYPE, "none: such rows are errors")];
                options.extend(c.type_names.iter().map(|t| Choice::new(t, t)));
                Question::select(format!("type of rows whose `{}` is blank", from.column), options, 0)
            }
            State::PickAttr(f, draft) => {
                let sub = draft.mapping.subcollection.clone().unwrap_or_default();
                let c = self.target.subcollection(&sub).expect("offered from the target");
                let fm = self.fm(*f);
                let mut options = Vec::new();
                for a in &c.fields {
                    let from: Vec<&str> = if draft.new_instance {
                        Vec::new()
                    } else {
                        fm.mappings
                            .iter()
                            .filter(|m| same_instance(m, &draft.mapping) && m.field == a.name)
                            .map(|m| m.column.as_str())
                            .collect()
                    };
                    let (mark, src) = if from.is_empty() {
                        (self.marks.unplugged, String::new())
                    } else {
                        (self.marks.plugged, format!("  ← {}", from.join(", ")))
                    };
                    options.push(Choice::new(
                        &a.name,
                        format!("{mark} {} ({}, {}){src}", a.label, a.name, a.field_type.as_str()),
                    ));
                }
                let default = options.iter().position(|o| o.key == draft.mapping.field).unwrap_or(0);
                options.push(Choice::new(BACK, "back to the menu"));
                let which = match (&draft.mapping.type_from, &draft.mapping.type_name) {
                    (Some(from), _) => format!("{sub}[type in {}]", from.column),
                    (None, Some(t)) => format!("{sub}[{t}]"),
                    (None, None) => sub.clone(),
                };
                Question::select(format!("sub collection attribute of {which}"), options, default)
            }
            State::PickColumn(f, draft) => {
                let mut options = self.column_choices(*f);
                let default = options
                    .iter()
                    .position(|o| o.key == draft.mapping.column)
                    .or_else(|| options.iter().position(|o| o.label.starts_with(self.marks.unmapped)))
                    .unwrap_or(0);
                options.push(Choice::new(BACK, "back to the menu"));
                let what = if draft.mapping.subcollection.is_some() && draft.type_typed {
                    format!(
                        "{}.{}",
                        draft.mapping.subcollection.as_deref().unwrap_or_default(),
                        draft.mapping.field
                    )
                } else {
                    let mut m = draft.mapping.clone();
                    if draft.new_instance {
                        m.instance = None;
                    }
                    m.target_label()
                };
                Question::select(format!("source column for {what}"), options, default)
            }
            State::TypeName(_, draft) => Question::text(
                format!("name of the user field that keeps `{}`", draft.mapping.column),
                Some(draft.mapping.column.clone()),
            ),
            State::Convert(f, draft, step) => self.converter_question(*f, draft, step),
            State::PickRow(f, purpose) => {
                let fm = self.fm(*f);
                let mut options = Vec::new();
                for m in &fm.mappings {
                    let subs_only = matches!(purpose, RowPurpose::Copy | RowPurpose::Delete);
                    if subs_only && m.subcollection.is_none() {
                        continue;
                    }
                    let null = match (&m.null_value, purpose) {
                        (Some(v), RowPurpose::NullOverride) => format!("  (null → {})", show_null(v)),
                        _ => String::new(),
                    };
                    options.push(Choice::new(row_key(m), format!("{}{null}", row_key(m))));
                }
                options.push(Choice::new(BACK, "back to the menu"));
                let prompt = match purpose {
                    RowPurpose::Copy => {
                        "copy which subcollection row? (the copy adds an attribute to the same instance)"
                    }
                    RowPurpose::Delete => "delete which subcollection row?",
                    RowPurpose::Unmap => "unmap which field?",
                    RowPurpose::NullOverride => "override the null converter of which field?",
                };
                let n = options.len();
                let mut q = Question::select(prompt, options, n - 1);
                if n == 1 {
                    q.notes.push("nothing to choose from yet".to_string());
                }
                q
            }
            State::NullMenu(f) => {
                let fm = self.fm(*f);
                let now = fm.null_default.as_ref().map_or("none".to_string(), |d| format!("`{d}`"));
                let overrides = fm.mappings.iter().filter(|m| m.null_value.is_some()).count();
                let options = vec![
                    Choice::new("default", format!("set the default value for empty cells (now {now})")),
                    Choice::new("apply", "apply the default to every field"),
                    Choice::new(
                        "erase",
                        format!("erase the null converters (the default and {overrides} field override(s))"),
                    ),
                    Choice::new("field", "override one field's null converter"),
                    Choice::new(BACK, "back to the menu"),
                ];
                Question::select(format!("null converters of `{}`", fm.name), options, 4)
            }
            State::NullDefault(f) => Question::text(
                "value an empty cell becomes, in every field (`-` for none)",
                Some(self.fm(*f).null_default.clone().unwrap_or_else(|| "-".to_string())),
            ),
            State::NullOverride(f, i) => {
                let m = &self.fm(*f).mappings[*i];
                Question::text(
                    format!("value an empty `{}` becomes in {} (`-` for none)", m.column, m.target_label()),
                    Some(m.null_value.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| "-".to_string())),
                )
            }
            State::Finish => {
                let mut q = Question::select(
                    "what now?",
                    vec![
                        Choice::new("save", "save the template"),
                        Choice::new("files", "go back to a file"),
                        Choice::new("quit", "quit without saving"),
                    ],
                    0,
                );
                q.notes = self.review();
                q
            }
            State::PickFile => {
                let options = self.files.iter().map(|f| Choice::new(&f.name, &f.name)).collect();
                Question::select("which file?", options, 0)
            }
            State::Saved | State::Quit => Question::confirm("the session is over", true),
        }
    }

    fn menu_question(&self, f: usize) -> Question {
        let (plain, subs) = self.offered(f);
        let fm = self.fm(f);
        let has_rows = fm.mappings.iter().any(|m| m.subcollection.is_some());
        let mut options = Vec::new();
        if !plain.is_empty() {
            options.push(Choice::new("map", "map a field"));
        }
        if !subs.is_empty() {
            options.push(Choice::new("add", "add a subcollection instance (Telcom, Address …)"));
        }
        if has_rows {
            options.push(Choice::new(
                "copy",
                "copy a subcollection row (another attribute of the same instance)",
            ));
            options.push(Choice::new("delete", "delete a subcollection row"));
        }
        if !fm.mappings.is_empty() {
            options.push(Choice::new("unmap", "unmap a field"));
        }
        options.push(Choice::new("null", "null converters"));
        options.push(Choice::new("review", "review the whole mapping"));
        let last = f + 1 == self.files.len();
        options.push(Choice::new("next", if last { "finish: review all and save" } else { "next file" }));
        let n = options.len();
        Question::select(format!("`{}`: what next?", fm.name), options, n - 1)
    }

    fn converter_question(&self, f: usize, draft: &Draft, step: &ConvStep) -> Question {
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
                let options = vec![
                    Choice::new("none", "none: keep the text as it is"),
                    Choice::new("rtf2plain", "rtf2plain: turn RTF into plain text"),
                ];
                let default = usize::from(*text == TextConverter::Rtf2plain);
                let mut q =
                    Question::select(format!("text converter for `{col}` → {label}"), options, default);
                q.notes = sample_note();
                q
            }
            (ConvStep::DateFormat, Converter::Date { format })
            | (ConvStep::TimestampFormat, Converter::Timestamp { format, .. }) => {
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
            (ConvStep::DateTyped, Converter::Date { format })
            | (ConvStep::TimestampTyped, Converter::Timestamp { format, .. }) => Question::text(
                format!("format of `{col}` (strftime: %Y %m %d %H %M %S %b %p)"),
                Some(format.clone()),
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

fn new_mapping(column: &str, field: &str, sub: Option<&str>, type_name: Option<&str>) -> FieldMapping {
    FieldMapping {
        type_from: None,
        column: column.to_string(),
        field: field.to_string(),
        subcollection: sub.map(str::to_string),
        type_name: type_name.map(str::to_string),
        instance: None,
        converter: Converter::default(),
        null_value: None,
        null_values: Vec::new(),
        on_invalid: Default::default(),
    }
}

/// How a row is named in choices and answers: `Telcom[Business].value ← WORK`.
fn row_key(m: &FieldMapping) -> String {
    format!("{} ← {}", m.target_label(), m.column)
}

/// The next question of a type-column draft: the next unknown value, else blank rows.
fn type_values_or_blank(f: usize, draft: Draft, unknown: Vec<String>) -> State {
    if unknown.is_empty() { State::TypeBlank(f, draft) } else { State::TypeValue(f, draft, unknown) }
}

fn same_instance(a: &FieldMapping, b: &FieldMapping) -> bool {
    a.subcollection == b.subcollection
        && a.type_name == b.type_name
        && a.type_from == b.type_from
        && a.instance_number() == b.instance_number()
}

fn converter_kind(t: FieldType) -> &'static str {
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

/// A per-field null converter as shown: `` `value` ``, or `none` for `""`.
fn show_null(v: &str) -> String {
    if v.is_empty() { "none (the file's default does not apply)".to_string() } else { format!("`{v}`") }
}

fn null_text(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && v != "-").then(|| v.to_string())
}

fn field_list(c: &Category) -> String {
    let names: Vec<&str> = c.fields.iter().take(4).map(|f| f.label.as_str()).collect();
    let more = if c.fields.len() > 4 { ", …" } else { "" };
    format!("{}{more}", names.join(", "))
}

fn shorten(s: &str, max: usize) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

fn describe_converter(c: &Converter) -> String {
    match c {
        Converter::Text { text: TextConverter::None } => String::new(),
        Converter::Text { text: TextConverter::Rtf2plain } => "  [rtf2plain]".to_string(),
        Converter::Integer => "  [integer]".to_string(),
        Converter::Decimal => "  [decimal]".to_string(),
        Converter::Date { format } => format!("  [date {format}]"),
        Converter::Timestamp { format, time_zone } => format!("  [timestamp {format} in {time_zone}]"),
        Converter::Boolean { table } => {
            format!("  [boolean {}]", table_text(table.iter().map(|(k, v)| (k, v.to_string()))))
        }
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
fn check_format(format: &str, sample: Option<&str>, timestamp: bool) -> Result<(), String> {
    if !format.contains('%') {
        return Err(format!("`{format}` is not a strftime format (such as `%d/%m/%Y`)"));
    }
    if let Some(s) = sample {
        let parsed = jiff::fmt::strtime::parse(format, s.trim());
        let ok = parsed.is_ok_and(|p| if timestamp { p.to_datetime().is_ok() } else { p.to_date().is_ok() });
        if !ok {
            return Err(format!("format `{format}` does not read the sample value `{s}`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
