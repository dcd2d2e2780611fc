//! Matching: worked examples of scoring (per-field weights summed into a
//! quality, then classed), class → action rules, agreement
//! rules, profiles and their schema, candidate generation against brute
//! force, and quality on generated people with ground truth.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ferry_mapper::progress::NoReporter;
use ferry_mapper::record::{Instance, Record, Value};
use ferry_runner::matching::candidates::{self, Component};
use ferry_runner::matching::learn;
use ferry_runner::matching::profile::{Agreement, Level, Normalize, Probabilistic, RecordKind};
use ferry_runner::matching::{
    Comparer, Decision, MatchClass, MatchInput, MatchOutcome, MatchingProfile, match_records,
};
use ferry_synth::{self as synth, SynthOptions};

fn contacts() -> Comparer {
    Comparer::new(&MatchingProfile::bundled("contacts").unwrap())
}

fn leads() -> Comparer {
    Comparer::new(&MatchingProfile::bundled("leads").unwrap())
}

fn record(fields: &[(&str, &str)]) -> Record {
    let mut r = Record::default();
    for (k, v) in fields {
        let value =
            if *k == "birthDate" { Value::Date(v.parse().unwrap()) } else { Value::Text(v.to_string()) };
        r.fields.insert(k.to_string(), value);
    }
    r
}

fn with_zip(mut r: Record, zip: &str) -> Record {
    r.instances.push(address("Home", zip, None));
    r
}

fn address(type_name: &str, zip: &str, primary: Option<bool>) -> Instance {
    let mut attributes = BTreeMap::new();
    attributes.insert("zip".to_string(), Value::Text(zip.to_string()));
    if let Some(p) = primary {
        attributes.insert("primary".to_string(), Value::Boolean(p));
    }
    Instance { subcollection: "Address".into(), type_name: type_name.into(), instance: 1, attributes }
}

fn quality(c: &Comparer, a: &Record, b: &Record) -> u32 {
    c.score(&c.prepare(a), &c.prepare(b)).quality
}

/// Matches one staged record against existing ones and returns its outcome.
fn outcome(c: &Comparer, staged: &Record, existing: &[Record]) -> MatchOutcome {
    let s = [MatchInput { id: 0, prepared: c.prepare(staged) }];
    let e: Vec<MatchInput> = existing
        .iter()
        .enumerate()
        .map(|(i, r)| MatchInput { id: i as i64 + 1, prepared: c.prepare(r) })
        .collect();
    match_records(c, &s, Some(&e), &NoReporter).outcomes.remove(0)
}

// --- worked examples: a pair's quality from its agreeing fields, its class and action ---

#[test]
fn contact_only_gender_agrees_is_5_non_match_create() {
    let c = contacts();
    let a = with_zip(
        record(&[
            ("firstName", "Anna"),
            ("lastName", "Kowalski"),
            ("birthDate", "1970-01-01"),
            ("gender", "Female"),
        ]),
        "M5V 2T6",
    );
    let b = with_zip(
        record(&[
            ("firstName", "Mary"),
            ("lastName", "Tremblay"),
            ("birthDate", "1985-06-23"),
            ("gender", "Female"),
        ]),
        "H2X 1Y4",
    );
    assert_eq!(quality(&c, &a, &b), 5);
    assert_eq!(c.profile().classify(5), MatchClass::NonMatch);
    assert_eq!(MatchClass::NonMatch.proposed_action(), Decision::Create);
}

#[test]
fn contact_last_name_birth_date_zip_is_75_match_merge() {
    let c = contacts();
    let existing = with_zip(
        record(&[
            ("firstName", "Robert"),
            ("lastName", "Gagnon"),
            ("birthDate", "1962-04-17"),
            ("gender", "Male"),
        ]),
        "G1R 4P5",
    );
    let staged = with_zip(
        record(&[
            ("firstName", "Lucie"),
            ("lastName", "Gagnon"),
            ("birthDate", "1962-04-17"),
            ("gender", "Female"),
        ]),
        "G1R 4P5",
    );
    assert_eq!(quality(&c, &staged, &existing), 75);
    let o = outcome(&c, &staged, &[existing]);
    assert_eq!((o.class, o.proposed, o.merge_with), (MatchClass::Match, Decision::Merge, Some(0)));
    assert_eq!(o.candidates[0].quality, 75);
    assert_eq!(o.proposed.label(RecordKind::Contacts), "Merge");
}

#[test]
fn the_75_example_explains_itself_field_by_field() {
    let c = contacts();
    let a = with_zip(
        record(&[
            ("firstName", "Robert"),
            ("lastName", "Gagnon"),
            ("birthDate", "1962-04-17"),
            ("gender", "Male"),
        ]),
        "G1R 4P5",
    );
    let b = with_zip(
        record(&[
            ("firstName", "Lucie"),
            ("lastName", "Gagnon"),
            ("birthDate", "1962-04-17"),
            ("gender", "Female"),
        ]),
        "g1r4p5",
    );
    let e = c.explain(&c.prepare(&a), &c.prepare(&b));
    let got: Vec<(Level, f64)> = e.fields.iter().map(|f| (f.level, f.contribution)).collect();
    use Level::*;
    assert_eq!(got, vec![(Else, 0.0), (Exact, 30.0), (Exact, 30.0), (Else, 0.0), (Exact, 15.0)]);
    assert_eq!(e.quality, 75);
    let d = |s: &str| record(&[("lastName", "Rossi"), ("birthDate", s)]);
    let e = c.explain(&c.prepare(&d("1980-03-04")), &c.prepare(&d("1980-04-03")));
    assert_eq!((e.fields[2].level, e.fields[2].contribution, e.quality), (DayMonthSwap, 15.0, 45));
    assert_eq!(e.fields[0].level, Missing);
    let swapped = c.explain(
        &c.prepare(&record(&[("firstName", "Nguyen"), ("lastName", "Thanh")])),
        &c.prepare(&record(&[("firstName", "Thanh"), ("lastName", "Nguyen")])),
    );
    assert_eq!((swapped.fields[0].level, swapped.fields[1].level, swapped.quality), (Swapped, Swapped, 50));
}

#[test]
fn lead_only_work_phone_agrees_is_40_non_match_create_new_lead() {
    let c = leads();
    let a = record(&[
        ("firstName", "Pat"),
        ("lastName", "Ng"),
        ("phone", "416-555-0100"),
        ("email", "pat@a.com"),
    ]);
    let b = record(&[
        ("firstName", "Sam"),
        ("lastName", "Roy"),
        ("phone", "+1 (416) 555 0100"),
        ("email", "sam@b.com"),
    ]);
    assert_eq!(quality(&c, &a, &b), 40);
    let o = outcome(&c, &a, &[b]);
    assert_eq!(o.class, MatchClass::NonMatch);
    assert!(o.candidates.is_empty(), "below the potential threshold nothing is a candidate");
    assert_eq!(o.proposed.label(RecordKind::Leads), "Create new lead");
}

#[test]
fn lead_email_phone_and_one_name_is_85_match_associate_lead() {
    let c = leads();
    let existing = record(&[
        ("firstName", "Dana"),
        ("lastName", "Whitfield"),
        ("phone", "(416) 555-0199"),
        ("email", "Dana.W@Example.com "),
    ]);
    for staged in [
        record(&[
            ("firstName", "Dana"),
            ("lastName", "Morgan"),
            ("phone", "416.555.0199"),
            ("email", "dana.w@example.com"),
        ]),
        record(&[
            ("firstName", "Kim"),
            ("lastName", "Whitfield"),
            ("phone", "+14165550199"),
            ("email", "dana.w@example.com"),
        ]),
    ] {
        assert_eq!(quality(&c, &staged, &existing), 85);
        let o = outcome(&c, &staged, std::slice::from_ref(&existing));
        assert_eq!((o.class, o.proposed), (MatchClass::Match, Decision::Merge));
        assert_eq!(o.proposed.label(RecordKind::Leads), "Associate lead");
    }
}

