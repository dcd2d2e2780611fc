//! Inferring what a column holds from its values (and a hint from its header).
//!
//! A kind is reported only when *every* value fits it, so a suggestion never
//! hides a value its converter would reject; the checks run from the most
//! specific to the least: boolean, date, timestamp, integer, decimal, email,
//! zip, phone, text. A header that says phone or zip/postal code lets those
//! kinds win over integer (a phone column of bare digits, a zip column of
//! 4–6 digit codes).

use jiff::civil::Date;

use super::InferredKind;

/// Date formats tried, in order of preference when several fit every value.
/// Day-first comes before month-first: when both fit, the column is reported
/// ambiguous anyway.
pub(crate) const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
    "%d-%m-%y",
    "%m-%d-%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%Y%m%d",
    // A date written as a timestamp at midnight, as databases and
    // spreadsheets export a date column (`1980-12-31 00:00:00`,
    // `12/31/1980 0:00`): the time is matched as written, so a real time of
    // day is never dropped.
    "%Y-%m-%d 00:00:00",
    "%Y-%m-%dT00:00:00",
    // SQL Server's default date style (`Dec 31 1980 12:00AM`).
    "%b %d %Y 12:00AM",
    "%Y-%m-%d 00:00:00.000",
    "%Y-%m-%dT00:00:00.000",
    "%Y-%m-%dT00:00:00Z",
    "%Y-%m-%dT00:00:00.000Z",
    "%Y-%m-%d 00:00",
    "%d/%m/%Y 00:00:00",
    "%m/%d/%Y 00:00:00",
    "%d/%m/%Y 0:00",
    "%m/%d/%Y 0:00",
    "%m/%d/%Y 12:00:00 AM",
    "%d.%m.%Y 00:00:00",
    "%d.%m.%Y 00:00",
];

/// Timestamp formats tried, in order of preference.
const TIMESTAMP_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
];

/// Whether a flag's value is a known word for true or for false (`Y`,
/// `No`, `1`, `0`, `checked`, `nein`), case and surrounding spaces aside.
pub fn truth(value: &str) -> Option<bool> {
    let v = value.trim().to_lowercase();
    if matches!(
        v.as_str(),
        "y" | "yes"
            | "true"
            | "t"
            | "1"
            | "x"
            | "on"
            | "oui"
            | "o"
            | "ja"
            | "j"
            | "si"
            | "sí"
            | "-1"
            | "checked"
    ) {
        Some(true)
    } else if matches!(v.as_str(), "n" | "no" | "false" | "f" | "0" | "off" | "non" | "nein" | "unchecked") {
        Some(false)
    } else {
        None
    }
}

/// Infers the kind of a column from its values (blank ones are ignored) and its header.
pub fn infer_kind(values: &[&str], header: &str) -> InferredKind {
    let values: Vec<&str> = values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return InferredKind::Empty;
    }
    let hint = Hint::of(header);
    if is_boolean(&values) {
        return InferredKind::Boolean;
    }
    if hint == Hint::Phone && values.iter().all(|v| is_phone(v)) {
        return InferredKind::Phone;
    }
    if hint == Hint::Zip && values.iter().all(|v| is_zip(v) || is_generic_postal_code(v)) {
        return InferredKind::Zip;
    }
    if let Some(kind) = infer_date(&values) {
        return kind;
    }
    if let Some(format) = TIMESTAMP_FORMATS.iter().find(|f| values.iter().all(|v| parses_timestamp(f, v))) {
        return InferredKind::Timestamp { format: format.to_string() };
    }
    if values.iter().all(|v| is_integer(v)) {
        return InferredKind::Integer;
    }
    if values.iter().all(|v| is_integer(v) || is_decimal(v)) {
        return InferredKind::Decimal;
    }
    if values.iter().all(|v| is_email(v)) {
        return InferredKind::Email;
    }
    if values.iter().all(|v| is_zip(v)) {
        return InferredKind::Zip;
    }
    if values.iter().all(|v| is_phone(v)) {
        return InferredKind::Phone;
    }
    InferredKind::Text
}

