//! Phone numbers: the one rule that reads them, shared by the `phone`
//! converter, the country guess of `map --auto` and the runner's matching.
//!
//! Numbers are read by the `phonenumber` library (libphonenumber's metadata),
//! for a default country when they carry no `+`. A valid number is written
//! in international form, "+ countryCode nationalDestinationCode
//! subscriberNumber" (004: `+1 416-555-0123`), or compared as E.164
//! (`+14165550123`).

use std::panic::{AssertUnwindSafe, catch_unwind};

pub use phonenumber::country::Id as Country;

/// A country code (ISO 3166 alpha-2, any case) the phone library knows.
pub fn country(code: &str) -> Option<Country> {
    code.trim().to_ascii_uppercase().parse::<Country>().ok()
}

/// A number read and found valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+1 416-555-0123`
    pub international: String,
    /// `+14165550123`
    pub e164: String,
    /// The country the number belongs to (`CA`), when the plan says.
    pub country: Option<String>,
    /// The extension (`23` of `416-555-0101 x23`), part of `international`.
    pub extension: Option<String>,
}

/// Reads `text` as a phone number of `default` (numbers with `+` or an
/// international prefix carry their own country); `None` when it is no valid
/// number. Never panics: the library has panicked on crafted input before,
/// and legacy data is untrusted.
pub fn parse(text: &str, default: Option<Country>) -> Option<Phone> {
    let t = text.trim();
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    catch_unwind(AssertUnwindSafe(|| {
        let n = phonenumber::parse(default, t).ok()?;
        n.is_valid().then(|| Phone {
            international: n.format().mode(phonenumber::Mode::International).to_string(),
            e164: n.format().mode(phonenumber::Mode::E164).to_string(),
            country: n.country().id().map(|c| c.as_ref().to_string()),
            extension: n.extension().map(|e| e.to_string()),
        })
    }))
    .ok()
    .flatten()
}

/// The form phones are compared in: E.164 when the number is valid, else its
/// digits (with a leading `+` if it had one), so unknown plans still compare
/// sensibly.
pub fn comparable(text: &str, default: Option<Country>) -> String {
    if let Some(p) = parse(text, default) {
        return p.e164;
    }
    let t = text.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        String::new()
    } else if t.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_become_international() {
        let ca = parse("(416) 555-0123", country("ca")).unwrap();
        assert_eq!(ca.international, "+1 416-555-0123");
        assert_eq!(ca.e164, "+14165550123");
        assert_eq!(ca.country.as_deref(), Some("CA"));
        let gb = parse("020 7946 0958", country("GB")).unwrap();
        assert_eq!(gb.international, "+44 20 7946 0958");
        let de = parse("030 1234567", country("DE")).unwrap();
        assert_eq!(de.e164, "+49301234567");
        // A `+` number needs no country.
        assert_eq!(parse("+1 212 555 0199", None).unwrap().country.as_deref(), Some("US"));
    }

    #[test]
    fn invalid_numbers_are_none() {
        assert_eq!(parse("123", country("CA")), None);
        assert_eq!(parse("416 555 0123", None), None);
        assert_eq!(parse("not a phone", country("DE")), None);
        assert_eq!(comparable("555-0100 x", None), "5550100");
        assert_eq!(country("ZZ"), None);
    }
}
