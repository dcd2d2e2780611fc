#!/usr/bin/env python3
"""A messy legacy contacts export with ground truth, for bench/messy.sh.

    bench/messy_gen.py OUT_DIR [EXISTING] [SEED]      (defaults: 100000 7)

Writes, under OUT_DIR:

  existing/contacts.csv   EXISTING clean contacts (the CRM's records before the
                          import): ISO birth dates, tidy phones
  messy/export_2024.csv   as many rows again, the same columns: 30 % are
                          corrupted copies of existing contacts (each copied at
                          most once), the rest new people, among them household
                          members, namesakes and people sharing a birth date
  truth.csv               per data row of the export: its physical line, the
                          CONTACT_ID of the existing contact it copies (empty
                          for a new person), the birth date the row means (ISO,
                          empty when the row gives none) and how it was written

The export's corruption: one birth-date column in mixed formats (1980-03-04,
04.03.1980, 03/04/1980, 19800304, 4 Mar 1980, 1980/03/04), `0/0/00`, `N/A`
and placeholder dates (`01/01/1900`, `12/31/9999`) for no date, e-mails
wrapped as `mailto:`, `Name <…>`, with spaces or a trailing `;`, `N/A` in other columns, stray quotes inside values (and a few
opening a value, which swallow the rows up to the next quote), a few bytes
that are not UTF-8 (CP-1252 accents in an otherwise UTF-8 file), missing and
duplicated ids, typos, swapped first and last names, day/month swaps, names in
capitals, stray spaces, reformatted phones and postal codes, people who moved
or married, rows that miss their last columns, rows with a trailing delimiter,
and streets typed on two lines and exported unquoted (a bare LF inside a CRLF
file, which splits the row across two physical lines). truth.csv names the
physical line where each row starts.

Deterministic for a given SEED; the standard library only.
"""

import csv
import os
import random
import sys

MALE = """James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel
Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald
Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon
Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron José Adam
Nathan Henry Douglas Zachary Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin
Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan
Albert Willie Alan Eugene Russell Vincent Philip Bobby Johnny Bradley René François Jürgen""".split()
FEMALE = """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Dorothy
Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha
Katherine Christine Helen Debra Rachel Carolyn Janet Maria Catherine Heather Diane Olivia Julie
Joyce Victoria Ruth Virginia Lauren Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl
Jacqueline Martha Madison Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice
Judy Isabella Julia Grace Amber Denise Danielle Marilyn Beverly Charlotte Natalie Zoë Renée Chloé""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez
Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green
Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz
Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan
Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood
James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall
Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb
Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
Dixon Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren
Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne
Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry
Perkins Hoffman Johnston Matthews Peña Richards Willis Carpenter Lawrence Sandoval Müller O'Brien
Côté Lévesque Gagnon Tremblay Bouchard Gauthier Bélanger Roy Fortin Lavoie""".split()
STREETS = """Main Oak Pine Maple Cedar Elm Church High Park Queen King Victoria Mill Station Bay
Dundas College Bloor Yonge Spadina Lake River Hill Forest Garden Spring Willow Birch Ash Chestnut
Walnut Cherry Sunset Ridge Valley Meadow Orchard Bridge Market Water""".split()
SUFFIXES = ["St", "Ave", "Rd", "Blvd", "Dr", "Lane", "Cres", "Way"]
CITIES = """Springfield Riverton Lakeside Fairview Georgetown Franklin Clinton Madison Salem Ashland
Burlington Milton Oakville Kingston Dover Hudson Marion Newport Arlington Bristol""".split()
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DOMAINS = ["example.com", "mail.example", "post.example.org", "inbox.example.net"]
HEADER = ["CONTACT_ID", "FIRST_NAME", "LAST_NAME", "BIRTH_DATE", "GENDER", "HOMEPHONE", "EMAIL",
          "STREET", "CITY", "ZIP"]
# Share of each birth-date format in the export (the rest of the mess is below).
DATE_FORMATS = [("%Y-%m-%d", 40), ("%d.%m.%Y", 20), ("%m/%d/%Y", 20), ("%Y%m%d", 10),
                ("%d %b %Y", 5), ("%Y/%m/%d", 5)]


def zipf(rng, items):
    """A draw with density 1/(rank + 10): a few common names, a long tail."""
    n = len(items)
    x = 10.0 * ((n + 10.0) / 10.0) ** rng.random() - 10.0
    return items[min(int(x), n - 1)]


def days_in(year, month):
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class Person:
    __slots__ = ("first", "last", "gender", "birth", "phone", "email", "street", "city", "zip")

    def copy(self):
        p = Person()
        for k in Person.__slots__:
            setattr(p, k, getattr(self, k))
        return p


