//! The value converters: source text → typed [`Value`], one kind per
//! [`Converter`] of a template.
//!
//! A [`ValueConverter`] is a template converter compiled once per mapping
//! (time zone looked up, tables folded for forgiving lookups). Its
//! [`ValueConverter::convert`] never panics: bad text is a [`Failure`] saying
//! why, in the message style of the project.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;

use crate::problem::ProblemKind;
use crate::record::Value;
use crate::template::{Converter, TextConverter};

/// Why a value did not convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: ProblemKind,
    pub message: String,
}

impl Failure {
    fn new(kind: ProblemKind, message: String) -> Failure {
        Failure { kind, message }
    }
}

/// The outcome of one conversion: a value, nothing (an enumeration table
/// entry that maps to null), or a failure.
pub type Outcome = Result<Option<Value>, Failure>;

/// A template converter compiled for use.
#[derive(Debug, Clone)]
pub enum ValueConverter {
    Text(TextConverter),
    Integer,
    /// With `,` as the decimal point when true.
    Decimal(bool),
    /// Formats tried in order.
    Date(Vec<String>),
    Timestamp {
        formats: Vec<String>,
        zone_name: String,
        zone: TimeZone,
    },
    Boolean(Table<bool>),
    Enumeration(Table<Option<String>>),
    /// Phone numbers of this country (none: they must carry `+`).
    Phone(Option<crate::phone::Country>),
    Email,
    Name(crate::name::NamePart),
}

/// A lookup table: exact keys first, then keys trimmed and case-folded.
#[derive(Debug, Clone)]
pub struct Table<T> {
    exact: BTreeMap<String, T>,
    folded: HashMap<String, T>,
}

impl<T: Clone> Table<T> {
    fn new(exact: &BTreeMap<String, T>) -> Table<T> {
        let mut folded = HashMap::new();
        let mut ambiguous = Vec::new();
        for (k, v) in exact {
            // Two keys that fold together (`Y` and `y `) are only reachable exactly.
            if folded.insert(fold(k), v.clone()).is_some() {
                ambiguous.push(fold(k));
            }
        }
        for k in ambiguous {
            folded.remove(&k);
        }
        Table { exact: exact.clone(), folded }
    }

    fn get(&self, key: &str) -> Option<&T> {
        self.exact.get(key).or_else(|| self.folded.get(&fold(key)))
    }

    /// The table's keys, for messages (at most a few).
    fn known(&self) -> String {
        list_values(self.exact.keys().map(String::as_str))
    }
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// `` `a`, `b`, `c` `` (at most eight, then `…`).
pub(crate) fn list_values<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut out = Vec::new();
    let mut more = false;
    for (i, v) in values.enumerate() {
        if i == 8 {
            more = true;
            break;
        }
        out.push(format!("`{}`", show(v)));
    }
    let mut s = out.join(", ");
    if more {
        s.push_str(", …");
    }
    s
}

/// A value as shown inside backticks in a message: one line, not too long.
pub(crate) fn show(value: &str) -> String {
    const MAX: usize = 60;
    let one_line: String =
        value.chars().map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c }).collect();
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// Why a converter could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError(pub String);

impl ValueConverter {
    /// Compiles a template converter. Time zones come from jiff's bundled
    /// database so results do not depend on the machine.
    pub fn compile(converter: &Converter) -> Result<ValueConverter, CompileError> {
        Ok(match converter {
            Converter::Text { text } => ValueConverter::Text(*text),
            Converter::Integer => ValueConverter::Integer,
            Converter::Decimal { comma } => ValueConverter::Decimal(*comma),
            Converter::Date { formats } => {
                check_formats(formats)?;
                ValueConverter::Date(formats.clone())
            }
            Converter::Timestamp { formats, time_zone } => {
                check_formats(formats)?;
                if formats.iter().any(|f| f == super::serial::EXCEL) {
                    return Err(CompileError(format!(
                        "`{}` reads dates, not timestamps: use it in a `date` converter",
                        super::serial::EXCEL
                    )));
                }
                let zone = jiff::tz::TimeZoneDatabase::bundled().get(time_zone).map_err(|_| {
                    CompileError(format!(
                        "unknown time zone `{time_zone}` (use an IANA name such as `America/Toronto` or `UTC`)"
                    ))
                })?;
                ValueConverter::Timestamp { formats: formats.clone(), zone_name: time_zone.clone(), zone }
            }
            Converter::Boolean { table } => ValueConverter::Boolean(Table::new(table)),
            Converter::Enumeration { table } => ValueConverter::Enumeration(Table::new(table)),
            Converter::Email => ValueConverter::Email,
            Converter::Name { part } => ValueConverter::Name(*part),
            Converter::Phone { country: None } => ValueConverter::Phone(None),
            Converter::Phone { country: Some(c) } => ValueConverter::Phone(Some(
                crate::phone::country(c).filter(|_| c.trim().len() == 2).ok_or_else(|| {
                    CompileError(format!(
                        "`{c}` is not an ISO 3166 alpha-2 country code (such as `US`, `CA`, `GB`, `DE`)"
                    ))
                })?,
            )),
        })
    }

