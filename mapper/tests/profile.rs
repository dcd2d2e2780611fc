//! Tests of profiling against fixture files (`test-data/readers/`).

use std::path::{Path, PathBuf};

use ferry_mapper::profile::{self, ColumnProfile, InferredKind, ProfileOptions, SAMPLE_RECORDS};
use ferry_mapper::read::{self, ReadOptions};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn date(format: &str) -> InferredKind {
    InferredKind::Date { format: format.into(), ambiguous: false, alternative: None }
}

/// A column's profile without what depends on the file's format.
fn comparable(c: &ColumnProfile) -> (String, Vec<String>, Vec<String>, bool, u64, InferredKind) {
    (c.name.clone(), c.samples.clone(), c.distinct.clone(), c.distinct_capped, c.empty, c.kind.clone())
}

#[test]
fn the_same_contacts_profile_identically_in_every_encoding_and_dialect() {
    let files = read::data_files(&repo_file("test-data/readers/contacts")).unwrap();
    assert!(files.len() >= 8);
    let reference =
        profile::profile_file(&files[0], &ReadOptions::default(), &ProfileOptions::default()).unwrap();
    let kinds: Vec<_> = reference.columns.iter().map(|c| (c.name.as_str(), c.kind.clone())).collect();
    assert_eq!(
        kinds,
        [
            ("ID", InferredKind::Integer),
            ("First Name", InferredKind::Text),
            ("Last Name", InferredKind::Text),
            ("Email", InferredKind::Email),
            ("Phone", InferredKind::Phone),
            ("Birth Date", date("%Y-%m-%d")),
            ("Zip Code", InferredKind::Zip),
            ("Notes", InferredKind::Text),
        ]
    );
    assert_eq!(reference.rows, Some(5));
    assert_eq!(reference.columns[1].samples, ["José", "Zoë", "Renée", "Ñandú", "Françoise"]);
    assert_eq!(reference.columns[3].empty, 1);
    let expected: Vec<_> = reference.columns.iter().map(comparable).collect();
    for file in &files[1..] {
        let profile =
            profile::profile_file(file, &ReadOptions::default(), &ProfileOptions::default()).unwrap();
        assert_eq!(profile.rows, Some(5), "{}", file.display());
        assert_eq!(profile.undecodable, 0, "{}", file.display());
        let got: Vec<_> = profile.columns.iter().map(comparable).collect();
        assert_eq!(got, expected, "{}", file.display());
    }
}

#[test]
fn a_day_first_date_column_whose_values_all_could_swap_is_ambiguous() {
    let profile = profile::profile_file(
        &repo_file("test-data/readers/ambiguous-dates.csv"),
        &ReadOptions::default(),
        &ProfileOptions::default(),
    )
    .unwrap();
    let kind = |name: &str| profile.columns.iter().find(|c| c.name == name).unwrap().kind.clone();
    assert_eq!(
        kind("Birth Date"),
        InferredKind::Date {
            format: "%d/%m/%Y".into(),
            ambiguous: true,
            alternative: Some("%m/%d/%Y".into())
        }
    );
    // A day past 12 settles it.
    assert_eq!(kind("Joined"), date("%d/%m/%Y"));
    assert_eq!(kind("Last Contact"), InferredKind::Timestamp { format: "%Y-%m-%d %H:%M:%S".into() });
}

fn big_file(dir: &Path, rows: usize) -> PathBuf {
    let path = dir.join("big.csv");
    let mut text = String::from("id,city,note\n");
    for i in 0..rows {
        let note = if i % 10 == 0 { "" } else { "ok" };
        text.push_str(&format!("{i},City {},{note}\n", i % 70));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn without_counting_reading_stops_after_the_sample_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), 2500);
    let options = ProfileOptions { count_rows: false, ..ProfileOptions::default() };
    let quick = profile::profile_file(&path, &ReadOptions::default(), &options).unwrap();
    assert_eq!(quick.rows, None);
    assert_eq!(quick.columns[2].empty, (SAMPLE_RECORDS / 10) as u64, "empties of the sample records");

    let full = profile::profile_file(&path, &ReadOptions::default(), &ProfileOptions::default()).unwrap();
    assert_eq!(full.rows, Some(2500));
    assert_eq!(full.columns[2].empty, 250);
    // Samples and distinct values are the same: both come from the first records.
    assert_eq!(quick.columns[1].samples, full.columns[1].samples);
    assert_eq!(full.columns[1].samples, ["City 0", "City 1", "City 2", "City 3", "City 4"]);
    assert_eq!(full.columns[1].distinct.len(), 50);
    assert!(full.columns[1].distinct_capped);
    assert_eq!(full.columns[0].kind, InferredKind::Integer);

    // A small file is read whole even without counting, so its count is known.
    let small = big_file(dir.path(), 20);
    let profile = profile::profile_file(&small, &ReadOptions::default(), &options).unwrap();
    assert_eq!(profile.rows, Some(20));
}

#[test]
fn cells_beyond_the_header_get_a_column_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, "a,b\n1,2\n3,4,extra\n").unwrap();
    let profile = profile::profile_file(&path, &ReadOptions::default(), &ProfileOptions::default()).unwrap();
    let names: Vec<_> = profile.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "column 3"]);
    assert_eq!(
        (profile.columns[2].empty, profile.columns[2].samples.clone()),
        (1, vec!["extra".to_string()])
    );
}

#[test]
fn undecodable_bytes_are_reported() {
    let forced = ReadOptions { encoding: Some(encoding_rs::UTF_8), ..ReadOptions::default() };
    let path = repo_file("test-data/readers/contacts/windows-1252.csv");
    let profile = profile::profile_file(&path, &forced, &ProfileOptions::default()).unwrap();
    assert!(profile.undecodable > 0);
    assert_eq!(profile.columns[1].samples[0], "Jos\u{FFFD}");
}
