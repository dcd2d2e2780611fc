//! `ferry map`: the mapping session (interactive or from answers), or `--auto` suggestions.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use ferry_mapper::auto;
use ferry_mapper::read::ReadOptions;
use ferry_mapper::session::{Session, SessionOptions, SourceFile, Step};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::MappingTemplate;
use serde::Serialize;

use super::legacy::ReadArgs;
use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::prompt::{EndOfAnswers, LinePrompter, Prompter, TerminalPrompter};

const ANSWERS_HELP: &str = "\
Without a terminal (piped stdin) or with --answers FILE, the session reads one answer per line:
  - a choice: its number (1 is the first option), its name (a column, a field, `All`,
    `Telcom`, `Business`, `map`, `next` …) or the text shown for it, ignoring case;
  - several choices (which values mean true): numbers or names separated by commas, or `none`;
  - a text (a format, a time zone, a null value): the text itself; `-` means none;
  - yes or no: `y` or `n`;
  - an empty line takes the default shown; lines starting with `#` are comments.
The first answer that does not fit stops the session (exit 2), naming its line. Nothing is
written before the last answer saves: an interrupted session or too few answers leave no file.

The menu of each file offers: map (a field), add (a subcollection instance), copy (a
subcollection row: another attribute of the same instance), delete (a row), unmap, null (null
converters: default, apply, erase, field), review, next. An instance's type is a type name, or
`from-column` for a table with a row per instance and a column naming its type: the session then
asks which type each of that column's other values stands for (`none`: such rows are errors) and
the type of blank rows. The session starts from --mapping, or else from the --auto suggestions.

Example answers for one file `leads.csv` mapped onto `leads`:
  All            the file's field category
  map            then the target field, the column, and what the field's type needs
  firstName
  First Name
  none           the text converter
  next           the last file's `next` reviews everything
  save

Examples:
  ferry map --data exports --target contacts --auto --out mapping.json
  ferry map --data exports --target contacts --mapping v1.json --out v2.json --answers a.txt";