    /// Converts a non-empty cell.
    pub fn convert(&self, text: &str) -> Outcome {
        match self {
            // Spaces around a value are an export's padding, never data (` Murphy  `).
            ValueConverter::Text(TextConverter::None) => Ok(Some(Value::Text(text.trim().to_string()))),
            ValueConverter::Text(TextConverter::Rtf2plain) => rtf_to_plain(text).map(|t| {
                let t = t.trim();
                if t.is_empty() { None } else { Some(Value::Text(t.to_string())) }
            }),
            ValueConverter::Integer => parse_integer(text.trim()).map(|i| Some(Value::Integer(i))),
            ValueConverter::Decimal(comma) => {
                parse_decimal_in(text.trim(), *comma).map(|d| Some(Value::Decimal(d)))
            }
            ValueConverter::Date(formats) => {
                first_fit(formats, "date", text, |f| parse_date(f, text.trim())).map(|d| Some(Value::Date(d)))
            }
            ValueConverter::Timestamp { formats, zone_name, zone } => {
                first_fit(formats, "timestamp", text, |f| parse_timestamp(f, zone_name, zone, text.trim()))
                    .map(|t| Some(Value::Timestamp(t)))
            }
            ValueConverter::Boolean(table) => match table.get(text) {
                Some(b) => Ok(Some(Value::Boolean(*b))),
                None => Err(Failure::new(
                    ProblemKind::NotInBooleanTable,
                    format!("`{}` is not in the boolean table (it knows {})", show(text), table.known()),
                )),
            },
            ValueConverter::Phone(country) => match crate::phone::parse(text, *country) {
                Some(p) => Ok(Some(Value::Text(p.international))),
                None => Err(Failure::new(
                    ProblemKind::InvalidPhone,
                    match country {
                        Some(c) => format!("`{}` is not a valid phone number for {}", show(text), c.as_ref()),
                        None => format!(
                            "`{}` is not a valid international phone number (it has no `+` and the template gives no country)",
                            show(text)
                        ),
                    },
                )),
            },
            ValueConverter::Email => match crate::email::parse(text) {
                Ok(address) => Ok(Some(Value::Text(address))),
                Err(e) => {
                    Err(Failure::new(ProblemKind::InvalidEmail, format!("`{}` {e}", show(text.trim()))))
                }
            },
            ValueConverter::Name(part) => match crate::name::split(text) {
                Ok(name) => {
                    Ok(Some(name.part(*part)).filter(|p| !p.is_empty()).map(|p| Value::Text(p.to_string())))
                }
                Err(e) => Err(Failure::new(ProblemKind::InvalidName, format!("`{}` {e}", show(text.trim())))),
            },
            ValueConverter::Enumeration(table) => match table.get(text) {
                Some(v) => Ok(v.clone().map(Value::Text)),
                None => Err(Failure::new(
                    ProblemKind::NotInEnumerationTable,
                    format!("`{}` is not in the enumeration table (it knows {})", show(text), table.known()),
                )),
            },
        }
    }
}

/// Dates legacy systems write for "no date": the first day their date types
/// can hold (`0001-01-01`, SQL Server's `1753-01-01`, `1800-01-01`, Excel's
/// day 0 and 1: `1899-12-30`, `1899-12-31`, `1900-01-01`) and the last
/// (`9999-12-31`).
const PLACEHOLDER_DATES: [(i16, i8, i8); 7] =
    [(1, 1, 1), (1753, 1, 1), (1800, 1, 1), (1899, 12, 30), (1899, 12, 31), (1900, 1, 1), (9999, 12, 31)];

/// Whether a date is one legacy systems write for "no date".
pub fn is_placeholder_date(d: Date) -> bool {
    PLACEHOLDER_DATES.contains(&(d.year(), d.month(), d.day()))
}

/// A cell's converted value, unless it is a placeholder for no date (a date
/// or a timestamp on such a day, in UTC): that is a failure, so the value
/// is dropped with a warning (the row rejected where the field is required)
/// and never stored as a birth date two unrelated people share.
pub fn refuse_placeholder(outcome: Outcome, text: &str) -> Outcome {
    let day = match &outcome {
        Ok(Some(Value::Date(d))) => *d,
        Ok(Some(Value::Timestamp(t))) => t.to_zoned(TimeZone::UTC).date(),
        _ => return outcome,
    };
    if !is_placeholder_date(day) {
        return outcome;
    }
    let text = text.trim();
    Err(Failure::new(
        ProblemKind::PlaceholderDate,
        format!(
            "`{}` is {day}, a date legacy systems write for no date, so it is not kept as one (to read it as empty without a warning, give the mapping `\"nullValues\": [\"{}\"]`)",
            show(text),
            text.replace('\\', "\\\\").replace('"', "\\\"")
        ),
    ))
}

