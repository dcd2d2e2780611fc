//! The rule of a template's file tree, in one place: main files (no parent
//! link) and their child files, one level deep. A child links to a main file
//! that the same template maps; a file is never its own parent, and a parent
//! is never itself a child (so there are no chains and no cycles).
//!
//! `check`, `pack` and `import` all walk the files through [`FileTree`]:
//! every main file before its children, and the files whose link breaks the
//! rule set aside with the reason.

use std::fmt;

use crate::template::{FileMapping, MappingTemplate};

/// Why a file's parent link breaks the rule of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    /// The link names a file the template does not map.
    UnknownParent { file: String, parent: String },
    /// The link names the file itself.
    OwnParent { file: String },
    /// The link names a file that is itself a child.
    Grandchild { file: String, parent: String },
}

impl LinkProblem {
    /// The file whose link is broken.
    pub fn file(&self) -> &str {
        match self {
            LinkProblem::UnknownParent { file, .. }
            | LinkProblem::OwnParent { file }
            | LinkProblem::Grandchild { file, .. } => file,
        }
    }
}

impl fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkProblem::UnknownParent { parent, .. } => {
                write!(f, "the parent link names file `{parent}`, which the template does not map")
            }
            LinkProblem::OwnParent { .. } => f.write_str("a file cannot be its own parent"),
            LinkProblem::Grandchild { parent, .. } => {
                write!(f, "parent file `{parent}` is itself a child file; link to the main file instead")
            }
        }
    }
}

/// A main file and its children, as indexes into the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub main: usize,
    /// In the order the files are listed.
    pub children: Vec<usize>,
}

/// The files of a template (or of the part of it an export has) as a tree.
#[derive(Debug)]
pub struct FileTree<'a> {
    pub files: &'a [FileMapping],
    /// One per main file, in the order the files are listed.
    pub branches: Vec<Branch>,
    /// Child files whose link breaks the rule, with the reason.
    pub broken: Vec<(usize, LinkProblem)>,
}

impl<'a> FileTree<'a> {
    /// The tree of `files`; a broken link sets its file aside, never fails.
    pub fn of(files: &'a [FileMapping]) -> FileTree<'a> {
        let mut branches: Vec<Branch> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.parent.is_none())
            .map(|(main, _)| Branch { main, children: Vec::new() })
            .collect();
        let mut broken = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let Some(link) = &file.parent else { continue };
            match files.iter().position(|g| g.name == link.file) {
                None => broken.push((
                    i,
                    LinkProblem::UnknownParent { file: file.name.clone(), parent: link.file.clone() },
                )),
                Some(p) if p == i => broken.push((i, LinkProblem::OwnParent { file: file.name.clone() })),
                Some(p) if files[p].parent.is_some() => broken.push((
                    i,
                    LinkProblem::Grandchild { file: file.name.clone(), parent: link.file.clone() },
                )),
                Some(p) => {
                    let branch =
                        branches.iter_mut().find(|b| b.main == p).expect("a file without a link is main");
                    branch.children.push(i);
                }
            }
        }
        FileTree { files, branches, broken }
    }

    /// The tree, or the first broken link.
    pub fn strict(self) -> Result<FileTree<'a>, LinkProblem> {
        match self.broken.first() {
            Some((_, problem)) => Err(problem.clone()),
            None => Ok(self),
        }
    }

    /// The problem of `file`'s link, if it breaks the rule.
    pub fn problem_of(&self, file: usize) -> Option<&LinkProblem> {
        self.broken.iter().find(|(i, _)| *i == file).map(|(_, p)| p)
    }

    /// The index of `child`'s parent, when its link keeps the rule.
    pub fn parent_of(&self, child: usize) -> Option<usize> {
        self.branches.iter().find(|b| b.children.contains(&child)).map(|b| b.main)
    }

    /// The files in reading order: each main file, then its children.
    pub fn ordered(&self) -> Vec<&'a FileMapping> {
        self.branches
            .iter()
            .flat_map(|b| std::iter::once(b.main).chain(b.children.iter().copied()))
            .map(|i| &self.files[i])
            .collect()
    }
}

impl MappingTemplate {
    /// The template's files as a tree (see [`FileTree`]).
    pub fn tree(&self) -> FileTree<'_> {
        FileTree::of(&self.files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ParentLink;

    fn file(name: &str, parent: Option<&str>) -> FileMapping {
        let mut f: FileMapping =
            serde_json::from_value(serde_json::json!({"name": name, "category": "All", "mappings": []}))
                .expect("a file mapping");
        f.parent =
            parent.map(|p| ParentLink { file: p.into(), column: "PID".into(), parent_column: "ID".into() });
        f
    }

    #[test]
    fn main_files_come_before_their_children() {
        let files = vec![file("a1", Some("A")), file("A", None), file("B", None), file("b1", Some("B"))];
        let tree = FileTree::of(&files).strict().expect("a good tree");
        let names: Vec<&str> = tree.ordered().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["A", "a1", "B", "b1"]);
        assert_eq!(tree.parent_of(0), Some(1));
        assert_eq!(tree.parent_of(1), None);
    }

    #[test]
    fn broken_links_are_set_aside_with_their_reason() {
        let files = vec![
            file("A", None),
            file("a1", Some("A")),
            file("a2", Some("a1")),
            file("self", Some("self")),
            file("lost", Some("nowhere")),
        ];
        let tree = FileTree::of(&files);
        assert_eq!(tree.ordered().len(), 2);
        assert_eq!(
            tree.problem_of(2).map(ToString::to_string).as_deref(),
            Some("parent file `a1` is itself a child file; link to the main file instead")
        );
        assert_eq!(tree.problem_of(3), Some(&LinkProblem::OwnParent { file: "self".into() }));
        assert!(
            matches!(tree.problem_of(4), Some(LinkProblem::UnknownParent { parent, .. }) if parent == "nowhere")
        );
        let first = FileTree::of(&files).strict().expect_err("broken");
        assert_eq!(first.file(), "a2");
    }
}
