//! `ferry demo`: the whole pipeline on the bundled example data, step by step.
//!
//! The demo is a script of real `ferry` invocations (this very binary) in a
//! scratch directory: it writes the bundled example export and its mapping
//! template there, then maps, packs, imports, matches and completes, one block
//! a step, printing each command before its output, so what it shows is
//! exactly what a user would type. After the match it says why the
//! duplicates were found: each pair's score and the fields that agreed. The
//! example files are embedded in the binary, so the demo runs from anywhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  ferry demo\n  ferry demo --dir demo   (keep the files and the store)")]
pub struct Args {
    /// Work in this directory (created if missing) and keep it, instead of a
    /// temporary directory that is removed afterwards
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The bundled example: a legacy export of three linked tables, and the template that maps it.
const FILES: &[(&str, &str)] = &[
    ("data/contacts.csv", include_str!("../../templates/examples/three-tables/contacts.csv")),
    ("data/addresses.csv", include_str!("../../templates/examples/three-tables/addresses.csv")),
    ("data/phones.csv", include_str!("../../templates/examples/three-tables/phones.csv")),
    ("three-tables.json", include_str!("../../templates/mappings/three-tables.json")),
];

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let temp;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create `{}`", d.display()))?;
            std::path::absolute(d).with_context(|| format!("cannot resolve `{}`", d.display()))?
        }
        None => {
            temp = tempfile::tempdir().context("cannot create a scratch directory")?;
            temp.path().to_path_buf()
        }
    };
    if dir.join("ferry.db").exists() {
        bail!(crate::hint(
            anyhow::anyhow!("`{}` already holds a store (`ferry.db`)", dir.display()),
            "give `--dir` an empty or new directory"
        ));
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("has a parent"))
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let mut demo = Demo { dir: &dir, printer, steps: Vec::new() };
    demo.say(&format!(
        "ferry demo: a legacy export of 30 contacts (contacts.csv, with addresses.csv and phones.csv \
         whose rows belong to a contact) carried into a CRM store in five steps, in `{}` (its own \
         store: `ferry.db` there)",
        dir.display()
    ));

    demo.block(
        "1. map: apply the bundled template `three-tables` to the export, taking every default answer",
    );
    let answers = dir.join("answers.txt");
    std::fs::write(&answers, "\n".repeat(40))
        .with_context(|| format!("cannot write `{}`", answers.display()))?;
    demo.step(&[
        "map",
        "--quiet",
        "--data",
        "data",
        "--target",
        "contacts",
        "--mapping",
        "three-tables.json",
        "--out",
        "mapping.json",
        "--answers",
        "answers.txt",
    ])?;
    demo.say_under("wrote `mapping.json`: which column goes to which field, and how its values convert");
    demo.block(
        "2. pack: check every row against the target and write the import package (a size-capped ZIP)",
    );
    demo.step(&["pack", "--data", "data", "--mapping", "mapping.json", "--out", "contacts.zip"])?;
    demo.block("3. import: stage the package's records as an import job, then submit them for matching");
    demo.step(&["import", "contacts.zip", "--description", "demo: legacy contacts"])?;
    demo.step(&["staged", "demo: legacy contacts", "--submit"])?;
    demo.block("4. match: the store is empty, so `--within` compares the records with each other");
    demo.step(&["match", "demo: legacy contacts", "--within"])?;
    let pairs = demo.why("demo: legacy contacts")?;
    demo.block("5. complete: carry out the proposed actions (create, or merge a duplicate into its pair)");
    demo.step(&["complete", "demo: legacy contacts"])?;
    demo.step(&["export", "contacts", "--out", "contacts-export.csv"])?;
    if args.dir.is_some() {
        demo.say(&format!(
            "done: the template, the package, the export and the store are in `{}`; \
             `ferry jobs --db {}` lists the job",
            dir.display(),
            dir.join("ferry.db").display()
        ));
    } else {
        demo.say("done (the scratch directory is removed now; `ferry demo --dir DIR` keeps it)");
    }
    if printer.json {
        printer.json(&serde_json::json!({ "dir": dir, "steps": demo.steps, "pairs": pairs }))?;
    }
    Ok(Outcome::Success)
}

/// A pair of staged records the match found alike, and why.
#[derive(serde::Serialize)]
struct Pair {
    /// The later record's legacy id and name, and the earlier one's.
    record: String,
    pair: String,
    class: String,
    score: u64,
    proposed: String,
    /// The fields that agreed (with their level when not `exact`) and their points.
    agreed: Vec<String>,
    differed: Vec<String>,
}