#[derive(Debug, PartialEq, Eq)]
enum Hint {
    Phone,
    Zip,
    None,
}

impl Hint {
    fn of(header: &str) -> Hint {
        let h = header.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
        if has(&["phone", "tel", "fax", "mobile", "cell", "handy"]) {
            Hint::Phone
        } else if has(&["zip", "postal", "postcode", "post code", "plz"]) {
            Hint::Zip
        } else {
            Hint::None
        }
    }
}

fn is_boolean(values: &[&str]) -> bool {
    let mut distinct: Vec<String> = Vec::new();
    for v in values {
        let word = v.trim().to_lowercase();
        if truth(&word).is_none() {
            return false;
        }
        if !distinct.contains(&word) {
            distinct.push(word);
        }
    }
    // A column of nothing but `1` (or `0`) is a count more likely than a flag.
    let numeric_only = distinct.iter().all(|w| w == "1" || w == "0");
    // Exports merged from several versions spell one flag several ways
    // (`Y`, `yes`, `TRUE`, `1`).
    distinct.len() <= 12 && !(numeric_only && distinct.len() < 2)
}

fn infer_date(values: &[&str]) -> Option<InferredKind> {
    // Cheap filter before trying every format on every value.
    if !values.iter().all(|v| v.len() <= 40 && v.bytes().any(|b| b.is_ascii_digit())) {
        return None;
    }
    let format = DATE_FORMATS.iter().find(|f| values.iter().all(|v| parses_date(f, v)))?;
    let alternative = swapped(format).filter(|alt| values.iter().all(|v| parses_date(alt, v)));
    Some(InferredKind::Date { format: format.to_string(), ambiguous: alternative.is_some(), alternative })
}

/// The day/month swap of a day-first or month-first format (`%d/%m/%Y` ↔ `%m/%d/%Y`).
pub(super) fn swapped(format: &str) -> Option<String> {
    if !(format.starts_with("%d") || format.starts_with("%m")) || !format.contains("%m") {
        return None;
    }
    Some(format.replace("%d", "\u{0}").replace("%m", "%d").replace('\u{0}', "%m"))
}

pub(super) fn parses_date(format: &str, value: &str) -> bool {
    if format == "%Y%m%d" {
        // Eight digits are often an id; accept them as dates only in a plausible range.
        let plausible = value.len() == 8
            && value.bytes().all(|b| b.is_ascii_digit())
            && (1850..=2100).contains(&value[..4].parse::<u32>().unwrap_or(0));
        if !plausible {
            return false;
        }
    }
    let value = &*crate::convert::value::without_ordinals(format, value);
    Date::strptime(format, value)
        .is_ok_and(|date| crate::convert::value::full_year(format, date.year(), value))
}

fn parses_timestamp(format: &str, value: &str) -> bool {
    value.len() <= 40
        && jiff::fmt::strtime::parse(format, value).is_ok_and(|parsed| {
            parsed.to_datetime().is_ok_and(|dt| crate::convert::value::full_year(format, dt.year(), value))
        })
}

fn is_integer(value: &str) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    let digits = crate::convert::value::whole_of(digits);
    // Leading zeros mark a code (`007`, `08123`), which an integer would lose.
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == 1 || !digits.starts_with('0'))
}