def birth(rng):
    y = rng.randint(1930, 2005)
    m = rng.randint(1, 12)
    return (y, m, rng.randint(1, days_in(y, m)))


def phone(rng):
    return "%03d-%03d-%04d" % (rng.choice([416, 647, 905, 613, 514, 604, 212, 312]),
                               rng.randint(200, 999), rng.randint(0, 9999))


def email(rng, first, last):
    local = "%s.%s" % (first.lower(), last.lower())
    local = "".join(c for c in local if c.isascii() and (c.isalnum() or c == "."))
    if rng.random() < 0.5:
        local += str(rng.randint(1, 99))
    return "%s@%s" % (local, rng.choice(DOMAINS))


def address(rng, zips):
    street = "%d %s %s" % (rng.randint(1, 9999), rng.choice(STREETS), rng.choice(SUFFIXES))
    return street, rng.choice(CITIES), "%05d" % zips[rng.randrange(len(zips))]


def fresh(rng, zips):
    p = Person()
    p.gender = rng.choice("MF")
    p.first = zipf(rng, MALE if p.gender == "M" else FEMALE)
    p.last = zipf(rng, LAST)
    p.birth = birth(rng)
    p.phone = phone(rng)
    p.email = email(rng, p.first, p.last)
    p.street, p.city, p.zip = address(rng, zips)
    return p


def household_member(rng, host, zips):
    """Same last name, address and home phone; another first name and birth date."""
    p = fresh(rng, zips)
    p.last, p.street, p.city, p.zip, p.phone = host.last, host.street, host.city, host.zip, host.phone
    p.email = email(rng, p.first, p.last)
    return p


def typo(rng, s):
    if len(s) < 2:
        return s
    i = rng.randrange(len(s))
    roll = rng.random()
    if roll < 0.3:
        return s[:i] + s[i + 1:]
    if roll < 0.6 and i + 1 < len(s):
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    c = rng.choice("aeiourstnl")
    return s[:i] + c + s[i + 1:] if roll < 0.8 else s[:i] + c + s[i:]


def corrupt(rng, p, zips):
    """A copy of `p` as another system would hold it."""
    q = p.copy()
    if rng.random() < 0.15:
        q.first = typo(rng, q.first)
    if rng.random() < 0.10:
        q.last = typo(rng, q.last)
    if rng.random() < 0.03:
        q.first, q.last = q.last, q.first
    if rng.random() < 0.03 and q.gender == "F":
        q.last = zipf(rng, LAST)  # married
    y, m, d = q.birth
    roll = rng.random()
    if roll < 0.03 and d <= 12 and d != m:
        q.birth = (y, d, m)  # day and month swapped at entry
    elif roll < 0.05:
        d2 = d + rng.choice([-1, 1])
        if 1 <= d2 <= days_in(y, m):
            q.birth = (y, m, d2)
    elif roll < 0.10:
        q.birth = None
    if rng.random() < 0.05:
        q.gender = ""
    if rng.random() < 0.05:
        q.street, q.city, q.zip = address(rng, zips)  # moved
    if rng.random() < 0.10:
        q.email = q.email.upper() if rng.random() < 0.5 else ""
    if rng.random() < 0.08:
        q.phone = ""
    return q


def reformat_phone(rng, s):
    digits = s.replace("-", "")
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice(["(%s) %s-%s", "%s.%s.%s", "+1 %s %s %s", "%s%s%s", "1-%s-%s-%s"]) % (a, b, c)


