//! `ferry learn JOB --out P.json`: estimate a probabilistic matching profile
//! from a job's records (Fellegi–Sunter, without labelled pairs).

use std::path::PathBuf;

use ferry_mapper::progress::Stage;
use ferry_runner::matching::Reporter;
use ferry_runner::matching::learn::LearnReport;
use ferry_runner::matchjob::{self, LearnJobOptions};

use super::matching::load_profile;
use crate::Outcome;
use crate::bar::Bar;
use crate::cli::GlobalArgs;
use crate::printer::{Printer, number};
use crate::store::{open_store, runner_error};
use crate::summary::Summary;
use crate::table::Table;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The job: its id or its description
    job: String,
    /// The profile whose fields are learned (default: the bundled profile of the job's
    /// type; contacts also compare e-mail and phone); a learned profile is learned again
    #[arg(long, value_name = "BASE.json")]
    profile: Option<PathBuf>,
    /// Where to write the learned profile (use it with `ferry match JOB --profile`)
    #[arg(long, value_name = "P.json")]
    out: PathBuf,
    /// The most memory learning may use: bytes or KB, MB, GB (1024-based; default: half
    /// the machine's memory); a job that cannot be learned inside it is refused
    #[arg(long, value_name = "SIZE", value_parser = ferry_packager::inspect::parse_size)]
    memory: Option<u64>,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let base = load_profile(args.profile.as_ref())?;
    let store = open_store(global)?;
    let options = LearnJobOptions { base, memory: args.memory, ..Default::default() };
    let reporter = LearnReporter(printer.bar("loading the records", "", None));
    let result = matchjob::learn_job(&store, &args.job, &options, &reporter);
    reporter.0.finish();
    let (job, profile, report) = result.map_err(runner_error)?;
    ferry_mapper::fsutil::write_atomic(&args.out, profile.to_json().as_bytes())?;
    if printer.json {
        printer.json(&serde_json::json!({ "job": job.id, "out": args.out, "report": report }))?;
    } else {
        for line in report_lines(&report) {
            printer.out(line)?;
        }
    }
    let mut told = Summary::new(format!("learned a matching profile from job {}", job.id));
    told.count("staged records", report.staged)
        .count("existing records", report.existing)
        .count("random pairs (u)", report.random_pairs)
        .count("EM sessions (m)", report.sessions.len() as u64)
        .count("fields", report.fields.len() as u64)
        .line(format!("wrote `{}`", args.out.display()));
    told.print(printer);
    printer.info(format!("next: `ferry match {} --profile {}`", job.id, args.out.display()));
    Ok(Outcome::Success)
}

/// Draws learning's steps on one bar, each with its total and unit: random
/// pairs, EM sessions, EM rounds, then the candidates the thresholds are chosen
/// from (a spinner while the records load).
struct LearnReporter(Bar);

impl Reporter for LearnReporter {
    fn on_stage(&self, stage: Stage<'_>, total: Option<u64>) {
        let (message, unit) = match stage {
            Stage::RandomPairs => ("drawing random pairs (u)", "pairs"),
            Stage::EmSessions => ("sampling the pairs of the EM sessions (m)", "sessions"),
            Stage::EmRounds => ("estimating m, u and the prior by EM", "rounds"),
            Stage::Candidates => ("choosing the thresholds from the best candidates", "blocking passes"),
            _ => return,
        };
        self.0.set_position(0);
        self.0.set_unit(unit);
        self.0.set_message(message);
        self.0.set_total(total);
    }
    fn on_progress(&self, done: u64) {
        self.0.set_position(done);
    }
}

/// The table of m, u and weights per field and level, then the histogram.
fn report_lines(r: &LearnReport) -> Vec<String> {
    let mut out = vec![format!(
        "learned from {} staged and {} existing records: u from {} random pairs, m by EM in {} sessions",
        r.staged,
        r.existing,
        r.random_pairs,
        r.sessions.len()
    )];
    for s in &r.sessions {
        out.push(format!(
            "  session on equal {}: {} pairs ({} sampled), {:.4} matches, {} iterations",
            s.blocked_on.join(" + "),
            s.pairs,
            s.sampled,
            s.match_share,
            s.iterations
        ));
    }
    out.push(format!("prior (two random records are the same person): {:.3e}", r.prior));
    out.push(String::new());
    let mut t = Table::new(["field", "level", "m", "u", "weight"]).right(&[2, 3, 4]);
    for f in &r.fields {
        for (k, l) in f.levels.iter().enumerate() {
            let name = if k == 0 { f.label.as_str() } else { "" };
            t.row([
                name.to_string(),
                l.level.as_str().to_string(),
                format!("{:.4}", l.m),
                format!("{:.6}", l.u),
                format!("{:+.2}", l.weight),
            ]);
        }
        if let Some(l) = &f.namesakes {
            t.row([
                String::new(),
                "exact, namesakes".to_string(),
                format!("{:.4}", l.m),
                format!("{:.6}", l.u),
                format!("{:+.2}", l.weight),
            ]);
        }
        t.row(["", "missing", "-", "-", "+0.00"]);
    }
    out.extend(t.lines());
    out.push(String::new());
    if r.histogram_records < r.staged {
        out.push(format!(
            "match probability of the best candidate of {} staged records sampled at random (bar: log scale)",
            number(r.histogram_records)
        ));
    } else {
        out.push("match probability of each staged record's best candidate (bar: log scale)".into());
    }
    let t = r.thresholds;
    let buckets: Vec<(String, u64, u32)> = (0..10)
        .map(|b| {
            let (lo, hi) = (b * 10, b * 10 + 9);
            (format!("{lo:>3}–{hi:<3}%"), r.histogram[lo..=hi].iter().sum(), lo as u32)
        })
        .chain(std::iter::once(("100    %".to_string(), r.histogram[100], 100)))
        .collect();
    let top = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let mut histogram = Table::plain().right(&[2]);
    for (label, n, lo) in buckets {
        let len = if n == 0 { 0 } else { (1.0 + 39.0 * (n as f64).ln_1p() / top.ln_1p()).round() as usize };
        let class = if lo >= t.match_ {
            "Match"
        } else if lo >= t.potential {
            "Potential"
        } else {
            ""
        };
        histogram.row([label, "█".repeat(len), number(n), class.to_string()]);
    }
    out.extend(histogram.lines());
    out.push(format!("thresholds: Match at {} %, Potential Match at {} %", t.match_, t.potential));
    if r.uncompared_pairs > 0 {
        out.push(format!(
            "{} pairs of blocks too large to compare in full were not compared while choosing them",
            r.uncompared_pairs
        ));
    }
    out
}
