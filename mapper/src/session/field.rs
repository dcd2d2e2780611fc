//! Mapping a field: plain fields, and subcollection instances with their type.
//!
//! A plain field is picked, then its source column. A subcollection instance
//! is given a type name (one of the target's, typed for user fields, or read
//! per row from a column whose values are each matched to a type name), then
//! an attribute and its column. Every path ends in the converter questions
//! and `Session::commit`, which numbers new instances.

use super::{
    Answer, BACK, Choice, Draft, NO_TYPE, Question, Refusal, Session, State, TYPE_FROM_COLUMN, field_list,
    new_mapping, same_instance,
};
use crate::template::{FieldMapping, TypeFrom};

impl Session {
    pub(super) fn ask_field(&self, f: usize) -> Question {
        let (plain, _) = self.offered(f);
        let fm = self.fm(f);
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
                format!("{mark} {} ({}, {}{req}){src}", field.label, field.name, field.field_type.as_str()),
            ));
        }
        let default = options.iter().position(|o| o.label.starts_with(self.marks.unplugged)).unwrap_or(0);
        options.push(Choice::new(BACK, "back to the menu"));
        Question::select("map which target field?", options, default)
    }

    pub(super) fn take_field(&mut self, f: usize, key: String) -> Result<(), Refusal> {
        if key == BACK {
            self.state = State::Menu(f);
            return Ok(());
        }
        let existing = self.fm(f).mappings.iter().position(|m| m.subcollection.is_none() && m.field == key);
        let mapping = match existing {
            Some(i) => self.fm(f).mappings[i].clone(),
            None => new_mapping("", &key, None, None),
        };
        let draft = Draft { replace: existing, mapping, type_typed: false, new_instance: false };
        self.state = State::PickColumn(f, draft);
        Ok(())
    }

    pub(super) fn ask_sub(&self, f: usize) -> Question {
        let (_, subs) = self.offered(f);
        let mut options: Vec<Choice> =
            subs.iter().map(|c| Choice::new(&c.name, format!("{} ({})", c.label, field_list(c)))).collect();
        options.push(Choice::new(BACK, "back to the menu"));
        Question::select("add an instance of which subcollection?", options, 0)
    }

    pub(super) fn take_sub(&mut self, f: usize, key: String) -> Result<(), Refusal> {
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
        Ok(())
    }

    pub(super) fn ask_type(&self, sub: &str) -> Question {
        let c = self.target.subcollection(sub).expect("offered from the target");
        let mut options: Vec<Choice> = c.type_names.iter().map(|t| Choice::new(t, t)).collect();
        options.push(Choice::new(
            TYPE_FROM_COLUMN,
            "from a column: the file has a row per instance and a column naming its type",
        ));
        options.push(Choice::new(BACK, "back to the menu"));
        Question::select(format!("type name of the new {} instance", c.label), options, 0)
    }

    pub(super) fn take_type(&mut self, f: usize, sub: String, key: String) -> Result<(), Refusal> {
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
        Ok(())
    }

    pub(super) fn ask_type_column(&self, f: usize, sub: &str) -> Question {
        let mut options = self.column_choices(f);
        options.push(Choice::new(BACK, "back to the menu"));
        Question::select(format!("which column names the type of each {sub} row?"), options, 0)
    }

    pub(super) fn take_type_column(&mut self, f: usize, sub: String, key: String) -> Result<(), Refusal> {
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
        Ok(())
    }

    pub(super) fn ask_type_value(&self, draft: &Draft, unknown: &[String]) -> Question {
        let sub = draft.mapping.subcollection.clone().unwrap_or_default();
        let from = draft.mapping.type_from.as_ref().expect("a type-column draft");
        let c = self.target.subcollection(&sub).expect("offered from the target");
        let mut options: Vec<Choice> = c.type_names.iter().map(|t| Choice::new(t, t)).collect();
        options.push(Choice::new(NO_TYPE, "none: rows with this value are errors"));
        let value = unknown.first().map_or("", String::as_str);
        Question::select(format!("`{}` holds `{value}`: which {sub} type is that?", from.column), options, 0)
    }

    pub(super) fn take_type_value(
        &mut self,
        f: usize,
        mut draft: Draft,
        mut unknown: Vec<String>,
        key: String,
    ) -> Result<(), Refusal> {
        let value = unknown.remove(0);
        if key != NO_TYPE {
            let from = draft.mapping.type_from.as_mut().expect("a type-column draft");
            from.values.insert(value, key);
        }
        self.state = type_values_or_blank(f, draft, unknown);
        Ok(())
    }

    pub(super) fn ask_type_blank(&self, draft: &Draft) -> Question {
        let sub = draft.mapping.subcollection.clone().unwrap_or_default();
        let from = draft.mapping.type_from.as_ref().expect("a type-column draft");
        let c = self.target.subcollection(&sub).expect("offered from the target");
        let mut options = vec![Choice::new(NO_TYPE, "none: such rows are errors")];
        options.extend(c.type_names.iter().map(|t| Choice::new(t, t)));
        Question::select(format!("type of rows whose `{}` is blank", from.column), options, 0)
    }

    pub(super) fn take_type_blank(&mut self, f: usize, mut draft: Draft, key: String) -> Result<(), Refusal> {
        draft.mapping.type_name = (key != NO_TYPE).then_some(key);
        self.state = State::PickAttr(f, draft);
        Ok(())
    }

    pub(super) fn ask_attr(&self, f: usize, draft: &Draft) -> Question {
        let sub = draft.mapping.subcollection.clone().unwrap_or_default();
        let c = self.target.subcollection(&sub).expect("offered from the target");
        let fm = self.fm(f);
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

    pub(super) fn take_attr(&mut self, f: usize, mut draft: Draft, key: String) -> Result<(), Refusal> {
        if key == BACK {
            self.state = State::Menu(f);
        } else {
            draft.mapping.field = key;
            self.state = State::PickColumn(f, draft);
        }
        Ok(())
    }

    pub(super) fn ask_column(&self, f: usize, draft: &Draft) -> Question {
        let mut options = self.column_choices(f);
        let default = options
            .iter()
            .position(|o| o.key == draft.mapping.column)
            .or_else(|| options.iter().position(|o| o.label.starts_with(self.marks.unmapped)))
            .unwrap_or(0);
        options.push(Choice::new(BACK, "back to the menu"));
        let what = if draft.mapping.subcollection.is_some() && draft.type_typed {
            format!("{}.{}", draft.mapping.subcollection.as_deref().unwrap_or_default(), draft.mapping.field)
        } else {
            let mut m = draft.mapping.clone();
            if draft.new_instance {
                m.instance = None;
            }
            m.target_label()
        };
        Question::select(format!("source column for {what}"), options, default)
    }

    pub(super) fn take_column(&mut self, f: usize, mut draft: Draft, key: String) -> Result<(), Refusal> {
        if key == BACK {
            self.state = State::Menu(f);
            return Ok(());
        }
        let changed = draft.mapping.column != key;
        draft.mapping.column = key;
        let field = self.draft_field(&draft).clone();
        if changed || draft.mapping.converter.kind() != super::converter::converter_kind(field.field_type) {
            let column = self.source_column(f, &draft.mapping.column);
            draft.mapping.converter = crate::auto::converter_for(&field, &column);
        }
        if draft.type_typed {
            self.state = State::TypeName(f, draft);
        } else {
            self.start_converter(f, draft);
        }
        Ok(())
    }

    pub(super) fn ask_type_name(&self, draft: &Draft) -> Question {
        Question::text(
            format!("name of the user field that keeps `{}`", draft.mapping.column),
            Some(draft.mapping.column.clone()),
        )
    }

    pub(super) fn take_type_name(
        &mut self,
        f: usize,
        mut draft: Draft,
        answer: Answer,
    ) -> Result<(), Refusal> {
        let Answer::Text(name) = answer else { unreachable!("checked by answer") };
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(Refusal::NoName);
        }
        draft.mapping.type_name = Some(name);
        self.start_converter(f, draft);
        Ok(())
    }

    /// Puts the finished draft in the template (numbering a new instance) and returns to the menu.
    pub(super) fn commit(&mut self, f: usize, mut draft: Draft) {
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
}

/// The next question of a type-column draft: the next unknown value, else blank rows.
fn type_values_or_blank(f: usize, draft: Draft, unknown: Vec<String>) -> State {
    if unknown.is_empty() { State::TypeBlank(f, draft) } else { State::TypeValue(f, draft, unknown) }
}
