#!/usr/bin/env python3
"""Small legacy contacts exports, one kind of mess each, for bench/messy_kinds.sh.

    bench/messy_kinds.py OUT_DIR [KIND…]

Writes OUT_DIR/KIND/data/ (the export: contacts.csv, and phones.csv for the
long-format child table) and OUT_DIR/KIND/expect.json: per data row of the
export, the physical line where it starts and the values ferry must store for
it (`null`: the row must be rejected or left out, with a reason on record).
bench/messy_kinds.sh runs each through profile, map --auto, check, pack and
import and compares what was staged with expect.json.

Kinds (bench/messy_gen.py makes the statistical mess of a big export; these
are the shapes of real exports it does not make):

  encodings:  cp1252 (accented names in Windows-1252), cp1252-late (the first
              accent after 64 KiB of ASCII), utf8-bom, utf16-tab (Excel's
              "Unicode text": UTF-16 LE with a BOM, tab-separated), mixed
              (UTF-8 with one CP-1252 byte)
  delimiters: semicolon (decimal commas), tab, pipe, sep-line (`sep=;` first)
  quoting:    doubled-quotes, inner-quote, quoted-newline, cr-only,
              trailing-blank, no-final-newline, space-after-quote, unquoted-comma (one row wider
              than the header: refused, the others kept)
  headers:    duplicate-header, empty-header, header-case, title-line, empty-rows-footer,
              joined-exports
  values:     dates, dates-ordinal, dates-placeholder, emails, padded, names-caps, full-name, numbers, numbers-comma,
              numbers-money, emails-two (two addresses in one cell), flags (one flag spelled several ways, and a stray word), excel-errors
              (`#VALUE!`, `?`)
  damage:     mojibake (UTF-8 once read as Windows-1252: `JosÃ©`), excel-text (`="00123"`, `'02134`:
              cells written for a spreadsheet to keep as text), zip-zeros (US ZIP codes a spreadsheet
              read as numbers: `2134` for `02134`), controls (a NUL in a name, FileMaker's vertical tab
              for a line break), joined-bom (a second export, byte-order mark and all, joined to the first)
  ids:        id-missing, id-duplicate, id-zeros, id-float
  children:   phones-long (one phone per row, type H/W/M, an unknown code, an
              orphan, a parent without phones)

Deterministic; the standard library only.
"""

import json
import os
import sys

# (id, first, last, birth ISO, email, phone, city)
PEOPLE = [
    ("1001", "José", "Muñoz", "1980-12-31", "jose.munoz@example.com", "+1 416-555-0101", "Montréal"),
    ("1002", "Renée", "Côté", "1975-03-04", "renee.cote@example.com", "+1 416-555-0102", "Québec"),
    ("1003", "Jürgen", "Müller", "1990-07-15", "jurgen.muller@example.com", "+1 416-555-0103", "Köln"),
    ("1004", "Zoë", "O'Brien", "1962-01-20", "zoe.obrien@example.com", "+1 416-555-0104", "Dublin"),
    ("1005", "François", "Lévesque", "2001-11-09", "f.levesque@example.com", "+1 416-555-0105", "Gatineau"),
    ("1006", "Ann", "Smith", "1955-05-05", "ann.smith@example.com", "+1 416-555-0106", "Toronto"),
]
HEADER = ["ID", "First Name", "Last Name", "Birth Date", "Email", "Phone", "City"]


def expect(p, **over):
    e = {"externalId": p[0], "firstName": p[1], "lastName": p[2], "birthDate": p[3], "email": p[4],
         "city": p[6]}
    e.update(over)
    return e


def csv_line(cells, delim=","):
    out = []
    for c in cells:
        if any(ch in c for ch in (delim, '"', "\n", "\r")):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return delim.join(out)


def table(delim=",", eol="\r\n", people=PEOPLE, header=HEADER):
    lines = [csv_line(header, delim)] + [csv_line(list(p), delim) for p in people]
    return eol.join(lines) + eol


def plain(people=PEOPLE, first_line=2):
    return [(first_line + i, expect(p)) for i, p in enumerate(people)]


