"""The user's workbook is sacred: checking, re-checking and 清除标记 keep everything the tool did not write.

A copy of the 桃江 example decorated the way accountants decorate theirs (tests/decorated.py: a seal
picture, a shape with a link, a chart, threaded comments, rich text, formulas, conditional formats, a
validation, custom XML, printer settings, their own 自评报告 and 备注 sheets and name, theme and pattern
fills and a note on flagged cells, VBA in the .xlsm) goes through

    input --check_file--> checked --check_file--> rechecked --clear_file--> cleared

and each decoration is compared, at the package level, with the input: byte for byte where the tool has
no business in the part, and by meaning (the same XML elements and attributes) where the part must change.
"""

from __future__ import annotations

import copy
import hashlib
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

import pytest
from lxml import etree

from perfeval import service
from perfeval.catalogue import split_address
from perfeval.core.plan import SEVERITY_FILLS
from perfeval.core.profile import default_profile
from tests.decorated import (
    CT_WORKBOOK_XLSM,
    MAIN,
    PKG_REL,
    RT_CUSTOM_PROPS,
    RT_CUSTOM_XML,
    RT_PERSON,
    RT_VBA,
    UNTOUCHED_PARTS,
    VBA,
    Decorations,
    build_decorated,
)

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
XR_UID = "{http://schemas.microsoft.com/office/spreadsheetml/2014/revision}uid"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
STAGES = ("checked", "rechecked", "cleared")
MARKED = ("checked", "rechecked")


def q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def canon(el: etree._Element | None):
    """An element as nested tuples: namespace URIs (not prefixes), sorted attributes, text; blank text between
    elements ignored. Two elements with the same canon say the same thing, however they were serialised."""
    if el is None:
        return None
    children = tuple(canon(c) for c in el if isinstance(c.tag, str))
    text = el.text if el.text and (not children or el.text.strip()) else None
    return (etree.QName(el).text, tuple(sorted(el.attrib.items())), text, children)


def plain_text(el: etree._Element | None) -> str | None:
    """What Excel shows for a string item or a note: its <t> texts joined (phonetic runs left out)."""
    if el is None:
        return None
    return "".join(t.text or "" for t in el.iter(q("t")) if etree.QName(t.getparent()).localname != "rPh")


# --- reading a package ---------------------------------------------------------------------------------


