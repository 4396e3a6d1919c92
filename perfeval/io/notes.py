"""Cell notes (legacy comments) of one worksheet: add the tool's text, strip it again, nothing else.

A note lives in two parts: the comments part (text, author) and a VML drawing (the box Excel shows). The
tool's text is a run of its own after NOTE_MARK, so stripping it gives back the user's note exactly, rich
text and author included; a note the tool created alone is removed with its VML shape. VML is edited as
text: Excel writes it as loose HTML-like markup that XML parsers reject.
"""

from __future__ import annotations

import re

from lxml import etree

from perfeval.catalogue import split_address
from perfeval.io.package import (
    CT_COMMENTS,
    CT_VML,
    NS_MAIN,
    NS_R,
    REL_COMMENTS,
    REL_THREADED_COMMENTS,
    REL_VML,
    Package,
    q,
    xml_text,
)
from perfeval.io.sheet_xml import insert_in_order

AUTHOR = "perfeval"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SHAPE = re.compile(r"<v:shape\b.*?</v:shape>", re.S)
_ROW = re.compile(r"<x:Row>\s*(\d+)\s*</x:Row>")
_COL = re.compile(r"<x:Column>\s*(\d+)\s*</x:Column>")
_SPID = re.compile(r"_x0000_s(\d+)")
_IDMAP = re.compile(r'<o:idmap\b[^>]*\bdata="([^"]*)"')

_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
    ' <o:shapelayout v:ext="edit">\n  <o:idmap v:ext="edit" data="{block}"/>\n </o:shapelayout>\n'
    ' <v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">\n'
    '  <v:stroke joinstyle="miter"/>\n  <v:path gradientshapeok="t" o:connecttype="rect"/>\n </v:shapetype>\n'
    "</xml>"
)
_VML_NOTE = (
    ' <v:shape id="_x0000_s{spid}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
    'margin-top:2pt;width:270pt;height:120pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1" '
    'o:insetmode="auto">\n  <v:fill color2="#ffffe1"/>\n  <v:shadow on="t" color="black" obscured="t"/>\n'
    '  <v:path o:connecttype="none"/>\n  <v:textbox style="mso-direction-alt:auto">\n'
    '   <div style="text-align:left"></div>\n  </v:textbox>\n  <x:ClientData ObjectType="Note">\n'
    "   <x:MoveWithCells/>\n   <x:SizeWithCells/>\n   <x:Anchor>{c1}, 15, {r0}, 2, {c2}, 15, {r1}, 16</x:Anchor>\n"
    "   <x:AutoFill>False</x:AutoFill>\n   <x:Row>{row}</x:Row>\n   <x:Column>{col}</x:Column>\n"
    "  </x:ClientData>\n </v:shape>\n"
)