/// Map a legacy export onto a target: interactively, from answers, or with --auto.
#[derive(Debug, clap::Args)]
#[command(after_long_help = ANSWERS_HELP)]
#[command(
    after_help = "Examples:\n  ferry map --data exports --target contacts --auto --out mapping.json\n  ferry map --data exports --target contacts --auto --country CA --out mapping.json\n  ferry map --data exports --target contacts --mapping mapping.json --out v2.json\n\n`ferry map --help` explains the answers of a scripted session."
)]
pub struct Args {
    /// The data location: a directory of legacy files (CSV, TXT, TSV, XLSX, XLS)
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The target: a bundled target (`contacts`, `leads`) or a target definition file
    #[arg(long, value_name = "T")]
    pub target: String,
    /// Start from this mapping template (resume it, or adapt it to other data)
    #[arg(long, visible_alias = "template", value_name = "IN", conflicts_with = "auto")]
    pub mapping: Option<PathBuf>,
    /// Where to save the mapping template (written whole, only when the session saves);
    /// `-` prints it on stdout
    #[arg(long, short, value_name = "OUT")]
    pub out: PathBuf,
    /// Also write the import package(s) once the template is saved (as `ferry pack` does)
    #[arg(long, value_name = "PKG.zip")]
    pub pack: Option<PathBuf>,
    /// Write a suggested template without asking, and print what was mapped and how surely
    #[arg(long)]
    pub auto: bool,
    /// With --auto: the country of the data (ISO 3166 alpha-2: US, CA, GB, DE …). It
    /// orders day and month in dates no value decides (US: month first; most others:
    /// day first) and is written into the template as the default country of phone
    /// numbers. Without it the country is guessed from the data (a country column,
    /// phone prefixes such as +44, postal-code shapes) and the guess is said
    #[arg(long, value_name = "CC", requires = "auto")]
    pub country: Option<String>,
    /// Read the answers from this file, one per line (see below), instead of the terminal
    #[arg(long, value_name = "FILE", conflicts_with = "auto")]
    pub answers: Option<PathBuf>,
    /// Mark mapped columns and fields with ASCII (`[x]`, `(*)`) instead of `✓`, `●`
    #[arg(long)]
    pub ascii: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    super::refuse_json_on_stdout(&args.out, printer)?;
    if args.pack.is_some() && super::is_stdout(&args.out) {
        return Err(crate::hint(
            anyhow::anyhow!("`--pack` needs the template in a file, not on stdout (`--out -`)"),
            "give `--out mapping.json` with `--pack`",
        ));
    }
    let target = TargetDefinition::resolve(&args.target)?;
    let read = args.read.options(None, printer)?;
    let files = load(&args.data, &read, printer)?;
    if args.auto {
        return run_auto(&args, global, &target, &files, printer);
    }
    let start = match &args.mapping {
        Some(path) => {
            let mut t = MappingTemplate::load(path)?;
            // A template made on another export: its files are offered the data files with their columns.
            let data: Vec<(String, Vec<String>)> = files
                .iter()
                .map(|f| (f.name.clone(), f.columns.iter().map(|c| c.name.clone()).collect()))
                .collect();
            for taken in ferry_mapper::reuse::adopt(&mut t, &data) {
                printer.info(format!(
                    "taking `{}` for the template's `{}` (it has the columns the template maps); the saved template names `{}`",
                    taken.data_file, taken.template_file, taken.data_file
                ));
            }
            if t.target != args.target {
                printer.warn(format!(
                    "the template maps onto `{}`, the session onto `{}`; the saved template names `{}`",
                    t.target, args.target, t.target
                ));
            }
            t
        }
        None => auto::suggest(&target, &args.target, &files).template,
    };
    let stdin_tty = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let ascii = args.ascii
        || (stdin_tty && args.answers.is_none() && !console::Term::stderr().features().wants_emoji());
    let session = Session::new(target, files, start, SessionOptions { ascii });
    let echo = !printer.quiet;
    let saved = match &args.answers {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open the answers `{}`", path.display()))?;
            let mut p =
                LinePrompter::new(std::io::BufReader::new(file), &format!("`{}`", path.display()), echo);
            drive(session, &mut p, &args.out)?
        }
        None if stdin_tty => drive(session, &mut TerminalPrompter::new(), &args.out)?,
        None => {
            let mut p = LinePrompter::new(std::io::stdin().lock(), "stdin", echo);
            drive(session, &mut p, &args.out)?
        }
    };
    let Some(template) = saved else {
        printer.info("quit without saving: nothing was written");
        return Ok(Outcome::Success);
    };
    printer.info(format!("saved the mapping template to {}", super::shown(&args.out)));
    if global.json {
        printer.json(&Saved {
            template: &args.out,
            files: template.files.len(),
            mappings: template.files.iter().map(|f| f.mappings.len()).sum(),
        })?;
    }
    match &args.pack {
        Some(pkg) => pack(&args, pkg, global, printer),
        None => Ok(Outcome::Success),
    }
}

#[derive(Serialize)]
struct Saved<'a> {
    template: &'a Path,
    files: usize,
    mappings: usize,
}

/// Profiles the data location for the session.
fn load(dir: &Path, read: &ReadOptions, printer: &Printer) -> anyhow::Result<Vec<SourceFile>> {
    let spinner = printer.spinner("profiling");
    let files = ferry_mapper::session::load_data(dir, read);
    spinner.finish();
    let files = files?;
    if files.is_empty() {
        return Err(crate::hint(
            anyhow::anyhow!("no legacy files in `{}`", dir.display()),
            "the data location holds the exports to map: .csv, .txt, .tsv, .xlsx or .xls files",
        ));
    }
    Ok(files)
}

/// Runs the session to its end; the template saved, or `None` when the user quit.
fn drive(
    mut session: Session,
    prompter: &mut dyn Prompter,
    out: &Path,
) -> anyhow::Result<Option<MappingTemplate>> {
    loop {
        match session.step() {
            Step::Ask(q) => {
                let answer = prompter.ask(&q).map_err(|e| {
                    if e.chain().any(|c| c.is::<EndOfAnswers>()) {
                        crate::hint(e, "nothing was written; give an answer to every question (an empty line takes the default)")
                    } else {
                        e.context("the session stopped; nothing was written")
                    }
                })?;
                if let Err(message) = session.answer(answer) {
                    prompter
                        .refused(&q, &message.to_string())
                        .context("the session stopped; nothing was written")?;
                }
            }
            Step::Save(template) => {
                save(&template, out)?;
                return Ok(Some(template));
            }
            Step::Quit => return Ok(None),
        }
    }
}