/// A decimal number as the `decimal` converter reads it, with `.` or with
/// `,` as the decimal point (`12.5`, `1,234.50`, `1 200`, `12,5`, `1.234,50`).
/// Bare digits are a decimal only as an integer is (`007` is a code).
fn is_decimal(value: &str) -> bool {
    use crate::convert::value::parse_decimal_in;
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        return is_integer(value);
    }
    parse_decimal_in(value, false).is_ok() || parse_decimal_in(value, true).is_ok()
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    let clean = |s: &str| !s.is_empty() && !s.contains(['@', ' ', ',', ';', '<', '>']);
    clean(local)
        && clean(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Digits, spaces, `+ ( ) - . /`, an optional extension; 7 to 15 digits.
fn is_phone(value: &str) -> bool {
    let lower = value.to_lowercase();
    let number = ["ext.", "ext", "x", "#"]
        .iter()
        .find_map(|mark| {
            let (number, ext) = lower.rsplit_once(mark)?;
            let ext = ext.trim();
            (!ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit())).then_some(number)
        })
        .unwrap_or(&lower);
    let number = number.trim();
    let starts_well = number.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(');
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    starts_well
        && (7..=15).contains(&digits)
        && number.chars().all(|c| c.is_ascii_digit() || " +()-./".contains(c))
}

/// US ZIP / ZIP+4, Canadian, UK and Irish postcodes.
fn is_zip(value: &str) -> bool {
    let b = value.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let alpha = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphabetic);
    let alnum = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let us = (b.len() == 5 && (0..5).all(digit))
        || (b.len() == 10 && (0..5).all(digit) && b[5] == b'-' && (6..10).all(digit));
    // A1A 1A1 (the space optional)
    let compact: Vec<u8> = b.iter().copied().filter(|c| *c != b' ').collect();
    let c = |i: usize| compact.get(i).copied();
    let canadian = compact.len() == 6
        && b.len() <= 7
        && [0, 2, 4].iter().all(|&i| c(i).is_some_and(|x| x.is_ascii_alphabetic()))
        && [1, 3, 5].iter().all(|&i| c(i).is_some_and(|x| x.is_ascii_digit()));
    // UK: outward code (A9, A99, AA9, AA99, A9A, AA9A), space, inward code (9AA).
    let uk = match value.split_once(' ') {
        Some((outward, inward)) => {
            let o = outward.as_bytes();
            let i = inward.as_bytes();
            let outward_ok = (2..=4).contains(&o.len())
                && o[0].is_ascii_alphabetic()
                && o.iter().any(u8::is_ascii_digit)
                && o.iter().all(u8::is_ascii_alphanumeric);
            let inward_ok = i.len() == 3
                && i[0].is_ascii_digit()
                && i[1].is_ascii_alphabetic()
                && i[2].is_ascii_alphabetic();
            outward_ok && inward_ok
        }
        None => false,
    };
    // Irish Eircode: A65 F4E2
    let eircode = b.len() == 8 && alpha(0) && digit(1) && alnum(2) && b[3] == b' ' && (4..8).all(alnum);
    us || canadian || uk || eircode
}

