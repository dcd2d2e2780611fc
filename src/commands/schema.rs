//! `ferry schema NAME`: the JSON Schema of a user-edited file, as in `schemas/`.

use std::path::PathBuf;

use anyhow::Context;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

const EXAMPLES: &str = "\
Examples:
  ferry schema mapping -o mapping.schema.json   beside your templates: `ferry map` then writes
                                                `\"$schema\": \"./mapping.schema.json\"`
  ferry schema matching | jq '.properties | keys'";

/// Print the JSON Schema of a mapping template, target definition or matching profile
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Which file's schema
    #[arg(value_enum)]
    name: SchemaName,
    /// Write the schema to this file (whole or not at all) instead of stdout (`-`)
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SchemaName {
    /// A mapping template (`ferry map`, `--mapping`)
    Mapping,
    /// A target definition (`templates/targets/`)
    Target,
    /// A matching profile (`templates/matching/`, `match --profile`)
    Matching,
}

pub fn run(args: Args, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    use ferry_mapper::schema::schema_json;
    let text = match args.name {
        SchemaName::Mapping => schema_json::<ferry_mapper::template::MappingTemplate>(),
        SchemaName::Target => schema_json::<ferry_mapper::target::TargetDefinition>(),
        SchemaName::Matching => schema_json::<ferry_runner::matching::MatchingProfile>(),
    };
    match super::out_path(args.out.as_deref()) {
        Some(path) => {
            ferry_mapper::fsutil::write_atomic(path, text.as_bytes())
                .with_context(|| format!("cannot write the schema `{}`", path.display()))?;
            printer.info(format!("wrote `{}`", path.display()));
        }
        None => printer.raw(text.as_bytes())?,
    }
    Ok(Outcome::Success)
}
