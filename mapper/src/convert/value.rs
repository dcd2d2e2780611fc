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

use super::repair::{lost_digits, lost_digits_message};
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
            ValueConverter::Phone(country) => match crate::phone::parse(whole_of(text.trim()), *country) {
                Some(p) => Ok(Some(Value::Text(p.international))),
                None if lost_digits(text) => {
                    Err(Failure::new(ProblemKind::InvalidPhone, lost_digits_message(text)))
                }
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

/// The currency an amount names (`USD` for `$12` and `USD 12`, `EUR` for
/// `1,50 €`), when it names one. `$` alone is read as the US dollar.
pub(crate) fn currency_of(amount: &str) -> Option<&'static str> {
    let s = amount.trim().trim_start_matches('(').trim_end_matches(')').trim();
    let (mark, _) = strip_currency(s.trim_start_matches(['-', '+']));
    Some(match mark? {
        "US$" | "$" | "USD" => "USD",
        "CA$" | "C$" | "CAD" => "CAD",
        "A$" => "AUD",
        "€" | "EUR" => "EUR",
        "£" | "GBP" => "GBP",
        "¥" => "JPY",
        "₹" => "INR",
        _ => "CHF",
    })
}

/// The currency sign or code written before or after an amount, and the
/// amount without it (`$12` → `$`, `12`).
fn strip_currency(s: &str) -> (Option<&'static str>, &str) {
    for c in CURRENCIES {
        if let Some(rest) = s.get(..c.len()).filter(|p| p.eq_ignore_ascii_case(c)).map(|_| &s[c.len()..]) {
            return (Some(c), rest.trim_start());
        }
        if let Some(rest) = s
            .len()
            .checked_sub(c.len())
            .and_then(|at| s.get(at..).filter(|p| p.eq_ignore_ascii_case(c)).map(|_| &s[..at]))
        {
            return (Some(c), rest.trim_end());
        }
    }
    (None, s)
}

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
    let (_, s) = strip_currency(s);
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
    let digits = plain_digits(whole_of(rest), ',').ok_or_else(bad)?;
    let signed = if negative { format!("-{digits}") } else { digits };
    signed.parse::<i64>().map_err(|_| {
        Failure::new(ProblemKind::Unparseable, format!("`{}` is too large for a whole number", show(s)))
    })
}

/// A whole number written as a decimal with only zeros after the point
/// (`2.0`, `4165550101.0`: a column of integers a program exported as
/// floats, as pandas does for a column with empty cells), without them;
/// any other text as it is.
pub fn whole_of(s: &str) -> &str {
    match s.split_once('.') {
        Some((whole, zeros))
            if !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && !zeros.is_empty()
                && zeros.bytes().all(|b| b == b'0') =>
        {
            whole
        }
        _ => s,
    }
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
#[path = "value_tests.rs"]
mod tests;