def kinds():
    k = {}
    k["cp1252"] = ({"contacts.csv": table().encode("cp1252")}, plain())
    filler = [("%d" % (2000 + i), "Ann%d" % i, "Smith", "1970-01-01", "a%d@example.com" % i,
               "+1 416-555-%04d" % i, "Toronto") for i in range(1400)]
    late = filler + PEOPLE
    k["cp1252-late"] = ({"contacts.csv": table(people=late).encode("cp1252")}, plain(late))
    k["utf8-bom"] = ({"contacts.csv": b"\xef\xbb\xbf" + table().encode()}, plain())
    k["utf16-tab"] = ({"contacts.txt": table(delim="\t").encode("utf-16")}, plain())
    mixed = table().encode().replace("Renée".encode(), "Ren\xe9e".encode("cp1252"))
    k["mixed"] = ({"contacts.csv": mixed},
                  [(i, e) if e["externalId"] != "1002" else (i, None) for i, e in plain()])
    k["semicolon"] = ({"contacts.csv": table(delim=";").encode()}, plain())
    k["tab"] = ({"contacts.txt": table(delim="\t").encode()}, plain())
    k["pipe"] = ({"contacts.txt": table(delim="|").encode()}, plain())
    k["sep-line"] = ({"contacts.csv": ("sep=;\r\n" + table(delim=";")).encode()}, plain(first_line=3))

    # Quoting.
    text = table().replace("O'Brien", '"O""Brien"')
    k["doubled-quotes"] = ({"contacts.csv": text.encode()}, [
        (i, expect(p, lastName='O"Brien') if p[0] == "1004" else expect(p)) for i, p in plain_people()])
    text = table().replace("O'Brien", 'O"Brien')
    k["inner-quote"] = ({"contacts.csv": text.encode()}, [
        (i, expect(p, lastName='O"Brien') if p[0] == "1004" else expect(p)) for i, p in plain_people()])
    people = [p if p[0] != "1003" else p[:6] + ("Köln\nEhrenfeld",) for p in PEOPLE]
    rows = plain(people)
    rows = [(ln if ln <= 4 else ln + 1, e) for ln, e in rows]
    k["quoted-newline"] = ({"contacts.csv": table(people=people).encode()}, rows)
    k["cr-only"] = ({"contacts.csv": table(eol="\r").encode()}, plain())
    k["trailing-blank"] = ({"contacts.csv": (table() + "\r\n\r\n").encode()}, plain())
    k["no-final-newline"] = ({"contacts.csv": table().rstrip("\r\n").encode()}, plain())
    # Two exports joined one after the other: the second header sits among the rows.
    lines = table().split("\r\n")
    lines.insert(4, lines[0])
    meant = [(ln + (ln > 4), e) for ln, e in plain()]
    k["joined-exports"] = ({"contacts.csv": "\r\n".join(lines).encode()}, meant)
    # Rows of empty cells between the rows, and a report's footer below a blank line.
    lines = table().split("\r\n")
    lines.insert(3, ",,,,,,")
    text = "\r\n".join(lines) + "\r\n,, ,,,,\r\n\r\nTotal: 6 contacts\r\n"
    meant = [(ln + (ln > 3), e) for ln, e in plain()]
    k["empty-rows-footer"] = ({"contacts.csv": text.encode()}, meant)
    lines = table().split("\r\n")
    lines[1] = lines[1].replace("1001,José,Muñoz", '"1001"  ,"José" ,"Muñoz"  ')
    k["space-after-quote"] = ({"contacts.csv": "\r\n".join(lines).encode()}, plain())

    # A comma no one quoted: that row is wider than the header and refused; the others stay.
    text = table().replace("Dublin", "Dublin, Ireland")
    k["unquoted-comma"] = ({"contacts.csv": text.encode()},
                           [(ln, None) if e["externalId"] == "1004" else (ln, e) for ln, e in plain()])

    # Headers.
    header = ["ID", "First Name", "Last Name", "Birth Date", "Email", "Email", "City"]
    k["duplicate-header"] = ({"contacts.csv": table(header=header).encode()}, plain())
    header = ["ID", "First Name", "Last Name", "Birth Date", "Email", "", "City"]
    k["empty-header"] = ({"contacts.csv": table(header=header).encode()}, plain())
    header = ["\ufeffid", " FIRST NAME ", "last  name", "BIRTH_DATE", "e-mail", "PHONE", "city"]
    k["header-case"] = ({"contacts.csv": table(header=header).encode()}, plain())
    k["title-line"] = ({"contacts.csv": ("Contacts export 2024-05-01\r\n" + table()).encode()},
                       plain(first_line=3))

    # Values.
    dates = ["31.12.1980", "1975-03-04T00:00:00", "07/15/90", "22666", "09-Nov-2001", "5/5/1955"]
    people = [p[:3] + (d,) + p[4:] for p, d in zip(PEOPLE, dates)]
    k["dates"] = ({"contacts.csv": table(people=people).encode()}, plain())
    dates = ["December 31st, 1980", "March 4th, 1975", "July 15th, 1990", "January 20th, 1962",
             "November 9th, 2001", "May 5th, 1955"]
    people = [p[:3] + (d,) + p[4:] for p, d in zip(PEOPLE, dates)]
    k["dates-ordinal"] = ({"contacts.csv": table(people=people).encode()}, plain())
    # Placeholders for no date: stored as no birth date, never as one two people share.
    dates = ["12/31/1980", "01/01/1900", "07/15/1990", "01/01/1900", "12/31/9999", "05/05/1955"]
    people = [p[:3] + (d,) + p[4:] for p, d in zip(PEOPLE, dates)]
    meant = [(ln, dict(e, birthDate=None) if dates[i] in ("01/01/1900", "12/31/9999") else e)
             for i, (ln, e) in enumerate(plain())]
    k["dates-placeholder"] = ({"contacts.csv": table(people=people).encode()}, meant)
    emails = [" JOSE.MUNOZ@EXAMPLE.COM ", "mailto:renee.cote@example.com", "jurgen.muller@example.com;",
              "Zoe O'Brien <zoe.obrien@example.com>", "f.levesque@example.com", "ann.smith@example.com"]
    people = [p[:4] + (e,) + p[5:] for p, e in zip(PEOPLE, emails)]
    k["emails"] = ({"contacts.csv": table(people=people).encode()}, plain())
    # Values padded with spaces and tabs, as fixed-width exports write them.
    people = [tuple(" %s  " % c if i in (1, 2, 6) else c for i, c in enumerate(p)) for p in PEOPLE]
    k["padded"] = ({"contacts.csv": table(people=people).encode()}, plain())
    people = [(p[0], p[1].upper(), p[2].upper()) + p[3:] for p in PEOPLE]
    k["names-caps"] = ({"contacts.csv": table(people=people).encode()},
                       [(ln, dict(e, firstName=e["firstName"].upper(), lastName=e["lastName"].upper()))
                        for ln, e in plain()])
    # One `Name` column, in both orders, with titles and suffixes.
    written = ["Muñoz, José", "Renée Côté", "MÜLLER, JÜRGEN", "Dr. Zoë O'Brien", "Lévesque Jr., François",
               "Ann Smith"]
    people = [(p[0], written[i]) + p[3:] for i, p in enumerate(PEOPLE)]
    header = ["ID", "Name"] + HEADER[3:]
    meant = [(ln, e) for ln, e in plain()]
    meant[2] = (4, dict(meant[2][1], firstName="JÜRGEN", lastName="MÜLLER"))
    meant[3] = (5, dict(meant[3][1], title="Dr."))
    meant[4] = (6, dict(meant[4][1], suffix="Jr."))
    k["full-name"] = ({"contacts.csv": table(header=header, people=people).encode()}, meant)
    header = ["ID", "Last Name", "Children", "Income"]
    meant = [(2, {"externalId": "1", "lastName": "Ames", "numberOfChildren": 2, "annualIncome": "1234.5"}),
             (3, {"externalId": "2", "lastName": "Baker", "annualIncome": "55000.75"}),
             (4, {"externalId": "3", "lastName": "Cole", "annualIncome": "1200"}),
             (5, {"externalId": "4", "lastName": "Dunn", "annualIncome": "12.5"})]
    rows = [("1", "Ames", "2", "1,234.50"), ("2", "Baker", "1", "55,000.75"), ("3", "Cole", "3", "1 200"),
            ("4", "Dunn", "0", "12.5")]
    k["numbers"] = ({"contacts.csv": table(header=header, people=rows).encode()}, meant)
    # Decimal commas, with `.` or a no-break space grouping thousands.
    rows = [("1", "Ames", "2", "1.234,50"), ("2", "Baker", "1", "55.000,75"), ("3", "Cole", "3", "1\u00a0200"),
            ("4", "Dunn", "0", "12,5")]
    k["numbers-comma"] = ({"contacts.csv": table(header=header, people=rows, delim=";").encode()}, meant)
    # Amounts as accounting exports write them: currency signs and codes.
    rows = [("1", "Ames", "2", "$1,234.50"), ("2", "Baker", "1", "USD 55,000.75"), ("3", "Cole", "3", "1 200 $"),
            ("4", "Dunn", "0", "$12.5")]
    k["numbers-money"] = ({"contacts.csv": table(header=header, people=rows).encode()}, meant)

    # A flag spelled several ways by the versions of an export, and one word that is no flag.
    header = HEADER + ["Do Not Call"]
    flags = ["Y", "no", "TRUE", "0", "Unknown", "yes"]
    people = [p + (f,) for p, f in zip(PEOPLE, flags)]
    meant = [(ln, dict(e, doNotContact={"Y": True, "yes": True, "TRUE": True}.get(f, False if f in ("no", "0") else None)))
             for (ln, e), f in zip(plain(), flags)]
    k["flags"] = ({"contacts.csv": table(header=header, people=people).encode()}, meant)
    # A spreadsheet's error values and a lone `?` where the export had nothing.
    people = [p[:3] + ("#VALUE!",) + p[4:] if p[0] == "1002" else p for p in PEOPLE]
    people = [p[:6] + ("?",) if p[0] == "1004" else p for p in people]
    people = [p[:4] + ("#N/A",) + p[5:] if p[0] == "1005" else p for p in people]
    meant = [(ln, dict(e, birthDate=None) if e["externalId"] == "1002" else
              dict(e, city=None) if e["externalId"] == "1004" else
              dict(e, email=None) if e["externalId"] == "1005" else e) for ln, e in plain()]
    k["excel-errors"] = ({"contacts.csv": table(people=people).encode()}, meant)

    # Damage done before the export reached us: UTF-8 read once as Windows-1252.
    def garble(text):
        return text.encode("utf-8").decode("cp1252", errors="replace") if text else text
    people = [(p[0], garble(p[1]), garble(p[2])) + p[3:6] + (garble(p[6]),) for p in PEOPLE]
    k["mojibake"] = ({"contacts.csv": table(people=people).encode()}, plain())

    # Cells an export wrote for a spreadsheet to keep as text, and ZIP codes a spreadsheet read as numbers.
    header = HEADER + ["Zip", "Country"]
    zips = ["02134", "00501", "10001", "02134-1234", "07030", "90210"]
    written = ['="02134"', "'00501", '="10001"', "'02134-1234", "07030", "90210"]
    people = [(('="%s"' % p[0]) if i % 2 else p[0],) + p[1:] + (z, "USA") for i, (p, z) in enumerate(zip(PEOPLE, written))]
    meant = [(ln, dict(e, **{"Address:Home.zip": z})) for (ln, e), z in zip(plain(), zips)]
    k["excel-text"] = ({"contacts.csv": table(header=header, people=people).encode()}, meant)
    written = ["2134", "501", "10001", "2134-1234", "7030", "90210"]
    people = [p + (z, "United States") for p, z in zip(PEOPLE, written)]
    k["zip-zeros"] = ({"contacts.csv": table(header=header, people=people).encode()}, meant)

    # Control characters: a NUL left by a fixed-width field, FileMaker's line break (a vertical tab).
    people = [p[:2] + ("M\x00ller",) + p[3:] if p[0] == "1003" else p for p in PEOPLE]
    people = [p[:6] + ("K\u00f6ln\x0bEhrenfeld",) if p[0] == "1003" else p for p in people]
    meant = [(ln, dict(e, lastName="Mller", city="K\u00f6ln\nEhrenfeld") if e["externalId"] == "1003" else e)
             for ln, e in plain()]
    k["controls"] = ({"contacts.csv": table(people=people).encode()}, meant)
    # Two UTF-8 exports joined: the second header carries its byte-order mark into the data.
    first, second = table(people=PEOPLE[:3]), table(people=PEOPLE[3:])
    text = "\ufeff" + first + "\ufeff" + second
    meant = [(ln + (ln > 4), e) for ln, e in plain()]
    k["joined-bom"] = ({"contacts.csv": text.encode()}, meant)

    # Two addresses in one cell: each stored as an e-mail of its own.
    emails = ["jose.munoz@example.com; jose@work.example.com", "renee.cote@example.com", "jurgen.muller@example.com",
              "zoe.obrien@example.com, zoe@work.example.com", "f.levesque@example.com", "ann.smith@example.com"]
    people = [p[:4] + (e,) + p[5:] for p, e in zip(PEOPLE, emails)]
    meant = [(ln, dict(e, **{"Telcom:Email.value": e["email"]}) if "," not in em and ";" not in em else
              dict(e, **{"Telcom:Email.value": e["email"]}, second=em.replace(",", ";").split("; ")[1]))
             for (ln, e), em in zip(plain(), emails)]
    k["emails-two"] = ({"contacts.csv": table(people=people).encode()}, meant)

    # Ids.
    people = [("",) + p[1:] if p[0] == "1002" else p for p in PEOPLE]
    k["id-missing"] = ({"contacts.csv": table(people=people).encode()},
                       [(ln, dict(e, externalId=None) if e["externalId"] == "" else e)
                        for ln, e in plain(people)])
    people = [("1001",) + p[1:] if p[0] == "1004" else p for p in PEOPLE]
    # A legacy id on two rows: kept as data, both rows are two records (with
    # a warning from check and pack), neither lost nor blended.
    k["id-duplicate"] = ({"contacts.csv": table(people=people).encode()}, plain(people))
    people = [("%07d" % int(p[0]),) + p[1:] for p in PEOPLE]
    k["id-zeros"] = ({"contacts.csv": table(people=people).encode()}, plain(people))
    people = [(p[0] + ".0",) + p[1:] for p in PEOPLE]
    k["id-float"] = ({"contacts.csv": table(people=people).encode()}, plain(people))

    # A long-format child table.
    phones = [("1001", "H", "416-555-0101"), ("1001", "W", "416-555-0201"), ("1002", "M", "416-555-0302"),
              ("1003", "H", "416-555-0103"), ("1003", "X", "416-555-0403"), ("9999", "H", "416-555-0999"),
              ("1004", "W", "416-555-0104"), ("1005", "M", "416-555-0105")]
    k["phones-long"] = ({"contacts.csv": table(header=HEADER[:5], people=[p[:5] for p in PEOPLE]).encode(),
                         "phones.csv": table(header=["CONTACT_ID", "TYPE", "NUMBER"], people=phones).encode()},
                        [(ln, {kk: v for kk, v in e.items() if kk != "city"}) for ln, e in plain()])
    return k


def plain_people():
    return [(2 + i, p) for i, p in enumerate(PEOPLE)]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    wanted = sys.argv[2:]
    for name, (files, rows) in kinds().items():
        if wanted and name not in wanted:
            continue
        data = os.path.join(out, name, "data")
        os.makedirs(data, exist_ok=True)
        for fname, body in files.items():
            with open(os.path.join(data, fname), "wb") as f:
                f.write(body)
        with open(os.path.join(out, name, "expect.json"), "w", encoding="utf-8") as f:
            json.dump([{"line": ln, "values": e} for ln, e in rows], f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
