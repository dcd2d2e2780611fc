//! Template-level validation against the target: files, categories, parent
//! links, and required fields nobody maps.

use std::collections::BTreeSet;

use super::file_problem;
use super::rules::label_of;
use super::value::list_values;
use crate::problem::{Problem, ProblemKind, Severity};
use crate::target::TargetDefinition;
use crate::template::{ALL_CATEGORIES, MappingTemplate};

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

    // What a package cannot carry is refused here, so `check` refuses what `pack` would.
    for (path, text) in crate::template::unpackable_texts(template) {
        problems.push(error(
            main,
            None,
            ProblemKind::Unpackable,
            format!(
                "the template's `{path}` is `{}`: it holds a control character, tab or line break, which a package cannot carry; remove it from the template",
                text.escape_debug()
            ),
        ));
    }

    let mut names = BTreeSet::new();
    let tree = template.tree();
    for (i, file) in template.files.iter().enumerate() {
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
            match tree.parent_of(i).map(|p| &template.files[p]) {
                None => {
                    if let Some(problem) = tree.problem_of(i) {
                        problems.push(error(
                            &file.name,
                            Some(&link.column),
                            ProblemKind::BadParentLink,
                            problem.to_string(),
                        ));
                    }
                }
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
