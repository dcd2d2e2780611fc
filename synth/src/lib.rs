//! Generated people with ground truth, for measuring matching quality
//! (a dev-only crate: ferry's tests and `bench/match.sh`; not published).
//!
//! [`generate`] makes a set of existing contacts and a set of staged ones:
//! some staged records are corrupted copies of existing people (typos,
//! swapped first and last names, day/month swaps, one wrong digit, missing
//! values, reformatted postal codes and phones, people who moved or changed
//! their name), the rest are new people, among them household members of
//! existing people (same last name and address), namesakes (same first and
//! last name) and people sharing a birth date. [`evaluate`] scores a
//! matching run against the truth.

use std::collections::BTreeMap;

use ferry_mapper::record::{Instance, Record, Value};

use ferry_runner::matching::compare::mix64;
use ferry_runner::matching::{Decision, MatchClass, MatchOutcome};

/// How a dataset is generated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthOptions {
    pub existing: usize,
    pub staged: usize,
    /// Share of staged records that copy an existing person.
    pub duplicate_rate: f64,
    pub seed: u64,
}

/// Generated records with the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub existing: Vec<Record>,
    pub staged: Vec<Record>,
    /// For each staged record, the existing record it copies.
    pub truth: Vec<Option<usize>>,
    /// For each staged copy, how many of the five seed fields (first name,
    /// last name, birth date, gender, zip) its corruption left recognisable.
    pub recognisable: Vec<u8>,
}

/// A small deterministic generator (splitmix64), so datasets repeat exactly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    /// A rank in `0..n`, rank 0 most frequent: density 1/(r + 10), which
    /// gives the top name about 4 % of draws, like the commonest given names.
    pub fn zipf(&mut self, n: usize) -> usize {
        // Inverse transform of the continuous density 1/(x + 10) over [0, n).
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let x = 10.0 * ((n as f64 + 10.0) / 10.0).powf(u) - 10.0;
        (x as usize).min(n - 1)
    }
}

const MALE: &[&str] = &[
    "James",
    "John",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Mark",
    "Donald",
    "Steven",
    "Paul",
    "Andrew",
    "Joshua",
    "Kenneth",
    "Kevin",
    "Brian",
    "George",
    "Timothy",
    "Ronald",
    "Edward",
    "Jason",
    "Jeffrey",
    "Ryan",
    "Jacob",
    "Gary",
    "Nicholas",
    "Eric",
    "Jonathan",
    "Stephen",
    "Larry",
    "Justin",
    "Scott",
    "Brandon",
    "Benjamin",
    "Samuel",
    "Gregory",
    "Alexander",
    "Frank",
    "Patrick",
    "Raymond",
    "Jack",
    "Dennis",
    "Jerry",
    "Tyler",
    "Aaron",
    "José",
    "Adam",
    "Nathan",
    "Henry",
    "Douglas",
    "Zachary",
    "Peter",
    "Kyle",
    "Noah",
    "Ethan",
    "Jeremy",
    "Walter",
    "Christian",
    "Keith",
    "Roger",
    "Terry",
    "Austin",
    "Sean",
    "Gerald",
    "Carl",
    "Harold",
    "Dylan",
    "Arthur",
    "Lawrence",
    "Jordan",
    "Jesse",
    "Bryan",
    "Billy",
    "Bruce",
    "Gabriel",
    "Joe",
    "Logan",
    "Albert",
    "Willie",
    "Alan",
    "Eugene",
    "Russell",
    "Vincent",
    "Philip",
    "Bobby",
    "Johnny",
    "Bradley",
    "Luc",
    "François",
    "Mathieu",
    "Étienne",
    "Ali",
    "Wei",
    "Raj",
    "Omar",
    "Ivan",
    "Sven",
];
const FEMALE: &[&str] = &[
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Lisa",
    "Nancy",
    "Betty",
    "Sandra",
    "Margaret",
    "Ashley",
    "Kimberly",
    "Emily",
    "Donna",
    "Michelle",
    "Carol",
    "Amanda",
    "Melissa",
    "Deborah",
    "Stephanie",
    "Dorothy",
    "Rebecca",
    "Sharon",
    "Laura",
    "Cynthia",
    "Amy",
    "Kathleen",
    "Angela",
    "Shirley",
    "Brenda",
    "Emma",
    "Anna",
    "Pamela",
    "Nicole",
    "Samantha",
    "Katherine",
    "Christine",
    "Helen",
    "Debra",
    "Rachel",
    "Carolyn",
    "Janet",
    "Maria",
    "Catherine",
    "Heather",
    "Diane",
    "Olivia",
    "Julie",
    "Joyce",
    "Victoria",
    "Ruth",
    "Virginia",
    "Lauren",
    "Kelly",
    "Christina",
    "Joan",
    "Evelyn",
    "Judith",
    "Andrea",
    "Hannah",
    "Megan",
    "Cheryl",
    "Jacqueline",
    "Martha",
    "Madison",
    "Teresa",
    "Gloria",
    "Sara",
    "Janice",
    "Ann",
    "Kathryn",
    "Abigail",
    "Sophia",
    "Frances",
    "Jean",
    "Alice",
    "Judy",
    "Isabella",
    "Julia",
    "Grace",
    "Amber",
    "Denise",
    "Danielle",
    "Marilyn",
    "Beverly",
    "Chloé",
    "Zoë",
    "Hélène",
    "Mei",
    "Priya",
    "Fatima",
    "Olga",
    "Ingrid",
    "Eva",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Wong",
    "Chen",
    "Li",
    "Wang",
    "Zhang",
    "Liu",
    "Singh",
    "Patel",
    "Kim",
    "Park",
    "O'Brien",
    "MacDonald",
    "McLean",
    "Van der Berg",
    "De Souza",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Ng",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mer", "an", "ber", "ton", "vi", "sa", "dre", "wel", "ham", "ric", "sten", "ol", "ma", "gor",
    "is", "ley", "ford", "nik", "ov", "ski", "ro", "da", "lin", "berg", "hu", "te", "ne", "quist", "ar",
    "el",
];

