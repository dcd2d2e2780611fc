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
    let demo = Demo { dir: &dir, printer };
    demo.say(&format!("ferry demo in `{}` (store: `ferry.db` there)", dir.display()));

    demo.say("1. look at the legacy export: three linked tables");
    demo.step(&["profile", "data", "--no-count"], &[0])?;
    demo.say("2. map it: resume the bundled template and accept every answer it gives (empty answer lines)");
    let answers = dir.join("answers.txt");
    std::fs::write(&answers, "\n".repeat(40))
        .with_context(|| format!("cannot write `{}`", answers.display()))?;
    demo.step(
        &[
            "map",
            "--quiet",
            "--data",
            "data",
            "--target",
            "contacts",
            "--template",
            "three-tables.json",
            "--out",
            "mapping.json",
            "--answers",
            "answers.txt",
        ],
        &[0],
    )?;
    demo.step(&["diff", "three-tables.json", "mapping.json"], &[0])?;
    demo.say("3. dry-run the mapping over every row");
    demo.step(&["check", "--data", "data", "--mapping", "mapping.json"], &[0])?;
    demo.say("4. write the import package");
    demo.step(&["pack", "--data", "data", "--mapping", "mapping.json", "--out", "contacts.zip"], &[0])?;
    demo.step(&["inspect", "contacts.zip"], &[0])?;
    demo.say("5. import it into staging");
    demo.step(&["import", "contacts.zip", "--description", "demo: legacy contacts"], &[0])?;
    demo.step(&["jobs", "show", "demo: legacy contacts"], &[0])?;
    demo.say("6. submit the staged records, match them, complete the import");
    demo.step(&["staged", "demo: legacy contacts", "--submit"], &[0])?;
    demo.step(&["match", "demo: legacy contacts", "--within"], &[0])?;
    demo.step(&["review", "demo: legacy contacts", "--export", "review.csv"], &[0])?;
    demo.step(&["complete", "demo: legacy contacts"], &[0])?;
    demo.say("7. the records are in the store");
    demo.step(&["jobs"], &[0])?;
    demo.step(&["export", "contacts", "--out", "contacts-export.csv"], &[0])?;
    demo.say(
        "8. the same export delivered again, in one scripted command: its records now match the store's",
    );
    demo.step(&["run", "contacts.zip", "--description", "demo: second delivery"], &[0])?;
    demo.step(&["jobs"], &[0])?;
    if args.dir.is_some() {
        demo.say(&format!(
            "done: the package, the review file, the export and the store are in `{}`",
            dir.display()
        ));
    } else {
        demo.say("done (the scratch directory is removed now; `ferry demo --dir DIR` keeps it)");
    }
    Ok(Outcome::Success)
}

struct Demo<'a> {
    dir: &'a Path,
    printer: &'a Printer,
}

impl Demo<'_> {
    fn say(&self, text: &str) {
        self.printer.info(format!("\n== {text}"));
    }

    /// Runs `ferry ARGS` in the scratch directory, echoing the command first.
    fn step(&self, args: &[&str], ok_codes: &[i32]) -> anyhow::Result<()> {
        let shown: Vec<String> =
            args.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { a.to_string() }).collect();
        self.printer.info(format!("$ ferry {}", shown.join(" ")));
        let exe = std::env::current_exe().context("cannot find the running `ferry` binary")?;
        let mut cmd = Command::new(exe);
        cmd.args(args).current_dir(self.dir).env("FERRY_DB", self.dir.join("ferry.db"));
        cmd.stdin(std::process::Stdio::null());
        let status = cmd.status().context("cannot run `ferry`")?;
        match status.code() {
            Some(code) if ok_codes.contains(&code) => Ok(()),
            Some(code) => bail!("the demo step `ferry {}` exited with {code}", args.join(" ")),
            None => bail!("the demo step `ferry {}` was killed", args.join(" ")),
        }
    }
}
