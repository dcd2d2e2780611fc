//! The country of the data (ISO 3166 alpha-2): given with `--country`, or
//! guessed from the data, in this order: a country column's values, the
//! prefixes of phone numbers written with `+` (`+44`, `+49`; `+1` told apart
//! by area code), the shapes of postal codes (`M5V 2T6` is Canadian,
//! `SW1A 1AA` British, `12345-6789` American). It orders day and month in
//! ambiguous dates and is the default country of phone numbers.

use std::collections::BTreeMap;

use crate::session::{SourceColumn, SourceFile};

/// A country and why it was taken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CountryChoice {
    /// `CA`
    pub code: String,
    /// `given with --country`, `guessed from …`.
    pub reason: String,
}

/// A country code that is not two letters the phone library knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{code}` is not an ISO 3166 alpha-2 country code (such as `US`, `CA`, `GB`, `DE`)")]
pub struct UnknownCountry {
    /// The code as given.
    pub code: String,
}

/// A country code as given by a user: two letters the phone library knows.
pub fn parse_code(code: &str) -> Result<String, UnknownCountry> {
    let up = code.trim().to_ascii_uppercase();
    if up.len() == 2 && crate::phone::country(&up).is_some() {
        Ok(up)
    } else {
        Err(UnknownCountry { code: code.to_string() })
    }
}

/// Least share of the telling values that must agree on one country.
const AGREE: f64 = 0.5;

/// Guesses the country of `files`, or `None` when nothing tells.
pub fn guess(files: &[SourceFile]) -> Option<CountryChoice> {
    let columns = || files.iter().flat_map(|f| f.columns.iter().map(move |c| (f, c)));
    for (f, c) in columns().filter(|(_, c)| is_country_column(c)) {
        let votes = vote(c.distinct.iter().filter_map(|v| country_of_name(v)));
        if let Some((code, n, all)) = votes {
            return Some(CountryChoice {
                code: code.clone(),
                reason: format!(
                    "guessed from the `{}` column of `{}` ({n} of {all} distinct values name {code})",
                    c.name, f.name
                ),
            });
        }
    }
    let phones: Vec<String> = columns()
        .filter(|(_, c)| looks_like_phones(c))
        .flat_map(|(_, c)| c.distinct.iter())
        .filter(|v| v.trim_start().starts_with('+') || v.trim_start().starts_with("00"))
        .filter_map(|v| {
            let t = v.trim_start();
            let t = t.strip_prefix("00").map(|r| format!("+{r}")).unwrap_or_else(|| t.to_string());
            crate::phone::parse(&t, None)?.country
        })
        .collect();
    if let Some((code, n, all)) = vote(phones.into_iter()) {
        return Some(CountryChoice {
            code: code.clone(),
            reason: format!("guessed from phone prefixes ({n} of {all} international numbers are of {code})"),
        });
    }
    let postal: Vec<&'static str> = columns()
        .filter(|(_, c)| is_postal_column(c))
        .flat_map(|(_, c)| c.distinct.iter())
        .filter_map(|v| postal_country(v))
        .collect();
    if let Some((code, n, all)) = vote(postal.into_iter().map(str::to_string)) {
        return Some(CountryChoice {
            code: code.clone(),
            reason: format!(
                "guessed from postal-code shapes ({n} of {all} telling codes are shaped as {code}'s)"
            ),
        });
    }
    None
}

/// The most common value, its count and the total, when it has [`AGREE`].
fn vote(values: impl Iterator<Item = String>) -> Option<(String, usize, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let all: usize = counts.values().sum();
    let (code, n) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (n as f64 >= AGREE * all as f64).then_some((code, n, all))
}

fn header_has(column: &SourceColumn, words: &[&str]) -> bool {
    let h = column.name.to_lowercase();
    words.iter().any(|w| h.contains(w))
}

fn is_country_column(column: &SourceColumn) -> bool {
    header_has(column, &["country", "land", "pays", "nation"]) && !column.distinct.is_empty()
}

fn looks_like_phones(column: &SourceColumn) -> bool {
    matches!(column.kind, crate::profile::InferredKind::Phone)
        || header_has(column, &["phone", "tel", "fax", "mobile", "cell", "handy", "value", "number"])
}

fn is_postal_column(column: &SourceColumn) -> bool {
    matches!(column.kind, crate::profile::InferredKind::Zip)
        || header_has(column, &["zip", "postal", "postcode", "post code", "plz"])
}

/// The column of `file` that names each row's country (`Country` holding
/// `Canada`, `DE`, `United Kingdom`), when most of its values name one.
pub fn row_column(file: &SourceFile) -> Option<&str> {
    file.columns
        .iter()
        .filter(|c| is_country_column(c))
        .find(|c| {
            let named = c.distinct.iter().filter(|v| country_of_name(v).is_some()).count();
            named > 0
                && named as f64 >= 0.8 * c.distinct.iter().filter(|v| !v.trim().is_empty()).count() as f64
        })
        .map(|c| c.name.as_str())
}

