//! Writes generated contacts with ground truth as CSV, for `bench/match.sh`:
//!
//! `synth_csv EXISTING STAGED SEED DIR` writes `DIR/existing/contacts.csv`,
//! `DIR/staged/contacts.csv` (columns of `test-data/matching/synth-contacts.json`)
//! and `DIR/truth.csv` (`staged,existing`: the legacy ids of each staged copy
//! and the existing record it copies).

use std::path::Path;

use ferry_mapper::record::Record;
use ferry_synth::{self as synth, SynthOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.replace('_', "").parse().ok()).unwrap_or(default);
    let (existing, staged, seed) = (number(0, 100_000) as usize, number(1, 100_000) as usize, number(2, 7));
    let dir = Path::new(args.get(3).map_or("synth", String::as_str));
    let data = synth::generate(&SynthOptions { existing, staged, duplicate_rate: 0.3, seed });
    write(&dir.join("existing"), &data.existing);
    write(&dir.join("staged"), &data.staged);
    let mut truth = csv::Writer::from_path(dir.join("truth.csv")).expect("truth.csv");
    truth.write_record(["staged", "existing"]).expect("write");
    for (s, t) in data.truth.iter().enumerate() {
        if let Some(e) = t {
            truth.write_record([format!("S{s}"), format!("E{e}")]).expect("write");
        }
    }
    truth.flush().expect("flush");
}

fn write(dir: &Path, records: &[Record]) {
    std::fs::create_dir_all(dir).expect("directory");
    synth::write_csv(records, &dir.join("contacts.csv")).expect("contacts.csv");
}
