//! Rows of a file's mapping: copying, deleting and unmapping them; null converters.
//!
//! A row is named `target ← column` in choices and answers. Copying a
//! subcollection row starts a draft for the next free attribute of the same
//! instance. The null menu sets the value an empty cell becomes: a file-wide
//! default, applied to or erased from every field, or one field's override
//! (`-` for none, kept as `""` so the file's default does not apply).

use super::{Answer, BACK, Choice, Draft, Question, Refusal, RowPurpose, Session, State, same_instance};
use crate::template::FieldMapping;

impl Session {
    pub(super) fn ask_row(&self, f: usize, purpose: RowPurpose) -> Question {
        let fm = self.fm(f);
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

    pub(super) fn take_row(&mut self, f: usize, purpose: RowPurpose, key: &str) -> Result<(), Refusal> {
        if key == BACK {
            self.state = State::Menu(f);
            return Ok(());
        }
        let i = self.fm(f).mappings.iter().position(|m| row_key(m) == key).ok_or(Refusal::NoSuchRow)?;
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
        Ok(())
    }

    pub(super) fn ask_null_menu(&self, f: usize) -> Question {
        let fm = self.fm(f);
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

    pub(super) fn take_null_menu(&mut self, f: usize, key: &str) -> Result<(), Refusal> {
        match key {
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
        }
        Ok(())
    }

    pub(super) fn ask_null_default(&self, f: usize) -> Question {
        Question::text(
            "value an empty cell becomes, in every field (`-` for none)",
            Some(self.fm(f).null_default.clone().unwrap_or_else(|| "-".to_string())),
        )
    }

    pub(super) fn take_null_default(&mut self, f: usize, answer: Answer) -> Result<(), Refusal> {
        let Answer::Text(v) = answer else { unreachable!("checked by answer") };
        self.fm_mut(f).null_default = null_text(&v);
        self.state = State::NullMenu(f);
        Ok(())
    }

    pub(super) fn ask_null_override(&self, f: usize, i: usize) -> Question {
        let m = &self.fm(f).mappings[i];
        Question::text(
            format!("value an empty `{}` becomes in {} (`-` for none)", m.column, m.target_label()),
            Some(m.null_value.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| "-".to_string())),
        )
    }

    pub(super) fn take_null_override(&mut self, f: usize, i: usize, answer: Answer) -> Result<(), Refusal> {
        let Answer::Text(v) = answer else { unreachable!("checked by answer") };
        // `-` is an override too: this field has no null converter,
        // whatever the file's default (`""` in the template).
        self.fm_mut(f).mappings[i].null_value = Some(null_text(&v).unwrap_or_default());
        self.state = State::NullMenu(f);
        Ok(())
    }
}

/// How a row is named in choices and answers: `Telcom[Business].value ← WORK`.
fn row_key(m: &FieldMapping) -> String {
    format!("{} ← {}", m.target_label(), m.column)
}

/// A per-field null converter as shown: `` `value` ``, or `none` for `""`.
pub(super) fn show_null(v: &str) -> String {
    if v.is_empty() { "none (the file's default does not apply)".to_string() } else { format!("`{v}`") }
}

fn null_text(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && v != "-").then(|| v.to_string())
}
