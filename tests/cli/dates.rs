//! Dates in several formats (issue 11, point 1): a converter takes an ordered
//! list of formats, `profile` counts every format of a column and flags
//! day/month ambiguity, `map --auto` proposes the list and says why it
//! ordered an ambiguous pair as it did (the values above 12, else the
//! country: `--country`, or guessed from the data).

use crate::import::pack;
use crate::util::{Sandbox, stderr, stdout};

/// One birth date in each of four formats, Outlook's "no birthday" (a null
/// value), and two more that only one format reads.
const MIXED: &str = "ID,Last,Birth Date,Info\n\
    1,Ames,1980-03-04,1980-03-04\n\
    2,Baker,04.03.1980,04.03.1980\n\
    3,Cole,03/04/1980,03/04/1980\n\
    4,Dunn,19800304,19800304\n\
    5,Eve,0/0/00,0/0/00\n\
    6,Fox,1975-12-31,1975-12-31\n\
    7,Gray,25.12.1975,25.12.1975\n";

fn map_auto(sb: &Sandbox, extra: &[&str]) -> std::process::Output {
    sb.ferry()
        .args(["map", "--data", "data", "--target", "contacts", "--auto", "--out", "m.json"])
        .args(extra)
        .output()
        .unwrap()
}

fn template(sb: &Sandbox) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(sb.join("m.json")).unwrap()).unwrap()
}

/// The mapping of `column` in the first file of the saved template.
fn mapping(t: &serde_json::Value, column: &str) -> serde_json::Value {
    t["files"][0]["mappings"].as_array().unwrap().iter().find(|m| m["column"] == column).unwrap().clone()
}

