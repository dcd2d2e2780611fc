//! Packing through the library: splitting, reproducibility, encodings,
//! atomicity. Rows come from plain UTF-8 CSV files read here, so these tests
//! do not depend on the legacy readers.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use ferry_mapper::read::{FileFormat, Row, Table, TableInfo};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::{FieldMapping, FileMapping, MappingTemplate, ParentLink};
use ferry_packager::read::Package;
use ferry_packager::write::{NoReporter, PackOptions, Source, pack_from};
use sha2::Digest;

/// Reads comma-separated UTF-8 files with a header row.
struct CsvSource {
    dir: PathBuf,
}

impl Source for CsvSource {
    fn open(&self, file: &FileMapping) -> Result<Table, ferry_packager::Error> {
        let path = self.dir.join(&file.name);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(&path).unwrap();
        let mut records = reader.records();
        let headers: Vec<String> = records.next().unwrap().unwrap().iter().map(str::to_string).collect();
        let rows = records.map(|r| {
            let r = r.unwrap();
            Ok(Row { line: r.position().unwrap().line(), cells: r.iter().map(str::to_string).collect() })
        });
        let rows: Vec<_> = rows.collect();
        let info = TableInfo {
            path,
            format: FileFormat::Csv,
            encoding: "UTF-8".into(),
            bom: false,
            delimiter: Some(','),
            has_header: true,
            sheet: None,
        };
        Ok(Table::from_parts(info, headers, Box::new(rows.into_iter())))
    }
}

fn field(column: &str, field: &str) -> FieldMapping {
    FieldMapping::new(column, field)
}

fn sub(column: &str, subcollection: &str, type_name: &str, attribute: &str) -> FieldMapping {
    FieldMapping {
        subcollection: Some(subcollection.into()),
        type_name: Some(type_name.into()),
        ..field(column, attribute)
    }
}

fn linked_template() -> MappingTemplate {
    let mut t = MappingTemplate::new("contacts");
    t.files = vec![
        FileMapping {
            name: "contacts.csv".into(),
            category: "All".into(),
            parent: None,
            id_column: Some("ID".into()),
            null_default: None,
            null_values: Vec::new(),
            mappings: vec![field("FIRST", "firstName"), field("LAST", "lastName"), field("NOTE", "notes")],
        },
        FileMapping {
            name: "addresses.csv".into(),
            category: "All".into(),
            parent: Some(ParentLink {
                file: "contacts.csv".into(),
                column: "CONTACT".into(),
                parent_column: "ID".into(),
            }),
            id_column: None,
            null_default: None,
            null_values: Vec::new(),
            mappings: vec![
                sub("AID", "UserField", "Address ID", "value"),
                sub("STREET", "Address", "Home", "line1"),
                sub("CITY", "Address", "Home", "city"),
            ],
        },
        FileMapping {
            name: "phones.csv".into(),
            category: "All".into(),
            parent: Some(ParentLink {
                file: "contacts.csv".into(),
                column: "CONTACT".into(),
                parent_column: "ID".into(),
            }),
            id_column: None,
            null_default: None,
            null_values: Vec::new(),
            mappings: vec![
                sub("PID", "UserField", "Phone ID", "value"),
                sub("NUMBER", "Telcom", "Business", "value"),
            ],
        },
    ];
    t
}

/// A cheap deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Random letters and digits: compresses to about three quarters.
    fn word(&mut self, len: usize, out: &mut String) {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut x = self.next();
        for i in 0..len {
            if i % 10 == 9 {
                x = self.next();
            }
            out.push(A[(x % 62) as usize] as char);
            x /= 62;
        }
    }
}

/// Writes contacts, addresses and phones of about `bytes` in total; children are shuffled
/// (not in parent order) and some contacts have none.
fn write_linked(dir: &Path, bytes: usize) -> (usize, usize, usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut c, mut a, mut p) = (
        String::from("ID,FIRST,LAST,NOTE,UNUSED\n"),
        String::from("AID,CONTACT,STREET,CITY\n"),
        String::from("PID,CONTACT,NUMBER\n"),
    );
    let (mut nc, mut na, mut np) = (0, 0, 0);
    let mut addr_rows = Vec::new();
    let mut phone_rows = Vec::new();
    let mut child_bytes = 0;
    while c.len() + child_bytes < bytes {
        nc += 1;
        let id = nc;
        c.push_str(&format!("{id},"));
        rng.word(8, &mut c);
        c.push(',');
        rng.word(12, &mut c);
        c.push_str(",\"");
        rng.word(150, &mut c);
        c.push_str(", with a comma\",x\n");
        for _ in 0..(rng.next() % 4) {
            na += 1;
            let mut s = format!("{na},{id},");
            rng.word(30, &mut s);
            s.push(',');
            rng.word(10, &mut s);
            s.push('\n');
            child_bytes += s.len();
            addr_rows.push(s);
        }
        for _ in 0..(rng.next() % 3) {
            np += 1;
            let mut s = format!("{np},{id},+1");
            rng.word(10, &mut s);
            s.push('\n');
            child_bytes += s.len();
            phone_rows.push(s);
        }
    }
    // Children in an order of their own.
    addr_rows.reverse();
    for i in (1..phone_rows.len()).step_by(2) {
        phone_rows.swap(i - 1, i);
    }
    a.extend(addr_rows);
    p.extend(phone_rows);
    std::fs::write(dir.join("contacts.csv"), c).unwrap();
    std::fs::write(dir.join("addresses.csv"), a).unwrap();
    std::fs::write(dir.join("phones.csv"), p).unwrap();
    (nc, na, np)
}