class Package:
    """A workbook file read as parts, with the lookups the assertions need."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            self.parts = {n: z.read(n) for n in z.namelist()}

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.parts[part])

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, target part) of part's internal relationships ('' for the package's own)."""
        p = PurePosixPath(part)
        rels_part = str(p.parent / "_rels" / (p.name + ".rels")) if part else "_rels/.rels"
        if rels_part not in self.parts:
            return []
        out = []
        for el in self.xml(rels_part).iter(f"{{{PKG_REL}}}Relationship"):
            if el.get("TargetMode") != "External":
                out.append((el.get("Id"), el.get("Type"), resolve(part, el.get("Target"))))
        return out

    def target(self, part: str, rel_id: str) -> str | None:
        return next((t for i, _, t in self.rels(part) if i == rel_id), None)

    def related(self, part: str, kind: str) -> list[str]:
        """The parts part links to by relationships of a kind ('drawing', 'comments', …: the type's tail)."""
        return [t for _, typ, t in self.rels(part) if typ.rsplit("/", 1)[-1] == kind]

    def content_type(self, part: str) -> str | None:
        types = self.xml("[Content_Types].xml")
        for el in types.iter(f"{{{CT_NS}}}Override"):
            if el.get("PartName").lstrip("/") == part:
                return el.get("ContentType")
        ext = part.rsplit(".", 1)[-1].lower()
        for el in types.iter(f"{{{CT_NS}}}Default"):
            if el.get("Extension").lower() == ext:
                return el.get("ContentType")
        return None

    @cached_property
    def workbook_part(self) -> str:
        return next(t for _, typ, t in self.rels("") if typ.endswith("/officeDocument"))

    @cached_property
    def workbook(self) -> etree._Element:
        return self.xml(self.workbook_part)

    @cached_property
    def sheet_parts(self) -> dict[str, str]:
        wb = self.workbook_part
        return {s.get("name"): self.target(wb, s.get(R_ID)) for s in self.workbook.iter(q("sheet"))}

    def sheet(self, name: str) -> etree._Element:
        return self.xml(self.sheet_parts[name])

    def defined_names(self) -> set[tuple[str, str | None, str]]:
        return {(d.get("name"), d.get("localSheetId"), d.text) for d in self.workbook.iter(q("definedName"))}

    @cached_property
    def shared_strings(self) -> list[etree._Element]:
        parts = self.related(self.workbook_part, "sharedStrings")
        return list(self.xml(parts[0]).iter(q("si"))) if parts else []

    @cached_property
    def styles(self) -> etree._Element:
        return self.xml(self.related(self.workbook_part, "styles")[0])

    def cell(self, sheet: str, ref: str) -> etree._Element | None:
        return next((c for c in self.sheet(sheet).iter(q("c")) if c.get("r") == ref), None)

    def string_item(self, sheet: str, ref: str) -> etree._Element | None:
        """The <si> (shared) or <is> (inline) holding a text cell's value, runs and all."""
        c = self.cell(sheet, ref)
        if c is None:
            return None
        if c.get("t") == "s":
            return self.shared_strings[int(c.findtext(q("v")))]
        return c.find(q("is"))

    def cell_text(self, sheet: str, ref: str) -> str | None:
        c = self.cell(sheet, ref)
        if c is None:
            return None
        if c.get("t") in ("s", "inlineStr"):
            return plain_text(self.string_item(sheet, ref))
        return c.findtext(q("v"))

    def cell_format(self, sheet: str, ref: str) -> dict[str, object]:
        """The cell's format, resolved: its <fill>, font, border, number format, and the xf's own settings."""
        c = self.cell(sheet, ref)
        xf = self.styles.find(q("cellXfs"))[int(c.get("s", "0"))]

        def pick(group: str, attr: str):
            return canon(self.styles.find(q(group))[int(xf.get(attr, "0"))])

        num_id = xf.get("numFmtId", "0")
        custom = {n.get("numFmtId"): n.get("formatCode") for n in self.styles.iter(q("numFmt"))}
        own = {k: v for k, v in xf.attrib.items() if k not in ("fillId", "fontId", "borderId", "numFmtId")}
        return {
            "fill": pick("fills", "fillId"),
            "font": pick("fonts", "fontId"),
            "border": pick("borders", "borderId"),
            "numFmt": custom.get(num_id, num_id),
            "xf": (tuple(sorted(own.items())), tuple(canon(ch) for ch in xf)),
        }

    def comments(self, sheet: str) -> dict[str, tuple[str, etree._Element]]:
        """Cell -> (author, <comment>) of the sheet's legacy notes."""
        parts = self.related(self.sheet_parts[sheet], "comments")
        if not parts:
            return {}
        root = self.xml(parts[0])
        authors = [a.text or "" for a in root.iter(q("author"))]
        return {c.get("ref"): (authors[int(c.get("authorId"))], c) for c in root.iter(q("comment"))}

    def vml_notes(self, sheet: str) -> set[tuple[int, int]]:
        """(row, column), zero-based, of the Note shapes in the sheet's legacy drawing."""
        parts = self.related(self.sheet_parts[sheet], "vmlDrawing")
        if not parts:
            return set()
        x = "urn:schemas-microsoft-com:office:excel"
        root = etree.fromstring(self.parts[parts[0]], etree.XMLParser(recover=True))  # VML: not always XML
        return {
            (int(d.findtext(f"{{{x}}}Row")), int(d.findtext(f"{{{x}}}Column")))
            for d in root.iter(f"{{{x}}}ClientData")
            if d.get("ObjectType") == "Note"
        }


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = list(PurePosixPath(source_part).parent.parts) if source_part else []
    for seg in target.split("/"):
        if seg == "..":
            parts.pop()
        elif seg not in ("", "."):
            parts.append(seg)
    return "/".join(parts)


def zero_based(ref: str) -> tuple[int, int]:
    """'C4' -> (3, 2): zero-based row and column, as VML wants them."""
    row, col = split_address(ref)
    return row - 1, col - 1