class SheetNotes:
    """The notes of one worksheet part; call save() once after all changes."""

    def __init__(self, package: Package, sheet_part: str, sheet_root: etree._Element) -> None:
        self.package, self.sheet_part, self.sheet = package, sheet_part, sheet_root
        found = package.related(sheet_part, REL_COMMENTS)
        self.comments_part = found[0][1] if found else None
        self.vml_part = self._vml_part()
        self.comments = package.xml(self.comments_part) if self.comments_part in package else None
        self.vml = (
            package.read(self.vml_part).decode("utf-8", "replace") if self.vml_part in package else None
        )
        self.threaded = self._threaded_refs()
        self.changed = False
        self._by_ref: dict[str, etree._Element] | None = None
        self._new_shapes: list[str] = []  # VML of notes added this run, put in at save()
        self._next_spid: int | None = None

    def _vml_part(self) -> str | None:
        legacy = self.sheet.find(q("legacyDrawing"))
        if legacy is None:
            return None
        return self.package.target(self.sheet_part, legacy.get(f"{{{NS_R}}}id", ""))

    def _threaded_refs(self) -> set[str]:
        refs: set[str] = set()
        for _, part in self.package.related(self.sheet_part, REL_THREADED_COMMENTS):
            if part in self.package:
                refs |= {el.get("ref", "") for el in self.package.xml(part).iter() if el.get("ref")}
        return refs

    def _comment(self, address: str) -> etree._Element | None:
        if self.comments is None:
            return None
        if self._by_ref is None:
            self._by_ref = {c.get("ref", ""): c for c in self.comments.iter(q("comment"))}
        return self._by_ref.get(address)

    # --- adding --------------------------------------------------------------------------------------
    def add(self, address: str, text: str) -> None:
        """Append the tool's note to a cell's note, or give the cell one; a threaded comment is left alone."""
        if address in self.threaded:
            return
        comment = self._comment(address)
        if comment is None:
            self._ensure_parts()
            comment = self._new_comment(address)
            body = text
        else:
            body = "\n\n" + text
        node = comment.find(q("text"))
        if node is None:
            node = etree.SubElement(comment, q("text"))
        plain = node.find(q("t"))
        if plain is not None:  # a plain-text note becomes runs, so ours can be a run of its own
            run = etree.SubElement(node, q("r"))
            node.remove(plain)
            node.insert(0, run)
            run.append(plain)
        run = etree.SubElement(node, q("r"))
        rpr = etree.SubElement(run, q("rPr"))
        etree.SubElement(rpr, q("sz")).set("val", "9")
        etree.SubElement(rpr, q("rFont")).set("val", "宋体")
        etree.SubElement(rpr, q("charset")).set("val", "134")
        t = etree.SubElement(run, q("t"))
        t.text = xml_text(body)
        t.set(_XML_SPACE, "preserve")
        self.changed = True

    def _new_comment(self, address: str) -> etree._Element:
        assert self.comments is not None
        authors = self.comments.find(q("authors"))
        names = [a.text or "" for a in authors.iterfind(q("author"))]
        if AUTHOR not in names:
            etree.SubElement(authors, q("author")).text = AUTHOR
            names.append(AUTHOR)
        comment = etree.SubElement(self.comments.find(q("commentList")), q("comment"))
        comment.set("ref", address)
        comment.set("authorId", str(names.index(AUTHOR)))
        if self._by_ref is not None:
            self._by_ref[address] = comment
        self._add_shape(address)
        return comment

    def _ensure_parts(self) -> None:
        if self.comments is None:
            root = etree.Element(q("comments"), nsmap={None: NS_MAIN})
            etree.SubElement(root, q("authors"))
            etree.SubElement(root, q("commentList"))
            self.comments_part = self.package.free_name("xl/comments{}.xml")
            self.package.write(self.comments_part, root, CT_COMMENTS)
            self.package.add_rel(self.sheet_part, REL_COMMENTS, self.comments_part)
            self.comments = root
        if self.vml is None:
            self.vml_part = self.package.free_name("xl/drawings/vmlDrawing{}.vml")
            self.vml = _VML_HEAD.format(block=self._free_block())
            self.package.write(self.vml_part, self.vml.encode("utf-8"))  # so the next sheet's name differs
            self.package.ensure_default("vml", CT_VML)
            rel_id = self.package.add_rel(self.sheet_part, REL_VML, self.vml_part)
            legacy = etree.Element(q("legacyDrawing"))
            legacy.set(f"{{{NS_R}}}id", rel_id)
            insert_in_order(self.sheet, legacy)
            self.package.touch(self.sheet_part)

    def _free_block(self) -> int:
        """A shape-id block (o:idmap) no other VML drawing in the workbook uses."""
        used: set[int] = set()
        for name in self.package.names():
            if name.lower().endswith(".vml"):
                text = self.package.read(name).decode("utf-8", "replace")
                for m in _IDMAP.finditer(text):
                    used |= {int(x) for x in re.findall(r"\d+", m.group(1))}
        block = 1
        while block in used:
            block += 1
        return block

    def _add_shape(self, address: str) -> None:
        assert self.vml is not None
        row, col = split_address(address)
        if self._next_spid is None:
            blocks = [int(x) for m in _IDMAP.finditer(self.vml) for x in re.findall(r"\d+", m.group(1))] or [
                1
            ]
            self._next_spid = max([blocks[0] * 1024, *(int(x) for x in _SPID.findall(self.vml))]) + 1
        spid, self._next_spid = self._next_spid, self._next_spid + 1
        self._new_shapes.append(
            _VML_NOTE.format(
                spid=spid,
                z=spid % 1024,
                row=row - 1,
                col=col - 1,
                c1=col,
                c2=col + 4,
                r0=max(row - 2, 0),
                r1=row + 6,
            )
        )

    # --- stripping -----------------------------------------------------------------------------------
    def strip(self, address: str, mark: str) -> None:
        """Remove the tool's text (from `mark` on) from a cell's note; remove the note if nothing is left."""
        comment = self._comment(address)
        node = comment.find(q("text")) if comment is not None else None
        if node is None:
            return
        items = [x for x in node if isinstance(x.tag, str) and etree.QName(x).localname in ("t", "r")]
        texts = [x if etree.QName(x).localname == "t" else x.find(q("t")) for x in items]
        at = next((i for i, t in enumerate(texts) if t is not None and mark in (t.text or "")), None)
        if at is None:
            return
        for x in items[at + 1 :]:
            node.remove(x)
        keep = texts[at].text.split(mark)[0].rstrip()
        if keep:
            texts[at].text = keep
        else:
            node.remove(items[at])
        left = [x for x in items[:at] if x.getparent() is node]
        if len(left) == 1 and etree.QName(left[0]).localname == "r" and left[0].find(q("rPr")) is None:
            plain = left[0].find(q("t"))  # the plain note add() turned into a run, as it was
            if plain is not None:
                left[0].addprevious(plain)
                node.remove(left[0])
        if not "".join(t.text or "" for t in node.iter(q("t"))).strip():
            comment.getparent().remove(comment)
            if self._by_ref is not None:
                self._by_ref.pop(address, None)
            self._remove_shape(address)
        self.changed = True

    def _remove_shape(self, address: str) -> None:
        if self.vml is None:
            return
        row, col = split_address(address)
        for m in _SHAPE.finditer(self.vml):
            block = m.group()
            r, c = _ROW.search(block), _COL.search(block)
            if (
                'ObjectType="Note"' in block
                and r
                and c
                and int(r.group(1)) == row - 1
                and int(c.group(1)) == col - 1
            ):
                start, end = m.span()  # with the indent and line break around it, so re-runs add nothing
                self.vml = self.vml[:start].rstrip(" ") + self.vml[end:].removeprefix("\n")
                return

    # --- saving --------------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.changed:
            return
        assert self.comments_part is not None
        if self._new_shapes and self.vml is not None:
            end = self.vml.rfind("</xml>")
            shapes = "".join(self._new_shapes)
            self.vml = self.vml[:end] + shapes + self.vml[end:] if end >= 0 else self.vml + shapes
            self._new_shapes = []
        if self.comments is not None and len(self.comments.find(q("commentList"))) == 0:
            self._drop_comments()
        else:
            self.package.touch(self.comments_part)
        if self.vml_part is not None and self.vml is not None:
            if not _SHAPE.search(self.vml) and "<v:" not in self.vml.split("</v:shapetype>")[-1]:
                self._drop_vml()
            else:
                self.package.write(self.vml_part, self.vml.encode("utf-8"))

    def _drop_comments(self) -> None:
        for rel_id, part in self.package.related(self.sheet_part, REL_COMMENTS):
            self.package.remove_rel(self.sheet_part, rel_id)
            self.package.remove(part)
        self.comments = None

    def _drop_vml(self) -> None:
        legacy = self.sheet.find(q("legacyDrawing"))
        if legacy is not None:
            rel_id = legacy.get(f"{{{NS_R}}}id", "")
            self.sheet.remove(legacy)
            self.package.remove_rel(self.sheet_part, rel_id)
            self.package.touch(self.sheet_part)
        if self.vml_part is not None:
            self.package.remove(self.vml_part)
        self.vml = None