/// One generated person.
#[derive(Debug, Clone, PartialEq)]
struct Person {
    first: String,
    last: String,
    birth: Option<jiff::civil::Date>,
    gender: Option<&'static str>,
    zip: Option<String>,
    other_zip: Option<String>,
    phone: String,
    email: String,
}

fn random_last(rng: &mut Rng) -> String {
    if rng.chance(0.4) {
        LAST[rng.zipf(LAST.len())].to_string()
    } else {
        // A long tail of rarer names.
        let n = 2 + rng.below(3);
        let mut s: String = (0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
        s[..1].make_ascii_uppercase();
        s
    }
}

fn random_first(rng: &mut Rng, gender: &str) -> String {
    let pool = if gender == "Male" { MALE } else { FEMALE };
    pool[rng.zipf(pool.len())].to_string()
}

fn random_date(rng: &mut Rng) -> jiff::civil::Date {
    let start = jiff::civil::date(1940, 1, 1);
    start.checked_add(jiff::Span::new().days(rng.below(66 * 365) as i64)).expect("in range")
}

fn random_zip(rng: &mut Rng, zips: usize) -> String {
    // Canadian postal codes from a pool, so neighbours share them.
    let mut r = Rng::new(rng.below(zips) as u64 * 7919 + 17);
    let l = |r: &mut Rng| (b'A' + r.below(26) as u8) as char;
    let d = |r: &mut Rng| (b'0' + r.below(10) as u8) as char;
    format!("{}{}{} {}{}{}", l(&mut r), d(&mut r), l(&mut r), d(&mut r), l(&mut r), d(&mut r))
}

fn random_phone(rng: &mut Rng) -> String {
    format!("416{:03}{:04}", 200 + rng.below(800), rng.below(10000))
}

fn email(first: &str, last: &str, rng: &mut Rng) -> String {
    format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase().replace(' ', ""), rng.below(100))
}

