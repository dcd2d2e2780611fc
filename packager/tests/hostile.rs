//! The hostile-package corpus in `test-data/packages/`: each file is rejected
//! by `Package::open` with its own kind and message, never a panic.
//!
//! The files are made by [`corpus`] below; `FERRY_BLESS=1 cargo test -p
//! ferry-packager --test hostile` rewrites them, and the test fails when the
//! committed files drift from what the generator makes.

use std::path::PathBuf;

use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::{FieldMapping, FileMapping, MappingTemplate};
use ferry_packager::Invalid;
use ferry_packager::format::{self, FILE_MAPPINGS, TARGET_JSON};
use ferry_packager::read::{Limits, Package};
use ferry_packager::zipfile::{Deflater, ZipBuilder};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-data/packages")
}

fn field(column: &str, field: &str) -> FieldMapping {
    FieldMapping::new(column, field)
}

fn template() -> MappingTemplate {
    let mut t = MappingTemplate::new("contacts");
    t.schema = None;
    t.files = vec![FileMapping {
        name: "contacts.csv".into(),
        category: "All".into(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings: vec![field("FIRST", "firstName"), field("LAST", "lastName")],
    }];
    t
}

/// The members of a valid one-file package, in package order.
/// Package members: name and bytes.
type Members = Vec<(String, Vec<u8>)>;

fn valid_members() -> Members {
    let t = template();
    let target =
        serde_json::to_string_pretty(&TargetDefinition::bundled("contacts").unwrap()).unwrap() + "\n";
    vec![
        (FILE_MAPPINGS.into(), format::write_file_mappings(&t, &[2]).unwrap().into_bytes()),
        (TARGET_JSON.into(), target.into_bytes()),
        ("contacts.csv".into(), b"ID,FIRST,LAST\r\n1,Ann,Lee\r\n2,Bob,Ray\r\n".to_vec()),
        ("contacts_mappings.xml".into(), format::write_field_mappings(&t.files[0]).unwrap().into_bytes()),
    ]
}

/// A package of `contacts.csv`, `phones.csv` and `notes.csv` whose parent
/// links are `links`: (child, parent, the child's link column, the parent's id column).
fn linked_members(links: &[(&str, &str, &str, &str)]) -> Members {
    let files = [
        ("contacts.csv", "ID", "ID,LAST,PID\r\n1,Lee,9\r\n", vec![field("LAST", "lastName")]),
        ("phones.csv", "PID", "PID,CID,NOTE\r\n9,1,x\r\n", vec![]),
        ("notes.csv", "NID", "NID,PID,NOTE\r\n5,9,y\r\n", vec![]),
    ];
    let mut t = MappingTemplate::new("contacts");
    t.schema = None;
    for (name, id, _, mappings) in &files {
        let parent = links.iter().find(|l| l.0 == *name).map(|(_, file, column, parent_column)| {
            ferry_mapper::template::ParentLink {
                file: file.to_string(),
                column: column.to_string(),
                parent_column: parent_column.to_string(),
            }
        });
        t.files.push(FileMapping {
            name: name.to_string(),
            category: "All".into(),
            parent,
            id_column: Some(id.to_string()),
            null_default: None,
            null_values: Vec::new(),
            mappings: mappings.clone(),
        });
    }
    let target =
        serde_json::to_string_pretty(&TargetDefinition::bundled("contacts").unwrap()).unwrap() + "\n";
    let mut m: Members = vec![
        (FILE_MAPPINGS.into(), format::write_file_mappings(&t, &[1, 1, 1]).unwrap().into_bytes()),
        (TARGET_JSON.into(), target.into_bytes()),
    ];
    for (f, (name, _, csv, _)) in t.files.iter().zip(&files) {
        m.push((name.to_string(), csv.as_bytes().to_vec()));
        m.push((format::mappings_member(name), format::write_field_mappings(f).unwrap().into_bytes()));
    }
    m
}

/// Renames a member in its local header only (same length): the central
/// directory keeps the name a listing shows.
fn rename_local(mut bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut p = 0;
    while bytes[p..p + 4] == [0x50, 0x4b, 0x03, 0x04] {
        let n = u16::from_le_bytes([bytes[p + 26], bytes[p + 27]]) as usize;
        let extra = u16::from_le_bytes([bytes[p + 28], bytes[p + 29]]) as usize;
        let size = u32::from_le_bytes(bytes[p + 18..p + 22].try_into().unwrap()) as usize;
        if &bytes[p + 30..p + 30 + n] == from.as_bytes() {
            bytes[p + 30..p + 30 + n].copy_from_slice(to.as_bytes());
            return bytes;
        }
        p += 30 + n + extra + size;
    }
    panic!("no local header names `{from}`")
}

fn zip(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut d = Deflater::default();
    let mut z = ZipBuilder::new(Vec::new());
    for (name, data) in members {
        z.add_bytes(name, data, &mut d).unwrap();
    }
    z.finish().unwrap()
}

fn replace(members: &mut [(String, Vec<u8>)], name: &str, from: &str, to: &str) {
    let m = members.iter_mut().find(|(n, _)| n == name).unwrap();
    let text = String::from_utf8(m.1.clone()).unwrap();
    assert!(text.contains(from), "{from} not in {name}");
    m.1 = text.replacen(from, to, 1).into_bytes();
}

/// One hostile package: its file name, its bytes, the kind and a part of the message expected.
struct Case {
    file: &'static str,
    bytes: Vec<u8>,
    kind: Invalid,
    expect: &'static str,
}

fn corpus() -> Vec<Case> {
    let with = |f: &dyn Fn(&mut Members)| {
        let mut m = valid_members();
        f(&mut m);
        zip(&m)
    };
    let extra = |name: &'static str| with(&move |m| m.push((name.into(), b"x".to_vec())));
    vec![
        Case {
            file: "zip-slip.zip",
            bytes: extra("../evil.csv"),
            kind: Invalid::PathEscapes,
            expect: "escapes the package (zip slip)",
        },
        Case {
            file: "absolute-path.zip",
            bytes: extra("/etc/evil.csv"),
            kind: Invalid::AbsolutePath,
            expect: "has an absolute path",
        },
        Case {
            file: "drive-letter.zip",
            bytes: extra("C:\\evil.csv"),
            kind: Invalid::DriveLetter,
            expect: "starts with a drive letter",
        },
        Case {
            file: "folder-member.zip",
            bytes: extra("data/contacts.csv"),
            kind: Invalid::UnexpectedMember,
            expect: "is in a folder",
        },
        Case {
            file: "stray-member.zip",
            bytes: extra("notes.txt"),
            kind: Invalid::UnexpectedMember,
            expect: "`notes.txt` is not listed in `fileMappings.xml`",
        },
        Case {
            file: "duplicate-member.zip",
            bytes: with(&|m| m.push(("contacts.csv".into(), b"ID,FIRST,LAST\r\n9,Eve,Evil\r\n".to_vec()))),
            kind: Invalid::DuplicateMember,
            expect: "member `contacts.csv` appears twice",
        },
        Case {
            file: "compression-bomb.zip",
            bytes: with(&|m| {
                let mut csv = b"ID,FIRST,LAST\r\n".to_vec();
                csv.resize(24 << 20, b'0');
                m[2].1 = csv;
            }),
            kind: Invalid::CompressionRatio,
            expect: "a ZIP bomb?",
        },
        Case {
            file: "doctype-entities.zip",
            bytes: with(&|m| {
                replace(
                    m,
                    FILE_MAPPINGS,
                    "<fileMappings",
                    "<!DOCTYPE fileMappings [\n  <!ENTITY lol \"lol\">\n  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">\n]>\n<fileMappings",
                );
                replace(m, FILE_MAPPINGS, "target=\"contacts\"", "target=\"&lol2;\"");
            }),
            kind: Invalid::Doctype,
            expect: "`fileMappings.xml` line 2: a DOCTYPE is not allowed",
        },
        Case {
            file: "undeclared-entity.zip",
            bytes: with(&|m| replace(m, "contacts_mappings.xml", "category=\"All\"", "category=\"&xxe;\"")),
            kind: Invalid::Entity,
            expect: "`contacts_mappings.xml` line 2: attribute `category`",
        },
        Case {
            file: "unknown-element.zip",
            bytes: with(&|m| replace(m, FILE_MAPPINGS, "  </mapping>", "    <script/>\n  </mapping>")),
            kind: Invalid::UnknownXml,
            expect: "unknown element `script`",
        },
        Case {
            file: "unknown-attribute.zip",
            bytes: with(&|m| {
                replace(m, "contacts_mappings.xml", "column=\"LAST\"", "column=\"LAST\" color=\"red\"")
            }),
            kind: Invalid::UnknownXml,
            expect: "unknown attribute `color`",
        },
        Case {
            file: "future-version.zip",
            bytes: with(&|m| replace(m, FILE_MAPPINGS, "version=\"1\"", "version=\"2\"")),
            kind: Invalid::Version,
            expect: "format version `2` is not supported",
        },
        Case {
            file: "missing-mapping-file.zip",
            bytes: with(&|m| m.retain(|(n, _)| n != "contacts_mappings.xml")),
            kind: Invalid::MissingMember,
            expect: "`contacts_mappings.xml`, the mapping file of `contacts.csv`, is missing",
        },
        Case {
            file: "missing-file-mappings.zip",
            bytes: with(&|m| m.retain(|(n, _)| n != FILE_MAPPINGS)),
            kind: Invalid::MissingFileMappings,
            expect: "`fileMappings.xml` is missing",
        },
        Case {
            file: "wrong-encoding.zip",
            bytes: with(&|m| m[2].1 = b"ID,FIRST,LAST\r\n1,J\xfcrgen,M\xfcller\r\n2,Bob,Ray\r\n".to_vec()),
            kind: Invalid::Encoding,
            expect: "`contacts.csv` line 2: bytes that are not valid in the declared encoding (the package declares `UTF-8`)",
        },
        Case {
            file: "missing-column.zip",
            bytes: with(&|m| m[2].1 = b"ID,FIRST\r\n1,Ann\r\n2,Bob\r\n".to_vec()),
            kind: Invalid::BadCsv,
            expect: "column `LAST` (mapped in `contacts_mappings.xml`) is not in the header of `contacts.csv`",
        },
        Case {
            file: "row-count.zip",
            bytes: with(&|m| replace(m, FILE_MAPPINGS, "rows=\"2\"", "rows=\"3\"")),
            kind: Invalid::BadCsv,
            expect: "`contacts.csv` holds 2 rows but `fileMappings.xml` declares 3",
        },
        Case {
            file: "local-name.zip",
            bytes: rename_local(zip(&valid_members()), "contacts.csv", "c0ntacts.csv"),
            kind: Invalid::LocalName,
            expect: "member `contacts.csv` is named `c0ntacts.csv` in its local header",
        },
        Case {
            file: "unknown-field.zip",
            bytes: with(&|m| {
                replace(m, "contacts_mappings.xml", "target=\"lastName\"", "target=\"shoeSize\"")
            }),
            kind: Invalid::BadMapping,
            expect: "`contacts_mappings.xml`: the mapping does not fit `target.json`",
        },
        Case {
            file: "duplicate-target.zip",
            bytes: with(&|m| {
                replace(m, "contacts_mappings.xml", "target=\"firstName\"", "target=\"lastName\"")
            }),
            kind: Invalid::BadMapping,
            expect: "already mapped from column `FIRST`",
        },
        Case {
            file: "grandchild.zip",
            bytes: zip(&linked_members(&[
                ("phones.csv", "contacts.csv", "CID", "ID"),
                ("notes.csv", "phones.csv", "PID", "PID"),
            ])),
            kind: Invalid::BadMapping,
            expect: "parent file `phones.csv` is itself a child file",
        },
        Case {
            file: "parent-cycle.zip",
            bytes: zip(&linked_members(&[
                ("contacts.csv", "phones.csv", "PID", "PID"),
                ("phones.csv", "contacts.csv", "CID", "ID"),
            ])),
            kind: Invalid::BadMapping,
            expect: "is itself a child file",
        },
        Case {
            file: "not-a-zip.zip",
            bytes: b"ID,FIRST,LAST\n1,Ann,Lee\n".to_vec(),
            kind: Invalid::NotZip,
            expect: "not a readable ZIP archive",
        },
    ]
}

