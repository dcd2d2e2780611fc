//! Checking beside packing, the flow of `ferry pack`: [`check_and_pack`]
//! runs `ferry_mapper::check` and the packing side by side on two threads,
//! over the same data.
//!
//! The packages are built in unnamed scratch files and named only when the
//! check passes, so refused data leaves nothing behind. The policy on errors:
//! - no error: the built packages are named;
//! - errors on rows only, with `allow_errors`: the data is packed again,
//!   leaving the rejected rows out (they go to an error CSV per file, with
//!   their reasons);
//! - a file-level error (no line: the template does not fit the data), or
//!   errors without `allow_errors`: nothing is packed, and the check is
//!   handed back so the caller can show its problems.

use std::collections::HashMap;

use ferry_mapper::check::{CheckOptions, CheckReport};
use ferry_mapper::problem::{Problem, Severity};
use ferry_mapper::progress::{NoReporter, Reporter, Stage};

use crate::Error;
use crate::write::{PackOptions, PackReport};

/// What to check and pack.
#[derive(Debug, Clone)]
pub struct CheckedPackOptions {
    /// What to pack; its `rejected` rows are ignored (the check decides them).
    pub pack: PackOptions,
    /// Pack the rows that pass when some rows have errors.
    pub allow_errors: bool,
}

/// How a checked pack ended.
#[derive(Debug)]
pub enum CheckedPack {
    /// The check found errors the options do not pack around: nothing was written.
    Refused {
        check: CheckReport,
        /// True when an error is about a whole file (the template), which
        /// `allow_errors` cannot pack around.
        file_level: bool,
    },
    /// The packages were written.
    Packed {
        report: PackReport,
        /// The check's warnings (values dropped, truncated or ignored).
        warnings: usize,
        /// Per file, the columns the template leaves out that hold values.
        unmapped: Vec<(String, Vec<ferry_mapper::check::UnmappedColumn>)>,
    },
}

/// Checks the data and packs it side by side; see the module's policy.
/// `reporter` hears the packing (the check reports nothing), and
/// [`Stage::Repacking`] when the rows that passed are packed again.
pub fn check_and_pack(options: &CheckedPackOptions, reporter: &dyn Reporter) -> Result<CheckedPack, Error> {
    let pack = PackOptions { rejected: HashMap::new(), ..options.pack.clone() };
    let check_options = CheckOptions {
        data_dir: pack.data_dir.clone(),
        template: pack.template.clone(),
        target: pack.target.clone(),
        read: pack.read.clone(),
        convert: Default::default(),
        limit: None,
    };
    let (check, built) = std::thread::scope(|scope| {
        let checker = scope.spawn(|| ferry_mapper::check::check(&check_options, &NoReporter));
        let built = crate::write::build(&pack, reporter);
        (checker.join(), built)
    });
    let check = check
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(|source| Error::Check { dir: pack.data_dir.clone(), source })?;

    let errors: Vec<&Problem> = check.problems.iter().filter(|p| p.severity == Severity::Error).collect();
    let file_level = errors.iter().any(|p| p.line.is_none());
    if !errors.is_empty() && (!options.allow_errors || file_level) {
        return Ok(CheckedPack::Refused { check, file_level });
    }
    let warnings = check.problems.iter().filter(|p| p.severity == Severity::Warning).count();
    let report = if errors.is_empty() {
        built?.publish()?
    } else {
        drop(built);
        let pack = PackOptions { rejected: rejected_rows(&errors), ..pack };
        reporter.on_stage(Stage::Repacking, None);
        crate::write::pack(&pack, reporter)?
    };
    let unmapped =
        check.files.into_iter().filter(|f| !f.unmapped.is_empty()).map(|f| (f.name, f.unmapped)).collect();
    Ok(CheckedPack::Packed { report, warnings, unmapped })
}

/// The rows `check` rejected, by file and line, with their reasons.
fn rejected_rows(errors: &[&Problem]) -> HashMap<String, HashMap<u64, String>> {
    let mut rejected: HashMap<String, HashMap<u64, String>> = HashMap::new();
    for p in errors {
        let Some(line) = p.line else { continue };
        let reason = match &p.column {
            Some(c) => format!("line {line}, column `{c}`: {}", p.message),
            None => format!("line {line}: {}", p.message),
        };
        rejected
            .entry(p.file.clone())
            .or_default()
            .entry(line)
            .and_modify(|r| {
                r.push_str("; ");
                r.push_str(&reason);
            })
            .or_insert(reason);
    }
    rejected
}