/// The pairs of a matched job's review list (each pair once: from its later record).
fn pairs(list: &serde_json::Value) -> Vec<Pair> {
    let rows = list["rows"].as_array().map(Vec::as_slice).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let name = |id: &serde_json::Value| -> String {
        let row = rows.iter().find(|r| r["staged_id"] == *id);
        row.map(|r| format!("{} {} {}", text(&r["legacy_id"]), text(&r["first_name"]), text(&r["last_name"])))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for r in rows {
        let class = text(&r["class"]);
        if class != "Match" && class != "Potential Match" {
            continue;
        }
        let Some(best) = r["candidates"].as_array().and_then(|c| c.first()) else { continue };
        let earlier = best["staged_id"].as_i64().zip(r["staged_id"].as_i64()).is_some_and(|(b, s)| b < s);
        if !earlier {
            continue;
        }
        let (mut agreed, mut differed) = (Vec::new(), Vec::new());
        for f in best["explain"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let points = f["contribution"].as_f64().unwrap_or(0.0);
            let (label, level) = (text(&f["label"]), text(&f["level"]));
            if points > 0.0 {
                let how = if level == "exact" { String::new() } else { format!(" ({level})") };
                agreed.push(format!("{label}{how} +{points}"));
            } else {
                differed.push(label);
            }
        }
        out.push(Pair {
            record: name(&r["staged_id"]),
            pair: name(&best["staged_id"]),
            class,
            score: best["quality"].as_u64().unwrap_or(0),
            proposed: text(&r["proposed"]),
            agreed,
            differed,
        });
    }
    out
}

/// A demo block as `--json` prints it: its title and the commands it ran.
#[derive(serde::Serialize)]
struct Block {
    title: String,
    commands: Vec<Ran>,
}

/// One command of the demo and what it printed on stdout under `--json`.
#[derive(serde::Serialize)]
struct Ran {
    args: Vec<String>,
    exit: i32,
    output: serde_json::Value,
}

struct Demo<'a> {
    dir: &'a Path,
    printer: &'a Printer,
    steps: Vec<Block>,
}

impl Demo<'_> {
    fn say(&self, text: &str) {
        self.printer.info(format!("\n{text}"));
    }

    /// A line under a step, in the steps' indent.
    fn say_under(&self, text: &str) {
        self.printer.info(format!("  {text}"));
    }

    /// Says why the match found the job's duplicates: for each pair, its score
    /// and the fields that agreed (from `ferry review JOB --list --json`).
    fn why(&mut self, job: &str) -> anyhow::Result<Vec<Pair>> {
        let list = self.capture(&["review", job, "--list"])?;
        let pairs = pairs(&list);
        let thresholds = ferry_runner::matching::MatchingProfile::bundled("contacts").map(|p| p.thresholds);
        let rule = thresholds.map_or(String::new(), |t| {
            format!("; a Match from {}, a Potential Match from {}", t.match_, t.potential)
        });
        self.say(&format!(
            "why: a pair's score is the sum of the points of the fields that agree{rule} \
             (`ferry review JOB --list` shows every record)"
        ));
        let mut t = crate::table::Table::new(["record", "", "its pair", "score", "class", "proposed"])
            .right(&[3])
            .indent(2);
        for p in &pairs {
            let action = if p.proposed == "Merge" { "merge" } else { "create: kept apart" };
            t.row([p.record.as_str(), "~", &p.pair, &p.score.to_string(), &p.class, action]);
        }
        for line in t.lines() {
            self.printer.info(line);
        }
        for p in &pairs {
            let differed = if p.differed.is_empty() {
                String::new()
            } else {
                format!("; differ: {}", p.differed.join(", "))
            };
            self.printer.info(format!("  {}: agree on {}{differed}", p.record, p.agreed.join(", ")));
        }
        Ok(pairs)
    }

    /// Runs `ferry ARGS --json --quiet` in the scratch directory and returns its JSON.
    fn capture(&self, args: &[&str]) -> anyhow::Result<serde_json::Value> {
        let exe = std::env::current_exe().context("cannot find the running `ferry` binary")?;
        let output = Command::new(exe)
            .args(args)
            .args(["--json", "--quiet"])
            .current_dir(self.dir)
            .env("FERRY_DB", self.dir.join("ferry.db"))
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .context("cannot run `ferry`")?;
        if !output.status.success() {
            bail!("the demo step `ferry {}` failed ({})", args.join(" "), output.status);
        }
        serde_json::from_slice(&output.stdout).with_context(|| {
            format!("the demo step `ferry {}` printed something that is not JSON", args.join(" "))
        })
    }

    /// Starts a block: a blank line and its title.
    fn block(&mut self, title: &str) {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        self.say(&format!("== {title}"));
        self.steps.push(Block { title, commands: Vec::new() });
    }

    /// Runs `ferry ARGS` in the scratch directory, echoing the command first;
    /// under `--json` the command's JSON is collected instead of shown.
    fn step(&mut self, args: &[&str]) -> anyhow::Result<()> {
        let shown: Vec<String> =
            args.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { a.to_string() }).collect();
        self.printer.info(format!("$ ferry {}", shown.join(" ")));
        let exe = std::env::current_exe().context("cannot find the running `ferry` binary")?;
        let mut cmd = Command::new(exe);
        cmd.args(args).current_dir(self.dir).env("FERRY_DB", self.dir.join("ferry.db"));
        cmd.stdin(std::process::Stdio::null());
        let output = if self.printer.json {
            cmd.arg("--json");
            if !args.contains(&"--quiet") {
                cmd.arg("--quiet");
            }
            cmd.stderr(std::process::Stdio::inherit()).output()
        } else {
            cmd.status().map(|status| std::process::Output { status, stdout: Vec::new(), stderr: Vec::new() })
        }
        .context("cannot run `ferry`")?;
        match output.status.code() {
            Some(0) => {}
            Some(code) => bail!("the demo step `ferry {}` exited with {code}", args.join(" ")),
            None => bail!("the demo step `ferry {}` was killed", args.join(" ")),
        }
        if self.printer.json {
            let text = String::from_utf8_lossy(&output.stdout);
            let value = if text.trim().is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_str(&text).with_context(|| {
                    format!("the demo step `ferry {}` printed something that is not JSON", args.join(" "))
                })?
            };
            let ran = Ran { args: args.iter().map(|a| a.to_string()).collect(), exit: 0, output: value };
            if let Some(block) = self.steps.last_mut() {
                block.commands.push(ran);
            }
        }
        Ok(())
    }
}
