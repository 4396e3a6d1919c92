"""What a check reads of a workbook besides its values: sheets, defined names, tables, and the cells whose
values python-calamine cannot tell (errors, formulas without a cached result).

openpyxl would give all of this too, but only by loading every cell and style into its object model, which
was two thirds of reading a workbook (a bureau reviews hundreds). The package's XML holds it directly: the
workbook part (sheets, defined names), each worksheet's relationships (its tables) and, for the few cells
calamine shows blank, the worksheet XML itself, streamed. A name's formula is read by openpyxl's own
DefinedName, so its destinations mean what they meant when openpyxl loaded the whole book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from lxml import etree
from openpyxl.workbook.defined_name import DefinedName

from perfeval.catalogue import split_address
from perfeval.core.snapshot import UncomputedFormula
from perfeval.io.package import NS_R, REL, REL_WORKSHEET, Package, q

REL_TABLE = REL + "table"
# One sheet and one cell or range, as openpyxl's DefinedName.destinations reads it (a quoted title keeps
# its doubled quotes, as there); anything else goes through openpyxl's tokenizer.
_CELL = r"\$?[A-Z]{1,3}\$?[0-9]+"
_SIMPLE = re.compile(rf"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[\w.]+))!(?P<cells>{_CELL}(?::{_CELL})?)")
_RID = f"{{{NS_R}}}id"
_FORMULA_TOKENS = ((b"<f", (b"<f>", b"<f ", b"<f/>")), (b":f", (b":f>", b":f ", b":f/>")))


def _may_hold_special(xml: bytes) -> bool:
    """Whether the part holds a formula or an error cell. Each token family is looked for by its head
    first: a part without any formula is then scanned four times, not eight."""
    for head, tokens in _FORMULA_TOKENS:
        if head in xml and any(token in xml for token in tokens):
            return True
    return b't="e"' in xml or b"t='e'" in xml


@dataclass
class Structure:
    """The workbook's sheets (all of them, in order), which of them are worksheets, its workbook-scoped
    names (name -> formula text), each sheet's own names, and its tables (name -> sheet, ref)."""

    package: Package
    sheet_names: list[str]
    worksheets: list[str]
    names: dict[str, str]
    local_names: dict[str, list[str]]
    tables: dict[str, tuple[str, str]]
    _parts: dict[str, str] = field(default_factory=dict)  # worksheet -> its part
    _special: dict[str, dict[tuple[int, int], object]] = field(default_factory=dict)

    def destination(self, name: str) -> tuple[str, str] | None:
        """The first cell or range a workbook-scoped name points at, "$" removed; None without one."""
        text = self.names.get(name)
        if not text:  # absent, or a name with no formula at all: as good as missing
            return None
        if m := _SIMPLE.fullmatch(text):  # the template's own form, "'附件1'!$B$4": no need to tokenize
            return m.group("quoted") or m.group("plain"), m.group("cells").replace("$", "")
        try:
            for sheet, ref in DefinedName(name, attr_text=text).destinations:
                return sheet, ref.replace("$", "")
        except (AttributeError, ValueError, TypeError):  # openpyxl cannot read it ("A-B!$A$1"): none
            return None
        return None

    def special(self, sheet: str) -> dict[tuple[int, int], object]:
        """(row, col) -> what a cell calamine reads as blank really holds: an error value ("#DIV/0!"),
        a formula's cached result, or UncomputedFormula for a formula saved without one."""
        if sheet not in self._special:
            part = self._parts.get(sheet)
            self._special[sheet] = _special_cells(self.package.read(part)) if part else {}
        return self._special[sheet]


def read_structure(path: Path) -> Structure:
    package = Package(path)
    root = package.xml(package.workbook_part)
    sheets_el = root.find(q("sheets"))
    elements = list(sheets_el.iterfind(q("sheet"))) if sheets_el is not None else []
    sheet_names = [el.get("name", "") for el in elements]
    rels = {r.id: r for r in package.rels(package.workbook_part)}
    parts: dict[str, str] = {}
    for el in elements:
        rel = rels.get(el.get(_RID, ""))
        if rel is not None and rel.type == REL_WORKSHEET and not rel.external:
            part = package.target(package.workbook_part, rel.id)
            if part in package:
                parts[el.get("name", "")] = part
    names: dict[str, str] = {}
    local: dict[str, list[str]] = {}
    names_el = root.find(q("definedNames"))
    for dn in names_el if names_el is not None else []:
        name, scope = dn.get("name", ""), dn.get("localSheetId")
        if scope is None:
            names[name] = dn.text or ""  # a name defined twice: the last, as Excel and openpyxl read it
        elif scope.isdigit() and int(scope) < len(sheet_names):
            local.setdefault(sheet_names[int(scope)], []).append(name)
    tables: dict[str, tuple[str, str]] = {}
    for sheet, part in parts.items():
        for _, table_part in package.related(part, REL_TABLE):
            if table_part in package:
                t = package.xml(table_part)
                name = t.get("name") or t.get("displayName") or ""
                tables[name] = (sheet, t.get("ref", ""))
    return Structure(package, sheet_names, list(parts), names, local, tables, _parts=parts)


def _special_cells(xml: bytes) -> dict[tuple[int, int], object]:
    out: dict[tuple[int, int], object] = {}
    # A cell formula is <f>/<f …> (a prefixed :f too); <formula1> of a validation is not. Neither that nor
    # an error cell in the part: nothing to parse.
    if not _may_hold_special(xml):
        return out
    for _, c in etree.iterparse(BytesIO(xml), events=("end",), tag=q("c"), resolve_entities=False):
        f, v = c.find(q("f")), c.find(q("v"))
        if c.get("t") == "e" or f is not None:
            ref = c.get("r")
            if ref:
                out[split_address(ref)] = _held(c.get("t"), f, v)
        c.clear()
    return out


def _held(kind: str | None, f: etree._Element | None, v: etree._Element | None) -> object:
    if v is None or v.text is None:
        # saved by a generator without its result: unknown, not blank
        return UncomputedFormula("=" + (f.text or "")) if f is not None else None
    text = v.text
    if kind in ("e", "str", "inlineStr", "s"):
        return text if kind != "s" else None  # a formula's result is never a shared string
    if kind == "b":
        return text == "1"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number
