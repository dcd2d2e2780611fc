//! Reusing a template on another export (a consultant's next client, next
//! year's export): a file the template names that the data location lacks is
//! taken from the data file with the same columns.
//!
//! [`adopt`] renames such template files to the data file holding every
//! column the template's file uses (its mappings, `typeFrom` columns, id and
//! parent-link columns), when exactly one unclaimed data file does; parent
//! links follow the rename. [`adopt_in`] reads the headers of a data location
//! first. Each rename is returned as a [`Taken`], for the caller to say so.

use std::path::Path;

use crate::Error;
use crate::convert::find_column;
use crate::read::{self, ReadOptions};
use crate::template::{FileMapping, MappingTemplate};

/// A data file taken for a file the template names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Taken {
    /// The name in the template (`contacts.csv`).
    pub template_file: String,
    /// The data file taken for it (`export_2024.csv`).
    pub data_file: String,
}

/// The columns a file mapping reads.
fn used_columns(f: &FileMapping) -> Vec<&str> {
    let mut used: Vec<&str> = Vec::new();
    for m in &f.mappings {
        used.push(&m.column);
        if let Some(t) = &m.type_from {
            used.push(&t.column);
        }
    }
    used.extend(f.id_column.as_deref());
    used.extend(f.parent.as_ref().map(|p| p.column.as_str()));
    used
}

/// Renames the template's files missing from `data` (each data file's name and
/// header) to the one unclaimed data file holding all their columns.
pub fn adopt(template: &mut MappingTemplate, data: &[(String, Vec<String>)]) -> Vec<Taken> {
    let present = |name: &str| data.iter().any(|(n, _)| n == name);
    let mut claimed: Vec<String> =
        template.files.iter().filter(|f| present(&f.name)).map(|f| f.name.clone()).collect();
    let mut taken = Vec::new();
    for i in 0..template.files.len() {
        let file = &template.files[i];
        if present(&file.name) {
            continue;
        }
        let used = used_columns(file);
        let fits: Vec<&String> = data
            .iter()
            .filter(|(name, headers)| {
                !claimed.contains(name) && used.iter().all(|c| find_column(headers, c).is_some())
            })
            .map(|(name, _)| name)
            .collect();
        let [data_file] = fits.as_slice() else { continue };
        let old = std::mem::replace(&mut template.files[i].name, (*data_file).clone());
        claimed.push((*data_file).clone());
        for f in &mut template.files {
            if let Some(p) = f.parent.as_mut().filter(|p| p.file == old) {
                p.file = (*data_file).clone();
            }
        }
        taken.push(Taken { template_file: old, data_file: (*data_file).clone() });
    }
    taken
}

/// [`adopt`] against the files of a data location (their headers are read).
pub fn adopt_in(
    template: &mut MappingTemplate,
    dir: &Path,
    options: &ReadOptions,
) -> Result<Vec<Taken>, Error> {
    if template.files.iter().all(|f| dir.join(&f.name).is_file()) {
        return Ok(Vec::new());
    }
    let mut data = Vec::new();
    for path in read::data_files(dir)? {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // A file that cannot be read is no candidate; its own error comes when it is used.
        if let Ok(table) = read::open(&path, options) {
            data.push((name, table.headers.clone()));
        }
    }
    Ok(adopt(template, &data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Converter, FieldMapping, ParentLink, TextConverter};

    fn map(column: &str) -> FieldMapping {
        FieldMapping {
            type_from: None,
            column: column.into(),
            field: "lastName".into(),
            subcollection: None,
            type_name: None,
            instance: None,
            converter: Converter::Text { text: TextConverter::None },
            null_value: None,
            null_values: Vec::new(),
            on_invalid: Default::default(),
        }
    }

    fn file(name: &str, columns: &[&str]) -> FileMapping {
        FileMapping {
            name: name.into(),
            category: "All".into(),
            parent: None,
            id_column: None,
            null_default: None,
            null_values: Vec::new(),
            mappings: columns.iter().map(|c| map(c)).collect(),
        }
    }

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_missing_file_is_taken_from_the_one_data_file_with_its_columns() {
        let mut t = MappingTemplate::new("contacts");
        t.files.push(file("contacts.csv", &["ID", "LAST"]));
        let mut phones = file("phones.csv", &["NUMBER"]);
        phones.parent =
            Some(ParentLink { file: "contacts.csv".into(), column: "ID".into(), parent_column: "ID".into() });
        t.files.push(phones);
        let data = vec![
            ("notes.csv".to_string(), headers(&["ID", "NOTE"])),
            ("export_2024.csv".to_string(), headers(&["id", "Last", "EXTRA"])),
            ("phones.csv".to_string(), headers(&["ID", "NUMBER"])),
        ];
        let taken = adopt(&mut t, &data);
        assert_eq!(
            taken,
            vec![Taken { template_file: "contacts.csv".into(), data_file: "export_2024.csv".into() }]
        );
        assert_eq!(t.files[0].name, "export_2024.csv");
        assert_eq!(t.files[1].parent.as_ref().unwrap().file, "export_2024.csv");

        // Two candidates: nothing is guessed.
        let mut t = MappingTemplate::new("contacts");
        t.files.push(file("contacts.csv", &["LAST"]));
        let data =
            vec![("a.csv".to_string(), headers(&["LAST"])), ("b.csv".to_string(), headers(&["LAST", "X"]))];
        assert!(adopt(&mut t, &data).is_empty());
        assert_eq!(t.files[0].name, "contacts.csv");
    }
}