fn fresh(rng: &mut Rng, zips: usize) -> Person {
    let gender = if rng.chance(0.5) { "Male" } else { "Female" };
    let first = random_first(rng, gender);
    let last = random_last(rng);
    let email = email(&first, &last, rng);
    Person {
        birth: Some(random_date(rng)),
        gender: Some(gender),
        zip: Some(random_zip(rng, zips)),
        other_zip: rng.chance(0.2).then(|| random_zip(rng, zips)),
        phone: random_phone(rng),
        email,
        first,
        last,
    }
}

/// Someone living with `p`: same last name and address, another first name,
/// a birth date near theirs (partner) or a generation later (child).
fn household_member(rng: &mut Rng, p: &Person, zips: usize) -> Person {
    let mut q = fresh(rng, zips);
    q.last = p.last.clone();
    q.zip = p.zip.clone();
    while q.first == p.first {
        q.first = random_first(rng, q.gender.unwrap_or("Female"));
    }
    if let Some(b) = p.birth {
        let days = if rng.chance(0.6) {
            rng.below(8 * 365) as i64 - 4 * 365
        } else {
            20 * 365 + rng.below(15 * 365) as i64
        };
        q.birth = b.checked_add(jiff::Span::new().days(days)).ok();
    }
    q
}

/// One typo: a character replaced, dropped, added, or two neighbours swapped.
pub fn typo(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.is_empty() {
        return s.to_string();
    }
    let i = rng.below(c.len());
    let letter = (b'a' + rng.below(26) as u8) as char;
    match rng.below(4) {
        0 => c[i] = if c[i] == letter { 'x' } else { letter },
        1 if c.len() > 1 => {
            c.remove(i);
        }
        2 => c.insert(i, letter),
        _ if i + 1 < c.len() && c[i] != c[i + 1] => c.swap(i, i + 1),
        _ => c[i] = if c[i] == 'q' { 'z' } else { 'q' },
    }
    c.into_iter().collect()
}

fn strip_accents_upper(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkd().filter(|c| c.is_ascii()).collect::<String>().to_uppercase()
}

/// A corrupted copy of `p`, with the number of recognisable seed fields.
fn corrupt(rng: &mut Rng, p: &Person, zips: usize) -> (Person, u8) {
    let mut q = p.clone();
    let mut recognisable = 5u8;
    // Names: a typo, a case/accent change, a different name, or nothing.
    let name = |rng: &mut Rng, s: &str, changed: f64, missing: f64, rec: &mut u8| -> String {
        if rng.chance(missing) {
            *rec -= 1;
            return String::new();
        }
        if rng.chance(changed) {
            *rec -= 1;
            return random_last(rng);
        }
        if rng.chance(0.10) {
            return typo(rng, s);
        }
        if rng.chance(0.06) {
            return strip_accents_upper(s);
        }
        s.to_string()
    };
    q.first = name(rng, &p.first, 0.03, 0.03, &mut recognisable);
    q.last = name(rng, &p.last, 0.04, 0.02, &mut recognisable);
    if rng.chance(0.05) {
        std::mem::swap(&mut q.first, &mut q.last);
    }
    if let Some(b) = p.birth {
        if rng.chance(0.06) {
            q.birth = None;
            recognisable -= 1;
        } else if rng.chance(0.02) {
            q.birth = Some(random_date(rng));
            recognisable -= 1;
        } else if rng.chance(0.06) && b.day() <= 12 {
            q.birth = jiff::civil::Date::new(b.year(), b.day(), b.month()).ok();
        } else if rng.chance(0.06) {
            q.birth = Some(one_wrong_digit(rng, b));
        }
    }
    if rng.chance(0.08) {
        q.gender = None;
        recognisable -= 1;
    }
    if rng.chance(0.05) {
        q.zip = None;
        recognisable -= 1;
    } else if rng.chance(0.10) {
        q.zip = Some(random_zip(rng, zips));
        recognisable -= 1;
    } else if rng.chance(0.15) {
        q.zip = q.zip.map(|z| z.replace(' ', "").to_lowercase());
    }
    // Reformatted phone: not a contact matching field, but present in the data.
    if rng.chance(0.5) {
        q.phone = format!("({}) {}-{}", &p.phone[..3], &p.phone[3..6], &p.phone[6..]);
    }
    (q, recognisable)
}

