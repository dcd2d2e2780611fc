//! `ferry export contacts|leads --out F.csv`: the store's records as CSV for spreadsheets.

use std::path::PathBuf;

use ferry_mapper::progress::{self, Stage};
use ferry_runner::export::{self, Columns};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::store::{KindArg, open_store, runner_error};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "A value a spreadsheet would run as a formula gets a leading `'`, so that Excel shows it \
instead of running it: one starting with `=` or `@`, or with `+` or `-` and then letters (a \
function), `|` or `!` (another program or sheet), or an operator (`+1-416-555-0123` would be \
summed). Phones written with spaces (`+1 416 555 0123`) and numbers (`-2`) are written as typed.\n\n\
Examples:\n  ferry export contacts -o contacts.csv\n  ferry export leads --columns all -o - | head"
)]
pub struct Args {
    /// What to export
    #[arg(value_enum)]
    kind: KindArg,
    /// Where to write the CSV (UTF-8 with BOM, CRLF, quoted; formulas neutralised); `-` for stdout
    #[arg(long, short, value_name = "F.csv")]
    out: PathBuf,
    /// `visible`: the columns a list shows; `all`: every field and subcollection attribute
    #[arg(long, value_enum, default_value_t = ColumnsArg::Visible)]
    columns: ColumnsArg,
    /// Replace `--out` if it exists (without it, an existing file is an error and nothing is written)
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColumnsArg {
    Visible,
    All,
}

struct Reporter<'a> {
    printer: &'a Printer,
    bar: std::cell::RefCell<Option<crate::bar::Bar>>,
}

impl progress::Reporter for Reporter<'_> {
    fn on_stage(&self, _stage: Stage<'_>, total: Option<u64>) {
        *self.bar.borrow_mut() = Some(self.printer.bar("exporting", "records", total));
    }
    fn on_progress(&self, written: u64) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.set_position(written);
        }
    }
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    let store = open_store(global)?;
    let columns = match args.columns {
        ColumnsArg::Visible => Columns::Visible,
        ColumnsArg::All => Columns::All,
    };
    let reporter = Reporter { printer, bar: std::cell::RefCell::new(None) };
    let result = super::write_out(&args.out, args.force, printer, |out, force| {
        export::export(&store, args.kind.into(), columns, out, force, &reporter).map_err(runner_error)
    });
    if let Some(bar) = reporter.bar.borrow().as_ref() {
        bar.finish();
    }
    let summary = result?;
    if printer.json {
        printer.json(&summary)?;
    } else {
        let line = format!(
            "exported {} {} to {} ({} columns)",
            summary.records,
            summary.kind.as_str(),
            super::shown(&args.out),
            summary.columns.len()
        );
        if super::is_stdout(&args.out) { printer.info(line) } else { printer.out(line)? }
    }
    Ok(Outcome::Success)
}
