//! What the verbs reading legacy files share: the reading options, declared
//! once (`ReadArgs`, flattened into profile, map, check and pack) and turned
//! into the mapper's `ReadOptions` in one place.

use ferry_mapper::read::{self, ReadOptions};

/// How to read the legacy files (each is detected when not given).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Reading the legacy files")]
pub struct ReadArgs {
    /// The legacy files' encoding instead of detecting it (a WHATWG label: `UTF-8`,
    /// `windows-1252`, `UTF-16LE`, `ISO-8859-2` …); a byte-order mark still wins
    #[arg(long, value_name = "ENC")]
    pub input_encoding: Option<String>,
    /// The CSV delimiter instead of detecting it: `,` `;` `|`, `tab`, or another single character
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// The first row is data: the columns are named `column 1`, `column 2` …
    #[arg(long)]
    pub no_header: bool,
    /// Spreadsheets: the sheet to read (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

/// `--encoding`, the old name of `--input-encoding` on check and profile
/// (hidden; it warns). In `pack`, `--encoding` is the package's encoding.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OldEncodingArg {
    #[arg(long = "encoding", value_name = "ENC", hide = true)]
    pub encoding: Option<String>,
}

impl ReadArgs {
    /// The reader options; `old` is a deprecated `--encoding` given instead of `--input-encoding`.
    pub fn options(
        &self,
        old: Option<&OldEncodingArg>,
        printer: &crate::printer::Printer,
    ) -> anyhow::Result<ReadOptions> {
        let mut label = self.input_encoding.as_deref();
        if let Some(old) = old.and_then(|o| o.encoding.as_deref()) {
            printer.warn("`--encoding` is now `--input-encoding` here (`--encoding` names a package's encoding, in `ferry pack`)");
            label = label.or(Some(old));
        }
        let encoding = match label {
            None => None,
            Some(label) => Some(read::encoding_for_label(label).ok_or_else(|| {
                crate::hint(
                    anyhow::anyhow!("unknown encoding `{label}`"),
                    "leave out `--input-encoding` to detect it, or use a WHATWG label such as `UTF-8`, `windows-1252`, `UTF-16LE` (https://encoding.spec.whatwg.org/#names-and-labels)",
                )
            })?),
        };
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some(text) => Some(parse_delimiter(text).ok_or_else(|| {
                crate::hint(
                    anyhow::anyhow!("`{text}` is not a delimiter"),
                    "give one character such as `,` `;` `|`, or `tab`",
                )
            })?),
        };
        Ok(ReadOptions {
            encoding,
            delimiter,
            has_header: !self.no_header,
            sheet: self.sheet.clone(),
            replace_invalid: false,
        })
    }
}

fn parse_delimiter(text: &str) -> Option<u8> {
    match text {
        "tab" | "\\t" | "\t" => Some(b'\t'),
        _ => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() && c != '"' && c != '\n' && c != '\r' => Some(c as u8),
                _ => None,
            }
        }
    }
}