fn one_wrong_digit(rng: &mut Rng, b: jiff::civil::Date) -> jiff::civil::Date {
    for _ in 0..20 {
        let mut digits: Vec<u8> = format!("{:04}{:02}{:02}", b.year(), b.month(), b.day()).into_bytes();
        let pos = rng.below(8);
        let d = b'0' + rng.below(10) as u8;
        if digits[pos] == d {
            continue;
        }
        digits[pos] = d;
        let s = String::from_utf8(digits).expect("digits");
        let (y, m, dd) =
            (s[..4].parse().unwrap_or(0), s[4..6].parse().unwrap_or(0), s[6..].parse().unwrap_or(0));
        if let Ok(date) = jiff::civil::Date::new(y, m, dd) {
            return date;
        }
    }
    b
}

fn to_record(p: &Person, id: &str) -> Record {
    let mut fields = BTreeMap::new();
    fields.insert("externalId".to_string(), Value::Text(id.to_string()));
    if !p.first.is_empty() {
        fields.insert("firstName".to_string(), Value::Text(p.first.clone()));
    }
    if !p.last.is_empty() {
        fields.insert("lastName".to_string(), Value::Text(p.last.clone()));
    }
    if let Some(b) = p.birth {
        fields.insert("birthDate".to_string(), Value::Date(b));
    }
    if let Some(g) = p.gender {
        fields.insert("gender".to_string(), Value::Text(g.to_string()));
    }
    let mut instances = Vec::new();
    if let Some(z) = &p.other_zip {
        instances.push(address("Business", z, false));
    }
    if let Some(z) = &p.zip {
        instances.push(address("Home", z, true));
    }
    let mut phone = BTreeMap::new();
    phone.insert("value".to_string(), Value::Text(p.phone.clone()));
    instances.push(Instance {
        subcollection: "Telcom".into(),
        type_name: "Home".into(),
        instance: 1,
        attributes: phone,
    });
    let mut mail = BTreeMap::new();
    mail.insert("value".to_string(), Value::Text(p.email.clone()));
    instances.push(Instance {
        subcollection: "Telcom".into(),
        type_name: "Email".into(),
        instance: 1,
        attributes: mail,
    });
    Record { fields, instances }
}

fn address(type_name: &str, zip: &str, primary: bool) -> Instance {
    let mut a = BTreeMap::new();
    a.insert("zip".to_string(), Value::Text(zip.to_string()));
    a.insert("primary".to_string(), Value::Boolean(primary));
    Instance { subcollection: "Address".into(), type_name: type_name.into(), instance: 1, attributes: a }
}