def write_date(rng, date):
    """(text written, ISO meaning or None)."""
    roll = rng.random()
    if date is None or roll < 0.01:
        return rng.choice(["", "", "0/0/00", "N/A"]), None
    if roll < 0.02:
        return "0/0/00", None
    if roll < 0.03:
        return "N/A", None
    if roll < 0.04:
        return rng.choice(["01/01/1900", "1900-01-01", "12/31/9999"]), None  # a placeholder for no date
    y, m, d = date
    total = sum(w for _, w in DATE_FORMATS)
    pick = rng.randrange(total)
    for fmt, w in DATE_FORMATS:
        if pick < w:
            break
        pick -= w
    text = (fmt.replace("%Y", "%04d" % y).replace("%m", "%02d" % m).replace("%d", "%02d" % d)
            .replace("%b", MONTHS[m - 1]))
    if fmt == "%d %b %Y":
        text = text.lstrip("0")
    return text, "%04d-%02d-%02d" % (y, m, d)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    existing_n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    rng = random.Random(seed)
    zips = rng.sample(range(10000, 99999), max(20, existing_n // 40))

    people = []
    for _ in range(existing_n):
        if people and rng.random() < 0.15:
            people.append(household_member(rng, people[rng.randrange(len(people))], zips))
        else:
            people.append(fresh(rng, zips))
    os.makedirs(os.path.join(out, "existing"), exist_ok=True)
    os.makedirs(os.path.join(out, "messy"), exist_ok=True)
    with open(os.path.join(out, "existing", "contacts.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        for i, p in enumerate(people):
            y, m, d = p.birth
            w.writerow(["E%06d" % i, p.first, p.last, "%04d-%02d-%02d" % (y, m, d), p.gender, p.phone,
                        p.email, p.street, p.city, p.zip])

    order = list(range(existing_n))
    rng.shuffle(order)
    copies = iter(order)
    ids = []
    rows = []
    line = 2  # the physical line of the next row (the header is line 1)
    with open(os.path.join(out, "truth.csv"), "w", newline="", encoding="utf-8") as tf:
        truth = csv.writer(tf, lineterminator="\n")
        truth.writerow(["line", "copy_of", "birth_date", "written"])
        for s in range(existing_n):
            copy_of = next(copies, None) if rng.random() < 0.30 else None
            if copy_of is not None:
                p = corrupt(rng, people[copy_of], zips)
            else:
                other = people[rng.randrange(existing_n)]
                roll = rng.randrange(100)
                p = fresh(rng, zips)
                if roll < 10:
                    p = household_member(rng, other, zips)
                elif roll < 14:
                    p.first, p.last, p.gender = other.first, other.last, other.gender
                elif roll < 18:
                    p.birth = other.birth
            # The export's own mess, on copies and new people alike.
            roll = rng.random()
            if roll < 0.01:
                cid = ""
            elif roll < 0.02 and ids:
                cid = rng.choice(ids)
            else:
                cid = str(100000 + s)
            ids.append(cid)
            if rng.random() < 0.03:
                p.first, p.last = p.first.upper(), p.last.upper()
            date_text, meant = write_date(rng, p.birth)
            ph = p.phone
            if ph and rng.random() < 0.5:
                ph = reformat_phone(rng, ph)
            zp = p.zip
            if rng.random() < 0.05:
                zp = zp + "-" + "%04d" % rng.randint(0, 9999)
            cells = [cid, p.first, p.last, date_text, p.gender, ph, p.email, p.street, p.city, zp]
            if cells[6] and rng.random() < 0.03:
                cells[6] = rng.choice(["mailto:%s", " %s ", "%s;", p.first + " " + p.last + " <%s>"]) % cells[6]
            for i in (5, 6):
                if cells[i] == "" and rng.random() < 0.3 or rng.random() < 0.01:
                    cells[i] = "N/A"
            if rng.random() < 0.02:
                i = rng.choice([1, 2, 7, 8])
                cells[i] = " " + cells[i] + "  "
            if rng.random() < 0.005:
                cells[2] = cells[2][:1] + '"' + cells[2][1:]  # a stray quote inside a value
            elif rng.random() < 0.001:
                cells[8] = '"' + cells[8]  # one that opens the value: it swallows the rows after it
            raw = [c.encode("utf-8") for c in cells]
            if rng.random() < 0.002:
                raw[1] = cells[1].encode("utf-8") + b"\xe9"  # a CP-1252 byte: not UTF-8
            if rng.random() < 0.003 and raw[7]:
                raw[7] = raw[7] + b"\nApt " + str(rng.randint(1, 40)).encode()  # typed on two lines
            if rng.random() < 0.005:
                raw = raw[: rng.choice([6, 8, 9])]  # the last columns are missing
            elif rng.random() < 0.002:
                raw = raw + [b""]  # a trailing delimiter
            rows.append(raw)
            truth.writerow([line, "" if copy_of is None else "E%06d" % copy_of, meant or "", date_text])
            line += 1 + sum(c.count(b"\n") for c in raw)

    with open(os.path.join(out, "messy", "export_2024.csv"), "wb") as f:
        f.write(",".join(HEADER).encode() + b"\r\n")
        for raw in rows:
            f.write(b",".join(quote(c) for c in raw) + b"\r\n")


def quote(cell):
    """Quotes a cell with a comma (the stray quotes stay inside unquoted values)."""
    if b"," in cell:
        return b'"' + cell.replace(b'"', b'""') + b'"'
    return cell


if __name__ == "__main__":
    main()
