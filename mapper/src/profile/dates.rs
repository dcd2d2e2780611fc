//! The date formats of a column: every format its values are read by, with
//! counts, and the day/month ambiguity of each day-first/month-first pair
//! (`%d/%m/%Y` against `%m/%d/%Y`); then the ordered list of formats a date
//! converter should try ([`DateFormats::proposal`]).
//!
//! A value with a part above 12 fits only one format of a pair: such values
//! are the evidence for the order. When none decide, the country of the data
//! does (the United States write the month first, most others the day).

use serde::Serialize;

use super::infer::{DATE_FORMATS, parses_date, swapped};

/// Share of a column's values that must read as dates for it to count as a
/// date column, whatever mix of formats they use.
pub const DATE_SHARE: f64 = 0.8;

/// Unreadable values kept as examples.
const UNREADABLE_SHOWN: usize = 5;

/// The date formats seen in a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateFormats {
    /// Non-empty values looked at.
    pub values: u64,
    /// Every format that reads some value, with how many it reads; most first.
    /// A value both formats of an ambiguous pair read counts for each.
    pub formats: Vec<FormatCount>,
    /// Values no format reads (`0/0/00`).
    pub unreadable: u64,
    /// A few of them, first seen first.
    pub unreadable_examples: Vec<String>,
    /// Per day-first/month-first pair seen: how the values split.
    pub ambiguities: Vec<Ambiguity>,
}

/// A format and how many values it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormatCount {
    pub format: String,
    pub count: u64,
}

/// How the values of one day-first/month-first pair split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ambiguity {
    /// `%d/%m/%Y`
    pub day_first: String,
    /// `%m/%d/%Y`
    pub month_first: String,
    /// Values both read (day and month both ≤ 12): they do not decide.
    pub both: u64,
    /// Values only the day-first format reads (a first part above 12).
    pub only_day_first: u64,
    /// Values only the month-first format reads (a second part above 12).
    pub only_month_first: u64,
}

/// The formats a converter should try, in order, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub formats: Vec<String>,
    /// One sentence per decision taken (an ambiguous pair's order).
    pub reasons: Vec<String>,
}

