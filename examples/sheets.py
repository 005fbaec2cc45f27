"""Minimal .xlsx and .ods writers (Python standard library only), for the example data and the
test fixtures: typed cells (numbers, booleans, dates, datetimes, durations, percentages,
formulas with their cached value), several sheets, rows anywhere. Byte-identical output for
the same input (fixed timestamps in the zip).

    write_xlsx(path, [("Sheet", rows), ...], date1904=False)
    write_ods(path, [("Sheet", rows), ...])

A row is a list of cells: None (empty), str, bool, int, float, datetime.date,
datetime.datetime, datetime.timedelta (a duration), Percent(0.85) (shown 85 %; in an
.xlsx, Percent(0.855, '0.0" "%') has that number format code, else the built-in `0%`), or
Formula("B2*2", cached_value). A workbook declares a percent format only when a cell uses
one, as spreadsheets do.
"""

import datetime as dt
import zipfile
from xml.sax.saxutils import escape

ZIP_DATE = (2025, 1, 1, 0, 0, 0)


class Percent:
    def __init__(self, value, code=None):
        self.value = value
        self.code = code


class Formula:
    def __init__(self, expr, cached):
        self.expr = expr
        self.cached = cached


def _col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as z:
        for name, data, compress in files:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            z.writestr(info, data)


# ---- xlsx

# Style indexes (cellXfs): 0 general, 1 datetime, 2 date, 3 duration, then one per percent
# format the workbook's cells use (`_percent_codes`): built-in 9 (`0%`) or a custom code.
def _styles(percent_codes):
    custom = [c for c in percent_codes if c is not None]
    num_fmts = [(164, "dd/mm/yyyy hh:mm"), (165, "dd/mm/yyyy")]
    num_fmts += [(166 + i, c) for i, c in enumerate(custom)]
    fmt_ids = [164, 165, 46] + [9 if c is None else 166 + custom.index(c) for c in percent_codes]
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'] + [
        f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for i in fmt_ids
    ]
    fmts = "".join(
        f'<numFmt numFmtId="{i}" formatCode="{escape(c, {chr(34): "&quot;"})}"/>' for i, c in num_fmts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\n'
        f'<numFmts count="{len(num_fmts)}">{fmts}</numFmts>\n'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\n'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>\n'
        "<borders count=\"1\"><border/></borders>\n"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\n'
        f'<cellXfs count="{len(xfs)}">\n' + "\n".join(xfs) + "\n</cellXfs>\n</styleSheet>\n"
    )


def _percent_codes(sheets):
    """The percent formats the cells use, in order of first use (None: built-in `0%`)."""
    codes = []
    for s in sheets:
        for row in s[1]:
            for v in row:
                if isinstance(v, Percent) and v.code not in codes:
                    codes.append(v.code)
    return codes


def _serial(value, date1904):
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if isinstance(value, dt.datetime):
        delta = value - epoch
    else:
        delta = dt.datetime(value.year, value.month, value.day) - epoch
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def _num(x):
    return repr(float(x)) if isinstance(x, float) else str(x)