#[derive(Serialize)]
struct AutoReport<'a> {
    template: &'a Path,
    mapped: Vec<&'a auto::Decision>,
    unmapped: Vec<&'a auto::Decision>,
    /// The country of the data and why (`given with --country`, `guessed from …`).
    country: Option<&'a ferry_mapper::country::CountryChoice>,
    /// Converter choices worth saying: the formats of a mixed date column, their order and why.
    notes: &'a [String],
}

fn run_auto(
    args: &Args,
    global: &GlobalArgs,
    target: &TargetDefinition,
    files: &[SourceFile],
    printer: &Printer,
) -> anyhow::Result<Outcome> {
    let country = match &args.country {
        Some(c) => Some(ferry_mapper::country::parse_code(c).map_err(|why| {
            crate::hint(anyhow::anyhow!("--country: {why}"), "give two letters, such as `--country CA`")
        })?),
        None => None,
    };
    let suggestion = auto::suggest_in(target, &args.target, files, country.as_deref());
    save(&suggestion.template, &args.out)?;
    // With `--out -` the template is stdout's data: the table is talk.
    let table = |line: String| -> anyhow::Result<()> {
        if super::is_stdout(&args.out) {
            printer.info(line)
        } else {
            printer.out(line)?
        }
        Ok(())
    };
    let (mapped, unmapped): (Vec<&auto::Decision>, Vec<&auto::Decision>) =
        suggestion.decisions.iter().partition(|d| d.target.is_some());
    if printer.json {
        printer.json(&AutoReport {
            template: &args.out,
            mapped: mapped.clone(),
            unmapped: unmapped.clone(),
            country: suggestion.country.as_ref(),
            notes: &suggestion.notes,
        })?;
    } else {
        let mut t = crate::table::Table::new(["FILE", "COLUMN", "TARGET", "SURE", "WHY"]).right(&[3]);
        for d in &mapped {
            let sure = format!("{}%", (d.confidence * 100.0).round());
            t.row([
                d.file.as_str(),
                d.column.as_str(),
                d.target.as_deref().unwrap_or_default(),
                &sure,
                &d.reason,
            ]);
        }
        for d in &unmapped {
            t.row([d.file.as_str(), d.column.as_str(), "-", "", &d.reason]);
        }
        for line in t.lines() {
            table(line)?;
        }
    }
    match &suggestion.country {
        Some(c) => printer.info(format!("country of the data: {} ({})", c.code, c.reason)),
        None => printer.info(
            "country of the data: unknown (nothing in the data tells it; give `--country CC` to set it)"
                .to_string(),
        ),
    }
    for note in &suggestion.notes {
        printer.info(note.clone());
    }
    printer.info(format!(
        "mapped {} of {} columns ({} left unmapped); saved the suggested template to {}",
        mapped.len(),
        suggestion.decisions.len(),
        unmapped.len(),
        super::shown(&args.out)
    ));
    if !super::is_stdout(&args.out) {
        printer.info(format!(
        "hint: review it with `ferry check --data {} --mapping {}`, adjust it with `ferry map --mapping {}`",
        args.data.display(),
            args.out.display(),
            args.out.display()
        ));
    }
    match &args.pack {
        Some(pkg) => pack(args, pkg, global, printer),
        None => Ok(Outcome::Success),
    }
}

/// Saves a template to `out`, or prints it for `--out -` (its `$schema` the schema's `$id`).
fn save(template: &MappingTemplate, out: &Path) -> anyhow::Result<()> {
    if super::is_stdout(out) {
        let placed = MappingTemplate {
            schema: Some(ferry_mapper::schema::MAPPING_SCHEMA_REF.to_string()),
            ..template.clone()
        };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(placed.to_json().as_bytes())?;
        stdout.flush()?;
        return Ok(());
    }
    Ok(template.save(out)?)
}

/// Packs as `ferry pack` does with its defaults, from the saved template,
/// reading the data as the session did.
fn pack(args: &Args, pkg: &Path, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let pack = super::pack::Args::with_defaults(
        args.data.clone(),
        args.out.clone(),
        pkg.to_path_buf(),
        args.read.clone(),
    );
    super::pack::run(pack, global, printer).context("the template was saved, but packing failed")
}
