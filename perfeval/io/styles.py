"""styles.xml, edited in place: the tool adds the fonts, fills, number formats and cell formats it needs.

Existing entries are never changed or reordered (every cell of the user's keeps its style index); a new
entry equal to an existing one reuses it, so putting a cell's original fill back gives back its original
style index.
"""

from __future__ import annotations

import copy

from lxml import etree

from perfeval.io.package import Package, q

# Where a new <numFmts>/<fonts>/… goes when styles.xml lacks it (CT_Stylesheet's sequence).
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")
_FIRST_CUSTOM_NUMFMT = 164
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}


def entry_key(el: etree._Element) -> tuple:
    """Equality of two style entries, whatever namespace prefixes either was written with."""
    children = tuple(entry_key(c) for c in el if isinstance(c.tag, str))
    return (etree.QName(el).localname, tuple(sorted(el.attrib.items())), (el.text or "").strip(), children)


def fill_xml(el: etree._Element | None) -> str:
    """A <fill> as recorded on the state sheet: its XML without the namespace declaration."""
    if el is None:
        return "<fill><patternFill/></fill>"
    clean = copy.deepcopy(el)
    for node in clean.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(clean)
    return etree.tostring(clean, encoding="unicode")


def parse_fill(text: str) -> etree._Element:
    """The state sheet's original_fill back as a <fill> element: XML, or a legacy "none" / RRGGBB code."""
    text = (text or "").strip()
    if text.startswith("<"):
        try:
            src = etree.fromstring(
                text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError:
            src = None
        if src is not None and etree.QName(src).localname == "fill":
            el = etree.Element(q("fill"))
            _copy_into(src, el)
            return el
    el = etree.Element(q("fill"))
    pattern = etree.SubElement(el, q("patternFill"))
    code = text.lstrip("#")
    if len(code) in (6, 8) and all(c in "0123456789abcdefABCDEF" for c in code):
        pattern.set("patternType", "solid")
        etree.SubElement(pattern, q("fgColor")).set("rgb", code.upper().rjust(8, "F"))
        etree.SubElement(pattern, q("bgColor")).set("indexed", "64")
    return el


def _copy_into(src: etree._Element, dst: etree._Element) -> None:
    for k, v in src.attrib.items():
        dst.set(k, v)
    for child in src:
        if isinstance(child.tag, str):
            _copy_into(child, etree.SubElement(dst, q(etree.QName(child).localname)))


def solid_fill(rgb: str) -> etree._Element:
    return parse_fill(rgb)


class StyleSheet:
    def __init__(self, package: Package, part: str) -> None:
        self.package, self.part = package, part
        self.root = package.xml(part)
        self._index: dict[str, dict[tuple, int]] = {}
        self._lists: dict[str, list[etree._Element]] = {}

    def _list(self, tag: str) -> etree._Element:
        el = self.root.find(q(tag))
        if el is None:
            el = etree.Element(q(tag))
            el.set("count", "0")
            later = [self.root.find(q(t)) for t in _ORDER[_ORDER.index(tag) + 1 :]]
            anchor = next((x for x in later if x is not None), None)
            if anchor is not None:
                anchor.addprevious(el)
            else:
                self.root.append(el)
        return el

    def _entries(self, tag: str) -> list[etree._Element]:
        if tag not in self._lists:
            self._lists[tag] = [c for c in self._list(tag) if isinstance(c.tag, str)]
        return self._lists[tag]

    def _index_of(self, tag: str) -> dict[tuple, int]:
        index = self._index.get(tag)
        if index is None:
            index = {}
            for i, el in enumerate(self._entries(tag)):
                index.setdefault(entry_key(el), i)
            self._index[tag] = index
        return index

    def _add(self, tag: str, entry: etree._Element) -> int:
        """The index of an entry equal to `entry` in <tag>, appending it when there is none."""
        index = self._index_of(tag)
        key = entry_key(entry)
        if key in index:
            return index[key]
        parent = self._list(tag)
        entries = self._entries(tag)
        parent.append(entry)
        entries.append(entry)
        n = len(entries)
        parent.set("count", str(n))
        index[key] = n - 1
        self.package.touch(self.part)
        return n - 1

    # --- reading -------------------------------------------------------------------------------------
    def xf(self, index: int) -> etree._Element:
        xfs = self._entries("cellXfs")
        if 0 <= index < len(xfs):
            return xfs[index]
        return xfs[0] if xfs else etree.Element(q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0")

    def fill_of(self, xf_index: int) -> etree._Element | None:
        fills = self._entries("fills")
        i = int(self.xf(xf_index).get("fillId", "0"))
        return fills[i] if 0 <= i < len(fills) else None

    # --- adding --------------------------------------------------------------------------------------
    def fill(self, el: etree._Element) -> int:
        return self._add("fills", copy.deepcopy(el))

    def font(
        self, name: str, size: float, *, bold: bool = False, color: str | None = None, underline: bool = False
    ) -> int:
        el = etree.Element(q("font"))
        if bold:
            etree.SubElement(el, q("b"))
        if underline:
            etree.SubElement(el, q("u"))
        etree.SubElement(el, q("sz")).set("val", f"{size:g}")
        if color:
            etree.SubElement(el, q("color")).set("rgb", "FF" + color)
        etree.SubElement(el, q("name")).set("val", name)
        etree.SubElement(el, q("charset")).set("val", "134")  # GB2312: Chinese text
        return self._add("fonts", el)

    def number_format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        numfmts = self._list("numFmts")
        used = [int(el.get("numFmtId", "0")) for el in numfmts.findall(q("numFmt"))]
        for el in numfmts.findall(q("numFmt")):
            if el.get("formatCode") == code:
                return int(el.get("numFmtId", "0"))
        new_id = max([_FIRST_CUSTOM_NUMFMT - 1, *used]) + 1
        el = etree.SubElement(numfmts, q("numFmt"))
        el.set("numFmtId", str(new_id))
        el.set("formatCode", code)
        numfmts.set("count", str(len(numfmts.findall(q("numFmt")))))
        self.package.touch(self.part)
        return new_id

    def derive(self, base: int, **changes: object) -> int:
        """A cell format like `base` with some parts replaced: fillId, numFmtId, fontId.

        An existing format that differs only in its apply* flags is reused: so putting back a cell's
        original fill finds the cell's original format again, index and all.
        """
        applies = {"fillId": "applyFill", "numFmtId": "applyNumberFormat", "fontId": "applyFont"}
        xf = copy.deepcopy(self.xf(base))
        for attr, value in changes.items():
            xf.set(attr, str(value))
        flags = [applies[a] for a in changes if a in applies]
        index = self._index_of("cellXfs")
        for variant in (None, "absent", "1"):
            candidate = copy.deepcopy(xf)
            for flag in flags:
                if variant == "absent":
                    candidate.attrib.pop(flag, None)
                elif variant == "1":
                    candidate.set(flag, "1")
            found = index.get(entry_key(candidate))
            if found is not None:
                return found
        for flag in flags:
            xf.set(flag, "1")
        return self._add("cellXfs", xf)

    def new_xf(
        self, *, font: int = 0, fill: int = 0, num_fmt: int = 0, alignment: dict[str, str] | None = None
    ) -> int:
        """A cell format for the tool's own sheets (no border, default cell style)."""
        xf = etree.Element(q("xf"))
        for attr, value in (
            ("numFmtId", num_fmt),
            ("fontId", font),
            ("fillId", fill),
            ("borderId", 0),
            ("xfId", 0),
        ):
            xf.set(attr, str(value))
        for attr, flag in (("applyNumberFormat", num_fmt), ("applyFont", font), ("applyFill", fill)):
            if flag:
                xf.set(attr, "1")
        if alignment:
            xf.set("applyAlignment", "1")
            al = etree.SubElement(xf, q("alignment"))
            for k, v in alignment.items():
                al.set(k, v)
        return self._add("cellXfs", xf)