/// The country a country cell names: a code or a common name.
pub(crate) fn country_of_name(value: &str) -> Option<String> {
    let v = value.trim().to_lowercase().replace('.', "");
    let named = match v.as_str() {
        "usa" | "united states" | "united states of america" | "america" | "us of a" => "US",
        "canada" => "CA",
        "uk" | "united kingdom" | "great britain" | "england" | "scotland" | "wales" => "GB",
        "germany" | "deutschland" => "DE",
        "france" => "FR",
        "austria" | "österreich" => "AT",
        "switzerland" | "schweiz" | "suisse" => "CH",
        "netherlands" | "nederland" | "holland" => "NL",
        "belgium" | "belgique" | "belgië" => "BE",
        "italy" | "italia" => "IT",
        "spain" | "españa" => "ES",
        "ireland" => "IE",
        "australia" => "AU",
        "new zealand" => "NZ",
        "mexico" | "méxico" => "MX",
        _ => return parse_code(&v).ok(),
    };
    Some(named.to_string())
}

/// The country a postal code's shape tells, if any (five plain digits tell nothing).
fn postal_country(value: &str) -> Option<&'static str> {
    let v = value.trim().to_ascii_uppercase();
    let b = v.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let letter = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphabetic);
    // A1A 1A1 / A1A1A1
    let compact: Vec<u8> = b.iter().copied().filter(|c| *c != b' ').collect();
    let c_digit = |i: usize| compact.get(i).is_some_and(u8::is_ascii_digit);
    let c_letter = |i: usize| compact.get(i).is_some_and(u8::is_ascii_alphabetic);
    if compact.len() == 6 && (0..6).all(|i| if i % 2 == 0 { c_letter(i) } else { c_digit(i) }) {
        return Some("CA");
    }
    // 12345-6789
    if b.len() == 10 && b[5] == b'-' && (0..5).chain(6..10).all(digit) {
        return Some("US");
    }
    // 1234 AB
    if compact.len() == 6 && (0..4).all(c_digit) && (4..6).all(c_letter) {
        return Some("NL");
    }
    // British: outward code (A9, A99, AA9, AA99, A9A, AA9A), a space, inward code (9AA).
    if let Some((out, inward)) = v.split_once(' ') {
        let ib = inward.as_bytes();
        let inward_ok =
            ib.len() == 3 && ib[0].is_ascii_digit() && ib[1..].iter().all(u8::is_ascii_alphabetic);
        let ob = out.as_bytes();
        let outward_ok = (2..=4).contains(&ob.len())
            && ob[0].is_ascii_alphabetic()
            && ob.iter().all(u8::is_ascii_alphanumeric)
            && ob.iter().any(u8::is_ascii_digit);
        if inward_ok && outward_ok && letter(0) {
            return Some("GB");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::InferredKind;

    fn file(columns: Vec<SourceColumn>) -> SourceFile {
        SourceFile { name: "contacts.csv".into(), rows: None, columns }
    }

    #[test]
    fn a_country_column_tells_first() {
        let f = file(vec![
            SourceColumn::from_values("COUNTRY", &["Canada", "CA", "USA", "canada"], InferredKind::Text),
            SourceColumn::from_values("PHONE", &["+49 30 1234567"], InferredKind::Phone),
        ]);
        let g = guess(&[f]).unwrap();
        assert_eq!(g.code, "CA");
        assert!(g.reason.contains("`COUNTRY` column"), "{}", g.reason);
    }

    #[test]
    fn phone_prefixes_then_postal_codes_tell() {
        let f = file(vec![SourceColumn::from_values(
            "PHONE",
            &["+44 20 7946 0958", "+44 161 496 0000", "0161 496 0001", "+49 30 1234567"],
            InferredKind::Text,
        )]);
        let g = guess(&[f]).unwrap();
        assert_eq!(g.code, "GB");
        assert!(g.reason.contains("phone prefixes"), "{}", g.reason);
        let f =
            file(vec![SourceColumn::from_values("ZIP", &["M5V 2T6", "K1A0B1", "90210"], InferredKind::Text)]);
        assert_eq!(guess(&[f]).unwrap().code, "CA");
        let f = file(vec![SourceColumn::from_values("ZIP", &["90210", "10115"], InferredKind::Zip)]);
        assert_eq!(guess(&[f]), None);
    }

    #[test]
    fn codes_are_checked() {
        assert_eq!(parse_code("ca"), Ok("CA".to_string()));
        assert_eq!(parse_code("XX"), Err(UnknownCountry { code: "XX".to_string() }));
        assert!(parse_code("CAN").is_err());
        assert_eq!(postal_country("SW1A 1AA"), Some("GB"));
        assert_eq!(postal_country("12345-6789"), Some("US"));
        assert_eq!(postal_country("1012 AB"), Some("NL"));
    }
}