#[test]
fn the_corpus_is_current() {
    let bless = std::env::var_os("FERRY_BLESS").is_some();
    std::fs::create_dir_all(dir()).unwrap();
    let mut all = vec![("valid.zip", zip(&valid_members()))];
    all.extend(corpus().into_iter().map(|c| (c.file, c.bytes)));
    for (file, bytes) in all {
        let path = dir().join(file);
        if bless {
            std::fs::write(&path, &bytes).unwrap();
        } else {
            let committed = std::fs::read(&path).unwrap_or_default();
            assert!(
                committed == bytes,
                "`{}` is stale: run `FERRY_BLESS=1 cargo test -p ferry-packager --test hostile`",
                path.display()
            );
        }
    }
}

#[test]
fn the_valid_package_opens() {
    let p = Package::open(&dir().join("valid.zip")).unwrap();
    assert_eq!(p.template, template());
    let rows: Vec<Vec<String>> = p.rows("contacts.csv").unwrap().map(|r| r.unwrap().cells).collect();
    assert_eq!(rows, [["1", "Ann", "Lee"], ["2", "Bob", "Ray"]]);
}

#[test]
fn each_hostile_package_is_rejected_with_its_own_message() {
    let mut messages = std::collections::BTreeSet::new();
    for case in corpus() {
        let path = dir().join(case.file);
        let err = Package::open(&path).expect_err(case.file);
        let message = err.to_string();
        assert_eq!(err.invalid_kind(), Some(case.kind), "{}: {message}", case.file);
        assert!(message.contains(case.expect), "{}: `{message}` lacks `{}`", case.file, case.expect);
        assert!(message.starts_with(&format!("package `{}`: ", path.display())), "{message}");
        assert!(messages.insert(message.replace(case.file, "")), "{}: message not distinct", case.file);
    }
}

