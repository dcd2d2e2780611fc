//! Matching quality and speed on generated people with ground truth.
//!
//! `cargo run --release -p ferry-synth --example match_eval -- [EXISTING] [STAGED] [SEED] [SHOW]`
//! prints precision, recall and F1 for Match and for Match ∪ Potential Match,
//! and the time of each step. `SHOW` > 0 also prints that many wrong Match
//! proposals and missed duplicates (for tuning a profile).
//!
//! `FERRY_MATCH_PROFILE=P.json` matches with that profile instead of the
//! bundled one; `FERRY_MATCH_LEARN=1` learns one from the data first (as
//! `ferry learn` does) and prints its thresholds; `FERRY_MATCH_NO_TELCOM=1`
//! drops the e-mail and phone from the records (the four seed fields only).

use std::time::Instant;

use ferry_mapper::progress::NoReporter;
use ferry_runner::matching::learn::{self, LearnOptions};
use ferry_runner::matching::{Comparer, MatchClass, MatchInput, MatchingProfile, match_records};
use ferry_synth::{self as synth, SynthOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg =
        |i: usize, default: u64| args.get(i).and_then(|a| a.replace('_', "").parse().ok()).unwrap_or(default);
    let (existing, staged, seed, show) =
        (arg(0, 100_000) as usize, arg(1, 100_000) as usize, arg(2, 7), arg(3, 0) as usize);
    let profile = match std::env::var("FERRY_MATCH_PROFILE") {
        Ok(path) => MatchingProfile::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}")),
        Err(_) => MatchingProfile::bundled("contacts").expect("bundled"),
    };

    let t = Instant::now();
    let mut data = synth::generate(&SynthOptions { existing, staged, duplicate_rate: 0.3, seed });
    if std::env::var_os("FERRY_MATCH_NO_TELCOM").is_some() {
        for r in data.existing.iter_mut().chain(data.staged.iter_mut()) {
            r.instances.retain(|i| i.subcollection != "Telcom");
        }
    }
    let generate = t.elapsed();

    let t = Instant::now();
    let learn = std::env::var_os("FERRY_MATCH_LEARN").is_some();
    let profile = if learn { learn::skeleton(&profile) } else { profile };
    let mut c = Comparer::new(&profile);
    let prepare = |records: &[ferry_mapper::record::Record]| -> Vec<MatchInput> {
        use rayon::prelude::*;
        records
            .par_iter()
            .enumerate()
            .map(|(i, r)| MatchInput { id: i as i64, prepared: c.prepare(r) })
            .collect()
    };
    let e = prepare(&data.existing);
    let s = prepare(&data.staged);
    let prepared = t.elapsed();
    let t = Instant::now();
    if learn {
        let (learned, report) = learn::learn(&profile, &s, Some(&e), &LearnOptions::default());
        println!(
            "learned: prior {:.3e}, thresholds {} / {}",
            report.prior, report.thresholds.match_, report.thresholds.potential
        );
        for f in &report.fields {
            for l in &f.levels {
                println!(
                    "  {:<10} {:<14} m {:.4} u {:.6} w {:+.2}",
                    f.name,
                    l.level.as_str(),
                    l.m,
                    l.u,
                    l.weight
                );
            }
        }
        c = Comparer::new(&learned);
    }
    if c.profile().probabilistic.is_some() {
        c.count_terms(s.iter().chain(&e).map(|r| &r.prepared));
    }
    let learned = t.elapsed();

    let t = Instant::now();
    let matched = match_records(&c, &s, Some(&e), &NoReporter);
    println!("pairs scored: {} in {} blocking plans", matched.compared, matched.plans);
    if matched.uncompared > 0 {
        println!("{} pairs of split blocks not compared", matched.uncompared);
    }
    let outcomes = matched.outcomes;
    let matched = t.elapsed();

    let q = synth::evaluate(&data, &outcomes);
    println!(
        "records: {existing} existing, {staged} staged ({} true duplicates, {} with two or more recognisable seed fields)",
        q.duplicates, q.recognisable_duplicates
    );
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7}",
        "class", "precision", "recall", "F1", "TP", "FP", "FN"
    );
    for (name, p) in [("Match", q.matched), ("Match ∪ Potential", q.surfaced)] {
        println!(
            "{:<22} {:>9.4} {:>9.4} {:>9.4} {:>7} {:>7} {:>7}",
            name, p.precision, p.recall, p.f1, p.true_positives, p.false_positives, p.false_negatives
        );
    }
    println!(
        "recall over recognisable duplicates: Match {:.4}, Match ∪ Potential {:.4}",
        q.matched_recall_recognisable, q.surfaced_recall_recognisable
    );
    println!(
        "time: generate {:.2}s, normalise {:.2}s, learn {:.2}s, match {:.2}s",
        generate.as_secs_f64(),
        prepared.as_secs_f64(),
        learned.as_secs_f64(),
        matched.as_secs_f64()
    );

    if show > 0 {
        let name = |r: &ferry_mapper::record::Record| format!("{:?}", c.prepare(r).values);
        let why = |a: &MatchInput, b: &MatchInput| -> String {
            let x = c.explain(&a.prepared, &b.prepared);
            x.fields
                .iter()
                .map(|f| format!("{}{:+.1}", f.level.as_str(), f.contribution))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut shown = 0;
        for (i, o) in outcomes.iter().enumerate() {
            if o.class == MatchClass::Match && o.merge_with != data.truth[i] && shown < show {
                shown += 1;
                let m = o.merge_with.expect("match merges");
                println!(
                    "wrong match q={}: staged {} -> {} [{}] (truth {:?})",
                    o.candidates[0].quality,
                    name(&data.staged[i]),
                    name(&data.existing[m]),
                    why(&s[i], &e[m]),
                    data.truth[i].map(|t| (name(&data.existing[t]), why(&s[i], &e[t])))
                );
            }
        }
        let mut shown = 0;
        for (i, o) in outcomes.iter().enumerate() {
            if let Some(t) = data.truth[i]
                && o.merge_with != Some(t)
                && shown < show
            {
                shown += 1;
                let q = c.score(&s[i].prepared, &e[t].prepared).quality;
                println!(
                    "not merged q={q} ({:?}) rec={}: staged {} truth {} [{}]",
                    o.class,
                    data.recognisable[i],
                    name(&data.staged[i]),
                    name(&data.existing[t]),
                    why(&s[i], &e[t])
                );
            }
        }
    }
}
