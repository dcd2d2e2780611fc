//! Excel's serial dates: a spreadsheet saved to CSV writes a date cell whose
//! format was lost as its day number (`22666` is 1962-01-20). The date
//! converter reads them under the format name [`EXCEL`].

use jiff::civil::Date;

/// The format name of Excel serial day numbers in a date converter's formats.
pub const EXCEL: &str = "excel";

/// Serial day numbers read when profiling a column: 1 (1900-01-01) to 73,050
/// (2099-12-31). A converter reads up to 2,958,465 (9999-12-31), as Excel does.
pub const PLAUSIBLE: std::ops::RangeInclusive<u32> = 1..=73_050;

/// The date of an Excel serial day number in the 1900 date system, written
/// as digits with at most a zero fraction (`22666`, `22666.0`). Excel counts
/// the day 1900-02-29, which never was: serial 60 is no date, and serials
/// after it are one day ahead of a plain count.
pub fn date(text: &str) -> Option<Date> {
    let serial = serial(text)?;
    let epoch = match serial {
        1..=59 => jiff::civil::date(1899, 12, 31),
        61..=2_958_465 => jiff::civil::date(1899, 12, 30),
        _ => return None,
    };
    epoch.checked_add(jiff::Span::new().days(serial)).ok()
}

/// The day number `text` writes (digits, at most a zero fraction), whether
/// or not it is a date.
fn serial(text: &str) -> Option<i32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 7
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b == b'0')
    {
        return None;
    }
    whole.parse().ok()
}

/// True when `text` is a serial day number a profiled date column plausibly
/// holds (see [`PLAUSIBLE`]).
pub fn plausible(text: &str) -> bool {
    serial(text).is_some_and(|n| n != 60 && u32::try_from(n).is_ok_and(|n| PLAUSIBLE.contains(&n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as d;

    #[test]
    fn serials_count_days_as_excel_does() {
        assert_eq!(date("1"), Some(d(1900, 1, 1)));
        assert_eq!(date("59"), Some(d(1900, 2, 28)));
        assert_eq!(date("60"), None, "1900-02-29 never was");
        assert_eq!(date("61"), Some(d(1900, 3, 1)));
        assert_eq!(date("22666"), Some(d(1962, 1, 20)));
        assert_eq!(date("22666.0"), Some(d(1962, 1, 20)));
        assert_eq!(date("45658"), Some(d(2025, 1, 1)));
        assert_eq!(date("2958465"), Some(d(9999, 12, 31)));
        for bad in ["0", "2958466", "22666.5", "-5", "", ".0", "1e4", "22 666"] {
            assert_eq!(date(bad), None, "{bad}");
        }
        assert!(plausible("22666") && plausible("22666.0") && !plausible("99999") && !plausible("0"));
        assert!(!plausible("60") && plausible("59") && plausible("61") && !plausible("22666.5"));
    }
}
