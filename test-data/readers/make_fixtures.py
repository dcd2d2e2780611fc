#!/usr/bin/env python3
"""Writes the reader fixtures: the same contacts in every encoding and dialect
a legacy export comes in, plus `contacts.expected.json` (the records every one
of them must read to).

Run from anywhere: `python3 test-data/readers/make_fixtures.py`
(the XLSX and XLS files need `pip install openpyxl xlwt`).
"""

import csv
import datetime
import io
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "contacts"

HEADERS = ["ID", "First Name", "Last Name", "Email", "Phone", "Birth Date", "Zip Code", "Notes"]
ROWS = [
    ["1", "José", "Núñez", "jose.nunez@example.com", "+1 416-555-0101", "1987-03-15", "M5V 2T6",
     "Prefers \"Pepe\"; call after 5"],
    ["2", "Zoë", "Müller", "zoe.mueller@example.de", "(416) 555-0102", "1990-12-01", "10115",
     "Line one\nLine two, with a comma"],
    ["3", "Renée", "O’Brien", "renee.obrien@example.ie", "416.555.0103", "1975-07-04", "D02 X285",
     "Said: \"it’s fine\"\nthen left"],
    ["4", "Ñandú", "Peña", "", "416 555 0104", "2001-01-31", "28013", ""],
    ["5", "Françoise", "D'Aubigné", "f.daubigne@example.fr", "", "", "75008", "Café owner | tab\tinside"],
]


def csv_text(delimiter, newline="\n"):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADERS)
    writer.writerows(ROWS)
    return buf.getvalue()


def main():
    OUT.mkdir(exist_ok=True)
    comma = csv_text(",")
    (OUT / "utf8.csv").write_bytes(comma.encode("utf-8"))
    (OUT / "utf8-bom.csv").write_bytes(comma.encode("utf-8-sig"))
    # Excel's "Unicode text": UTF-16LE with a BOM, tab-delimited, CRLF.
    (OUT / "utf16le-unicode-text.txt").write_bytes(csv_text("\t", "\r\n").encode("utf-16"))
    (OUT / "windows-1252.csv").write_bytes(comma.encode("cp1252"))
    # A European Excel's CSV: semicolons, the ANSI code page, CRLF.
    (OUT / "semicolon-1252.csv").write_bytes(csv_text(";", "\r\n").encode("cp1252"))
    (OUT / "pipe-utf8.csv").write_bytes(csv_text("|").encode("utf-8"))

    expected = [dict(zip(HEADERS, row)) for row in ROWS]
    (HERE / "contacts.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n")

    try:
        import openpyxl
        import xlwt
    except ImportError:
        print("openpyxl/xlwt missing: spreadsheets not written")
        return

    def cell(header, value):
        if header == "ID":
            return int(value)
        if header == "Birth Date" and value:
            return datetime.datetime.strptime(value, "%Y-%m-%d")
        return value or None

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Contacts"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append([cell(h, v) for h, v in zip(HEADERS, row)])
    for c in sheet["F"][1:]:
        c.number_format = "yyyy-mm-dd"
    notes = wb.create_sheet("Notes")
    notes.append(["Note", "Count"])
    notes.append(["second sheet", 2])
    wb.save(OUT / "contacts.xlsx")

    # A sheet that does not start at A1, with a blank row inside.
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Offset"
    sheet["B2"], sheet["C2"] = "Name", "Score"
    sheet["B3"], sheet["C3"] = "Ann", 1.5
    sheet["B5"], sheet["C5"] = "Bob", 2
    wb.save(HERE / "offset.xlsx")

    book = xlwt.Workbook()
    sheet = book.add_sheet("Contacts")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, h in enumerate(HEADERS):
        sheet.write(0, c, h)
    for r, row in enumerate(ROWS, start=1):
        for c, (h, v) in enumerate(zip(HEADERS, row)):
            value = cell(h, v)
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    book.save(str(OUT / "contacts.xls"))


if __name__ == "__main__":
    main()
