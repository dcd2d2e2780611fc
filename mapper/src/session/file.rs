//! A file's questions: its category, its parent link, its menu; then the finish.
//!
//! Each data file is asked its field category and, when there are several
//! files, whether its rows are children of another file's rows (the link
//! column and the parent's id column); then the menu, until `next` moves to
//! the next file or, after the last, to the finish (save, back to a file, quit).

use super::{BACK, Choice, Question, Refusal, RowPurpose, Session, State, field_list};
use crate::template::{ALL_CATEGORIES, ParentLink};

impl Session {
    pub(super) fn ask_category(&self, f: usize) -> Question {
        let fm = self.fm(f);
        let mut options = vec![Choice::new(ALL_CATEGORIES, "All (every field)")];
        for c in &self.target.categories {
            let what = if c.subcollection { "subcollection" } else { "fields" };
            options.push(Choice::new(&c.name, format!("{} ({what}: {})", c.name, field_list(c))));
        }
        let default = options.iter().position(|o| o.key == fm.category).unwrap_or(0);
        let mut q = Question::select(format!("type of data in `{}`", fm.name), options, default);
        let file = &self.files[f];
        let mapped = file.columns.iter().filter(|c| fm.mappings.iter().any(|m| m.column == c.name)).count();
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

    pub(super) fn take_category(&mut self, f: usize, key: String) -> Result<(), Refusal> {
        self.fm_mut(f).category = key;
        self.state = if self.files.len() > 1 { State::Parent(f) } else { State::Menu(f) };
        Ok(())
    }

    pub(super) fn ask_parent(&self, f: usize) -> Question {
        let fm = self.fm(f);
        let mut options = vec![Choice::new(BACK, "no: a main file")];
        for other in self.files.iter().filter(|x| x.name != fm.name) {
            options.push(Choice::new(&other.name, format!("yes: a child of `{}`", other.name)));
        }
        let default =
            fm.parent.as_ref().and_then(|p| options.iter().position(|o| o.key == p.file)).unwrap_or(0);
        Question::select(
            format!("are the rows of `{}` children of another file's rows?", fm.name),
            options,
            default,
        )
    }

    pub(super) fn take_parent(&mut self, f: usize, key: String) -> Result<(), Refusal> {
        if key == BACK {
            self.fm_mut(f).parent = None;
            self.state = State::Menu(f);
        } else {
            self.state = State::ParentColumn(f, key);
        }
        Ok(())
    }

    pub(super) fn ask_parent_column(&self, f: usize, parent: &str) -> Question {
        let fm = self.fm(f);
        let pf = self.template.file(parent);
        let guess = pf.and_then(|p| p.id_column.clone()).or_else(|| {
            self.files
                .iter()
                .find(|x| x.name == parent)
                .and_then(|x| x.columns.first())
                .map(|c| c.name.clone())
        });
        let current = fm.parent.as_ref().filter(|p| p.file == parent).map(|p| p.column.clone());
        let options: Vec<Choice> =
            self.files[f].columns.iter().map(|c| Choice::new(&c.name, self.column_label(f, c))).collect();
        let default = current.or(guess).and_then(|g| options.iter().position(|o| o.key == g)).unwrap_or(0);
        Question::select(format!("which column of `{}` holds the parent's id?", fm.name), options, default)
    }

    pub(super) fn take_parent_column(
        &mut self,
        f: usize,
        parent: String,
        key: String,
    ) -> Result<(), Refusal> {
        self.state = State::ParentIdColumn(f, parent, key);
        Ok(())
    }

    pub(super) fn ask_parent_id_column(&self, f: usize, parent: &str, column: &str) -> Question {
        let fm = self.fm(f);
        let pi = self.files.iter().position(|x| x.name == parent).expect("offered from the files");
        let current = fm.parent.as_ref().filter(|p| p.file == parent).map(|p| p.parent_column.clone());
        let id = self.template.file(parent).and_then(|p| p.id_column.clone());
        let options: Vec<Choice> =
            self.files[pi].columns.iter().map(|c| Choice::new(&c.name, self.column_label(pi, c))).collect();
        let default = current
            .or(id)
            .or(Some(column.to_string()))
            .and_then(|g| options.iter().position(|o| o.key == g))
            .unwrap_or(0);
        Question::select(format!("which column of `{parent}` does `{column}` refer to?"), options, default)
    }

    pub(super) fn take_parent_id_column(
        &mut self,
        f: usize,
        parent: String,
        column: String,
        key: String,
    ) -> Result<(), Refusal> {
        let link = ParentLink { file: parent.clone(), column, parent_column: key.clone() };
        if self.fm(f).parent.as_ref() != Some(&link) {
            self.fm_mut(f).parent = Some(link);
            if let Some(p) = self.template.files.iter_mut().find(|x| x.name == parent) {
                p.id_column = Some(key);
            }
        }
        self.state = State::Menu(f);
        Ok(())
    }

    pub(super) fn ask_menu(&self, f: usize) -> Question {
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

    pub(super) fn take_menu(&mut self, f: usize, key: &str) -> Result<(), Refusal> {
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
        Ok(())
    }

    pub(super) fn ask_finish(&self) -> Question {
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

    pub(super) fn take_finish(&mut self, key: &str) -> Result<(), Refusal> {
        self.state = match key {
            "save" => State::Saved,
            "quit" => State::Quit,
            _ => State::PickFile,
        };
        Ok(())
    }

    pub(super) fn ask_file(&self) -> Question {
        let options = self.files.iter().map(|f| Choice::new(&f.name, &f.name)).collect();
        Question::select("which file?", options, 0)
    }

    pub(super) fn take_file(&mut self, key: &str) -> Result<(), Refusal> {
        let f = self.files.iter().position(|x| x.name == key).ok_or(Refusal::NoSuchFile)?;
        self.state = State::Category(f);
        Ok(())
    }
}
