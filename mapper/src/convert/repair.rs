//! What an export did to a cell before ferry read it, undone where it can
//! be and told as a problem either way: text once read as Windows-1252
//! (`JosÃ©`), numbers a spreadsheet shortened to scientific notation
//! (`4.16556E+09`), and US ZIP codes a spreadsheet read as numbers (`2134`
//! for `02134`).

use std::borrow::Cow;

use super::Compiled;
use super::value::{ValueConverter, show};
use crate::problem::{ProblemKind, Severity};

/// `cell` as the mapping `m` is to convert it, with the problems found on
/// the way; `country` is the country the row's address names (ISO 3166
/// alpha-2), if any. (Not the template's: a package does not carry it, and
/// staging must read each row as the check did.)
pub(super) fn prepare<'a>(
    m: &Compiled,
    cell: &'a str,
    country: Option<&str>,
    found: &mut Vec<(Severity, ProblemKind, String)>,
) -> Cow<'a, str> {
    let (repaired, mut damage) = damage(cell, &m.converter, m.field.key);
    found.append(&mut damage);
    let mut cell: Cow<'a, str> = repaired.map_or(Cow::Borrowed(cell), Cow::Owned);
    if cell.contains(['\u{0}', '\u{b}']) {
        let (clean, removed) = without_controls(&cell);
        if !removed.is_empty() {
            found.push((
                Severity::Warning,
                ProblemKind::ControlCharacter,
                format!(
                    "`{}` holds NUL characters ({}), which no text has (a fixed-width field's padding): they are removed, `{}` is stored",
                    show(&cell),
                    removed.join(", "),
                    show(&clean)
                ),
            ));
        }
        cell = Cow::Owned(clean);
    }
    if m.zip {
        // `2134.0`: a ZIP code a program exported as a float.
        let whole = super::value::whole_of(cell.trim());
        if whole.len() < cell.trim().len() {
            cell = Cow::Owned(whole.to_string());
        }
    }
    if m.zip
        && country == Some("US")
        && let Some(padded) = us_zip(&cell)
    {
        found.push((
            Severity::Warning,
            ProblemKind::LostDigits,
            format!(
                "`{}` is a US ZIP code whose leading zero a spreadsheet dropped (ZIP codes have five digits): it is stored as `{padded}`",
                show(cell.trim())
            ),
        ));
        return Cow::Owned(padded);
    }
    cell
}

/// `text` without the NUL characters exports leave in it (a fixed-width
/// field's padding), with the names of those removed; FileMaker's line break
/// inside a field (a vertical tab) becomes a line break. Other control
/// characters stay as exported (the terminal shows them escaped).
fn without_controls(text: &str) -> (String, Vec<String>) {
    let mut removed: Vec<String> = Vec::new();
    let clean = text
        .chars()
        .filter_map(|c| match c {
            '\u{b}' => Some('\n'),
            '\t' | '\n' | '\r' => Some(c),
            '\u{0}' => {
                let name = format!("U+{:04X}", c as u32);
                if !removed.contains(&name) {
                    removed.push(name);
                }
                None
            }
            c => Some(c),
        })
        .collect();
    (clean, removed)
}

/// A US ZIP code of three or four digits (`2134`, `501`, `2134-1234`), with
/// the leading zeros a spreadsheet dropped given back (`02134`, `00501`,
/// `02134-1234`); `None` for any other value.
fn us_zip(value: &str) -> Option<String> {
    let v = value.trim();
    let (head, plus4) = match v.split_once('-') {
        Some((head, tail)) if tail.len() == 4 && tail.bytes().all(|b| b.is_ascii_digit()) => {
            (head, Some(tail))
        }
        Some(_) => return None,
        None => (v, None),
    };
    if !(3..=4).contains(&head.len()) || !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match plus4 {
        Some(tail) => format!("{head:0>5}-{tail}"),
        None => format!("{head:0>5}"),
    })
}

/// What an export did to a cell before ferry read it, told as warnings: text
/// once read as Windows-1252 (`JosÃ©`), given back repaired; a number a
/// spreadsheet shortened to scientific notation (`4.16556E+09`) in a text
/// field, whose lost digits no one can give back (an error in the key, which
/// would then name another record).
fn damage(
    cell: &str,
    converter: &ValueConverter,
    key: bool,
) -> (Option<String>, Vec<(Severity, ProblemKind, String)>) {
    let mut found = Vec::new();
    let repaired = crate::mojibake::repair(cell);
    if let Some(text) = &repaired {
        found.push((
            Severity::Warning,
            ProblemKind::Mojibake,
            format!(
                "`{}` is UTF-8 text once read as Windows-1252 (mojibake): it is stored repaired, as `{}`",
                show(cell),
                show(text)
            ),
        ));
    }
    if matches!(converter, ValueConverter::Text(_)) && lost_digits(cell) {
        found.push(if key {
            let why = "a key that may name another record: the row is rejected";
            (Severity::Error, ProblemKind::LostDigits, format!("{}; {why}", lost_digits_message(cell)))
        } else {
            (
                Severity::Warning,
                ProblemKind::LostDigits,
                format!("{}; it is kept as written", lost_digits_message(cell)),
            )
        });
    }
    (repaired, found)
}

/// Whether `text` is a number a spreadsheet wrote in scientific notation
/// with fewer digits than the number has (`4.16556E+09`, `1E+15`): an id or
/// a phone number whose last digits are lost.
pub(crate) fn lost_digits(text: &str) -> bool {
    let t = text.trim();
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else { return false };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let Ok(exponent) = exponent.parse::<u32>() else { return false };
    let mantissa = mantissa.strip_prefix('-').unwrap_or(mantissa);
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && exponent > fraction.len() as u32
}

/// Why a value in scientific notation is no id or phone number.
pub(crate) fn lost_digits_message(text: &str) -> String {
    format!(
        "`{}` is a number a spreadsheet wrote in scientific notation: its last digits are lost; export the column formatted as text",
        show(text.trim())
    )
}

#[cfg(test)]
mod tests {
    use super::{lost_digits, us_zip, without_controls};

    #[test]
    fn control_characters_are_removed_and_a_vertical_tab_is_a_line_break() {
        assert_eq!(without_controls("Ro\u{0}e"), ("Roe".to_string(), vec!["U+0000".to_string()]));
        assert_eq!(without_controls("one\u{b}two"), ("one\ntwo".to_string(), vec![]));
        assert_eq!(
            without_controls("a\tb\u{0}\u{0}c\u{7}"),
            ("a\tbc\u{7}".to_string(), vec!["U+0000".to_string()])
        );
    }

    #[test]
    fn zips_missing_leading_zeros_are_padded_and_others_left_alone() {
        assert_eq!(us_zip("2134").as_deref(), Some("02134"));
        assert_eq!(us_zip(" 501 ").as_deref(), Some("00501"));
        assert_eq!(us_zip("2134-1234").as_deref(), Some("02134-1234"));
        for v in ["02134", "90210", "12", "ABCD", "2134-12", "M5V 2T6", "21 34"] {
            assert_eq!(us_zip(v), None, "{v}");
        }
    }

    #[test]
    fn scientific_notation_that_lost_digits_is_told_apart() {
        for v in ["4.16556E+09", "1.23457e+11", "1E+15", "-1.2E+5"] {
            assert!(lost_digits(v), "{v}");
        }
        for v in ["1.5E+1", "4165550101", "E+09", "1.5E+2 cm", "12.5", "SMITH"] {
            assert!(!lost_digits(v), "{v}");
        }
    }
}
