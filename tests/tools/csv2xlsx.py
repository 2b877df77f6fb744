#!/usr/bin/env python3
"""Writes CSV files as an Excel workbook (.xlsx), laid out as Excel and the shops' seller
centres write one: shared strings, numbers as number cells, a quoted line break kept in its
cell and a blank line an empty row, one sheet per CSV. For tests and benchmarks: kontor's
importer reads the workbook (src/client/xlsx.c) as it reads the CSV.
    python3 tests/tools/csv2xlsx.py OUT.xlsx [SHEET=]FILE.csv...
"""
import csv
import os
import sys
import zipfile
from xml.sax.saxutils import escape


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def is_number(v):
    if not v or v.strip() != v or v.startswith("0") and len(v) > 1 and v[1] != ".":
        return False
    try:
        float(v)
        return True
    except ValueError:
        return False


def sheet_xml(rows, strings):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData>']
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            if v == "":
                continue
            ref = "%s%d" % (col(c), r)
            if is_number(v):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                if v not in strings:
                    strings[v] = len(strings)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, strings[v]))
        if cells:
            out.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(path, sheets):
    strings = {}
    parts = {}
    for i, (name, rows) in enumerate(sheets, 1):
        parts["xl/worksheets/sheet%d.xml" % i] = sheet_xml(rows, strings)
    sst = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="%d" uniqueCount="%d">' % (len(strings), len(strings))]
    for s in sorted(strings, key=strings.get):
        sst.append('<si><t xml:space="preserve">%s</t></si>' % escape(s))
    sst.append("</sst>")
    parts["xl/sharedStrings.xml"] = "".join(sst)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook %s><sheets>%s'
        '</sheets></workbook>' % (ns, "".join(
            '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(n), i, i)
            for i, (n, _) in enumerate(sheets, 1))))
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s'
        '<Relationship Id="rId%d" Type="%ssharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>' % ("".join(
            '<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>'
            % (i, rel, i) for i in range(1, len(sheets) + 1)), len(sheets) + 1, rel))
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%sofficeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>' % rel)
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types '
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="%ssheet.main+xml"/>%s'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="%ssharedStrings+xml"/>'
        '</Types>' % (ct, "".join(
            '<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%sworksheet+xml"/>'
            % (i, ct) for i in range(1, len(sheets) + 1)), ct))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"] + sorted(
                         n for n in parts if n.startswith("xl/worksheets/")):
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[name])


def rows_of(path):
    """The CSV's records, each at its sheet row: a quoted line break stays in its cell, and
    a blank line is an empty row."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))



if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sheets = []
    for arg in sys.argv[2:]:
        name, _, path = arg.rpartition("=")
        sheets.append((name or "Sheet%d" % (len(sheets) + 1), rows_of(path)))
    workbook(sys.argv[1], sheets)
