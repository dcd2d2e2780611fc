//! Problems found while converting and validating rows: what, where, why.

use serde::Serialize;

/// How bad a problem is: an error rejects the row, a warning keeps it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// What kind of problem it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A value the converter cannot parse (date, timestamp, number).
    Unparseable,
    /// A value missing from a boolean table.
    NotInBooleanTable,
    /// A value missing from an enumeration table.
    NotInEnumerationTable,
    /// An enumeration value the target does not know (ignored, or added with `--create-missing`).
    UnknownEnumValue,
    /// A required field is empty.
    RequiredMissing,
    /// None of a group of fields (email or phone) holds a value.
    RequiredOneOfMissing,
    /// A value longer than the field's limit; it will be truncated.
    Truncated,
    /// A required target field no column is mapped to.
    RequiredUnmapped,
    /// A column the template names is missing from the file.
    ColumnMissing,
    /// The mapping names a field, subcollection or type name the target lacks.
    UnknownField,
    /// RTF that cannot be parsed.
    BadRtf,
    /// A phone number invalid for its country (kept as entered, with no country).
    InvalidPhone,
    /// Text that is no e-mail address, or holds two (kept as entered).
    InvalidEmail,
    /// A full name that cannot be split into one person's parts.
    InvalidName,
    /// A date legacy systems write for "no date" (`1900-01-01`).
    PlaceholderDate,
    /// Text that was UTF-8 read once as Windows-1252 (`JosÃ©`): stored repaired.
    Mojibake,
    /// A NUL character, which no text has (a fixed-width field's padding), removed.
    ControlCharacter,
    /// A number a spreadsheet wrote in scientific notation (`4.16556E+09`):
    /// its last digits are lost.
    LostDigits,
    /// A row that writes the header's names again (exports joined together).
    RepeatedHeader,
    /// A child row whose parent row is absent.
    OrphanRow,
    /// A row with more or fewer cells than the header.
    RaggedRow,
    /// A converter that cannot serve its field: wrong for the field's type,
    /// an unknown time zone, a null value that does not convert.
    BadConverter,
    /// A parent link naming a file or column that does not exist.
    BadParentLink,
    /// Two mappings of one file send values to the same field.
    DuplicateMapping,
    /// A file the template names is missing from the data location.
    FileMissing,
    /// Two rows of a parent file share the id child rows link with (an
    /// error), or a legacy id kept as data (a warning: they stay two records).
    DuplicateId,
    /// A header that names the same column twice.
    DuplicateColumn,
    /// A quote that is missing or one too many: a quoted field that runs to the
    /// end of the file, swallows rows, or has text after its closing quote.
    UnbalancedQuote,
    /// Bytes that are not valid in the file's encoding.
    InvalidBytes,
    /// A row's type (from a `typeFrom` column) that is no type name of its subcollection.
    UnknownTypeName,
    /// Template text a package cannot carry (a control character, tab or line break).
    Unpackable,
    /// A row whose mapped values are too long for a package to carry.
    RowTooLong,
}

/// One problem, located by file, line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub kind: ProblemKind,
    /// The file's name (as in the template).
    pub file: String,
    /// 1-based physical line where the record starts; `None` for file-level problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The source column; `None` for record-level problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The offending value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Why, in words (lowercase, values in backticks).
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        write!(f, ": {}", self.message)
    }
}