# --- the runs ------------------------------------------------------------------------------------------


def finding_keys(run) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.rule_id, tuple(str(c) for c in f.cells)) for f in run.result.findings)


@dataclass
class Runs:
    deco: Decorations
    folder: Path
    input_sha: str
    first: object = None
    second: object = None
    _packages: dict[str, Package] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return self.deco.path.suffix

    def output(self, stage: str) -> Path:
        return self.folder / f"{stage}{self.suffix}"

    def package(self, stage: str) -> Package:
        """The package after a stage; 清除标记 runs only when a test needs it (its API may not exist yet)."""
        if stage == "input":
            return Package(self.deco.path)
        if stage not in self._packages:
            if stage == "cleared":
                written = service.clear_file(self.output("rechecked"), self.output("cleared"))
                assert Path(written) == self.output("cleared")
            self._packages[stage] = Package(self.output(stage))
        return self._packages[stage]


@pytest.fixture(scope="module", params=["xlsx", "xlsm"])
def runs(request, tmp_path_factory) -> Runs:
    kind = request.param
    folder = tmp_path_factory.mktemp(f"preservation-{kind}")
    deco = build_decorated(TAOJIANG, folder / f"decorated.{kind}", xlsm=kind == "xlsm")
    r = Runs(deco, folder, hashlib.sha256(deco.path.read_bytes()).hexdigest())
    profile = default_profile()
    r.first = service.check_file(deco.path, profile, r.output("checked"))
    r.second = service.check_file(r.output("checked"), profile, r.output("rechecked"))
    return r


@pytest.fixture(params=STAGES)
def stage(request) -> str:
    return request.param


# --- the whole package ---------------------------------------------------------------------------------


def test_input_file_is_never_written(runs: Runs, stage: str) -> None:
    runs.package(stage)  # run up to this stage
    assert hashlib.sha256(runs.deco.path.read_bytes()).hexdigest() == runs.input_sha


def test_rechecking_the_result_finds_the_same(runs: Runs) -> None:
    assert finding_keys(runs.second) == finding_keys(runs.first)


def test_every_part_is_kept_with_its_content_type(runs: Runs, stage: str) -> None:
    before, after = runs.package("input"), runs.package(stage)
    missing = sorted(set(before.parts) - set(after.parts))
    assert missing == []
    retyped = {p: after.content_type(p) for p in before.parts if p in after.parts}
    assert retyped == {p: before.content_type(p) for p in retyped}


@pytest.mark.parametrize("part", UNTOUCHED_PARTS)
def test_part_the_tool_has_no_business_in_is_byte_identical(runs: Runs, stage: str, part: str) -> None:
    assert part in runs.deco.untouched_parts
    after = runs.package(stage)
    assert part in after.parts, f"{part} was dropped"
    assert after.parts[part] == runs.package("input").parts[part], f"{part} was rewritten"


@pytest.mark.parametrize("runs", ["xlsm"], indirect=True)  # only the .xlsm carries a VBA project
def test_vba_project_is_byte_identical(runs: Runs, stage: str) -> None:
    part = VBA
    assert part in runs.deco.untouched_parts
    after = runs.package(stage)
    assert part in after.parts, f"{part} was dropped"
    assert after.parts[part] == runs.package("input").parts[part], f"{part} was rewritten"


# --- relationships -------------------------------------------------------------------------------------

# (sheet, relationship type's tail, the sheet's element that uses it by r:id)
SHEET_LINKS = [
    ("附件1", "drawing", "drawing"),
    ("附件1", "printerSettings", "pageSetup"),
    ("附件2", "drawing", "drawing"),
    ("附件2", "vmlDrawing", "legacyDrawing"),
    ("附件2", "comments", None),
    ("附件2", "threadedComment", None),
]
LINK_IDS = [f"{s}-{k}" for s, k, _ in SHEET_LINKS]


@pytest.mark.parametrize(("sheet", "kind", "element"), SHEET_LINKS, ids=LINK_IDS)
def test_sheet_still_points_at_the_same_part(runs: Runs, stage: str, sheet: str, kind: str, element) -> None:
    expected = runs.deco.sheet_links[sheet][kind]
    after = runs.package(stage)
    part = after.sheet_parts[sheet]
    assert after.related(part, kind) == [expected]
    if element:
        el = after.sheet(sheet).find(q(element))
        assert el is not None and after.target(part, el.get(R_ID)) == expected


