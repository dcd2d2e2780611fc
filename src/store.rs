//! What the store verbs share: opening the store named by `--db`, turning
//! runner errors into messages with hints, the audit trail, and the
//! `--type` value of the verbs that take a record kind.

use ferry_mapper::target::RecordKind;
use ferry_runner::Error;
use ferry_runner::store::Store;

use crate::cli::GlobalArgs;

/// A record kind on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    #[value(alias = "contact")]
    Contacts,
    #[value(alias = "lead")]
    Leads,
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> RecordKind {
        match k {
            KindArg::Contacts => RecordKind::Contacts,
            KindArg::Leads => RecordKind::Leads,
        }
    }
}

/// Opens the store named by `--db`, which must exist: a mistyped path is an
/// error, not a new empty store.
pub fn open_store(global: &GlobalArgs) -> anyhow::Result<Store> {
    if !global.db.exists() {
        return Err(crate::hint(
            anyhow::anyhow!("no store at `{}`", global.db.display()),
            "run `ferry import` (or `ferry run`) first, which creates it, or check `--db PATH` / `FERRY_DB`",
        ));
    }
    create_store(global)
}

/// Opens the store named by `--db`, creating it when missing (the verbs that add to it).
pub fn create_store(global: &GlobalArgs) -> anyhow::Result<Store> {
    Store::open(&global.db).map_err(|e| crate::hint(e, "choose the store with `--db PATH` (or `FERRY_DB`)"))
}

/// The hint of an output file that exists.
pub const EXISTS_HINT: &str = "pass `--force` to replace it, or choose another `--out`";

/// A runner error, with a hint where the user can act.
pub fn runner_error(err: Error) -> anyhow::Error {
    let hint = match &err {
        Error::NoSuchJob(_) => {
            Some("`ferry jobs` lists the jobs with their ids and descriptions".to_string())
        }
        Error::DuplicateDescription { id, .. } => Some(format!(
            "give another `--description`, or delete the old job first (`ferry jobs delete {id}`)"
        )),
        Error::ImportFailed { id, .. } => Some(format!(
            "`ferry jobs show {id}` shows the failed job; fix the package (`ferry inspect`) and import it again with the same description to replace the failed job"
        )),
        Error::WrongState { id, .. } => Some(format!("`ferry jobs show {id}` shows where the job is")),
        Error::UnknownRecord { job, .. } | Error::NothingDeleted { job, .. } => {
            Some(format!("`ferry staged {job} --columns id,line` lists the job's staged records by id"))
        }
        Error::Mapper(ferry_mapper::Error::Exists { .. }) => Some(EXISTS_HINT.to_string()),
        _ => None,
    };
    match hint {
        Some(h) => crate::hint(err, h),
        None => err.into(),
    }
}

/// Records a change to job `job_id` in its audit trail, as the local user.
pub fn audit(store: &Store, job_id: i64, action: &str, detail: Option<&str>) -> anyhow::Result<()> {
    ferry_runner::users::audit(store, job_id, &ferry_runner::users::local_user(), action, detail)
        .map_err(runner_error)
}
