//! `ferry demo`: the whole pipeline on the bundled example data, step by step.
//!
//! The demo is a script of real `ferry` invocations (this very binary) in a
//! scratch directory: it writes the bundled example export and its mapping
//! template there, then maps, checks, packs, imports, reviews, matches and
//! completes, printing each command before its output, so what it shows is
//! exactly what a user would type. The example files are embedded in the
//! binary, so the demo runs from anywhere.

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
    demo.say(&format!("ferry demo in `{}` (its own store: `ferry.db` there)", dir.display()));

    demo.block(
        "1. profile: what the legacy export holds: contacts.csv, and addresses.csv and phones.csv \
         whose rows belong to a contact",
    );
    demo.step(&["profile", "data/contacts.csv"])?;
    demo.block("2. map: resume the bundled template, taking every default answer");
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
    demo.block("3. check: a dry run of the mapping over every row");
    demo.step(&["check", "--data", "data", "--mapping", "mapping.json"])?;
    demo.block("4. pack: write the import package (a checked, size-capped ZIP)");
    demo.step(&["pack", "--data", "data", "--mapping", "mapping.json", "--out", "contacts.zip"])?;
    demo.block("5. import: stage the package's records as an import job");
    demo.step(&["import", "contacts.zip", "--description", "demo: legacy contacts"])?;
    demo.step(&["staged", "demo: legacy contacts", "--submit"])?;
    demo.block(
        "6. match: the store is empty, so `--within` compares the records with each other. The \
         export holds some people twice: Jonathon Smith (Jonathan, misspelt), Marie Gagne (Gagné without \
         its accent) and Bob Chen (Robert's last name, birth date, gender and zip) score 80-100 %, a \
         Match from 75 %, proposed as merges; the two Priya Patels differ in birth date (70 %, a \
         Potential Match, kept apart)",
    );
    demo.step(&["match", "demo: legacy contacts", "--within"])?;
    demo.step(&["review", "demo: legacy contacts", "--export", "review.csv"])?;
    demo.block("7. complete: carry out the proposed actions; the records are in the store");
    demo.step(&["complete", "demo: legacy contacts"])?;
    demo.step(&["export", "contacts", "--out", "contacts-export.csv"])?;
    demo.block("8. run: the same export delivered again, in one scripted command (its records now match the store's)");
    demo.step(&["run", "contacts.zip", "--description", "demo: second delivery"])?;
    demo.step(&["jobs"])?;
    if args.dir.is_some() {
        demo.say(&format!(
            "done: the package, the review file, the export and the store are in `{}`",
            dir.display()
        ));
    } else {
        demo.say("done (the scratch directory is removed now; `ferry demo --dir DIR` keeps it)");
    }
    if printer.json {
        printer.json(&serde_json::json!({ "dir": dir, "steps": demo.steps }))?;
    }
    Ok(Outcome::Success)
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