#[test]
fn map_auto_proposes_the_formats_in_order_and_pack_and_import_keep_every_row_and_date() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", MIXED);
    let out = map_auto(&sb, &[]);
    let talk = stderr(&out);
    assert!(out.status.success(), "{talk}");
    let t = template(&sb);
    let born = mapping(&t, "Birth Date");
    assert_eq!(born["field"], "birthDate");
    assert_eq!(
        born["converter"]["formats"],
        serde_json::json!(["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d"])
    );
    assert!(born["converter"].get("format").is_none(), "{born}");
    assert!(t.get("country").is_none(), "{t}");
    assert!(talk.contains("country of the data: unknown"), "{talk}");
    assert!(
        talk.contains("tried in order `%Y-%m-%d`, then `%d.%m.%Y`, then `%d/%m/%Y`, then `%Y%m%d`"),
        "{talk}"
    );
    assert!(talk.contains("`%d/%m/%Y` before `%m/%d/%Y`: no value decides (1 fit both) and the data's country is unknown: day first"), "{talk}");
    // Outlook's "no birthday" is no date of any format: it is proposed as the
    // column's null value, so it is read as empty and warns of nothing.
    assert!(talk.contains("column `Birth Date`: `0/0/00` read as empty (`nullValues`)"), "{talk}");
    assert_eq!(born["nullValues"], serde_json::json!(["0/0/00"]), "{born}");
    // The same dates in a column named for nothing are never taken for phone numbers.
    let info = mapping(&t, "Info");
    assert_ne!(info["subcollection"], "Telcom", "{info}");

    let check = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&check);
    assert!(!text.contains("`0/0/00`"), "{text}");
    assert!(text.contains("7 rows, 0 rejected"), "{text}");
    assert!(text.contains("0 errors, 0 warnings"), "{text}");

    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let inspect = stdout(&sb.ferry().args(["inspect", "p.zip"]).output().unwrap());
    assert!(
        inspect.contains("date `%Y-%m-%d`, then `%d.%m.%Y`, then `%d/%m/%Y`, then `%Y%m%d`"),
        "{inspect}"
    );
    let run = sb.ferry().args(["import", "p.zip", "--description", "mixed"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let show = stdout(&sb.ferry().args(["jobs", "show", "mixed"]).output().unwrap());
    assert!(show.contains("7 read = 7 staged + 0 rejected"), "{show}");
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let mut stmt = conn.prepare("SELECT birth_date FROM staged ORDER BY line").unwrap();
    let dates: Vec<Option<String>> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let day = |s: &str| Some(s.to_string());
    assert_eq!(
        dates,
        vec![
            day("1980-03-04"),
            day("1980-03-04"),
            day("1980-04-03"), // 03/04/1980 read day first
            day("1980-03-04"),
            None,
            day("1975-12-31"),
            day("1975-12-25")
        ]
    );
}

#[test]
fn the_country_orders_an_ambiguous_pair_given_or_guessed_and_values_above_12_win_over_it() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "ID,Last,Birth Date\n1,Ames,03/04/1980\n2,Baker,05/06/1981\n");
    let out = map_auto(&sb, &["--country", "us"]);
    let talk = stderr(&out);
    assert!(out.status.success(), "{talk}");
    let t = template(&sb);
    assert_eq!(t["country"], "US");
    assert_eq!(mapping(&t, "Birth Date")["converter"]["format"], "%m/%d/%Y");
    assert!(talk.contains("country of the data: US (given with `--country`)"), "{talk}");
    assert!(talk.contains("the data's country is US, which writes the month first"), "{talk}");

    // Without `--country`: day first, or what the phone prefixes say.
    assert!(map_auto(&sb, &[]).status.success());
    assert_eq!(mapping(&template(&sb), "Birth Date")["converter"]["format"], "%d/%m/%Y");
    sb.write(
        "data/contacts.csv",
        "ID,Last,Birth Date,Phone\n1,Ames,03/04/1980,+1 212 555 0199\n2,Baker,05/06/1981,+1 646 555 0123\n",
    );
    let out = map_auto(&sb, &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["country"]["code"], "US", "{report}");
    assert!(report["country"]["reason"].as_str().unwrap().contains("phone prefixes"), "{report}");
    assert!(report["notes"][0].as_str().unwrap().contains("month first"), "{report}");
    assert_eq!(mapping(&template(&sb), "Birth Date")["converter"]["format"], "%m/%d/%Y");

    // A value with a day above 12 decides, whatever the country.
    sb.write("data/contacts.csv", "ID,Last,Birth Date\n1,Ames,03/04/1980\n2,Baker,25/06/1981\n");
    let out = map_auto(&sb, &["--country", "US"]);
    assert!(out.status.success());
    assert_eq!(mapping(&template(&sb), "Birth Date")["converter"]["format"], "%d/%m/%Y");
    assert!(
        stderr(&out).contains(
            "the values with a part above 12 decide (1 read only day first, 0 only month first; 1 fit both)"
        ),
        "{}",
        stderr(&out)
    );

    let bad = map_auto(&sb, &["--country", "Canada"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("`Canada` is not an ISO 3166 alpha-2 country code"), "{}", stderr(&bad));
}

