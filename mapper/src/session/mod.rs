//! The interactive mapping session, as a state machine with no terminal code.
//!
//! A [`Session`] holds the target, the data location's [`SourceFile`]s and the
//! template being built. [`Session::step`] returns the next [`Step`]: a
//! [`Question`] to ask, or the end (save the template, or quit). The caller
//! asks the question however it likes (dialoguer on a terminal, a line of an
//! answers file) and hands the [`Answer`] to [`Session::answer`]; an answer
//! the session cannot take comes back as a [`Refusal`] (its text is the message
//! to show) and the same question is asked again.
//!
//! The flow, per file: its field category and
//! (for child tables) its parent link, then a menu: map a field, add a
//! subcollection instance, copy or delete a subcollection row, unmap, null
//! converters, review, next file. Mapping a column asks what the field's type
//! needs (text converter, date or timestamp format and time zone, boolean and
//! enumeration tables). Nothing is written here: the caller saves the template
//! that [`Step::Save`] carries.
//!
//! Each state's question (`ask_*`) and its transition (`take_*`) sit side by
//! side, grouped by what they work on: `file` (a file's category, parent
//! link, menu and the finish), `field` (plain fields and subcollection
//! instances), `converter` (the converter a mapped field needs), `rows`
//! (copying, deleting and unmapping rows; null converters) and `review`.

mod converter;
mod field;
mod file;
mod question;
mod refusal;
mod review;
mod rows;
mod source;

pub use question::{Answer, Choice, Question, QuestionKind};
pub use refusal::Refusal;
pub use source::{DISTINCT_CAP, SourceColumn, SourceFile, load_data};

use crate::profile::InferredKind;
use crate::target::{Category, Field, TargetDefinition};
use crate::template::{ALL_CATEGORIES, Converter, FieldMapping, FileMapping, MappingTemplate};

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
    pub fn answer(&mut self, answer: Answer) -> Result<(), Refusal> {
        let q = self.question();
        let key = match (&q.kind, &answer) {
            (QuestionKind::Select { options, .. }, Answer::Select(i)) => {
                Some(options.get(*i).ok_or(Refusal::NoSuchOption { number: i + 1 })?.key.clone())
            }
            (QuestionKind::MultiSelect { options, .. }, Answer::MultiSelect(picked)) => {
                if picked.iter().any(|i| *i >= options.len()) {
                    return Err(Refusal::NoSuchPick);
                }
                None
            }
            (QuestionKind::Text { .. }, Answer::Text(_))
            | (QuestionKind::Confirm { .. }, Answer::Confirm(_)) => None,
            _ => return Err(Refusal::WrongKind),
        };
        let key = key.unwrap_or_default();
        let state = self.state.clone();
        match state {
            State::Category(f) => self.take_category(f, key),
            State::Parent(f) => self.take_parent(f, key),
            State::ParentColumn(f, parent) => self.take_parent_column(f, parent, key),
            State::ParentIdColumn(f, parent, column) => self.take_parent_id_column(f, parent, column, key),
            State::Menu(f) => self.take_menu(f, &key),
            State::PickField(f) => self.take_field(f, key),
            State::PickSub(f) => self.take_sub(f, key),
            State::PickType(f, sub) => self.take_type(f, sub, key),
            State::TypeColumn(f, sub) => self.take_type_column(f, sub, key),
            State::TypeValue(f, draft, unknown) => self.take_type_value(f, draft, unknown, key),
            State::TypeBlank(f, draft) => self.take_type_blank(f, draft, key),
            State::PickAttr(f, draft) => self.take_attr(f, draft, key),
            State::PickColumn(f, draft) => self.take_column(f, draft, key),
            State::TypeName(f, draft) => self.take_type_name(f, draft, answer),
            State::Convert(f, draft, step) => self.take_converter(f, draft, step, &key, answer),
            State::PickRow(f, purpose) => self.take_row(f, purpose, &key),
            State::NullMenu(f) => self.take_null_menu(f, &key),
            State::NullDefault(f) => self.take_null_default(f, answer),
            State::NullOverride(f, i) => self.take_null_override(f, i, answer),
            State::Finish => self.take_finish(&key),
            State::PickFile => self.take_file(&key),
            State::Saved | State::Quit => Err(Refusal::SessionOver),
        }
    }

    /// The question of the current state.
    fn question(&self) -> Question {
        match &self.state {
            State::Category(f) => self.ask_category(*f),
            State::Parent(f) => self.ask_parent(*f),
            State::ParentColumn(f, parent) => self.ask_parent_column(*f, parent),
            State::ParentIdColumn(f, parent, column) => self.ask_parent_id_column(*f, parent, column),
            State::Menu(f) => self.ask_menu(*f),
            State::PickField(f) => self.ask_field(*f),
            State::PickSub(f) => self.ask_sub(*f),
            State::PickType(_, sub) => self.ask_type(sub),
            State::TypeColumn(f, sub) => self.ask_type_column(*f, sub),
            State::TypeValue(_, draft, unknown) => self.ask_type_value(draft, unknown),
            State::TypeBlank(_, draft) => self.ask_type_blank(draft),
            State::PickAttr(f, draft) => self.ask_attr(*f, draft),
            State::PickColumn(f, draft) => self.ask_column(*f, draft),
            State::TypeName(_, draft) => self.ask_type_name(draft),
            State::Convert(f, draft, step) => self.ask_converter(*f, draft, step),
            State::PickRow(f, purpose) => self.ask_row(*f, *purpose),
            State::NullMenu(f) => self.ask_null_menu(*f),
            State::NullDefault(f) => self.ask_null_default(*f),
            State::NullOverride(f, i) => self.ask_null_override(*f, *i),
            State::Finish => self.ask_finish(),
            State::PickFile => self.ask_file(),
            State::Saved | State::Quit => Question::confirm("the session is over", true),
        }
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

    /// The file's columns as choices, each with its sample and mark.
    fn column_choices(&self, f: usize) -> Vec<Choice> {
        self.files[f].columns.iter().map(|c| Choice::new(&c.name, self.column_label(f, c))).collect()
    }

    /// The column as profiled, or an empty stand-in when the data lacks it.
    fn source_column(&self, f: usize, name: &str) -> SourceColumn {
        self.files[f].column(name).cloned().unwrap_or_else(|| SourceColumn {
            name: name.to_string(),
            sample: None,
            samples: Vec::new(),
            distinct: Vec::new(),
            distinct_capped: false,
            kind: InferredKind::Empty,
            dates: None,
            nulls: Vec::new(),
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

fn same_instance(a: &FieldMapping, b: &FieldMapping) -> bool {
    a.subcollection == b.subcollection
        && a.type_name == b.type_name
        && a.type_from == b.type_from
        && a.instance_number() == b.instance_number()
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

#[cfg(test)]
mod tests;