/// Countries whose dates put the month first.
const MONTH_FIRST: &[&str] = &["US", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW", "PH"];

/// True when dates of `country` (ISO 3166 alpha-2) usually put the month first.
pub fn month_first(country: &str) -> bool {
    MONTH_FIRST.contains(&country.to_ascii_uppercase().as_str())
}

impl DateFormats {
    /// The formats of `values` (blank ones ignored), or `None` when fewer
    /// than [`DATE_SHARE`] of them read as dates.
    pub fn of(values: &[&str]) -> Option<DateFormats> {
        let mut counts = vec![0u64; DATE_FORMATS.len()];
        let mut pairs: Vec<(usize, usize, Ambiguity)> =
            pairs().map(|(d, m)| (d, m, Ambiguity::new(DATE_FORMATS[d], DATE_FORMATS[m]))).collect();
        let (mut seen, mut unreadable) = (0u64, 0u64);
        // Day numbers (`22666`) count as Excel serial dates only beside
        // values a date format reads: alone, they are more likely integers.
        let mut serials = 0u64;
        let mut examples: Vec<String> = Vec::new();
        for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            seen += 1;
            let cheap = v.len() <= 40 && v.bytes().any(|b| b.is_ascii_digit());
            let fits: Vec<bool> = DATE_FORMATS.iter().map(|f| cheap && parses_date(f, v)).collect();
            if !fits.contains(&true) {
                if crate::convert::serial::plausible(v) {
                    serials += 1;
                    continue;
                }
                unreadable += 1;
                if examples.len() < UNREADABLE_SHOWN && !examples.iter().any(|e| e == v) {
                    examples.push(v.to_string());
                }
                continue;
            }
            for (c, fit) in counts.iter_mut().zip(&fits) {
                *c += u64::from(*fit);
            }
            for (d, m, a) in &mut pairs {
                match (fits[*d], fits[*m]) {
                    (true, true) => a.both += 1,
                    (true, false) => a.only_day_first += 1,
                    (false, true) => a.only_month_first += 1,
                    (false, false) => {}
                }
            }
        }
        // Without a value a date format reads, the day numbers are no dates
        // either, and nothing here is a date column.
        if seen - unreadable - serials == 0 {
            return None;
        }
        if ((seen - unreadable) as f64) < DATE_SHARE * seen as f64 {
            return None;
        }
        let mut formats: Vec<FormatCount> = DATE_FORMATS
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c > 0)
            .map(|(f, c)| FormatCount { format: f.to_string(), count: *c })
            .collect();
        if serials > 0 {
            let format = crate::convert::serial::EXCEL.to_string();
            formats.push(FormatCount { format, count: serials });
        }
        // Most values first; ties keep the preference order of DATE_FORMATS.
        formats.sort_by_key(|f| std::cmp::Reverse(f.count));
        // A pair only one side of which ever reads a value is no ambiguity.
        let ambiguities = pairs.into_iter().map(|(_, _, a)| a).filter(|a| a.both > 0).collect();
        Some(DateFormats { values: seen, formats, unreadable, unreadable_examples: examples, ambiguities })
    }

    /// The formats to try, in order: most values first, each ambiguous pair
    /// ordered by its evidence (or by `country` when no value decides), and
    /// the second of a pair left out when no value needs it.
    pub fn proposal(&self, country: Option<&str>) -> Proposal {
        let mut formats: Vec<String> = self.formats.iter().map(|f| f.format.clone()).collect();
        let mut reasons = Vec::new();
        for a in &self.ambiguities {
            let (first, second, second_only, why) = if a.only_day_first > a.only_month_first {
                (&a.day_first, &a.month_first, a.only_month_first, a.evidence())
            } else if a.only_month_first > a.only_day_first {
                (&a.month_first, &a.day_first, a.only_day_first, a.evidence())
            } else {
                let us = country.is_some_and(month_first);
                let why = match country {
                    Some(c) if a.only_day_first == 0 => format!(
                        "no value decides ({} fit both); the data's country is {c}, which writes the {} first",
                        a.both,
                        if us { "month" } else { "day" }
                    ),
                    Some(c) => format!(
                        "the values that decide are split evenly ({} each way); the data's country is {c}, which writes the {} first",
                        a.only_day_first,
                        if us { "month" } else { "day" }
                    ),
                    None => format!(
                        "no value decides ({} fit both) and the data's country is unknown: day first, as most countries write it (give `--country US` for month first)",
                        a.both
                    ),
                };
                let (first, second) =
                    if us { (&a.month_first, &a.day_first) } else { (&a.day_first, &a.month_first) };
                let second_only = if us { a.only_day_first } else { a.only_month_first };
                (first, second, second_only, why)
            };
            let (Some(i), Some(j)) =
                (formats.iter().position(|f| f == first), formats.iter().position(|f| f == second))
            else {
                continue;
            };
            if j < i {
                formats.swap(i, j);
            }
            let tail = if second_only == 0 {
                formats.retain(|f| f != second);
                format!("`{second}` is left out: no value needs it")
            } else {
                format!("`{second}` follows for the {second_only} values only it reads")
            };
            reasons.push(format!("`{first}` before `{second}`: {why}; {tail}"));
        }
        Proposal { formats, reasons }
    }
}

impl Ambiguity {
    fn new(day_first: &str, month_first: &str) -> Ambiguity {
        Ambiguity {
            day_first: day_first.to_string(),
            month_first: month_first.to_string(),
            both: 0,
            only_day_first: 0,
            only_month_first: 0,
        }
    }

    /// The values above 12 that decide, in words.
    fn evidence(&self) -> String {
        format!(
            "the values with a part above 12 decide ({} read only day first, {} only month first; {} fit both)",
            self.only_day_first, self.only_month_first, self.both
        )
    }
}