def test_package_level_links_are_kept(runs: Runs, stage: str) -> None:
    d, after = runs.deco, runs.package(stage)
    links = {(typ, t) for _, typ, t in [*after.rels(""), *after.rels(after.workbook_part)]}
    assert (RT_CUSTOM_PROPS, d.custom_props_part) in links
    assert (RT_CUSTOM_XML, d.custom_xml_parts[0]) in links
    assert (RT_PERSON, d.persons_part) in links


@pytest.mark.parametrize("runs", ["xlsm"], indirect=True)
def test_vba_project_stays_attached(runs: Runs, stage: str) -> None:
    after = runs.package(stage)
    assert after.content_type(after.workbook_part) == CT_WORKBOOK_XLSM
    assert (RT_VBA, VBA) in {(typ, t) for _, typ, t in after.rels(after.workbook_part)}
    assert after.workbook.find(q("workbookPr")).get("codeName") == "ThisWorkbook"


# --- cells the user typed ------------------------------------------------------------------------------


def test_rich_text_keeps_its_runs(runs: Runs, stage: str) -> None:
    at = runs.deco.rich_text
    before = runs.package("input").string_item(*at)
    after = runs.package(stage).string_item(*at)
    assert after is not None, f"{at} lost its text"
    assert [canon(r) for r in after] == [canon(r) for r in before]
    bold = [r for r in after.iter(q("r")) if r.find(f"{q('rPr')}/{q('b')}") is not None]
    assert [plain_text(r) for r in bold] == [runs.deco.rich_bold_text]


def test_formula_cells_keep_formula_and_cached_value(runs: Runs, stage: str) -> None:
    before, after = runs.package("input"), runs.package(stage)
    for at, (formula, cached) in runs.deco.formulas.items():
        c0, c1 = before.cell(*at), after.cell(*at)
        assert c0.findtext(q("f")) == formula and c0.findtext(q("v")) == cached  # the fixture itself
        assert c1 is not None, f"{at} is gone"
        assert canon(c1.find(q("f"))) == canon(c0.find(q("f"))), f"{at}: formula"
        assert c1.findtext(q("v")) == cached, f"{at}: cached value"
        assert c1.get("t") == c0.get("t"), f"{at}: type"


def test_conditional_formatting_is_unchanged(runs: Runs, stage: str) -> None:
    sheet = runs.deco.conditional_format.sheet

    def rules(pkg: Package) -> list:
        """Each <conditionalFormatting>, with the format (dxf) of every rule resolved from its index."""
        dxfs = pkg.styles.find(q("dxfs"))
        out = []
        for cf in pkg.sheet(sheet).findall(q("conditionalFormatting")):
            formats = [canon(dxfs[int(r.get("dxfId"))]) for r in cf.iter(q("cfRule")) if r.get("dxfId")]
            cf = etree.fromstring(etree.tostring(cf))
            for r in cf.iter(q("cfRule")):
                r.attrib.pop("dxfId", None)
            out.append((canon(cf), formats))
        return out

    before = rules(runs.package("input"))
    assert any(c[0][1] == (("sqref", runs.deco.conditional_format.cell),) for c in before)
    assert rules(runs.package(stage)) == before


def test_data_validations_are_unchanged(runs: Runs, stage: str) -> None:
    before, after = runs.package("input"), runs.package(stage)
    for sheet in before.sheet_parts:
        dv = before.sheet(sheet).find(q("dataValidations"))
        if dv is not None:
            assert canon(after.sheet(sheet).find(q("dataValidations"))) == canon(dv), sheet
    users = before.sheet(runs.deco.data_validation.sheet).iter(q("dataValidation"))
    assert runs.deco.data_validation.cell in [v.get("sqref") for v in users]


# --- the user's sheets and names -----------------------------------------------------------------------