// --- class → action rules ---

#[test]
fn classes_follow_the_thresholds_and_propose_their_actions() {
    let p = MatchingProfile::bundled("contacts").unwrap();
    assert_eq!((p.thresholds.match_, p.thresholds.potential), (75, 50));
    assert_eq!(p.classify(100), MatchClass::Match);
    assert_eq!(p.classify(75), MatchClass::Match);
    assert_eq!(p.classify(74), MatchClass::Potential);
    assert_eq!(p.classify(50), MatchClass::Potential);
    assert_eq!(p.classify(49), MatchClass::NonMatch);
    assert_eq!(p.classify(0), MatchClass::NonMatch);
    assert_eq!(MatchClass::Match.proposed_action(), Decision::Merge);
    assert_eq!(MatchClass::Potential.proposed_action(), Decision::Create);
    assert_eq!(MatchClass::NonMatch.proposed_action(), Decision::Create);
}

#[test]
fn potential_match_proposes_create_but_keeps_its_candidate() {
    let c = contacts();
    let existing = record(&[("firstName", "Maria"), ("lastName", "Rossi"), ("birthDate", "1990-02-03")]);
    let staged = record(&[("firstName", "Maria"), ("lastName", "Rossi"), ("birthDate", "1971-11-29")]);
    let o = outcome(&c, &staged, &[existing]);
    assert_eq!((o.class, o.proposed, o.merge_with), (MatchClass::Potential, Decision::Create, None));
    assert_eq!(o.candidates.len(), 1);
    assert_eq!(o.candidates[0].quality, 50);
}

#[test]
fn match_merges_with_the_best_and_ties_go_to_the_lower_id() {
    let c = contacts();
    let staged = with_zip(
        record(&[
            ("firstName", "John"),
            ("lastName", "Smith"),
            ("birthDate", "1980-05-06"),
            ("gender", "Male"),
        ]),
        "K1A 0B1",
    );
    let weaker = record(&[("firstName", "John"), ("lastName", "Smith"), ("birthDate", "1980-05-06")]); // 80
    let best_a = with_zip(weaker.clone(), "K1A0B1"); // 95
    let best_b = with_zip(weaker.clone(), "k1a 0b1"); // 95, tie
    let o = outcome(&c, &staged, &[weaker, best_b, best_a]);
    let got: Vec<(usize, u32)> = o.candidates.iter().map(|c| (c.index, c.quality)).collect();
    assert_eq!(got, vec![(1, 95), (2, 95), (0, 80)]);
    assert_eq!(o.merge_with, Some(1));
}

#[test]
fn candidates_are_capped_at_the_profile_count() {
    let c = contacts();
    let staged = record(&[("firstName", "Wei"), ("lastName", "Chen")]);
    let existing: Vec<Record> =
        (0..9).map(|_| record(&[("firstName", "Wei"), ("lastName", "Chen")])).collect();
    let o = outcome(&c, &staged, &existing);
    assert_eq!(o.candidates.iter().map(|c| c.index).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
}

#[test]
fn action_labels_parse_back_for_each_kind() {
    for kind in [RecordKind::Contacts, RecordKind::Leads] {
        for a in [Decision::Create, Decision::Merge, Decision::Delete] {
            assert_eq!(Decision::parse(a.label(kind), kind), Some(a));
        }
    }
    assert_eq!(Decision::parse("Delete staged", RecordKind::Contacts), Some(Decision::Delete));
    assert_eq!(Decision::parse("discard lead", RecordKind::Leads), Some(Decision::Delete));
    assert_eq!(Decision::parse("merge", RecordKind::Leads), Some(Decision::Merge));
    assert_eq!(Decision::parse("explode", RecordKind::Leads), None);
}

// --- agreement rules ---

#[test]
fn names_ignore_case_accents_spacing_and_one_typo() {
    let c = contacts();
    let n = |s: &str| c.normalize(Normalize::Name, s).unwrap();
    assert_eq!(n("  Côté "), n("COTE"));
    assert_eq!(n("Van der Berg"), n("vanderberg"));
    assert_eq!(n("O'Brien"), n("OBrien"));
    let typo = Agreement::Typo { min_length: 4 };
    let agree = |a: &str, b: &str| ferry_runner::matching::compare::agree(typo, &n(a), &n(b));
    assert!(agree("Jonathan", "Jonathon")); // replaced
    assert!(agree("Smith", "Smyth"));
    assert!(agree("Thomas", "Tomas")); // dropped
    assert!(agree("Bouchard", "Bouchardd")); // added
    assert!(agree("Gagnon", "Gangon")); // neighbours swapped
    assert!(!agree("Gagnon", "Gnagon")); // two edits
    assert!(!agree("Jonathan", "Jonathen2")); // two edits
    assert!(!agree("Ann", "Anne"), "short names need both at least 4 characters to tolerate a typo");
    assert!(agree("Ann", "ANN"));
}

#[test]
fn swapped_first_and_last_name_agree_on_both() {
    let c = contacts();
    let a = record(&[("firstName", "Nguyen"), ("lastName", "Thanh")]);
    let b = record(&[("firstName", "Thanh"), ("lastName", "Nguyen")]);
    assert_eq!(quality(&c, &a, &b), 50);
    let typo = record(&[("firstName", "Thahn"), ("lastName", "Nguyen")]);
    assert_eq!(quality(&c, &a, &typo), 50, "a swap tolerates a typo too");
    let half = record(&[("firstName", "Nguyen"), ("lastName", "Nguyen")]);
    assert_eq!(quality(&c, &b, &half), 30, "only the straight last name agrees: a half swap is no swap");
}

#[test]
fn dates_tolerate_a_day_month_swap_and_one_wrong_digit() {
    let c = contacts();
    let d = |s: &str| record(&[("birthDate", s)]);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-03-04")), 30);
    // The default profile counts a near agreement at its tolerant weight (15):
    // full weight let namesakes born days apart pass as a Match.
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-04-03")), 15);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1981-03-04")), 15);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-03-09")), 15);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1981-03-05")), 0, "two digits");
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-04-13")), 0, "a swap and a digit");
}

#[test]
fn a_tolerant_weight_scores_near_agreement_lower_than_equality() {
    let mut p = MatchingProfile::bundled("contacts").unwrap();
    p.fields[2].tolerant_weight = Some(20);
    let c = Comparer::new(&p);
    let d = |s: &str| record(&[("lastName", "Rossi"), ("birthDate", s)]);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-03-04")), 60);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-03-07")), 50);
    assert_eq!(quality(&c, &d("1980-03-04"), &d("1980-04-03")), 50);
    p.fields[2].tolerant_weight = Some(31);
    let e = MatchingProfile::from_json(&p.to_json(), Path::new("p.json")).unwrap_err().to_string();
    assert!(e.contains("`tolerantWeight` 31 is above its `weight` 30"), "{e}");
}

#[test]
fn phones_compare_as_e164_and_emails_lower_cased() {
    let c = leads();
    let p = |s: &str| c.normalize(Normalize::Phone, s).unwrap();
    assert_eq!(p("(416) 555-0100"), "+14165550100");
    assert_eq!(p("416.555.0100"), "+14165550100");
    assert_eq!(p("+1 416 555 0100"), "+14165550100");
    assert_eq!(p("+49 30 1234567"), "+49301234567");
    assert_eq!(p("12-34"), "1234", "unreadable numbers fall back to their digits");
    assert_eq!(c.normalize(Normalize::Email, "  Pat.Ng@Example.COM "), Some("pat.ng@example.com".into()));
    // An address stored as text, as a mail client or a link wrote it, compares as the address.
    for raw in ["mailto:Pat.Ng@example.com", "Pat Ng <pat.ng@example.com>", "pat.ng@example.com;"] {
        assert_eq!(c.normalize(Normalize::Email, raw), Some("pat.ng@example.com".into()), "{raw}");
    }
    assert_eq!(c.normalize(Normalize::Email, "no address"), Some("no address".into()));
}