/// The value read by the first format that fits; when none does, the one
/// format's own failure, or a message naming every format tried.
fn first_fit<T>(
    formats: &[String],
    what: &str,
    text: &str,
    mut parse: impl FnMut(&str) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut last = None;
    for f in formats {
        match parse(f) {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) if formats.len() == 1 => Err(e),
        _ => {
            let tried = formats.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            Err(Failure::new(
                ProblemKind::Unparseable,
                format!("`{}` is not a {what} in any of the formats {tried}", show(text.trim())),
            ))
        }
    }
}

/// Every format of a list must be usable, and there must be one.
fn check_formats(formats: &[String]) -> Result<(), CompileError> {
    if formats.is_empty() {
        return Err(CompileError("no format is given (for example `%d/%m/%Y`)".to_string()));
    }
    formats.iter().try_for_each(|f| check_format(f))
}

/// A format must be usable: jiff rejects unknown directives only when it
/// parses, so try formatting a known date through it.
fn check_format(format: &str) -> Result<(), CompileError> {
    if format.trim().is_empty() {
        return Err(CompileError("the format is empty (for example `%d/%m/%Y`)".to_string()));
    }
    if format == super::serial::EXCEL {
        return Ok(());
    }
    let probe = DateTime::constant(2001, 2, 3, 4, 5, 6, 0).to_zoned(TimeZone::UTC).expect("UTC has no gaps");
    let mut out = String::new();
    BrokenDownTime::from(&probe)
        .format(format, &mut out)
        .map_err(|e| CompileError(format!("`{format}` is not a valid strftime format: {e}")))?;
    Ok(())
}

/// RTF → plain text. Text that is not RTF passes through unchanged. The
/// parser is third-party code fed with untrusted data, so a panic in it is
/// caught and reported as unparseable RTF.
pub fn rtf_to_plain(text: &str) -> Result<String, Failure> {
    if !text.trim_start().starts_with("{\\rtf") {
        return Ok(text.to_string());
    }
    let parsed = std::panic::catch_unwind(|| {
        rtf_parser_tt::RtfDocument::try_from(text).map(|d| d.get_text()).map_err(|e| rtf_problem(&e))
    });
    let hint = "fix the value, or map the column without `rtf2plain` to keep it as it is";
    match parsed {
        Ok(Ok(plain)) => Ok(plain),
        Ok(Err(why)) => {
            Err(Failure::new(ProblemKind::BadRtf, format!("the RTF cannot be read: {why}; {hint}")))
        }
        Err(_) => Err(Failure::new(
            ProblemKind::BadRtf,
            format!("the RTF cannot be read: it is not well-formed; {hint}"),
        )),
    }
}

/// What is wrong with an RTF value, in our words (the parser's own are
/// `[RTF Parser] : Malformed painter stack …`).
fn rtf_problem(e: &rtf_parser_tt::RtfError) -> &'static str {
    use rtf_parser_tt::{LexerError, ParserError, RtfError};
    match e {
        RtfError::Lexer(LexerError::InvalidLastChar) => "it does not end with `}`",
        RtfError::Lexer(LexerError::Error(m)) | RtfError::Parser(ParserError::InvalidToken(m))
            if m.contains("'}'") =>
        {
            "it does not end with `}`"
        }
        RtfError::Lexer(LexerError::InvalidUnicode(_))
        | RtfError::Parser(ParserError::UnicodeParsingError(_) | ParserError::ValueCastError(_)) => {
            "a `\\u` escape is not a character"
        }
        RtfError::Parser(ParserError::MalformedPainterStack) => "its braces `{` `}` do not pair up",
        RtfError::Parser(ParserError::InvalidFontIdentifier(_)) => "it uses a font its font table lacks",
        RtfError::Parser(ParserError::InvalidColorIdentifier(_)) => "it uses a colour its colour table lacks",
        _ => "it is not well-formed",
    }
}

/// Characters that group a number's digits by thousands besides `,` or `.`:
/// an apostrophe (`1'234`) and spaces (plain, no-break, narrow no-break, thin).
const GROUPING: [char; 5] = ['\'', ' ', '\u{a0}', '\u{202f}', '\u{2009}'];

/// The digits of `s` grouped by thousands with `separator` or one of
/// [`GROUPING`] (`1,234,567`, `1 234 567`; one kind of separator per number,
/// groups of three after the first), or plain digits.
fn plain_digits(s: &str, separator: char) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let Some(sep) = s.chars().find(|c| !c.is_ascii_digit()) else {
        return Some(s.to_string());
    };
    if sep != separator && !GROUPING.contains(&sep) {
        return None;
    }
    let mut groups = s.split(sep);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = first.to_string();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