/// Generates a dataset.
pub fn generate(options: &SynthOptions) -> Dataset {
    let mut rng = Rng::new(options.seed);
    let zips = (options.existing / 40).max(20);
    let mut people: Vec<Person> = Vec::with_capacity(options.existing);
    for _ in 0..options.existing {
        let p = if !people.is_empty() && rng.chance(0.15) {
            let host = people[rng.below(people.len())].clone();
            household_member(&mut rng, &host, zips)
        } else {
            fresh(&mut rng, zips)
        };
        people.push(p);
    }
    let existing = people.iter().enumerate().map(|(i, p)| to_record(p, &format!("E{i}"))).collect();

    // Each existing person is copied at most once, so the truth is one record.
    let mut order: Vec<usize> = (0..people.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut copies = order.into_iter();
    let mut staged = Vec::with_capacity(options.staged);
    let mut truth = Vec::with_capacity(options.staged);
    let mut recognisable = Vec::with_capacity(options.staged);
    for s in 0..options.staged {
        let id = format!("S{s}");
        let copy = if rng.chance(options.duplicate_rate) { copies.next() } else { None };
        if let Some(e) = copy {
            let (q, rec) = corrupt(&mut rng, &people[e], zips);
            staged.push(to_record(&q, &id));
            truth.push(Some(e));
            recognisable.push(rec);
            continue;
        }
        let p = if people.is_empty() {
            fresh(&mut rng, zips)
        } else {
            let other = &people[rng.below(people.len())];
            let roll = rng.below(100);
            if roll < 10 {
                household_member(&mut rng, other, zips)
            } else if roll < 14 {
                // A namesake: same first and last name, another person.
                let mut q = fresh(&mut rng, zips);
                q.first = other.first.clone();
                q.last = other.last.clone();
                q.gender = other.gender;
                q
            } else if roll < 18 {
                // Same birth date, another person.
                let mut q = fresh(&mut rng, zips);
                q.birth = other.birth;
                q
            } else {
                fresh(&mut rng, zips)
            }
        };
        staged.push(to_record(&p, &id));
        truth.push(None);
        recognisable.push(0);
    }
    Dataset { existing, staged, truth, recognisable }
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Prf {
    fn new(tp: usize, fp: usize, fn_: usize) -> Prf {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 =
            if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        Prf { precision, recall, f1, true_positives: tp, false_positives: fp, false_negatives: fn_ }
    }
}

/// Matching quality against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quality {
    /// Records classified Match: right when the proposed merge is with the true copy.
    pub matched: Prf,
    /// Records classified Match or Potential Match: right when the true copy
    /// is among the candidates shown.
    pub surfaced: Prf,
    /// Recall of `surfaced` over copies with two or more recognisable seed fields.
    pub surfaced_recall_recognisable: f64,
    /// Recall of `matched` over copies with two or more recognisable seed fields.
    pub matched_recall_recognisable: f64,
    pub duplicates: usize,
    pub recognisable_duplicates: usize,
}

/// Scores outcomes (one per staged record, candidates indexing the existing records).
pub fn evaluate(data: &Dataset, outcomes: &[MatchOutcome]) -> Quality {
    let (mut m_tp, mut m_fp, mut s_tp, mut s_fp) = (0, 0, 0, 0);
    let (mut dups, mut rec_dups, mut m_rec_tp, mut s_rec_tp) = (0, 0, 0, 0);
    for (i, o) in outcomes.iter().enumerate() {
        let truth = data.truth[i];
        let merged_right = o.proposed == Decision::Merge && truth.is_some() && o.merge_with == truth;
        let shown_right = truth.is_some_and(|t| o.candidates.iter().any(|c| c.index == t));
        if o.class == MatchClass::Match {
            if merged_right { m_tp += 1 } else { m_fp += 1 }
        }
        if o.class != MatchClass::NonMatch {
            if shown_right { s_tp += 1 } else { s_fp += 1 }
        }
        if truth.is_some() {
            dups += 1;
            if data.recognisable[i] >= 2 {
                rec_dups += 1;
                m_rec_tp += usize::from(merged_right);
                s_rec_tp += usize::from(shown_right);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Quality {
        matched: Prf::new(m_tp, m_fp, dups - m_tp),
        surfaced: Prf::new(s_tp, s_fp, dups - s_tp),
        surfaced_recall_recognisable: ratio(s_rec_tp, rec_dups),
        matched_recall_recognisable: ratio(m_rec_tp, rec_dups),
        duplicates: dups,
        recognisable_duplicates: rec_dups,
    }
}

/// Writes generated records as CSV in the columns of
/// `test-data/matching/synth-contacts.json` (ID, First Name, Last Name,
/// Birth Date, Gender, Email, Phone, Zip).
pub fn write_csv(records: &[Record], path: &std::path::Path) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["ID", "First Name", "Last Name", "Birth Date", "Gender", "Email", "Phone", "Zip"])?;
    for r in records {
        let field = |name: &str| r.fields.get(name).map(Value::to_text).unwrap_or_default();
        let instance = |sub: &str, ty: &str, attr: &str| {
            r.instances
                .iter()
                .find(|i| i.subcollection == sub && i.type_name == ty)
                .and_then(|i| i.attributes.get(attr))
                .map(Value::to_text)
                .unwrap_or_default()
        };
        w.write_record([
            field("externalId"),
            field("firstName"),
            field("lastName"),
            field("birthDate"),
            field("gender"),
            instance("Telcom", "Email", "value"),
            instance("Telcom", "Home", "value"),
            instance("Address", "Home", "zip"),
        ])?;
    }
    w.flush()?;
    Ok(())
}