#[test]
fn zip_comes_from_the_primary_address_else_home_else_first() {
    let c = contacts();
    let zip = |instances: Vec<Instance>| {
        let r = Record { fields: BTreeMap::new(), instances };
        c.prepare(&r).values[4].as_deref().map(str::to_string)
    };
    let (biz, home, vac) = (
        address("Business", "B1B 1B1", None),
        address("Home", "H1H 1H1", None),
        address("Vacation", "V1V 1V1", None),
    );
    assert_eq!(
        zip(vec![biz.clone(), home.clone(), address("Vacation", "V1V 1V1", Some(true))]).as_deref(),
        Some("V1V1V1")
    );
    assert_eq!(zip(vec![biz.clone(), home.clone()]).as_deref(), Some("H1H1H1"));
    assert_eq!(zip(vec![biz.clone(), vac]).as_deref(), Some("B1B1B1"));
    assert_eq!(zip(vec![]), None);
    // A primary address without a zip gives way to one that has it.
    let mut empty_primary = address("Home", "", Some(true));
    empty_primary.attributes.remove("zip");
    assert_eq!(zip(vec![empty_primary, biz]).as_deref(), Some("B1B1B1"));
}

#[test]
fn missing_and_unknown_values_never_agree() {
    let c = contacts();
    let a = record(&[("gender", "Unknown")]);
    assert_eq!(quality(&c, &a, &a.clone()), 0);
    assert_eq!(quality(&c, &Record::default(), &Record::default()), 0);
}

// --- profiles and schema ---

#[test]
fn bundled_profiles_carry_the_seed_weights() {
    let weights = |kind: &str| {
        MatchingProfile::bundled(kind)
            .unwrap()
            .fields
            .iter()
            .map(|f| (f.label.clone(), f.weight))
            .collect::<Vec<_>>()
    };
    let s = |v: &[(&str, u32)]| v.iter().map(|(l, w)| (l.to_string(), *w)).collect::<Vec<_>>();
    assert_eq!(
        weights("contacts"),
        s(&[
            ("First Name", 20),
            ("Last Name", 30),
            ("Birth Date", 30),
            ("Gender", 5),
            ("Zip of primary address", 15)
        ])
    );
    assert_eq!(
        weights("leads"),
        s(&[("First Name", 15), ("Last Name", 15), ("Work Phone", 40), ("Email", 30)])
    );
}

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

#[test]
fn matching_schema_is_fresh() {
    let generated = ferry_mapper::schema::schema_json::<MatchingProfile>();
    let path = repo("schemas/matching.schema.json");
    if std::env::var_os("FERRY_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "stale `schemas/matching.schema.json`: run `FERRY_BLESS=1 cargo test -p ferry-runner --test matching schema`"
    );
}

#[test]
fn profile_files_load_and_round_trip() {
    for kind in ["contacts", "leads"] {
        let p = MatchingProfile::load(&repo(&format!("templates/matching/{kind}.json"))).unwrap();
        let again = MatchingProfile::from_json(&p.to_json(), Path::new("again.json")).unwrap();
        assert_eq!(p, again);
    }
}

#[test]
fn bad_profiles_are_rejected_with_where_and_what() {
    let base = MatchingProfile::bundled("contacts").unwrap().to_json();
    let err = |text: &str| MatchingProfile::from_json(text, Path::new("p.json")).unwrap_err().to_string();
    let e = err(&base.replace("\"weight\": 20", "\"wieght\": 20"));
    assert!(e.contains("p.json") && e.contains("/fields/0") && e.contains("wieght"), "{e}");
    let e = err(&base.replace("\"swapWith\": \"lastName\"", "\"swapWith\": \"surname\""));
    assert!(e.contains("`surname`") && e.contains("not a field"), "{e}");
    let e = err(&base.replace("\"potential\": 50", "\"potential\": 90"));
    assert!(e.contains("below"), "{e}");
    // The rules the schema cannot say name where they are broken, as a JSON pointer.
    let at = |text: &str| match MatchingProfile::from_json(text, Path::new("p.json")).unwrap_err() {
        ferry_runner::matching::Error::Profile { at, .. } => at,
        other => panic!("{other}"),
    };
    assert_eq!(at(&base.replace("\"potential\": 50", "\"potential\": 90")), "/thresholds/match");
    let swap = base.find("\"swapWith\": \"lastName\"").unwrap();
    let field = base[..swap].matches("\"name\":").count() - 1;
    assert_eq!(
        at(&base.replace("\"swapWith\": \"lastName\"", "\"swapWith\": \"surname\"")),
        format!("/fields/{field}/swapWith")
    );
}

// --- candidate generation ---

#[test]
fn default_contact_plans_cover_the_minimal_field_sets() {
    let c = contacts();
    let plans = candidates::plans(&c);
    let got: Vec<Vec<Component>> = plans.into_iter().map(|p| p.components).collect();
    use Component::{Exact, Field, Pair};
    // first+last (either order), first+birth, last+birth, last+zip+gender,
    // birth+zip+gender. A birth date one digit off or with day and month
    // swapped weighs 15, not 30: the sets that need 30 key on the date
    // itself, and those that reach 50 with 15 take a third field.
    let mut want = vec![
        vec![Pair(0, 1)],
        vec![Field(0), Exact(2)],
        vec![Field(1), Exact(2)],
        vec![Field(1), Field(3), Field(4)],
        vec![Field(3), Field(4), Exact(2)],
        vec![Field(0), Field(2), Field(4)],
        vec![Field(1), Field(2), Field(3)],
        vec![Field(1), Field(2), Field(4)],
    ];
    want.sort();
    let mut got = got;
    got.sort();
    assert_eq!(got, want);
}

mod property {
    use super::*;
    use ferry_runner::matching::Limits;
    use proptest::prelude::*;

    /// Candidate generation against all-pairs scoring: the same candidates
    /// when no block was split (and then nothing counted as uncompared); when
    /// blocks were split, every candidate it missed is among the pairs it
    /// counted as uncompared.
    fn lossless_or_counted(
        fast: &candidates::Found,
        slow: &[Vec<candidates::Candidate>],
        max_block_pairs: u64,
    ) -> Result<(), TestCaseError> {
        if max_block_pairs == u64::MAX || fast.split_blocks == 0 {
            prop_assert_eq!(fast.split_blocks, 0);
            prop_assert_eq!(fast.uncompared, 0);
            prop_assert_eq!(&fast.lists[..], slow);
            return Ok(());
        }
        let missed = slow
            .iter()
            .zip(&fast.lists)
            .map(|(want, got)| want.iter().filter(|c| !got.iter().any(|g| g.index == c.index)).count() as u64)
            .sum::<u64>();
        prop_assert!(missed <= fast.uncompared, "missed {} > uncompared {}", missed, fast.uncompared);
        Ok(())
    }

    const FIRST: &[&str] = &["anna", "anne", "ann", "jon", "john", "joan", "maria", "mario", "li", "lee"];
    const LAST: &[&str] =
        &["smith", "smyth", "smithe", "nguyen", "ng", "roy", "rossi", "rosi", "anna", "john"];
    const DATES: &[&str] = &[
        "1980-03-04",
        "1980-04-03",
        "1981-03-04",
        "1980-03-14",
        "1908-03-04",
        "1980-12-11",
        "1980-11-12",
        "1990-01-01",
    ];
    const ZIPS: &[&str] = &["K1A 0B1", "k1a0b1", "H2X 1Y4", "M5V 2T6"];
    const GENDERS: &[&str] = &["Male", "Female", "Unknown"];