def _xlsx_cell(ref, v, date1904, percent_codes=(None,)):
    if v is None:
        return ""
    if isinstance(v, Formula):
        cached = v.cached
        if isinstance(cached, str):
            return f'<c r="{ref}" t="str"><f>{escape(v.expr)}</f><v>{escape(cached)}</v></c>'
        return f'<c r="{ref}"><f>{escape(v.expr)}</f><v>{_num(cached)}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, Percent):
        return f'<c r="{ref}" s="{4 + percent_codes.index(v.code)}"><v>{_num(v.value)}</v></c>'
    if isinstance(v, dt.datetime):
        return f'<c r="{ref}" s="1"><v>{_num(_serial(v, date1904))}</v></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="2"><v>{_num(_serial(v, date1904))}</v></c>'
    if isinstance(v, dt.timedelta):
        return f'<c r="{ref}" s="3"><v>{_num(v.total_seconds() / 86400)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{_num(v)}</v></c>'
    text = escape(str(v))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_xml(rows, date1904, first_row, percent_codes):
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    for i, row in enumerate(rows):
        r = first_row + i
        cells = "".join(
            _xlsx_cell(f"{_col(j)}{r}", v, date1904, percent_codes) for j, v in enumerate(row)
        )
        if cells:
            out.append(f'<row r="{r}">{cells}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write_xlsx(path, sheets, date1904=False):
    """sheets: [(name, rows)] or [(name, rows, first_row)] (1-based; default 1)."""
    n = len(sheets)
    codes = _percent_codes(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(n)
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        + pr
        + "<sheets>"
        + "".join(
            f'<sheet name="{escape(s[0])}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, s in enumerate(sheets)
        )
        + "</sheets></workbook>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(n)
        )
        + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    files = [
        ("[Content_Types].xml", content_types, True),
        ("_rels/.rels", rels, True),
        ("xl/workbook.xml", workbook, True),
        ("xl/_rels/workbook.xml.rels", wb_rels, True),
        ("xl/styles.xml", _styles(codes), True),
    ]
    for i, s in enumerate(sheets):
        first = s[2] if len(s) > 2 else 1
        xml = _sheet_xml(s[1], date1904, first, codes)
        files.append((f"xl/worksheets/sheet{i + 1}.xml", xml, True))
    _zip(path, files)


# ---- ods


def _ods_cell(v):
    if v is None:
        return "<table:table-cell/>"
    formula = ""
    if isinstance(v, Formula):
        formula = f' table:formula="of:={escape(v.expr, {chr(34): "&quot;"})}"'
        v = v.cached
    if isinstance(v, bool):
        b = "true" if v else "false"
        return f'<table:table-cell{formula} office:value-type="boolean" office:boolean-value="{b}"><text:p>{b.upper()}</text:p></table:table-cell>'
    if isinstance(v, Percent):
        return f'<table:table-cell{formula} table:style-name="ce1" office:value-type="percentage" office:value="{_num(v.value)}"><text:p>{v.value * 100:g} %</text:p></table:table-cell>'
    if isinstance(v, dt.datetime):
        iso = v.strftime("%Y-%m-%dT%H:%M:%S")
        return f'<table:table-cell{formula} office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'
    if isinstance(v, dt.date):
        iso = v.isoformat()
        return f'<table:table-cell{formula} office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'
    if isinstance(v, dt.timedelta):
        s = int(v.total_seconds())
        iso = f"PT{s // 3600:02d}H{s // 60 % 60:02d}M{s % 60:02d}S"
        return f'<table:table-cell{formula} office:value-type="time" office:time-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'
    if isinstance(v, (int, float)):
        return f'<table:table-cell{formula} office:value-type="float" office:value="{_num(v)}"><text:p>{_num(v)}</text:p></table:table-cell>'
    return f'<table:table-cell{formula} office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def write_ods(path, sheets, percent_style=True):
    """sheets: [(name, rows)] or [(name, rows, first_row)] (1-based; default 1). With
    percent_style=False, percentage cells have no percentage number style (as a file not
    written by a spreadsheet)."""
    body = []
    for s in sheets:
        name, rows = s[0], s[1]
        first = s[2] if len(s) > 2 else 1
        body.append(f'<table:table table:name="{escape(name)}">')
        if first > 1:
            body.append(f'<table:table-row table:number-rows-repeated="{first - 1}"><table:table-cell/></table:table-row>')
        for row in rows:
            body.append("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>")
        body.append("</table:table>")
    # A percentage cell has a cell style with a percentage number format, as LibreOffice
    # writes it.
    styles = ""
    if percent_style and _percent_codes(sheets):
        styles = (
            "<office:automatic-styles>"
            '<number:percentage-style style:name="N11"><number:number number:decimal-places="0" '
            'number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>'
            '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N11"/>'
            "</office:automatic-styles>"
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        + styles
        + "<office:body><office:spreadsheet>" + "".join(body) + "</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    _zip(
        path,
        [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet", False),
            ("META-INF/manifest.xml", manifest, True),
            ("content.xml", content, True),
        ],
    )