/// What a postal code looks like elsewhere, accepted when the header says so:
/// 3 to 10 letters, digits, spaces or dashes with at least one digit.
fn is_generic_postal_code(value: &str) -> bool {
    (3..=10).contains(&value.len())
        && value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(values: &[&str]) -> InferredKind {
        infer_kind(values, "")
    }

    fn date(format: &str) -> InferredKind {
        InferredKind::Date { format: format.into(), ambiguous: false, alternative: None }
    }

    #[test]
    fn dates_with_their_format() {
        assert_eq!(kind(&["1987-03-15", "2001-12-31"]), date("%Y-%m-%d"));
        assert_eq!(kind(&["15/03/1987", "01/02/2001"]), date("%d/%m/%Y"));
        assert_eq!(kind(&["03/15/1987", "01/02/2001"]), date("%m/%d/%Y"));
        assert_eq!(kind(&["15.03.1987", "1.2.2001"]), date("%d.%m.%Y"));
        assert_eq!(kind(&["15 Mar 1987", "01 Feb 2001"]), date("%d %b %Y"));
        assert_eq!(kind(&["Mar 15, 1987"]), date("%b %d, %Y"));
        assert_eq!(kind(&["19870315", "20010201"]), date("%Y%m%d"));
    }

    #[test]
    fn day_and_month_that_could_swap_are_ambiguous() {
        let ambiguous = kind(&["01/02/2001", "12/11/1999", "05/06/1970"]);
        assert_eq!(
            ambiguous,
            InferredKind::Date {
                format: "%d/%m/%Y".into(),
                ambiguous: true,
                alternative: Some("%m/%d/%Y".into())
            }
        );
        // An ISO date has no day-first reading.
        assert_eq!(kind(&["2001-02-01", "1999-11-12"]), date("%Y-%m-%d"));
    }

    #[test]
    fn timestamps_with_their_format() {
        assert_eq!(
            kind(&["2021-03-15 14:30:00", "2021-03-16 09:00:05"]),
            InferredKind::Timestamp { format: "%Y-%m-%d %H:%M:%S".into() }
        );
        assert_eq!(
            kind(&["03/15/2021 2:30 PM", "12/01/2020 9:05 AM"]),
            InferredKind::Timestamp { format: "%m/%d/%Y %I:%M %p".into() }
        );
        assert_eq!(
            kind(&["2021-03-15T14:30:00Z"]),
            InferredKind::Timestamp { format: "%Y-%m-%dT%H:%M:%SZ".into() }
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(kind(&["1", "42", "-7"]), InferredKind::Integer);
        assert_eq!(kind(&["1.5", "42", "-7,25"]), InferredKind::Decimal);
        assert_eq!(kind(&["1,234.50", "999.99"]), InferredKind::Decimal);
        assert_eq!(kind(&["1.234,50", "1\u{a0}200", "12,5"]), InferredKind::Decimal);
        assert_eq!(kind(&["1 200", "12.5"]), InferredKind::Decimal);
        assert_eq!(kind(&["12.5", "1e5"]), InferredKind::Text);
        assert_eq!(kind(&["007", "123"]), InferredKind::Text, "leading zeros are a code");
    }

    #[test]
    fn booleans_from_a_small_set() {
        assert_eq!(kind(&["Yes", "No", "yes"]), InferredKind::Boolean);
        assert_eq!(kind(&["Y", "N"]), InferredKind::Boolean);
        assert_eq!(kind(&["1", "0", "1"]), InferredKind::Boolean);
        assert_eq!(kind(&["TRUE", "FALSE"]), InferredKind::Boolean);
        assert_eq!(kind(&["1", "1"]), InferredKind::Integer);
        assert_eq!(kind(&["Y", "N", "M"]), InferredKind::Text);
    }

    #[test]
    fn emails_phones_and_zips() {
        assert_eq!(kind(&["a@example.com", "b.c@mail.example.org"]), InferredKind::Email);
        assert_eq!(kind(&["a@example", "b@example.com"]), InferredKind::Text);
        assert_eq!(kind(&["+1 416-555-0101", "(416) 555-0102", "416.555.0103 ext 12"]), InferredKind::Phone);
        assert_eq!(kind(&["555-01"]), InferredKind::Text, "too few digits");
        assert_eq!(infer_kind(&["4165550101", "6475550199"], "Work Phone"), InferredKind::Phone);
        assert_eq!(kind(&["4165550101", "6475550199"]), InferredKind::Integer);
        assert_eq!(kind(&["M5V 2T6", "K1A0B1"]), InferredKind::Zip);
        assert_eq!(kind(&["SW1A 1AA", "EC1A 1BB", "M1 1AE"]), InferredKind::Zip);
        assert_eq!(kind(&["90210-1234", "10115"]), InferredKind::Zip);
        assert_eq!(kind(&["10115", "90210"]), InferredKind::Integer);
        assert_eq!(infer_kind(&["10115", "1010", "75008"], "Postal Code"), InferredKind::Zip);
        assert_eq!(infer_kind(&["08123", "D02 X285"], "ZIP"), InferredKind::Zip);
    }

    #[test]
    fn text_and_empty() {
        assert_eq!(kind(&["José", "Zoë"]), InferredKind::Text);
        assert_eq!(kind(&["", "  "]), InferredKind::Empty);
        assert_eq!(kind(&[]), InferredKind::Empty);
        assert_eq!(kind(&["2021-03-15", "soon"]), InferredKind::Text);
    }
}