/// Opened for streaming, a package is refused at once for all but its rows;
/// the rows are checked as they stream, so the same hostile packages still
/// fail, with the same message, by the end of `rows`.
#[test]
fn streaming_checks_the_rows_while_they_stream() {
    for case in corpus() {
        let path = dir().join(case.file);
        let message = match Package::open_streaming(&path, Limits::default()) {
            Err(e) => e.to_string(),
            Ok(p) => {
                assert!(
                    matches!(case.file, "wrong-encoding.zip" | "row-count.zip"),
                    "{} opened for streaming",
                    case.file
                );
                let failure = p
                    .template
                    .files
                    .iter()
                    .flat_map(|f| p.rows(&f.name).unwrap())
                    .find_map(|row| row.err())
                    .unwrap_or_else(|| panic!("{}: every row streamed", case.file));
                failure.to_string()
            }
        };
        assert!(message.contains(case.expect), "{}: `{message}` lacks `{}`", case.file, case.expect);
    }
    let valid = Package::open_streaming(&dir().join("valid.zip"), Limits::default()).unwrap();
    assert_eq!(valid.rows("contacts.csv").unwrap().filter(|r| r.is_ok()).count(), 2);
}

/// Over the size cap, every reader refuses the package, naming both sizes;
/// a raised cap lets it through.
#[test]
fn a_package_over_the_cap_is_refused_naming_both_sizes() {
    let path = dir().join("valid.zip");
    let size = std::fs::metadata(&path).unwrap().len();
    let open = |max_package| {
        let file = std::fs::File::open(&path).unwrap();
        Package::open_file(file, &path, Limits { max_package, ..Limits::default() })
    };
    let err = open(100).expect_err("over the cap");
    assert_eq!(err.invalid_kind(), Some(Invalid::OverSizeCap));
    let message = err.to_string();
    assert!(message.contains(&format!("the package is {size} bytes")), "{message}");
    assert!(message.contains("larger than the cap of 100 bytes"), "{message}");
    assert!(open(size).is_ok());
}