/// The day-first/month-first pairs of [`DATE_FORMATS`], as indexes.
fn pairs() -> impl Iterator<Item = (usize, usize)> {
    DATE_FORMATS.iter().enumerate().filter(|(_, f)| f.starts_with("%d")).filter_map(|(d, f)| {
        let other = swapped(f)?;
        DATE_FORMATS.iter().position(|g| *g == other).map(|m| (d, m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &[&str] = &["1980-03-04", "04.03.1980", "03/04/1980", "19800304", "0/0/00", "1975-12-31"];

    #[test]
    fn every_format_is_counted_and_the_pair_flagged() {
        let d = DateFormats::of(MIXED).unwrap();
        assert_eq!(d.values, 6);
        assert_eq!(d.unreadable, 1);
        assert_eq!(d.unreadable_examples, vec!["0/0/00"]);
        let count = |f: &str| d.formats.iter().find(|c| c.format == f).map(|c| c.count);
        assert_eq!(count("%Y-%m-%d"), Some(2));
        assert_eq!(count("%d.%m.%Y"), Some(1));
        assert_eq!(count("%d/%m/%Y"), Some(1));
        assert_eq!(count("%m/%d/%Y"), Some(1));
        assert_eq!(count("%Y%m%d"), Some(1));
        assert_eq!(d.formats[0].format, "%Y-%m-%d");
        assert_eq!(
            d.ambiguities,
            vec![Ambiguity {
                day_first: "%d/%m/%Y".into(),
                month_first: "%m/%d/%Y".into(),
                both: 1,
                only_day_first: 0,
                only_month_first: 0
            }]
        );
    }

    #[test]
    fn the_country_orders_a_pair_no_value_decides() {
        let d = DateFormats::of(MIXED).unwrap();
        let p = d.proposal(None);
        assert!(p.formats.contains(&"%d/%m/%Y".to_string()));
        assert!(!p.formats.contains(&"%m/%d/%Y".to_string()));
        assert!(p.reasons[0].contains("country is unknown"), "{:?}", p.reasons);
        let us = d.proposal(Some("US"));
        assert!(us.formats.contains(&"%m/%d/%Y".to_string()));
        assert!(!us.formats.contains(&"%d/%m/%Y".to_string()));
        assert!(us.reasons[0].contains("country is US, which writes the month first"), "{:?}", us.reasons);
        assert_eq!(d.proposal(Some("DE")).formats, p.formats);
    }

    #[test]
    fn day_numbers_beside_dates_are_excel_serials_and_midnights_are_dates() {
        let d = DateFormats::of(&[
            "1980-12-31 00:00:00",
            "1975-03-04T00:00:00",
            "22666",
            "5/5/1955",
            "Jan  1 1980 12:00AM",
        ])
        .unwrap();
        assert_eq!(d.unreadable, 0, "{d:?}");
        let formats = d.proposal(Some("US")).formats;
        for f in ["%Y-%m-%d 00:00:00", "%Y-%m-%dT00:00:00", "excel", "%m/%d/%Y", "%b %d %Y 12:00AM"] {
            assert!(formats.iter().any(|g| g == f), "{f} not in {formats:?}");
        }
        // Day numbers alone are integers, not dates; a time of day is no midnight.
        assert_eq!(DateFormats::of(&["22666", "27457", "32000"]), None);
        assert_eq!(DateFormats::of(&["1980-12-31 14:30:00", "1975-03-04 09:00:00"]), None);
        assert_eq!(DateFormats::of(&["Dec 31 1980 2:30PM", "Jan  1 1980 9:00AM"]), None);
    }

    #[test]
    fn values_above_12_decide_and_keep_the_other_side_when_needed() {
        let d = DateFormats::of(&["03/04/1980", "03/25/1980", "12/31/1999", "25/03/1980"]).unwrap();
        let a = &d.ambiguities[0];
        assert_eq!((a.both, a.only_day_first, a.only_month_first), (1, 1, 2));
        let p = d.proposal(Some("DE"));
        assert_eq!(p.formats, vec!["%m/%d/%Y", "%d/%m/%Y"]);
        assert!(p.reasons[0].contains("1 read only day first, 2 only month first"), "{:?}", p.reasons);
        let one_way = DateFormats::of(&["03/04/1980", "25/03/1980"]).unwrap();
        assert_eq!(one_way.proposal(Some("US")).formats, vec!["%d/%m/%Y"]);
    }

    #[test]
    fn a_column_of_words_is_no_date_column() {
        assert_eq!(DateFormats::of(&["Ann", "Bob", "1980-03-04"]), None);
        assert_eq!(DateFormats::of(&[]), None);
    }
}