#[test]
fn profile_reports_every_date_format_with_its_count_and_the_day_month_ambiguity() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", MIXED);
    let out = sb.ferry().args(["profile", "data"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("`Birth Date`: dates in 5 formats; 6 of 6 values read"), "{text}");
    // Outlook's "no birthday" is a value for "no value", not an unreadable date.
    assert!(text.contains("`Birth Date`: values for \"no value\" (read as empty; `map --auto` proposes them as `nullValues`): `0/0/00` 1"), "{text}");
    // Each format on a line of its own, with its count.
    let lines: Vec<String> =
        text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    for line in ["%Y-%m-%d 2", "%d.%m.%Y 2", "%d/%m/%Y 1", "%m/%d/%Y 1", "%Y%m%d 1"] {
        assert!(lines.iter().any(|l| l == line), "{line}\n{text}");
    }
    assert!(
        text.contains("ambiguous: %d/%m/%Y against %m/%d/%Y: 1 fit both, 0 only %d/%m/%Y, 0 only %m/%d/%Y"),
        "{text}"
    );

    let out = sb.ferry().args(["--json", "profile", "data"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json.as_array().cloned().unwrap_or_else(|| json["files"].as_array().unwrap().clone());
    let born =
        files[0]["columns"].as_array().unwrap().iter().find(|c| c["name"] == "Birth Date").unwrap().clone();
    let dates = &born["dates"];
    assert_eq!(dates["values"], 6);
    assert_eq!(dates["unreadable"], 0);
    assert_eq!(born["nulls"], serde_json::json!([{"value": "0/0/00", "count": 1}]));
    assert_eq!(dates["formats"][0], serde_json::json!({"format": "%Y-%m-%d", "count": 2}));
    assert_eq!(
        dates["ambiguities"][0],
        serde_json::json!({"day_first": "%d/%m/%Y", "month_first": "%m/%d/%Y", "both": 1, "only_day_first": 0, "only_month_first": 0})
    );
}

#[test]
fn a_template_gives_format_or_formats_and_each_format_is_checked_at_its_json_path() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "ID,Last,Born\n1,Ames,1980-03-04\n");
    let t = |converter: &str| {
        format!(
            r#"{{"formatVersion": 1, "target": "contacts", "files": [{{"name": "contacts.csv", "mappings": [
                {{"column": "Last", "field": "lastName"}},
                {{"column": "Born", "field": "birthDate", "converter": {converter}}}]}}]}}"#
        )
    };
    let check = || sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    sb.write("m.json", t(r#"{"kind": "date", "format": "%Y-%m-%d", "formats": ["%d.%m.%Y"]}"#));
    let out = check();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("/files/0/mappings/1/converter"), "{}", stderr(&out));

    sb.write("m.json", t(r#"{"kind": "date", "formats": ["%d.%m.%Y", "%Y-%m-%d\u0001"]}"#));
    let out = check();
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("files[0].mappings[1].converter.formats[1]"), "{all}");

    sb.write("m.json", t(r#"{"kind": "date", "formats": ["%d.%m.%Y", "%Y-%m-%d"]}"#));
    let out = check();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn placeholder_dates_are_never_stored_map_auto_reads_them_as_empty_and_a_template_without_that_warns() {
    let sb = Sandbox::new();
    // Legacy systems write their date type's first day for "no date"; two
    // unrelated people sharing it must not share a birth date.
    sb.write(
        "data/contacts.csv",
        "ID,Last,Birth Date\n1,Ames,01/01/1900\n2,Baker,03/15/1980\n3,Cole,12/31/9999\n4,Dunn,01/01/1900\n5,Eve,07/04/1976\n",
    );
    let out = map_auto(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out) + &stderr(&out);
    assert!(
        said.contains(
            "column `Birth Date`: `01/01/1900` is a date legacy systems write for no date: read as empty"
        ),
        "{said}"
    );
    let birth = mapping(&template(&sb), "Birth Date");
    assert_eq!(birth["nullValues"], serde_json::json!(["01/01/1900", "12/31/9999"]), "{birth}");
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    assert!(stdout(&out).contains("0 errors, 0 warnings"), "{}", stdout(&out));

    // A template made without them (by hand, or for another client) drops each with a warning.
    let mut t = template(&sb);
    for m in t["files"][0]["mappings"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("nullValues");
    }
    sb.write("m.json", serde_json::to_string_pretty(&t).unwrap());
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: `contacts.csv` line 2, column `Birth Date`: `01/01/1900` is 1900-01-01, a date legacy systems write for no date, so it is not kept as one (to read it as empty without a warning, give the mapping `\"nullValues\": [\"01/01/1900\"]`); the value is dropped (the field is left empty)"),
        "{text}"
    );
    assert!(text.contains("line 4, column `Birth Date`: `12/31/9999` is 9999-12-31"), "{text}");
    assert!(text.contains("0 errors, 3 warnings"), "{text}");
    let out = sb
        .ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--description", "t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let births: Vec<Option<String>> = sb
        .staged_records()
        .into_iter()
        .map(|(_, v)| v["f"]["birthDate"]["d"].as_str().map(str::to_string))
        .collect();
    let want = [None, Some("1980-03-15"), None, None, Some("1976-07-04")].map(|d| d.map(str::to_string));
    assert_eq!(births, want);
}
