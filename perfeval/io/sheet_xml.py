"""A worksheet part, edited in place: find or add a cell, set its value or style; build the tool's own sheets.

Only the cells the tool owns are touched; rows, cells and every other element keep their order and
attributes. Strings go in as inline strings (never as formulas, and without touching sharedStrings.xml).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from lxml import etree
from openpyxl.formula.translate import Translator

from perfeval.catalogue import get_column_letter, split_address
from perfeval.io.package import Package, q, xml_text

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_V, _IS, _T = q("v"), q("is"), q("t")
# CT_Worksheet's child order after sheetData: a new element goes before the first of its successors.
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
    "extLst",
)  # fmt: skip


def insert_in_order(root: etree._Element, el: etree._Element) -> None:
    """Put a worksheet child where the schema wants it."""
    name = etree.QName(el).localname
    later = set(WORKSHEET_ORDER[WORKSHEET_ORDER.index(name) + 1 :])
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname in later:
            child.addprevious(el)
            return
    root.append(el)


def column_number(ref: str) -> int:
    """The column of a cell reference: "AB12" -> 28 (a loop: this runs once per cell of a sheet)."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n


class Worksheet:
    def __init__(self, package: Package, part: str) -> None:
        self.package, self.part = package, part
        self.root = package.xml(part)
        data = self.root.find(q("sheetData"))
        if data is None:
            data = etree.Element(q("sheetData"))
            insert_in_order(self.root, data)
        self.data = data
        self._rows: dict[int, etree._Element] = {}
        self._cells: dict[tuple[int, int], etree._Element] = {}
        self._index()

    def _index(self) -> None:
        """Rows and cells by position; generators may leave out r= (the position is then implicit)."""
        row_no = 0
        for row in self.data.iterfind(q("row")):
            row_no = int(row.get("r") or row_no + 1)
            row.set("r", str(row_no))  # unchanged where present; explicit where it was implicit
            self._rows[row_no] = row
            col_no = 0
            for c in row.iterfind(q("c")):
                ref = c.get("r")
                if ref:
                    col_no = column_number(ref)
                else:
                    col_no += 1
                    c.set("r", f"{get_column_letter(col_no)}{row_no}")
                self._cells[(row_no, col_no)] = c

    def touch(self) -> None:
        self.package.touch(self.part)

    def cell(self, address: str, *, create: bool = True) -> etree._Element | None:
        row_no, col_no = split_address(address)
        c = self._cells.get((row_no, col_no))
        if c is not None or not create:
            return c
        row = self._rows.get(row_no)
        if row is None:
            row = etree.Element(q("row"))
            row.set("r", str(row_no))
            after = [r for n, r in self._rows.items() if n > row_no]
            if after:
                min(after, key=lambda r: int(r.get("r"))).addprevious(row)
            else:
                self.data.append(row)
            self._rows[row_no] = row
        row.attrib.pop("spans", None)  # an optional hint that a new cell may fall outside of
        c = etree.Element(q("c"))
        c.set("r", address)
        later = [x for (r, col), x in self._cells.items() if r == row_no and col > col_no]
        if later:
            min(later, key=lambda x: split_address(x.get("r"))[1]).addprevious(c)
        else:
            row.append(c)
        self._cells[(row_no, col_no)] = c
        self.touch()
        return c

    def style(self, c: etree._Element) -> int:
        return int(c.get("s", "0"))

    def set_style(self, c: etree._Element, index: int) -> None:
        if index == 0:
            c.attrib.pop("s", None)
        else:
            c.set("s", str(index))
        self.touch()

    def formula(self, c: etree._Element) -> etree._Element | None:
        return c.find(q("f"))

    def set_value(self, c: etree._Element, value: object) -> bool:
        """Replace a cell's content with a number, a text or nothing; True when a formula was removed."""
        f = c.find(q("f"))
        removed = f is not None
        if f is not None and f.get("t") == "shared" and f.get("ref"):
            self._unshare(c, f)
        for tag in ("f", "v", "is"):
            for old in c.findall(q(tag)):
                c.remove(old)
        for attr in ("t", "vm", "cm"):
            c.attrib.pop(attr, None)
        self.write_value(c, value)
        self.touch()
        return removed

    @staticmethod
    def write_value(c: etree._Element, value: object) -> None:
        """Give an empty <c> a number, a text (inline, so never a formula) or nothing."""
        if value is None:
            return
        if isinstance(value, str):
            if value:
                c.set("t", "inlineStr")
                t = etree.SubElement(etree.SubElement(c, _IS), _T)
                t.text = xml_text(value)
                t.set(_XML_SPACE, "preserve")
        elif isinstance(value, bool):
            c.set("t", "b")
            etree.SubElement(c, _V).text = "1" if value else "0"
        elif isinstance(value, int | float) and math.isfinite(value):
            etree.SubElement(c, _V).text = repr(value) if isinstance(value, float) else str(value)
        else:  # not a number a cell can hold (inf, a Decimal that slipped through): shown as text
            Worksheet.write_value(c, str(value))

    def _unshare(self, master: etree._Element, f: etree._Element) -> None:
        """The cell holding a shared formula's text is overwritten: give every cell sharing it its own."""
        si, origin = f.get("si"), master.get("r")
        for c in self._cells.values():
            child = c.find(q("f"))
            if c is master or child is None or child.get("t") != "shared" or child.get("si") != si:
                continue
            formula = "=" + (f.text or "")
            child.text = Translator(formula, origin=origin).translate_formula(c.get("r"))[1:]
            for attr in ("t", "si", "ref"):
                child.attrib.pop(attr, None)

    def cells(self) -> Iterator[tuple[tuple[int, int], etree._Element]]:
        return iter(self._cells.items())


def cell_text(c: etree._Element, shared: list[str]) -> str:
    """What a cell shows as text (shared, inline or formula string, or the number as stored)."""
    t = c.get("t")
    if t == "inlineStr":
        return "".join(x.text or "" for x in c.iter(q("t")))
    v = c.find(q("v"))
    if v is None or v.text is None:
        return ""
    if t == "s":
        i = int(v.text)
        return shared[i] if 0 <= i < len(shared) else ""
    return v.text


def shared_strings(package: Package, part: str | None) -> list[str]:
    if part is None or part not in package:
        return []
    root = package.xml(part)
    return ["".join(x.text or "" for x in si.iter(q("t"))) for si in root.iterfind(q("si"))]