def test_users_own_report_sheet_is_kept_and_ours_goes_elsewhere(runs: Runs, stage: str) -> None:
    d = runs.deco
    before, after = runs.package("input"), runs.package(stage)
    rows = after.sheet(d.user_report_sheet).iter(q("row"))
    assert tuple(after.cell_text(d.user_report_sheet, f"A{r.get('r')}") for r in rows) == d.user_report_lines
    new = [n for n in after.sheet_parts if n not in before.sheet_parts]
    if stage in MARKED:
        assert any(n.startswith(d.user_report_sheet) for n in new), f"no report sheet of ours among {new}"
    else:
        assert new == []


def test_users_sheet_and_name_survive(runs: Runs, stage: str) -> None:
    d = runs.deco
    before, after = runs.package("input"), runs.package(stage)
    assert [n for n in after.sheet_parts if n in before.sheet_parts] == list(before.sheet_parts)  # in order
    assert {ref: after.cell_text(d.user_sheet, ref) for ref in d.user_sheet_cells} == d.user_sheet_cells
    assert (d.user_name, None, d.user_name_ref) in after.defined_names()
    assert before.defined_names() <= after.defined_names()
    if stage == "cleared":
        assert after.defined_names() == before.defined_names()


# --- fills and notes on flagged cells -------------------------------------------------------------------


def is_mark(fill) -> bool:
    """A solid fill in one of the tool's severity colours (fill: the canon of a <fill>)."""
    pattern = next((c for c in fill[3] if c[0] == q("patternFill")), None)
    if pattern is None or dict(pattern[1]).get("patternType") != "solid":
        return False
    fg = next((dict(c[1]) for c in pattern[3] if c[0] == q("fgColor")), {})
    return fg.get("rgb", "")[-6:].upper() in SEVERITY_FILLS.values()


@pytest.mark.parametrize("which", ["theme_fill", "pattern_fill"])
def test_users_fill_on_a_flagged_cell_comes_back_exactly(runs: Runs, stage: str, which: str) -> None:
    at = getattr(runs.deco, which)
    flagged = {(r.sheet, r.address) for f in runs.first.result.findings for r in f.cells}
    assert at in flagged, f"fixture: {at} is not flagged"
    before = runs.package("input").cell_format(*at)
    after = runs.package(stage).cell_format(*at)
    if stage in MARKED:
        assert is_mark(after["fill"]), f"{at} is flagged but not marked: {after['fill']}"
        for key in ("font", "border", "numFmt"):
            assert after[key] == before[key], f"{at}: {key}"
        assert after["xf"][1] == before["xf"][1], f"{at}: alignment/protection"
    else:
        assert after["fill"] == before["fill"], f"{at}: the user's fill is not back"
        assert after == before


def test_threaded_comment_fallback_is_kept(runs: Runs, stage: str) -> None:
    at = runs.deco.threaded
    before = runs.package("input").comments(at.sheet)[at.cell]
    after = runs.package(stage).comments(at.sheet).get(at.cell)
    assert after is not None, f"the legacy fallback of the thread on {at} is gone"
    assert after[0] == before[0]  # author "tc={thread id}" ties it to the thread
    assert after[1].get(XR_UID) == before[1].get(XR_UID)
    assert canon(after[1].find(q("text"))) == canon(before[1].find(q("text")))
    assert zero_based(at.cell) in runs.package(stage).vml_notes(at.sheet)


def test_accountants_note_keeps_author_and_text(runs: Runs, stage: str) -> None:
    d = runs.deco
    at = d.note
    author0, note0 = runs.package("input").comments(at.sheet)[at.cell]
    assert (author0, plain_text(note0.find(q("text")))) == (d.note_author, d.note_text)  # the fixture itself
    after = runs.package(stage)
    found = after.comments(at.sheet).get(at.cell)
    assert found is not None, f"{d.note_author}'s note on {at} is gone"
    author, note = found
    assert author == d.note_author
    assert d.note_text in plain_text(note.find(q("text")))
    assert zero_based(at.cell) in after.vml_notes(at.sheet)
    if stage == "cleared":  # exactly as before (the author list may be renumbered)
        note, note0 = copy.deepcopy(note), copy.deepcopy(note0)
        note.attrib.pop("authorId"), note0.attrib.pop("authorId")
        assert canon(note) == canon(note0)
