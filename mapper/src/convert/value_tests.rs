//! Tests of the value converters.

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
    // A whole number written as a float loses nothing; a fraction would.
    assert_eq!(parse_integer("12.0"), Ok(12));
    assert!(parse_integer("12.5").is_err());
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
    let err = ValueConverter::compile(&Converter::timestamp("%Y-%m-%d %H:%M", "Mars/Olympus")).unwrap_err();
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
    let table = BTreeMap::from([("Y".to_string(), true), ("N".to_string(), false), ("n".to_string(), true)]);
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

#[test]
fn the_currency_of_an_amount_is_named_by_its_sign_or_code() {
    for (text, want) in [
        ("$12", Some("USD")),
        ("USD 12", Some("USD")),
        ("(1,234.50 $)", Some("USD")),
        ("1.234,50 €", Some("EUR")),
        ("-£5", Some("GBP")),
        ("CA$ 10", Some("CAD")),
        ("12.5", None),
    ] {
        assert_eq!(currency_of(text), want, "{text}");
    }
}

#[test]
fn whole_numbers_written_as_floats_read_as_whole_numbers() {
    assert_eq!(whole_of("2.0"), "2");
    assert_eq!(whole_of("4165550101.00"), "4165550101");
    for kept in ["2.5", "2.", ".0", "1.0.0", "ab.0", "2"] {
        assert_eq!(whole_of(kept), kept);
    }
    assert_eq!(parse_integer("2.0").unwrap(), 2);
    assert_eq!(parse_integer("-12.000").unwrap(), -12);
    assert!(parse_integer("2.5").is_err());
}