fn options(dir: &Path, out: &Path, max_size: u64) -> PackOptions {
    PackOptions {
        data_dir: dir.to_path_buf(),
        template: linked_template(),
        target: TargetDefinition::bundled("contacts").unwrap(),
        read: Default::default(),
        out: out.to_path_buf(),
        max_size,
        encoding: None,
        replace: false,
        rejected: HashMap::new(),
        force: true,
    }
}

fn sha256(path: &Path) -> String {
    sha2::Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Three linked tables of about 3 MB, barely compressible, under a 1 MiB cap:
/// the 30 MB / 10 MiB case of the issue scaled down tenfold to stay quick in
/// debug builds (the full size runs below, ignored, and in `bench/pack.sh`).
#[test]
fn linked_tables_split_into_full_packages_keeping_families_together() {
    split_check(3 * 1024 * 1024, 1024 * 1024);
}

/// The case at full size: 30 MB under the default 10 MiB cap.
#[test]
#[ignore = "30 MB: run by bench/pack.sh in release (`cargo test --release -p ferry-packager --test pack -- --ignored`)"]
fn thirty_megabytes_split_under_the_default_cap() {
    split_check(30 * 1024 * 1024, ferry_packager::write::DEFAULT_MAX_SIZE);
}

fn split_check(bytes: usize, max: u64) {
    let data = tempfile::tempdir().unwrap();
    let outdir = tempfile::tempdir().unwrap();
    let (nc, na, np) = write_linked(data.path(), bytes);
    let out = outdir.path().join("PKG.zip");
    let source = CsvSource { dir: data.path().to_path_buf() };
    let report = pack_from(&options(data.path(), &out, max), &source, &NoReporter).unwrap();

    let n = report.packages.len();
    assert!(n >= 3, "{n} packages");
    assert!(!out.exists(), "a split run writes PKG-1.zip … only");
    let mut contacts = HashSet::new();
    let mut children_seen = HashMap::new();
    let (mut ra, mut rp) = (0, 0);
    for (i, p) in report.packages.iter().enumerate() {
        assert_eq!(p.path, outdir.path().join(format!("PKG-{}.zip", i + 1)));
        let size = std::fs::metadata(&p.path).unwrap().len();
        assert_eq!(size, p.size);
        assert!(size <= max, "package {} is {size} bytes", i + 1);
        if i + 1 < n {
            assert!(size * 100 >= max * 85, "package {} is only {size} bytes", i + 1);
        }
        let pkg = Package::open(&p.path).unwrap();
        let mut here = HashSet::new();
        for row in pkg.rows("contacts.csv").unwrap() {
            let id = row.unwrap().cells[0].clone();
            assert!(contacts.insert(id.clone()), "contact {id} twice");
            here.insert(id);
        }
        for (file, count) in [("addresses.csv", &mut ra), ("phones.csv", &mut rp)] {
            let table = pkg.rows(file).unwrap();
            let expected: &[&str] = if file == "phones.csv" {
                &["PID", "CONTACT", "NUMBER"]
            } else {
                &["AID", "CONTACT", "STREET", "CITY"]
            };
            assert_eq!(table.headers, expected, "mapped and link columns only, in source order");
            for row in table {
                let row = row.unwrap();
                let key = (file, row.cells[0].clone());
                assert!(children_seen.insert(key, ()).is_none(), "{file} row twice");
                assert!(
                    here.contains(&row.cells[1]),
                    "{file} row of contact {} is not with its contact",
                    row.cells[1]
                );
                *count += 1;
            }
        }
    }
    assert_eq!((contacts.len(), ra, rp), (nc, na, np), "every row exactly once");
}

#[test]
fn packing_twice_gives_the_same_bytes() {
    let data = tempfile::tempdir().unwrap();
    let outdir = tempfile::tempdir().unwrap();
    write_linked(data.path(), 400 * 1024);
    let source = CsvSource { dir: data.path().to_path_buf() };
    let a = outdir.path().join("a.zip");
    let b = outdir.path().join("b.zip");
    pack_from(&options(data.path(), &a, 10 << 20), &source, &NoReporter).unwrap();
    pack_from(&options(data.path(), &b, 10 << 20), &source, &NoReporter).unwrap();
    assert_eq!(sha256(&a), sha256(&b));
    // Split output is reproducible too.
    let r1 = pack_from(&options(data.path(), &a, 120 * 1024), &source, &NoReporter).unwrap();
    let r2 = pack_from(&options(data.path(), &b, 120 * 1024), &source, &NoReporter).unwrap();
    assert!(r1.packages.len() > 1);
    for (x, y) in r1.packages.iter().zip(&r2.packages) {
        assert_eq!(sha256(&x.path), sha256(&y.path));
    }
    // The unsplit names of the first runs were replaced, and nothing else is left.
    let mut names: Vec<String> = std::fs::read_dir(outdir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected: Vec<String> = ["a", "b"]
        .iter()
        .flat_map(|s| (1..=r1.packages.len()).map(move |i| format!("{s}-{i}.zip")))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(names, expected);
}
