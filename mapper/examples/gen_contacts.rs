//! Writes a large legacy-style contacts CSV for benchmarks (`bench/profile.sh`).
//!
//! `cargo run --release -p ferry-mapper --example gen_contacts -- OUT.csv SIZE_MB`
//!
//! The rows are deterministic (a small LCG, no seed from the clock) and look
//! like an export: accented names, mixed phone formats, day-first dates, an
//! occasional quoted note holding a comma, quotes or a line break.

use std::io::{BufWriter, Write};

const FIRST: &[&str] = &["José", "Zoë", "Renée", "Ñandú", "Françoise", "Ann", "Bob", "Chen", "Dmitri", "Eve"];
const LAST: &[&str] =
    &["Núñez", "Müller", "O’Brien", "Peña", "Smith", "Lee", "Okafor", "Nguyen", "Rossi", "Kowalski"];
const CITIES: &[&str] = &["Toronto", "Montréal", "Zürich", "São Paulo", "Köln", "Oslo", "Lyon", "Dublin"];
const NOTES: &[&str] = &[
    "",
    "",
    "call after 5",
    "\"VIP, prefers email\"",
    "\"said \"\"maybe\"\" twice\"",
    "\"first line\nsecond line\"",
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: gen_contacts OUT.csv SIZE_MB");
        std::process::exit(2);
    }
    let target: u64 = args[2].parse::<u64>().expect("SIZE_MB is a number") * 1024 * 1024;
    let file = std::fs::File::create(&args[1])?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let header = "ID,First Name,Last Name,Email,Phone,Birth Date,City,Zip Code,Active,Notes\n";
    out.write_all(header.as_bytes())?;
    let mut written = header.len() as u64;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut line = String::with_capacity(256);
    let mut id: u64 = 1;
    while written < target {
        line.clear();
        let first = FIRST[next() % FIRST.len()];
        let last = LAST[next() % LAST.len()];
        let phone = match next() % 3 {
            0 => format!("+1 416-555-{:04}", next() % 10_000),
            1 => format!("({}) 555-{:04}", 200 + next() % 800, next() % 10_000),
            _ => format!("416.555.{:04}", next() % 10_000),
        };
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "{id},{first},{last},{}.{}{}@example.com,{phone},{:02}/{:02}/{},{},{:05},{},{}",
            first.to_lowercase(),
            last.to_lowercase(),
            id % 1000,
            1 + next() % 28,
            1 + next() % 12,
            1940 + next() % 65,
            CITIES[next() % CITIES.len()],
            next() % 100_000,
            if next() % 2 == 0 { "Y" } else { "N" },
            NOTES[next() % NOTES.len()],
        );
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        id += 1;
    }
    out.flush()?;
    eprintln!("wrote {} rows, {} bytes to {}", id - 1, written, args[1]);
    Ok(())
}