/// Currency signs and codes an amount may carry before or after it.
const CURRENCIES: [&str; 14] =
    ["US$", "CA$", "C$", "A$", "$", "€", "£", "¥", "₹", "USD", "CAD", "EUR", "GBP", "CHF"];

/// An amount's sign and digits, as accounting exports write it: a sign,
/// a currency sign or code before or after (`$1,234.50`, `1.234,50 €`,
/// `-$12`, `USD 12`), a negative amount in parentheses (`(1,234.50)`).
/// `None` when it has two signs.
fn money(s: &str) -> Option<(bool, &str)> {
    let (paren, s) = match s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, s),
    };
    let (before, s) = split_sign(s);
    let mut s = s;
    for c in CURRENCIES {
        if let Some(rest) = s.get(..c.len()).filter(|p| p.eq_ignore_ascii_case(c)).map(|_| &s[c.len()..]) {
            s = rest.trim_start();
            break;
        }
        if let Some(rest) = s
            .len()
            .checked_sub(c.len())
            .and_then(|at| s.get(at..).filter(|p| p.eq_ignore_ascii_case(c)).map(|_| &s[..at]))
        {
            s = rest.trim_end();
            break;
        }
    }
    let (after, s) = split_sign(s);
    match (paren, before, after) {
        (false, false, false) => Some((false, s)),
        (true, false, false) | (false, true, false) | (false, false, true) => Some((true, s)),
        _ => None,
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

/// A whole number: optional sign, digits, optional well-formed thousands separators (`1,234`).
pub fn parse_integer(s: &str) -> Result<i64, Failure> {
    let bad = || Failure::new(ProblemKind::Unparseable, format!("`{}` is not a whole number", show(s)));
    let (negative, rest) = split_sign(s);
    let digits = plain_digits(rest, ',').ok_or_else(bad)?;
    let signed = if negative { format!("-{digits}") } else { digits };
    signed.parse::<i64>().map_err(|_| {
        Failure::new(ProblemKind::Unparseable, format!("`{}` is too large for a whole number", show(s)))
    })
}

/// A decimal number in canonical text: `.` as the decimal point, thousands
/// separators only when well formed (`1,234.50`, `1 234.50`), no leading
/// zeros, no trailing fractional zeros (`0012.50` → `12.5`, `-0.0` → `0`).
pub fn parse_decimal(s: &str) -> Result<String, Failure> {
    parse_decimal_in(s, false)
}

/// [`parse_decimal`], with `,` as the decimal point when `comma` (`1.234,50`,
/// `12,5`; then `.` groups thousands).
pub fn parse_decimal_in(s: &str, comma: bool) -> Result<String, Failure> {
    let (point, grouping) = if comma { (',', '.') } else { ('.', ',') };
    let bad = || {
        let hint = if comma {
            "use `,` as the decimal point, as the converter's `decimalComma` says"
        } else if parse_decimal_in(s, true).is_ok() {
            "it reads with `,` as the decimal point: if the column writes decimal commas (`12,5`, `1.234,50`), give the converter `\"decimalComma\": true`"
        } else {
            "use `.` as the decimal point"
        };
        Failure::new(ProblemKind::Unparseable, format!("`{}` is not a decimal number ({hint})", show(s)))
    };
    let (negative, rest) = money(s).ok_or_else(bad)?;
    let (int_part, frac_part) = match rest.split_once(point) {
        Some((i, f)) => (i, f),
        None => (rest, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad());
    }
    let int_digits = if int_part.is_empty() {
        "0".to_string()
    } else {
        plain_digits(int_part, grouping).ok_or_else(bad)?
    };
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let int_digits = int_digits.trim_start_matches('0');
    let int_digits = if int_digits.is_empty() { "0" } else { int_digits };
    let frac_digits = frac_part.trim_end_matches('0');
    let mut out = String::new();
    if negative && (int_digits != "0" || !frac_digits.is_empty()) {
        out.push('-');
    }
    out.push_str(int_digits);
    if !frac_digits.is_empty() {
        out.push('.');
        out.push_str(frac_digits);
    }
    Ok(out)
}

/// A date in a strftime-style format.
///
/// `%Y` reads a year of four digits (`0081` is the year 81; `11/14/81` is no
/// `%m/%d/%Y` date, so a list of formats goes on to `%m/%d/%y`); `%y` reads
/// a year of two digits as the latest year that puts the date no later than
/// today (`65` is 1965, not 2065: the dates of contacts and leads are past).
pub fn parse_date(format: &str, s: &str) -> Result<Date, Failure> {
    let bad = || {
        Failure::new(ProblemKind::Unparseable, format!("`{}` is not a date in format `{format}`", show(s)))
    };
    if format == super::serial::EXCEL {
        return super::serial::date(s).ok_or_else(|| {
            Failure::new(
                ProblemKind::Unparseable,
                format!("`{}` is not an Excel serial date (a day number such as `22666`)", show(s)),
            )
        });
    }
    let s = &*without_ordinals(format, s);
    let date = Date::strptime(format, s).map_err(|_| bad())?;
    if !full_year(format, date.year(), s) {
        return Err(bad());
    }
    Ok(past_century(format, date, jiff::Zoned::now().date()))
}

/// `s` without the ordinal suffixes of its day numbers (`December 31st,
/// 1980`, `1st Mar 2001`) when `format` writes the month by name, as dates
/// with ordinals do.
pub fn without_ordinals<'a>(format: &str, s: &'a str) -> std::borrow::Cow<'a, str> {
    if !(format.contains("%B") || format.contains("%b")) || !s.bytes().any(|b| b.is_ascii_digit()) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        out.push(chars[i]);
        let suffix: String =
            chars[i + 1..chars.len().min(i + 3)].iter().flat_map(|c| c.to_lowercase()).collect();
        let ends = chars.get(i + 3).is_none_or(|c| !c.is_alphanumeric());
        if chars[i].is_ascii_digit() && ends && matches!(suffix.as_str(), "st" | "nd" | "rd" | "th") {
            i += 3;
        } else {
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// False when `format` reads the year with `%Y` and `s` writes the year
/// `year` (below 1000) with fewer than four digits: a two-digit year, which
/// `%Y` would read as the first century.
pub fn full_year(format: &str, year: i16, s: &str) -> bool {
    !format.contains("%Y") || !(0..1000).contains(&year) || s.contains(&format!("{year:04}"))
}

/// `date` a century earlier when `format` reads a two-digit year (`%y`) and
/// the date falls after `today`.
fn past_century(format: &str, date: Date, today: Date) -> Date {
    if format.contains("%y") && date > today {
        date.checked_sub(jiff::Span::new().years(100)).unwrap_or(date)
    } else {
        date
    }
}

/// A date and time in a strftime-style format, read in `zone` (unless the
/// text carries its own offset), as a UTC instant. Times that fall in a DST
/// gap resolve the compatible way (02:30 on a spring-forward day is 03:30).
pub fn parse_timestamp(
    format: &str,
    zone_name: &str,
    zone: &TimeZone,
    s: &str,
) -> Result<jiff::Timestamp, Failure> {
    let bad = || {
        Failure::new(
            ProblemKind::Unparseable,
            format!("`{}` is not a timestamp in format `{format}`", show(s)),
        )
    };
    let parsed = BrokenDownTime::parse(format, s).map_err(|_| bad())?;
    if parsed.offset().is_some() {
        return parsed.to_timestamp().map_err(|_| bad());
    }
    let dt = parsed.to_datetime().map_err(|_| bad())?;
    if !full_year(format, dt.year(), s) {
        return Err(bad());
    }
    let dt = past_century(format, dt.date(), jiff::Zoned::now().date()).to_datetime(dt.time());
    dt.to_zoned(zone.clone()).map(|z| z.timestamp()).map_err(|_| {
        Failure::new(
            ProblemKind::Unparseable,
            format!("`{}` is not a valid time in time zone `{zone_name}`", show(s)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn conv(c: Converter) -> ValueConverter {
        ValueConverter::compile(&c).unwrap()
    }

    #[test]
    fn day_numbers_with_ordinals_read_where_the_month_is_a_name() {
        let d = |f: &str, s: &str| parse_date(f, s).map(|d| d.to_string()).ok();
        assert_eq!(d("%B %d, %Y", "December 31st, 1980").as_deref(), Some("1980-12-31"));
        assert_eq!(d("%B %d, %Y", "March 2nd, 1975").as_deref(), Some("1975-03-02"));
        assert_eq!(d("%d %b %Y", "3rd Mar 2001").as_deref(), Some("2001-03-03"));
        assert_eq!(d("%d %B %Y", "11th August 1990").as_deref(), Some("1990-08-11"));
        // Only a day number's suffix goes, and only beside a month name.
        assert_eq!(without_ordinals("%B %d, %Y", "August 1st, 1990"), "August 1, 1990");
        assert_eq!(without_ordinals("%d/%m/%Y", "1st/03/1990"), "1st/03/1990");
        assert_eq!(d("%B %d, %Y", "December 31sts, 1980"), None);
    }

    #[test]
    fn text_none_keeps_the_text_without_the_padding_around_it() {
        let c = conv(Converter::Text { text: TextConverter::None });
        assert_eq!(c.convert(" a,b ").unwrap(), Some(Value::Text("a,b".into())));
        assert_eq!(c.convert("\t Murphy  ").unwrap(), Some(Value::Text("Murphy".into())));
        assert_eq!(
            c.convert("two  spaces\nand a line ").unwrap(),
            Some(Value::Text("two  spaces\nand a line".into()))
        );
    }

    #[test]
    fn rtf2plain_parses_rtf_and_passes_plain_text() {
        let c = conv(Converter::Text { text: TextConverter::Rtf2plain });
        let rtf = r"{\rtf1\ansi\ansicpg1252 Caf\'e9 notes\par Second \b bold\b0\par}";
        assert_eq!(c.convert(rtf).unwrap(), Some(Value::Text("Café notes\nSecond bold".into())));
        assert_eq!(c.convert("just {text}").unwrap(), Some(Value::Text("just {text}".into())));
    }

    #[test]
    fn rtf2plain_reports_broken_rtf() {
        let c = conv(Converter::Text { text: TextConverter::Rtf2plain });
        let err = c.convert(r"{\rtf1\ansi {unclosed").unwrap_err();
        assert_eq!(err.kind, ProblemKind::BadRtf);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("42"), Ok(42));
        assert_eq!(parse_integer("-7"), Ok(-7));
        assert_eq!(parse_integer("+7"), Ok(7));
        assert_eq!(parse_integer("1,234,567"), Ok(1_234_567));
        assert!(parse_integer("1,23").is_err());
        assert_eq!(parse_integer("1 234 567"), Ok(1_234_567));
        assert!(parse_integer("1,234 567").is_err());
        assert!(parse_integer("12.0").is_err());
        assert!(parse_integer("").is_err());
        let big = parse_integer("99999999999999999999").unwrap_err();
        assert!(big.message.contains("too large"), "{}", big.message);
        assert_eq!(parse_integer("x1").unwrap_err().message, "`x1` is not a whole number");
    }

    #[test]
    fn decimals_are_canonical() {
        assert_eq!(parse_decimal("12.50").unwrap(), "12.5");
        assert_eq!(parse_decimal("0012").unwrap(), "12");
        assert_eq!(parse_decimal("-0.0").unwrap(), "0");
        assert_eq!(parse_decimal(".5").unwrap(), "0.5");
        assert_eq!(parse_decimal("5.").unwrap(), "5");
        assert_eq!(parse_decimal("1,234.50").unwrap(), "1234.5");
        assert_eq!(parse_decimal("-3.25").unwrap(), "-3.25");
        assert_eq!(parse_decimal("1 234.50").unwrap(), "1234.5");
        assert_eq!(parse_decimal("1\u{a0}234\u{a0}567").unwrap(), "1234567");
        assert_eq!(parse_decimal("1'234.5").unwrap(), "1234.5");
        for bad in ["12,5", "1.2.3", "abc", ".", "-", "1,2345.0", "1e5", "1,234 567", "1 23.5", "1.234,50"] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        let hint = parse_decimal("1.234,50").unwrap_err().message;
        assert!(hint.contains("give the converter `\"decimalComma\": true`"), "{hint}");
        assert!(!parse_decimal("1e5").unwrap_err().message.contains("decimalComma"));
    }

    #[test]
    fn amounts_with_currencies_and_accounting_negatives() {
        for (text, want) in [
            ("$55,000.00", "55000"),
            ("-$12.50", "-12.5"),
            ("$-12.50", "-12.5"),
            ("(1,234.50)", "-1234.5"),
            ("USD 1,200", "1200"),
            ("1,200 usd", "1200"),
            ("£99.99", "99.99"),
            ("CA$ 10", "10"),
        ] {
            assert_eq!(parse_decimal(text).unwrap(), want, "{text}");
        }
        assert_eq!(parse_decimal_in("1.234,50 €", true).unwrap(), "1234.5");
        assert_eq!(parse_decimal_in("€ -5,5", true).unwrap(), "-5.5");
        for bad in ["--5", "(-5)", "$", "$$5", "5 $ 5", "(5"] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimal_commas_read_with_the_option_only() {
        assert_eq!(parse_decimal_in("12,5", true).unwrap(), "12.5");
        assert_eq!(parse_decimal_in("1.234,50", true).unwrap(), "1234.5");
        assert_eq!(parse_decimal_in("55 000,75", true).unwrap(), "55000.75");
        assert_eq!(parse_decimal_in("-0,5", true).unwrap(), "-0.5");
        // `1.234` is a thousand and more with decimal commas, a little over one without.
        assert_eq!(parse_decimal_in("1.234", true).unwrap(), "1234");
        assert_eq!(parse_decimal_in("1.234", false).unwrap(), "1.234");
        for bad in ["1,234.50", "12.5", "1,2,3", "1.23,4"] {
            assert!(parse_decimal_in(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_follow_their_format() {
        let c = conv(Converter::date("%d/%m/%Y"));
        assert_eq!(c.convert("15/03/1987").unwrap(), Some(Value::Date(jiff::civil::date(1987, 3, 15))));
        let err = c.convert("31/02/1987").unwrap_err();
        assert_eq!(err.kind, ProblemKind::Unparseable);
        assert_eq!(err.message, "`31/02/1987` is not a date in format `%d/%m/%Y`");
        assert!(c.convert("1987-03-15").is_err());
    }

    #[test]
    fn each_date_is_read_by_the_first_format_that_fits() {
        let formats = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%Y%m%d"].map(String::from).to_vec();
        let c = conv(Converter::Date { formats });
        let march_4 = Some(Value::Date(jiff::civil::date(1980, 3, 4)));
        for text in ["1980-03-04", "04.03.1980", "03/04/1980", "19800304", " 1980-03-04 "] {
            assert_eq!(c.convert(text).unwrap(), march_4, "{text}");
        }
        let err = c.convert("0/0/00").unwrap_err();
        assert_eq!(err.kind, ProblemKind::Unparseable);
        assert_eq!(
            err.message,
            "`0/0/00` is not a date in any of the formats `%Y-%m-%d`, `%d.%m.%Y`, `%m/%d/%Y`, `%Y%m%d`"
        );
        // Order decides an ambiguous value: day first, then month first.
        let c = conv(Converter::Date { formats: vec!["%d/%m/%Y".into(), "%m/%d/%Y".into()] });
        assert_eq!(c.convert("03/04/1980").unwrap(), Some(Value::Date(jiff::civil::date(1980, 4, 3))));
        assert_eq!(c.convert("03/25/1980").unwrap(), Some(Value::Date(jiff::civil::date(1980, 3, 25))));
        let bad = Converter::Date { formats: vec!["%Y-%m-%d".into(), "%d/%m/%Y %!".into()] };
        assert!(ValueConverter::compile(&bad).is_err());
        assert!(ValueConverter::compile(&Converter::Date { formats: vec![] }).is_err());
    }

    #[test]
    fn timestamps_take_several_formats_too() {
        let c = conv(Converter::Timestamp {
            formats: vec!["%Y-%m-%d %H:%M".into(), "%d.%m.%Y %H:%M".into()],
            time_zone: "UTC".into(),
        });
        assert_eq!(c.convert("15.03.2021 14:30").unwrap().unwrap().to_text(), "2021-03-15T14:30:00Z");
        assert_eq!(c.convert("2021-03-15 14:30").unwrap().unwrap().to_text(), "2021-03-15T14:30:00Z");
        assert!(c.convert("14:30").unwrap_err().message.contains("any of the formats"));
    }

    #[test]
    fn bad_formats_and_zones_do_not_compile() {
        assert!(ValueConverter::compile(&Converter::date("")).is_err());
        assert!(ValueConverter::compile(&Converter::date("%d/%m/%Y %!")).is_err());
        let err =
            ValueConverter::compile(&Converter::timestamp("%Y-%m-%d %H:%M", "Mars/Olympus")).unwrap_err();
        assert!(err.0.contains("unknown time zone `Mars/Olympus`"), "{}", err.0);
    }

    #[test]
    fn timestamps_are_read_in_their_zone_and_stored_as_utc() {
        let c = conv(Converter::timestamp("%m/%d/%Y %H:%M", "America/Toronto"));
        let v = c.convert("03/15/2021 14:30").unwrap().unwrap();
        assert_eq!(v.to_text(), "2021-03-15T18:30:00Z");
        // Winter time: UTC-5.
        let v = c.convert("01/15/2021 14:30").unwrap().unwrap();
        assert_eq!(v.to_text(), "2021-01-15T19:30:00Z");
        // In the spring-forward gap: 02:30 does not exist, read as 03:30 EDT.
        let v = c.convert("03/14/2021 02:30").unwrap().unwrap();
        assert_eq!(v.to_text(), "2021-03-14T07:30:00Z");
        let err = c.convert("2021-03-15 14:30").unwrap_err();
        assert_eq!(err.message, "`2021-03-15 14:30` is not a timestamp in format `%m/%d/%Y %H:%M`");
    }

    #[test]
    fn timestamps_with_an_offset_keep_it() {
        let c = conv(Converter::timestamp("%Y-%m-%d %H:%M %z", "Europe/Paris"));
        let v = c.convert("2021-06-01 10:00 +0200").unwrap().unwrap();
        assert_eq!(v.to_text(), "2021-06-01T08:00:00Z");
    }

    #[test]
    fn boolean_tables_match_exactly_then_loosely() {
        let table =
            BTreeMap::from([("Y".to_string(), true), ("N".to_string(), false), ("n".to_string(), true)]);
        let c = conv(Converter::Boolean { table });
        assert_eq!(c.convert("Y").unwrap(), Some(Value::Boolean(true)));
        assert_eq!(c.convert(" y ").unwrap(), Some(Value::Boolean(true)));
        // `N` and `n` disagree, so only exact matches count for them.
        assert_eq!(c.convert("n").unwrap(), Some(Value::Boolean(true)));
        assert_eq!(c.convert("N").unwrap(), Some(Value::Boolean(false)));
        let err = c.convert(" N ").unwrap_err();
        assert_eq!(err.kind, ProblemKind::NotInBooleanTable);
        let err = c.convert("Maybe").unwrap_err();
        assert_eq!(err.message, "`Maybe` is not in the boolean table (it knows `N`, `Y`, `n`)");
    }

    #[test]
    fn enumeration_tables_map_or_ignore() {
        let table = BTreeMap::from([
            ("M".to_string(), Some("Male".to_string())),
            ("F".to_string(), Some("Female".to_string())),
            ("?".to_string(), None),
        ]);
        let c = conv(Converter::Enumeration { table });
        assert_eq!(c.convert("m").unwrap(), Some(Value::Text("Male".into())));
        assert_eq!(c.convert("?").unwrap(), None);
        let err = c.convert("X").unwrap_err();
        assert_eq!(err.kind, ProblemKind::NotInEnumerationTable);
    }

    #[test]
    fn a_two_digit_year_is_no_four_digit_year_and_lies_in_the_past() {
        assert!(parse_date("%m/%d/%Y", "11/14/81").is_err());
        assert!(parse_date("%m/%d/%Y", "11/14/181").is_err());
        assert_eq!(parse_date("%m/%d/%Y", "11/14/0081").unwrap(), jiff::civil::date(81, 11, 14));
        assert_eq!(parse_date("%m/%d/%Y", "1/4/1981").unwrap(), jiff::civil::date(1981, 1, 4));
        assert_eq!(parse_date("%m/%d/%y", "11/14/81").unwrap(), jiff::civil::date(1981, 11, 14));
        let today = jiff::civil::date(2026, 12, 2);
        let read = |text: &str| past_century("%d.%m.%y", Date::strptime("%d.%m.%y", text).unwrap(), today);
        assert_eq!(read("24.04.65"), jiff::civil::date(1965, 4, 24));
        assert_eq!(read("01.12.26"), jiff::civil::date(2026, 12, 1));
        assert_eq!(read("03.12.26"), jiff::civil::date(1926, 12, 3));
        assert_eq!(read("01.01.05"), jiff::civil::date(2005, 1, 1));
        let c = conv(Converter::Date { formats: vec!["%m/%d/%Y".into(), "%m/%d/%y".into()] });
        assert_eq!(c.convert("04/24/65").unwrap(), Some(Value::Date(jiff::civil::date(1965, 4, 24))));
        assert_eq!(c.convert("04/24/1965").unwrap(), Some(Value::Date(jiff::civil::date(1965, 4, 24))));
    }

    proptest! {
        #[test]
        fn date_formats_round_trip(y in 1i16..=9999, m in 1i8..=12, d in 1i8..=28,
                                   fmt in prop::sample::select(vec!["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%b %d %Y", "%d %B %Y"])) {
            let date = jiff::civil::date(y, m, d);
            let text = date.strftime(fmt).to_string();
            prop_assert_eq!(parse_date(fmt, &text).unwrap(), date);
        }

        #[test]
        fn timestamps_round_trip_through_utc(secs in 0i64..4_000_000_000,
                                             zone in prop::sample::select(vec!["UTC", "America/Toronto", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe"])) {
            let tz = jiff::tz::TimeZoneDatabase::bundled().get(zone).unwrap();
            let ts = jiff::Timestamp::from_second(secs).unwrap();
            let local = ts.to_zoned(tz.clone());
            let fmt = "%Y-%m-%d %H:%M:%S";
            let text = local.strftime(fmt).to_string();
            let back = parse_timestamp(fmt, zone, &tz, &text).unwrap();
            // In a fold (clocks back) the compatible choice is the earlier instant.
            let diff = (back.as_second() - ts.as_second()).abs();
            prop_assert!(diff == 0 || (back <= ts && diff <= 3600), "{} -> {} -> {}", ts, text, back);
        }

        #[test]
        fn decimals_round_trip(int in -1_000_000_000i64..1_000_000_000, frac in 0u32..10_000) {
            let text = format!("{int}.{frac:04}");
            let canon = parse_decimal(&text).unwrap();
            // The canonical form is a fixed point: parsing it again changes nothing.
            prop_assert_eq!(parse_decimal(&canon).unwrap(), canon.clone());
            let f: f64 = text.parse().unwrap();
            let g: f64 = canon.parse().unwrap();
            prop_assert!((f - g).abs() < 1e-6);
        }

        #[test]
        fn integers_round_trip(i in any::<i64>()) {
            prop_assert_eq!(parse_integer(&i.to_string()).unwrap(), i);
        }

        #[test]
        fn rtf_never_panics(s in "\\{\\\\rtf1[ -~]{0,40}") {
            let _ = rtf_to_plain(&s);
        }
    }
}