    fn pick<'a>(pool: &'a [&'a str]) -> impl Strategy<Value = Option<String>> + 'a {
        prop_oneof![1 => Just(None), 4 => (0..pool.len(), 0..6usize, 0..26u8).prop_map(move |(i, edit, ch)| {
            // Sometimes one more typo, so tolerant keys meet unseen values.
            let mut s: Vec<char> = pool[i].chars().collect();
            let n = s.len();
            if edit == 0 && n > 0 { s[ch as usize % n] = (b'a' + ch) as char; }
            if edit == 1 && n > 1 { s.remove(ch as usize % n); }
            Some(s.into_iter().collect())
        })]
    }

    fn person() -> impl Strategy<Value = Record> {
        (pick(FIRST), pick(LAST), pick(DATES), pick(GENDERS), pick(ZIPS)).prop_map(|(f, l, d, g, z)| {
            let mut r = Record::default();
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    r.fields.insert(k.to_string(), Value::Text(v));
                }
            };
            let email = f.as_ref().map(|f| format!("{f}@example.com"));
            put("firstName", f);
            put("lastName", l);
            put("birthDate", d);
            put("gender", g);
            if let Some(z) = z {
                r.instances.push(address("Home", &z, None));
            }
            if let Some(e) = email {
                let mut attributes = BTreeMap::new();
                attributes.insert("value".to_string(), Value::Text(e));
                r.instances.push(Instance {
                    subcollection: "Telcom".into(),
                    type_name: "Email".into(),
                    instance: 1,
                    attributes,
                });
            }
            r
        })
    }

    /// A profile with random weights and threshold over the contact fields.
    fn profile() -> impl Strategy<Value = MatchingProfile> {
        (prop::collection::vec((0u32..45, 0u32..45, any::<bool>()), 5), 1u32..90, 1usize..4, any::<bool>())
            .prop_map(|(w, potential, keep, swap)| {
                let mut p = MatchingProfile::bundled("contacts").unwrap();
                for (f, (w, t, tolerant)) in p.fields.iter_mut().zip(w) {
                    f.weight = w;
                    f.tolerant_weight = tolerant.then_some(t.min(w));
                }
                p.thresholds.potential = potential;
                p.thresholds.match_ = potential + 10;
                p.candidates = keep;
                if !swap {
                    p.fields[0].swap_with = None;
                }
                p
            })
    }

    /// A probabilistic profile over the contact fields (and e-mail, phone), as
    /// `ferry learn` writes them: random m and u per level, a random prior and
    /// potential threshold, term frequencies on or off.
    fn learned_profile() -> impl Strategy<Value = MatchingProfile> {
        let levels = prop::collection::vec((0.001f64..1.0, 0.0001f64..1.0), 7 * 6);
        (levels, -24.0f64..-6.0, 1u32..99, any::<bool>(), 1usize..4).prop_map(
            |(mu, prior_bits, potential, tf, keep)| {
                let mut p = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
                let mut k = 0;
                for f in &mut p.fields {
                    for l in &mut f.levels {
                        (l.m, l.u) = mu[k % mu.len()];
                        k += 1;
                    }
                    f.term_frequency = tf && f.term_frequency;
                }
                let prior = prior_bits.exp2();
                p.probabilistic = Some(Probabilistic { prior });
                p.thresholds.potential = potential;
                p.thresholds.match_ = potential.max(50);
                p.candidates = keep;
                p
            },
        )
    }

    fn inputs(c: &Comparer, records: &[Record], ids: &[i64]) -> Vec<MatchInput> {
        records.iter().zip(ids).map(|(r, id)| MatchInput { id: *id, prepared: c.prepare(r) }).collect()
    }

    /// A comparer for `p` and both sides' records, prepared (the staged
    /// side's ids in order; the existing side's `ids`, else in order), with
    /// the terms of both counted.
    fn counted(
        p: &MatchingProfile,
        staged: &[Record],
        existing: &[Record],
        ids: Option<&[i64]>,
    ) -> (Comparer, Vec<MatchInput>, Vec<MatchInput>) {
        let mut c = Comparer::new(p);
        let in_order = |n: usize| (0..n as i64).collect::<Vec<_>>();
        let s = inputs(&c, staged, &in_order(staged.len()));
        let e = inputs(&c, existing, ids.map_or(&in_order(existing.len())[..], |ids| &ids[..existing.len()]));
        c.count_terms(s.iter().chain(&e).map(|r| &r.prepared));
        (c, s, e)
    }

    /// Candidate generation within `limits` finds what all-pairs scoring
    /// finds (against `existing`, or within `staged`).
    fn same_as_all_pairs(
        c: &Comparer,
        staged: &[MatchInput],
        existing: Option<&[MatchInput]>,
        limits: &Limits,
    ) -> Result<(), TestCaseError> {
        let fast = candidates::find_candidates_within(c, staged, existing, &NoReporter, limits);
        prop_assert_eq!(&fast.lists[..], &candidates::brute_force(c, staged, existing)[..]);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn blocking_finds_exactly_what_all_pairs_scoring_finds(
            staged in prop::collection::vec(person(), 0..10),
            existing in prop::collection::vec(person(), 0..14),
            ids in prop::collection::vec(0i64..6, 14),
            default_profile in any::<bool>(),
            random_profile in profile(),
            keys_per_slice in prop_oneof![Just(usize::MAX), 1usize..40],
            max_block_pairs in prop_oneof![Just(u64::MAX), Just(u64::MAX), 1u64..8],
            refine_above in prop_oneof![Just(None), Just(Some(0)), Just(Some(0)), (0u64..12).prop_map(Some)],
        ) {
            let p = if default_profile { MatchingProfile::bundled("contacts").unwrap() } else { random_profile };
            let c = Comparer::new(&p);
            let s = inputs(&c, &staged, &(0..staged.len() as i64).collect::<Vec<_>>());
            let e = inputs(&c, &existing, &ids[..existing.len()]);
            let limits = Limits { keys_per_slice, max_block_pairs, refine_above, left_out: None };
            let fast = candidates::find_candidates_within(&c, &s, Some(&e), &NoReporter, &limits);
            let slow = candidates::brute_force(&c, &s, Some(&e));
            lossless_or_counted(&fast, &slow, max_block_pairs)?;
            let fast = candidates::find_candidates_within(&c, &s, None, &NoReporter, &limits);
            let slow = candidates::brute_force(&c, &s, None);
            lossless_or_counted(&fast, &slow, max_block_pairs)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        /// Stopping a hopeless pair early never changes a score that reaches
        /// the threshold, and never drops one that does.
        #[test]
        fn score_reaching_is_the_score_when_it_reaches_the_threshold(
            people in prop::collection::vec(person(), 2..8),
            p in learned_profile(),
            threshold in prop_oneof![Just(0u32), 0u32..=100, Just(101u32)],
        ) {
            prop_assume!(p.check().is_ok());
            let mut c = Comparer::new(&p);
            let r = inputs(&c, &people, &(0..people.len() as i64).collect::<Vec<_>>());
            c.count_terms(r.iter().map(|x| &x.prepared));
            for a in &r {
                for b in &r {
                    let full = c.score(&a.prepared, &b.prepared);
                    let fast = c.score_reaching(&a.prepared, &b.prepared, threshold);
                    prop_assert_eq!(fast, (full.quality >= threshold).then_some(full));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn blocking_finds_exactly_what_all_pairs_scoring_finds_with_learned_profiles(
            staged in prop::collection::vec(person(), 0..10),
            existing in prop::collection::vec(person(), 0..14),
            ids in prop::collection::vec(0i64..6, 14),
            p in learned_profile(),
            keys_per_slice in prop_oneof![Just(usize::MAX), 20usize..400],
            max_block_pairs in prop_oneof![Just(u64::MAX), Just(u64::MAX), 1u64..8],
            left_out in prop_oneof![Just(None), any::<u64>().prop_map(Some)],
        ) {
            prop_assume!(p.check().is_ok());
            let (c, s, e) = counted(&p, &staged, &existing, Some(&ids));
            let limits = Limits { keys_per_slice, max_block_pairs, refine_above: None, left_out };
            let fast = candidates::find_candidates_within(&c, &s, Some(&e), &NoReporter, &limits);
            let slow = candidates::brute_force(&c, &s, Some(&e));
            lossless_or_counted(&fast, &slow, max_block_pairs)?;
            let fast = candidates::find_candidates_within(&c, &s, None, &NoReporter, &limits);
            let slow = candidates::brute_force(&c, &s, None);
            lossless_or_counted(&fast, &slow, max_block_pairs)?;
        }
    }

    /// A value that is `common` more than half the time, else one of many
    /// rare ones (short random strings over few letters, so typos, shared
    /// deletions and phonetic codes meet), sometimes missing.
    fn skewed(common: &'static str) -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            1 => Just(None),
            6 => Just(Some(common.to_string())),
            4 => "[aeiklmnorst]{2,6}".prop_map(Some),
            1 => (0..common.len(), 0..26u8).prop_map(move |(i, ch)| {
                let mut s: Vec<char> = common.chars().collect();
                s[i] = (b'a' + ch) as char;
                Some(s.into_iter().collect())
            }),
        ]
    }

    /// People whose names, zip and e-mail are skewed: a few very common
    /// values ("smith", "john", one zip) and many rare ones.
    fn skewed_person() -> impl Strategy<Value = Record> {
        (skewed("john"), skewed("smith"), pick(DATES), pick(GENDERS), skewed("k1a0b1"), any::<bool>())
            .prop_map(|(f, l, d, g, z, shared_mail)| {
                let mut r = Record::default();
                let mut put = |k: &str, v: Option<String>| {
                    if let Some(v) = v {
                        r.fields.insert(k.to_string(), Value::Text(v));
                    }
                };
                let email = match (&f, shared_mail) {
                    (_, true) => Some("office@example.com".to_string()),
                    (Some(f), false) => Some(format!("{f}@example.com")),
                    (None, false) => None,
                };
                put("firstName", f);
                put("lastName", l);
                put("birthDate", d);
                put("gender", g);
                if let Some(z) = z {
                    r.instances.push(address("Home", &z, None));
                }
                if let Some(e) = email {
                    let mut attributes = BTreeMap::new();
                    attributes.insert("value".to_string(), Value::Text(e));
                    r.instances.push(Instance {
                        subcollection: "Telcom".into(),
                        type_name: "Email".into(),
                        instance: 1,
                        attributes,
                    });
                }
                r
            })
    }

    /// A learned profile of the kind `ferry learn` writes for such data:
    /// term frequencies on, m and u near realistic ones (exact agreement
    /// rare among random pairs, typos rarer), a small prior and a low
    /// potential threshold, each jittered.
    fn realistic_learned_profile() -> impl Strategy<Value = MatchingProfile> {
        let jitter = prop::collection::vec(0.25f64..4.0, 7 * 6);
        (jitter, -20.0f64..-8.0, 5u32..40, 1usize..4).prop_map(|(jitter, prior_bits, potential, keep)| {
            let mut p = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
            let mut k = 0;
            for f in &mut p.fields {
                for l in &mut f.levels {
                    let (m, u): (f64, f64) = match l.level {
                        Level::Exact => (0.85, 0.01),
                        Level::Swapped => (0.03, 0.0005),
                        Level::Typo => (0.04, 0.002),
                        Level::Phonetic => (0.02, 0.01),
                        Level::Initial => (0.01, 0.005),
                        Level::Else => (0.05, 0.95),
                        _ => (0.02, 0.001),
                    };
                    let j = jitter[k % jitter.len()];
                    (l.m, l.u) = ((m * j).min(0.95), (u / j).clamp(1e-6, 0.99));
                    k += 1;
                }
            }
            p.probabilistic = Some(Probabilistic { prior: prior_bits.exp2() });
            p.thresholds.potential = potential;
            p.thresholds.match_ = potential.max(50);
            p.candidates = keep;
            p
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        /// Namesakes (values common more than half the time): the blocks of
        /// equal values that refined plans scan instead of scoring in full.
        #[test]
        fn blocking_finds_exactly_what_all_pairs_scoring_finds_among_namesakes(
            staged in prop::collection::vec(skewed_person(), 0..18),
            existing in prop::collection::vec(skewed_person(), 0..30),
            ids in prop::collection::vec(0i64..6, 30),
            default_profile in any::<bool>(),
            random_profile in profile(),
            keys_per_slice in prop_oneof![Just(usize::MAX), 1usize..60],
            refine_above in prop_oneof![Just(None), Just(Some(0)), Just(Some(0)), (0u64..40).prop_map(Some)],
        ) {
            let p = if default_profile { MatchingProfile::bundled("contacts").unwrap() } else { random_profile };
            let c = Comparer::new(&p);
            let s = inputs(&c, &staged, &(0..staged.len() as i64).collect::<Vec<_>>());
            let e = inputs(&c, &existing, &ids[..existing.len()]);
            let limits = Limits { keys_per_slice, max_block_pairs: u64::MAX, refine_above, left_out: None };
            let fast = candidates::find_candidates_within(&c, &s, Some(&e), &NoReporter, &limits);
            prop_assert_eq!(&fast.lists[..], &candidates::brute_force(&c, &s, Some(&e))[..]);
            let fast = candidates::find_candidates_within(&c, &s, None, &NoReporter, &limits);
            prop_assert_eq!(&fast.lists[..], &candidates::brute_force(&c, &s, None)[..]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Per-value bounds on skewed data: term frequencies make common
        /// values weigh little and rare ones much, which is where blocking
        /// by per-value bounds could lose a pair if it were wrong.
        #[test]
        fn blocking_finds_exactly_what_all_pairs_scoring_finds_on_skewed_values(
            staged in prop::collection::vec(skewed_person(), 0..18),
            existing in prop::collection::vec(skewed_person(), 0..30),
            ids in prop::collection::vec(0i64..6, 30),
            realistic in any::<bool>(),
            random in learned_profile(),
            near in realistic_learned_profile(),
            keys_per_slice in prop_oneof![Just(usize::MAX), 20usize..400],
            max_block_pairs in prop_oneof![Just(u64::MAX), Just(u64::MAX), 1u64..8],
            left_out in prop_oneof![Just(None), any::<u64>().prop_map(Some)],
        ) {
            let p = if realistic { near } else { random };
            prop_assume!(p.check().is_ok());
            let (c, s, e) = counted(&p, &staged, &existing, Some(&ids));
            let limits = Limits { keys_per_slice, max_block_pairs, refine_above: None, left_out };
            let fast = candidates::find_candidates_within(&c, &s, Some(&e), &NoReporter, &limits);
            let slow = candidates::brute_force(&c, &s, Some(&e));
            lossless_or_counted(&fast, &slow, max_block_pairs)?;
            let fast = candidates::find_candidates_within(&c, &s, None, &NoReporter, &limits);
            let slow = candidates::brute_force(&c, &s, None);
            lossless_or_counted(&fast, &slow, max_block_pairs)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Many slices of the key space (a template's are chosen by one
        /// component's variant): every pair still meets in one of them.
        #[test]
        fn blocking_finds_exactly_what_all_pairs_scoring_finds_in_many_slices(
            staged in prop::collection::vec(person(), 1..10),
            others in prop::collection::vec(person(), 1..14),
            realistic in any::<bool>(),
            random in learned_profile(),
            near in realistic_learned_profile(),
            keys_per_slice in 2usize..6,
            left_out in prop_oneof![Just(None), any::<u64>().prop_map(Some)],
        ) {
            let p = if realistic { near } else { random };
            prop_assume!(p.check().is_ok());
            // Copies, so that pairs reach the thresholds.
            let existing: Vec<Record> = others.into_iter().chain(staged.iter().cloned()).collect();
            let (c, s, e) = counted(&p, &staged, &existing, None);
            let limits = Limits { keys_per_slice, max_block_pairs: u64::MAX, refine_above: None, left_out };
            same_as_all_pairs(&c, &s, Some(&e), &limits)?;
        }
    }

    /// A person with every field, the phone among them (a one-letter first
    /// name sometimes, for the initial level).
    fn full_person() -> impl Strategy<Value = Record> {
        let present =
            |pool: &'static [&'static str]| pick(pool).prop_map(move |v| v.unwrap_or(pool[0].into()));
        (present(FIRST), present(LAST), present(DATES), present(GENDERS), present(ZIPS), 0..40u32, 0..6u8)
            .prop_map(|(f, l, d, g, z, phone, initial)| {
                let f = if initial == 0 { f.chars().take(1).collect() } else { f };
                let mut r = Record::default();
                let email = format!("{f}@example.com");
                for (k, v) in [("firstName", f), ("lastName", l), ("birthDate", d), ("gender", g)] {
                    r.fields.insert(k.to_string(), Value::Text(v));
                }
                r.instances.push(address("Home", &z, None));
                for (type_name, value) in [("Email", email), ("Home", format!("+1 416 555 {:04}", phone % 7))]
                {
                    let mut attributes = BTreeMap::new();
                    attributes.insert("value".to_string(), Value::Text(value));
                    r.instances.push(Instance {
                        subcollection: "Telcom".into(),
                        type_name: type_name.into(),
                        instance: 1,
                        attributes,
                    });
                }
                r
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

        /// Every record has every field, so a field that does not agree
        /// adds its `else` weight (below 0), never a missing value's 0, and
        /// blocking asks more of the other fields; some copies have their
        /// names swapped (keyed crosswise), some records are initials.
        #[test]
        fn blocking_finds_exactly_what_all_pairs_scoring_finds_when_every_record_has_every_field(
            staged in prop::collection::vec(full_person(), 1..10),
            others in prop::collection::vec(full_person(), 0..10),
            swapped in prop::collection::vec(any::<bool>(), 10),
            realistic in any::<bool>(),
            random in learned_profile(),
            near in realistic_learned_profile(),
            keys_per_slice in prop_oneof![Just(usize::MAX), 20usize..400],
            left_out in prop_oneof![Just(None), any::<u64>().prop_map(Some)],
        ) {
            let p = if realistic { near } else { random };
            prop_assume!(p.check().is_ok());
            let mut existing = others;
            for (r, &swap) in staged.iter().zip(&swapped) {
                let mut copy = r.clone();
                if swap {
                    let (f, l) = (copy.fields.remove("firstName"), copy.fields.remove("lastName"));
                    copy.fields.extend([("firstName".to_string(), l.unwrap()), ("lastName".to_string(), f.unwrap())]);
                }
                existing.push(copy);
            }
            let (c, s, e) = counted(&p, &staged, &existing, None);
            let limits = Limits { keys_per_slice, max_block_pairs: u64::MAX, refine_above: None, left_out };
            same_as_all_pairs(&c, &s, Some(&e), &limits)?;
            let all: Vec<MatchInput> = s.iter().chain(&e).cloned().collect();
            same_as_all_pairs(&c, &all, None, &limits)?;
        }
    }

    /// `s` with the character at `at` (modulo its length) replaced.
    fn typo(s: &str, at: usize) -> String {
        let mut c: Vec<char> = s.chars().collect();
        let i = at % c.len().max(1);
        if let Some(x) = c.get_mut(i) {
            *x = if *x == 'x' { 'y' } else { 'x' };
        }
        c.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Copies with first and last name swapped, each name one typo off:
        /// only the swap pairs of both names' variants find them.
        #[test]
        fn blocking_finds_swapped_names_with_a_typo_each_as_all_pairs_scoring_does(
            staged in prop::collection::vec(person(), 1..8),
            others in prop::collection::vec(person(), 0..6),
            typos in prop::collection::vec((0usize..8, 0usize..8, any::<bool>()), 8),
            realistic in any::<bool>(),
            random in learned_profile(),
            near in realistic_learned_profile(),
            left_out in prop_oneof![Just(None), any::<u64>().prop_map(Some)],
        ) {
            let p = if realistic { near } else { random };
            prop_assume!(p.check().is_ok());
            let mut existing = others;
            for (r, &(a, b, copy_typo)) in staged.iter().zip(&typos) {
                let mut copy = r.clone();
                let name = |k: &str| match r.fields.get(k) {
                    Some(Value::Text(t)) => Some(t.clone()),
                    _ => None,
                };
                if let (Some(first), Some(last)) = (name("firstName"), name("lastName")) {
                    let (first, last) = if copy_typo { (typo(&first, a), typo(&last, b)) } else { (first, last) };
                    copy.fields.insert("firstName".into(), Value::Text(last));
                    copy.fields.insert("lastName".into(), Value::Text(first));
                }
                existing.push(copy);
            }
            let (c, s, e) = counted(&p, &staged, &existing, None);
            let limits = Limits { keys_per_slice: usize::MAX, max_block_pairs: u64::MAX, refine_above: None, left_out };
            same_as_all_pairs(&c, &s, Some(&e), &limits)?;
        }
    }
}

// --- learning ---

#[test]
fn em_recovers_known_m_and_u_from_pairs_generated_with_them() {
    // Three fields with levels exact, typo, else; 2 % of the pairs match.
    let m_true = [[0.90, 0.07, 0.03], [0.80, 0.15, 0.05], [0.95, 0.0, 0.05]];
    let u_true = [[0.01, 0.02, 0.97], [0.05, 0.05, 0.90], [0.002, 0.0, 0.998]];
    let lambda = 0.02;
    let (exact, typo, other) = (Level::Exact as usize, Level::Typo as usize, Level::Else as usize);
    let slots = [exact, typo, other];
    let mut rng = synth::Rng::new(11);
    let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let draw = |probs: &[f64; 3], r: f64| {
        let mut acc = 0.0;
        for (k, p) in probs.iter().enumerate() {
            acc += p;
            if r < acc {
                return slots[k];
            }
        }
        other
    };
    let mut counts: BTreeMap<u64, f64> = BTreeMap::new();
    for _ in 0..400_000 {
        let is_match = unit() < lambda;
        let mut pattern = 0u64;
        for f in 0..3 {
            let probs = if is_match { &m_true[f] } else { &u_true[f] };
            pattern |= (draw(probs, unit()) as u64) << (4 * f);
        }
        *counts.entry(pattern).or_default() += 1.0;
    }
    let patterns: Vec<(u64, f64)> = counts.into_iter().collect();
    let table = |rows: &[[f64; 3]; 3]| -> Vec<Vec<f64>> {
        rows.iter()
            .map(|r| {
                let mut v = vec![0.0; Level::ALL.len()];
                for (k, &slot) in slots.iter().enumerate() {
                    v[slot] = if slot == typo && r[k] == 0.0 { 0.0 } else { r[k] };
                }
                v
            })
            .collect()
    };
    let u = table(&u_true);
    // Start far from the truth: m flat over the levels.
    let m0 = table(&[[0.5, 0.25, 0.25], [0.5, 0.25, 0.25], [0.5, 0.0, 0.5]]);
    let r = learn::em(&patterns, &u, &m0, &[true, true, true], 0.2);
    assert!((r.lambda - lambda).abs() < 0.002, "λ {} (want {lambda})", r.lambda);
    for f in 0..3 {
        for (k, &slot) in slots.iter().enumerate() {
            if u[f][slot] == 0.0 {
                continue;
            }
            let got = r.m[f][slot];
            assert!(
                (got - m_true[f][k]).abs() < 0.02,
                "field {f} level {slot}: m {got:.4}, want {}",
                m_true[f][k]
            );
        }
    }
}

#[test]
fn a_learned_profile_is_an_ordinary_profile_file_that_matches_generated_people() {
    let data = synth::generate(&SynthOptions { existing: 3000, staged: 3000, duplicate_rate: 0.3, seed: 5 });
    let skeleton = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
    let c = Comparer::new(&skeleton);
    let prep = |records: &[Record]| -> Vec<MatchInput> {
        records.iter().enumerate().map(|(i, r)| MatchInput { id: i as i64, prepared: c.prepare(r) }).collect()
    };
    let (s, e) = (prep(&data.staged), prep(&data.existing));
    let options = learn::LearnOptions { random_pairs: 300_000, ..Default::default() };
    let (profile, report) = learn::learn(&skeleton, &s, Some(&e), &options);
    // It reads back as a profile (schema and checks) and round-trips.
    let again = MatchingProfile::from_json(&profile.to_json(), Path::new("learned.json")).unwrap();
    assert_eq!(again, profile);
    assert!(report.sessions.len() >= 2, "{:?}", report.sessions);
    let exact_weight = |name: &str| {
        let f = &profile.fields[profile.field_index(name).unwrap()];
        f.levels.iter().find(|l| l.level == Level::Exact).unwrap().weight()
    };
    assert!(exact_weight("birthDate") > exact_weight("gender") + 5.0, "a birth date says more than a gender");
    let mut c = Comparer::new(&profile);
    c.count_terms(s.iter().chain(&e).map(|r| &r.prepared));
    let matched = match_records(&c, &s, Some(&e), &NoReporter);
    assert_eq!(matched.uncompared, 0, "no block is split on generated people");
    let q = synth::evaluate(&data, &matched.outcomes);
    assert!(q.matched.precision >= 0.995, "Match precision {:.4}: {q:?}", q.matched.precision);
    assert!(q.matched.f1 >= 0.99, "Match F1 {:.4}: {q:?}", q.matched.f1);
    assert_eq!(report.histogram.iter().sum::<u64>(), 3000);
}

#[test]
fn learned_u_leaves_out_the_matches_among_random_pairs() {
    let data = synth::generate(&SynthOptions { existing: 3000, staged: 3000, duplicate_rate: 0.3, seed: 9 });
    let skeleton = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
    let email = skeleton.field_index("email").unwrap();
    // An address one character off is another mailbox: e-mail compares equal or not.
    let levels: Vec<Level> = skeleton.fields[email].levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, [Level::Exact, Level::Else]);
    let c = Comparer::new(&skeleton);
    let prep = |records: &[Record]| -> Vec<MatchInput> {
        records.iter().enumerate().map(|(i, r)| MatchInput { id: i as i64, prepared: c.prepare(r) }).collect()
    };
    let (s, e) = (prep(&data.staged), prep(&data.existing));
    // Copies keep their address, so nearly all pairs with equal addresses are copies.
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for r in &e {
        *counts.entry(r.prepared.values[email].as_deref().unwrap()).or_default() += 1;
    }
    let equal: u64 = s.iter().filter_map(|r| counts.get(r.prepared.values[email].as_deref().unwrap())).sum();
    let share = equal as f64 / (s.len() * e.len()) as f64;
    let copies = data.truth.iter().flatten().count() as f64;
    assert!(equal as f64 >= copies, "{equal} equal-address pairs, {copies} copies");
    let options = learn::LearnOptions { random_pairs: 300_000, ..Default::default() };
    let (profile, report) = learn::learn(&skeleton, &s, Some(&e), &options);
    let prior_matches = report.prior * (s.len() * e.len()) as f64;
    assert!(
        (prior_matches / copies - 1.0).abs() < 0.1,
        "prior says {prior_matches:.0} matches, {copies} copies"
    );
    let u = profile.fields[email].levels[0].u;
    assert!(
        u < share / 8.0,
        "u of equal e-mail {u:.3e}: the random pairs' share {share:.3e} is mostly copies"
    );
}

// --- quality on generated people ---

#[test]
fn generated_people_match_safely_and_surface_their_duplicates() {
    let data = synth::generate(&SynthOptions { existing: 6000, staged: 6000, duplicate_rate: 0.3, seed: 7 });
    let c = contacts();
    let e: Vec<MatchInput> = data
        .existing
        .iter()
        .enumerate()
        .map(|(i, r)| MatchInput { id: i as i64, prepared: c.prepare(r) })
        .collect();
    let s: Vec<MatchInput> = data
        .staged
        .iter()
        .enumerate()
        .map(|(i, r)| MatchInput { id: i as i64, prepared: c.prepare(r) })
        .collect();
    let matched = match_records(&c, &s, Some(&e), &NoReporter);
    assert_eq!(matched.uncompared, 0, "no block is split on generated people");
    let q = synth::evaluate(&data, &matched.outcomes);
    assert!(q.duplicates > 1500, "{q:?}");
    assert!(q.matched.precision >= 0.995, "Match precision {:.4}: {q:?}", q.matched.precision);
    assert!(
        q.surfaced_recall_recognisable >= 0.95,
        "Match ∪ Potential recall {:.4}: {q:?}",
        q.surfaced_recall_recognisable
    );
}

#[test]
fn learned_name_agreement_counts_the_swapped_copies() {
    // 3,000 people; 1,200 staged copies, 30 % of them with first and last
    // name swapped, the rest exact; 1,800 other people.
    let mut rng = synth::Rng::new(3);
    let syllables = ["ka", "lo", "mer", "an", "ber", "ton", "vi", "sa", "dre", "wel", "ham", "ric", "ol"];
    let name = |rng: &mut synth::Rng, parts: usize| -> String {
        (0..parts).map(|_| syllables[rng.below(syllables.len())]).collect()
    };
    let person = |rng: &mut synth::Rng| -> Record {
        let (first, last) = (name(rng, 2), name(rng, 3));
        let birth = format!("{}-{:02}-{:02}", 1940 + rng.below(60), 1 + rng.below(12), 1 + rng.below(28));
        let zip = format!("Z{}", rng.below(200));
        with_zip(record(&[("firstName", &first), ("lastName", &last), ("birthDate", &birth)]), &zip)
    };
    let existing: Vec<Record> = (0..3000).map(|_| person(&mut rng)).collect();
    let mut staged = Vec::new();
    let mut swapped = 0;
    for (i, e) in existing.iter().take(1200).enumerate() {
        let mut copy = e.clone();
        if i % 10 < 3 {
            let (f, l) = (copy.fields.remove("firstName").unwrap(), copy.fields.remove("lastName").unwrap());
            copy.fields.insert("firstName".into(), l);
            copy.fields.insert("lastName".into(), f);
            swapped += 1;
        }
        staged.push(copy);
    }
    staged.extend((0..1800).map(|_| person(&mut rng)));
    let skeleton = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
    let c = Comparer::new(&skeleton);
    let prep = |records: &[Record]| -> Vec<MatchInput> {
        records.iter().enumerate().map(|(i, r)| MatchInput { id: i as i64, prepared: c.prepare(r) }).collect()
    };
    let (s, e) = (prep(&staged), prep(&existing));
    let options = learn::LearnOptions { random_pairs: 300_000, ..Default::default() };
    let (_, report) = learn::learn(&skeleton, &s, Some(&e), &options);
    assert!(
        report.sessions.iter().any(|s| s.blocked_on == ["lastName"]),
        "a session on equal last names (which never holds a swapped copy): {:?}",
        report.sessions
    );
    let want = 1.0 - swapped as f64 / 1200.0;
    let first = report.fields.iter().find(|f| f.name == "firstName").unwrap();
    let exact = first.levels.iter().find(|l| l.level == Level::Exact).unwrap().m;
    assert!(
        (exact - want).abs() < 0.04,
        "m of an equal first name {exact:.3}, want {want:.2}: {:?}",
        first.levels
    );
}

#[test]
fn an_e_mail_address_many_records_share_weighs_less_than_one_two_share() {
    let skeleton = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
    let email = skeleton.field_index("email").unwrap();
    assert!(skeleton.fields[email].term_frequency, "e-mail agreement weighs by the address's frequency");
    let mut profile = skeleton.clone();
    for l in &mut profile.fields[email].levels {
        (l.m, l.u) = if l.level == Level::Exact { (0.95, 1e-7) } else { (0.05, 1.0 - 1e-7) };
    }
    let person = |i: usize, mail: &str| {
        let mut r = record(&[("firstName", "Ann"), ("lastName", &format!("Lee{i}"))]);
        let mut attributes = BTreeMap::new();
        attributes.insert("value".to_string(), Value::Text(mail.to_string()));
        r.instances.push(Instance {
            subcollection: "Telcom".into(),
            type_name: "Email".into(),
            instance: 1,
            attributes,
        });
        r
    };
    // A household's address on six records, a person's own on two, among 1,000 others.
    let mut records: Vec<Record> = (0..6).map(|i| person(i, "home@example.com")).collect();
    records.extend([person(6, "ann@example.com"), person(7, "ann@example.com")]);
    records.extend((8..1000).map(|i| person(i, &format!("p{i}@example.com"))));
    let mut c = Comparer::new(&profile);
    let prepared: Vec<_> = records.iter().map(|r| c.prepare(r)).collect();
    c.count_terms(prepared.iter());
    let weight = |a: usize, b: usize| c.explain(&prepared[a], &prepared[b]).fields[email].contribution;
    assert!(
        weight(0, 1) + 1.5 < weight(6, 7),
        "shared by six {:.2} bits, by two {:.2} bits",
        weight(0, 1),
        weight(6, 7)
    );
}

/// A contact with names, birth date, phone and e-mail.
fn namesake(first: &str, last: &str, born: &str, phone: &str, mail: &str) -> Record {
    let mut r = record(&[("firstName", first), ("lastName", last), ("birthDate", born)]);
    for (type_name, value) in [("Email", mail), ("Mobile", phone)] {
        let mut attributes = BTreeMap::new();
        attributes.insert("value".to_string(), Value::Text(value.to_string()));
        r.instances.push(Instance {
            subcollection: "Telcom".into(),
            type_name: type_name.into(),
            instance: 1,
            attributes,
        });
    }
    r
}

#[test]
fn an_e_mail_address_namesakes_share_weighs_its_namesake_u_between_them() {
    let mut profile = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
    let email = profile.field_index("email").unwrap();
    profile.fields[email].term_frequency = false;
    for l in &mut profile.fields[email].levels {
        (l.m, l.u) = if l.level == Level::Exact { (0.85, 1e-6) } else { (0.15, 1.0 - 1e-6) };
    }
    profile.fields[email].namesake_u = Some(0.01);
    profile.check().unwrap();
    let c = Comparer::new(&profile);
    let ann = c.prepare(&namesake("Ann", "Lee", "1980-01-02", "+1 416 555 0101", "ann.lee@example.com"));
    let other_ann =
        c.prepare(&namesake("Ann", "Lee", "1971-05-06", "+1 416 555 0199", "ann.lee@example.com"));
    let bob = c.prepare(&namesake("Bob", "Ray", "1971-05-06", "+1 416 555 0199", "ann.lee@example.com"));
    let weight = |a: &_, b: &_| c.explain(a, b).fields[email].contribution;
    assert!(
        (weight(&ann, &other_ann) - (0.85f64 / 0.01).log2()).abs() < 1e-9,
        "{}",
        weight(&ann, &other_ann)
    );
    assert!((weight(&ann, &bob) - (0.85f64 / 1e-6).log2()).abs() < 1e-9, "{}", weight(&ann, &bob));
    // An impossible namesake u is refused, naming where.
    profile.fields[email].namesake_u = Some(0.0);
    let err = profile.check().unwrap_err();
    assert_eq!(err.at, format!("/fields/{email}/namesakeU"));
}

#[test]
fn learn_finds_how_often_namesakes_share_an_e_mail_address_and_they_no_longer_match() {
    const FIRST: [&str; 20] = [
        "james",
        "mary",
        "john",
        "patricia",
        "robert",
        "jennifer",
        "michael",
        "linda",
        "william",
        "elizabeth",
        "david",
        "barbara",
        "richard",
        "susan",
        "joseph",
        "jessica",
        "thomas",
        "sarah",
        "charles",
        "karen",
    ];
    const LAST: [&str; 20] = [
        "smith",
        "johnson",
        "williams",
        "brown",
        "jones",
        "garcia",
        "miller",
        "davis",
        "rodriguez",
        "martinez",
        "hernandez",
        "lopez",
        "gonzalez",
        "wilson",
        "anderson",
        "thomas",
        "taylor",
        "moore",
        "jackson",
        "martin",
    ];
    let mut state = 7u64;
    let mut next = |n: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut person = |k: usize| {
        let (f, l) = (FIRST[next(20) as usize], LAST[next(20) as usize]);
        let born = format!("19{:02}-{:02}-{:02}", 40 + next(60), 1 + next(12), 1 + next(28));
        // Namesakes share an address one time in 20 (first.last + a number below 20).
        namesake(
            f,
            l,
            &born,
            &format!("+1 416 {:03} {:04}", 200 + k % 700, k),
            &format!("{f}.{l}{}@example.com", next(20)),
        )
    };
    let existing: Vec<Record> = (0..4000).map(&mut person).collect();
    let mut staged: Vec<Record> = existing[..1200].to_vec();
    staged.extend((4000..6000).map(&mut person));
    let skeleton = learn::skeleton(&MatchingProfile::bundled("contacts").unwrap());
    let c = Comparer::new(&skeleton);
    let prepare = |rs: &[Record], from: i64| -> Vec<MatchInput> {
        rs.iter()
            .enumerate()
            .map(|(k, r)| MatchInput { id: from + k as i64, prepared: c.prepare(r) })
            .collect()
    };
    let (s, e) = (prepare(&staged, 0), prepare(&existing, 100_000));
    let (profile, report) = learn::learn(&skeleton, &s, Some(&e), &learn::LearnOptions::default());
    let email = profile.field_index("email").unwrap();
    let u = profile.fields[email].namesake_u.expect("namesakes share addresses far more than random records");
    assert!((0.02..0.12).contains(&u), "namesake u {u}, generated 0.05");
    assert!(report.fields[email].namesakes.is_some());
    for f in ["firstName", "lastName", "birthDate"] {
        assert_eq!(profile.fields[profile.field_index(f).unwrap()].namesake_u, None, "{f}");
    }
    // Two namesakes with one address and nothing else in common are no Match.
    let mut lc = Comparer::new(&profile);
    lc.count_terms(s.iter().chain(&e).map(|r| &r.prepared));
    let a =
        lc.prepare(&namesake("james", "smith", "1950-01-02", "+1 416 999 0001", "james.smith3@example.com"));
    let b =
        lc.prepare(&namesake("james", "smith", "1977-08-09", "+1 416 999 0002", "james.smith3@example.com"));
    let q = lc.score(&a, &b).quality;
    assert!(q < profile.thresholds.match_, "quality {q}, Match at {}", profile.thresholds.match_);
    // Without it they would: the address would count the names twice.
    let mut without = profile.clone();
    without.fields[email].namesake_u = None;
    let mut wc = Comparer::new(&without);
    wc.count_terms(s.iter().chain(&e).map(|r| &r.prepared));
    let q = wc
        .score(
            &wc.prepare(&namesake(
                "james",
                "smith",
                "1950-01-02",
                "+1 416 999 0001",
                "james.smith3@example.com",
            )),
            &wc.prepare(&namesake(
                "james",
                "smith",
                "1977-08-09",
                "+1 416 999 0002",
                "james.smith3@example.com",
            )),
        )
        .quality;
    assert!(q >= profile.thresholds.match_, "quality without namesake u {q}");
}
