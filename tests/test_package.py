"""The package patcher's pieces on small hand-written parts: cells, shared formulas, styles, notes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from perfeval.io.notes import SheetNotes
from perfeval.io.package import NS_MAIN, Package, PackageError
from perfeval.io.sheet_xml import Worksheet
from perfeval.io.styles import StyleSheet, fill_xml, parse_fill

M = NS_MAIN
SHEET = f"""<worksheet xmlns="{M}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheetData>
<row r="2"><c r="B2" s="1"><v>5</v></c><c r="D2"><f t="shared" ref="D2:D4" si="0">B2*2</f><v>10</v></c></row>
<row r="3"><c r="D3"><f t="shared" si="0"/><v>0</v></c></row>
<row><c><v>7</v></c><c r="D4"><f t="shared" si="0"/><v>0</v></c></row>
</sheetData><tableParts count="0"/></worksheet>"""
STYLES = f"""<styleSheet xmlns="{M}"><fonts count="1"><font><sz val="11"/></font></fonts>
<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor theme="4" tint="0.3999755851924192"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border/></borders>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="4" fontId="0" fillId="2" borderId="0" applyFill="1"/></cellXfs>
</styleSheet>"""
COMMENTS = f"""<comments xmlns="{M}"><authors><author>张会计</author></authors><commentList>
<comment ref="B2" authorId="0"><text><r><rPr><b/></rPr><t>张会计:</t></r><r><t xml:space="preserve">
含上级转拨</t></r></text></comment>
<comment ref="C2" authorId="0"><text><t>plain</t></text></comment></commentList></comments>"""
VML = """<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>
 <v:shape id="_x0000_s1025" o:spid="_x0000_s1025"><br><x:ClientData ObjectType="Note"><x:Row>1</x:Row><x:Column>1</x:Column></x:ClientData></v:shape>
</xml>"""


def _package(tmp_path: Path, **parts: str) -> Package:
    path = tmp_path / "p.xlsx"
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'comments" Target="../comments1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/></Relationships>'
    )
    files = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": rels,
        "xl/workbook.xml": f'<workbook xmlns="{M}"><sheets/></workbook>',
        "xl/worksheets/sheet1.xml": parts.get("sheet", SHEET),
        "xl/worksheets/_rels/sheet1.xml.rels": sheet_rels,
        "xl/styles.xml": STYLES,
        "xl/comments1.xml": COMMENTS,
        "xl/drawings/vmlDrawing1.vml": VML,
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return Package(path)


def _f(ws: Worksheet, address: str) -> etree._Element | None:
    return ws.cell(address).find(f"{{{M}}}f")


def test_overwriting_the_cell_that_holds_a_shared_formula_gives_the_others_their_own(tmp_path: Path) -> None:
    ws = Worksheet(_package(tmp_path), "xl/worksheets/sheet1.xml")
    assert ws.set_value(ws.cell("D2"), 1.5) is True
    assert _f(ws, "D2") is None and ws.cell("D2").findtext(f"{{{M}}}v") == "1.5"
    assert _f(ws, "D3").text == "B3*2" and _f(ws, "D3").get("t") is None
    assert _f(ws, "D4").text == "B4*2" and _f(ws, "D4").get("si") is None


def test_new_cells_go_in_order_and_implicit_positions_become_explicit(tmp_path: Path) -> None:
    ws = Worksheet(_package(tmp_path), "xl/worksheets/sheet1.xml")
    assert ws.cell("A4").findtext(f"{{{M}}}v") == "7"  # the row without r= is row 4, its first cell A4
    ws.set_value(ws.cell("C2"), "=1+1")
    ws.set_value(ws.cell("A1"), 3)
    rows = [r.get("r") for r in ws.data]
    assert rows == ["1", "2", "3", "4"]
    assert [c.get("r") for c in ws.data[1]] == ["B2", "C2", "D2"]
    c2 = ws.cell("C2")
    assert c2.get("t") == "inlineStr" and c2.find(f"{{{M}}}f") is None  # text stays text
    ws.set_value(ws.cell("B2"), None)
    assert ws.cell("B2").get("s") == "1" and len(ws.cell("B2")) == 0  # emptied, style kept


def test_putting_back_a_theme_fill_gives_back_the_original_format(tmp_path: Path) -> None:
    package = _package(tmp_path)
    styles = StyleSheet(package, "xl/styles.xml")
    recorded = fill_xml(styles.fill_of(1))
    assert 'theme="4"' in recorded and "tint" in recorded
    marked = styles.derive(1, fillId=styles.fill(parse_fill("FFC7CE")))
    assert (
        marked not in (0, 1)
        and styles.fill_of(marked).find(f"{{{M}}}patternFill").get("patternType") == "solid"
    )
    assert styles.derive(marked, fillId=styles.fill(parse_fill(recorded))) == 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [("none", None), ("FFC7CE", "FFFFC7CE"), ("00D9D9D9", "00D9D9D9"), ("<fill><broken", None)],
)
def test_legacy_fill_codes(code: str, expected: str | None) -> None:
    pattern = parse_fill(code).find(f"{{{M}}}patternFill")
    fg = pattern.find(f"{{{M}}}fgColor")
    assert (fg.get("rgb") if fg is not None else None) == expected


def test_our_note_comes_off_a_users_rich_note_exactly(tmp_path: Path) -> None:
    package = _package(tmp_path)
    ws = Worksheet(package, "xl/worksheets/sheet1.xml")
    ws.root.append(
        etree.fromstring(f'<legacyDrawing xmlns="{M}" xmlns:r="{ws.root.nsmap["r"]}" r:id="rId2"/>')
    )
    before = etree.tostring(package.xml("xl/comments1.xml"))
    notes = SheetNotes(package, ws.part, ws.root)
    notes.add("B2", "【perfeval】\n[警告] RATE-011")
    notes.add("C2", "【perfeval】\n[提示] X")
    notes.add("E5", "【perfeval】\n[错误] SUM-001")
    notes.save()
    comments = package.xml("xl/comments1.xml")
    authors = [a.text for a in comments.iter(f"{{{M}}}author")]
    assert authors == ["张会计", "perfeval"]
    b2 = next(c for c in comments.iter(f"{{{M}}}comment") if c.get("ref") == "B2")
    assert b2.get("authorId") == "0"  # the user's note keeps its author
    assert "_x0000_s1026" in package.read("xl/drawings/vmlDrawing1.vml").decode()  # a box for E5

    notes = SheetNotes(package, ws.part, ws.root)
    for address in ("B2", "C2", "E5"):
        notes.strip(address, "【perfeval】")
    notes.save()
    after = package.xml("xl/comments1.xml")
    assert [c.get("ref") for c in after.iter(f"{{{M}}}comment")] == ["B2", "C2"]
    for ref in ("B2", "C2"):
        old = next(c for c in etree.fromstring(before).iter(f"{{{M}}}comment") if c.get("ref") == ref)
        new = next(c for c in after.iter(f"{{{M}}}comment") if c.get("ref") == ref)
        assert etree.tostring(new.find(f"{{{M}}}text")) == etree.tostring(old.find(f"{{{M}}}text"))
    vml = package.read("xl/drawings/vmlDrawing1.vml").decode()
    assert "_x0000_s1025" in vml and "_x0000_s1026" not in vml and "<br>" in vml  # loose VML kept as is


def test_a_strict_open_xml_workbook_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"/>')
    with pytest.raises(PackageError, match="Strict"):
        Package(path)
