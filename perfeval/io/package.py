"""An .xlsx/.xlsm file as an OOXML package: its parts, content types and relationships, edited in place.

The result workbook must keep everything the user had (pictures, shapes, charts, threaded comments, rich
text, formulas with their cached values, custom XML, printer settings, VBA…). openpyxl rebuilds a workbook
from its own object model and documents what it drops, and no maintained Python library patches a package
part by part, so this does it by hand: every part is copied byte for byte, and only the parts the tool
changes are parsed (lxml) and written back.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from perfeval.io.safety import InputFileError

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_OFFICE_DOCUMENT = REL + "officeDocument"
REL_WORKSHEET = REL + "worksheet"
REL_STYLES = REL + "styles"
REL_SHARED_STRINGS = REL + "sharedStrings"
REL_CALC_CHAIN = REL + "calcChain"
REL_COMMENTS = REL + "comments"
REL_VML = REL + "vmlDrawing"
REL_THREADED_COMMENTS = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=True)


def q(tag: str, ns: str = NS_MAIN) -> str:
    """Clark notation: q("sheet") -> "{main namespace}sheet"."""
    return f"{{{ns}}}{tag}"


class PackageError(InputFileError):
    """The package cannot be patched safely; str(e) is a Chinese message for the user."""


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    external: bool = False


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name (targets are relative to the source part's folder)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


class Package:
    """The parts of a zip package by name; parsed XML is kept and written back only for changed parts."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self._infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
            self._bytes = {name: zf.read(name) for name in self._infos}
        self._order = list(self._infos)
        self._xml: dict[str, etree._Element] = {}
        self._dirty: set[str] = set()
        self._removed: set[str] = set()  # never reused within a run: stale references must not find them
        self.workbook_part = self._main_part()

    # --- parts ---------------------------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        return name in self._bytes

    def names(self) -> list[str]:
        return list(self._order)

    def read(self, name: str) -> bytes:
        if name in self._xml and name in self._dirty:
            return self._serialize(self._xml[name])
        return self._bytes[name]

    def xml(self, name: str) -> etree._Element:
        if name not in self._xml:
            self._xml[name] = etree.fromstring(self._bytes[name], _PARSER)
        return self._xml[name]

    def touch(self, name: str) -> None:
        """Mark a part whose parsed XML was changed, so it is written back."""
        self._dirty.add(name)

    def write(self, name: str, data: bytes | etree._Element, content_type: str | None = None) -> None:
        if name not in self._bytes:
            self._order.append(name)
        if isinstance(data, bytes):
            self._bytes[name] = data
            self._xml.pop(name, None)
            self._dirty.discard(name)
        else:
            self._bytes[name] = b""
            self._xml[name] = data
            self._dirty.add(name)
        if content_type is not None:
            self.set_override(name, content_type)

    def remove(self, name: str) -> None:
        for store in (self._bytes, self._xml, self._infos):
            store.pop(name, None)
        self._dirty.discard(name)
        self._removed.add(name.lower())
        if name in self._order:
            self._order.remove(name)
        self._remove_override(name)
        if rels_name(name) in self._bytes:
            self.remove(rels_name(name))

    def free_name(self, pattern: str) -> str:
        """The first unused part name for a pattern with one {} for a number: xl/worksheets/sheet{}.xml."""
        taken = {n.lower() for n in self._bytes} | self._removed
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    # --- content types -------------------------------------------------------------------------------
    def _types(self) -> etree._Element:
        return self.xml("[Content_Types].xml")

    def set_override(self, name: str, content_type: str) -> None:
        types = self._types()
        for el in types.findall(q("Override", NS_CT)):
            if el.get("PartName", "").lstrip("/").lower() == name.lower():
                el.set("ContentType", content_type)
                self.touch("[Content_Types].xml")
                return
        el = etree.SubElement(types, q("Override", NS_CT))
        el.set("PartName", "/" + name)
        el.set("ContentType", content_type)
        self.touch("[Content_Types].xml")

    def ensure_default(self, extension: str, content_type: str) -> None:
        types = self._types()
        for el in types.findall(q("Default", NS_CT)):
            if el.get("Extension", "").lower() == extension.lower():
                return
        el = etree.Element(q("Default", NS_CT))
        el.set("Extension", extension)
        el.set("ContentType", content_type)
        types.insert(0, el)  # Defaults come before Overrides
        self.touch("[Content_Types].xml")

    def _remove_override(self, name: str) -> None:
        if "[Content_Types].xml" not in self._bytes:
            return
        types = self._types()
        for el in types.findall(q("Override", NS_CT)):
            if el.get("PartName", "").lstrip("/").lower() == name.lower():
                types.remove(el)
                self.touch("[Content_Types].xml")

    # --- relationships -------------------------------------------------------------------------------
    def rels(self, source: str) -> list[Relationship]:
        name = rels_name(source)
        if name not in self._bytes:
            return []
        return [
            Relationship(
                el.get("Id", ""), el.get("Type", ""), el.get("Target", ""), el.get("TargetMode") == "External"
            )
            for el in self.xml(name).findall(q("Relationship", NS_PR))
        ]

    def related(self, source: str, rel_type: str) -> list[tuple[str, str]]:
        """(relationship id, part name) of the internal relationships of one type from a part."""
        return [
            (r.id, resolve(source, r.target))
            for r in self.rels(source)
            if r.type == rel_type and not r.external
        ]

    def target(self, source: str, rel_id: str) -> str | None:
        for r in self.rels(source):
            if r.id == rel_id and not r.external:
                return resolve(source, r.target)
        return None

    def add_rel(self, source: str, rel_type: str, part: str) -> str:
        name = rels_name(source)
        if name not in self._bytes:
            self.write(name, etree.Element(q("Relationships", NS_PR), nsmap={None: NS_PR}))
        root = self.xml(name)
        ids = {el.get("Id") for el in root}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        el = etree.SubElement(root, q("Relationship", NS_PR))
        el.set("Id", f"rId{n}")
        el.set("Type", rel_type)
        el.set("Target", relative(source, part))
        self.touch(name)
        return f"rId{n}"

    def remove_rel(self, source: str, rel_id: str) -> None:
        name = rels_name(source)
        if name not in self._bytes:
            return
        root = self.xml(name)
        for el in root.findall(q("Relationship", NS_PR)):
            if el.get("Id") == rel_id:
                root.remove(el)
                self.touch(name)

    def referenced(self, part: str) -> bool:
        """Whether any relationship in the package still points at a part."""
        for name in self._bytes:
            if name.endswith(".rels"):
                source = _source_of(name)
                if any(resolve(source, r.target) == part for r in self.rels(source) if not r.external):
                    return True
        return False

    # --- saving --------------------------------------------------------------------------------------
    @staticmethod
    def _serialize(root: etree._Element) -> bytes:
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def save(self, path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in self._order:
                data = self.read(name)
                info = self._infos.get(name)
                if info is None:
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o600 << 16
                zf.writestr(info, data)
            zf.comment = _STAMP + _digest(zf.infolist()).encode("ascii")

    def _main_part(self) -> str:
        if "_rels/.rels" not in self._bytes:
            raise PackageError(
                "文件缺少包关系（_rels/.rels），结构不完整。请在 Excel/WPS 中打开后另存为 .xlsx 再校验。"
            )
        for r in self.rels(""):
            if r.type.endswith("/officeDocument") and not r.external:
                part = resolve("", r.target)
                if part in self._bytes:
                    if etree.QName(self.xml(part)).namespace == NS_STRICT:
                        raise PackageError(
                            "这个工作簿是“Strict Open XML 电子表格”格式，本工具无法在保留全部内容的前提下写入结果。"
                            "请在 Excel 中“另存为”选择“Excel 工作簿 (*.xlsx)”后再校验。"
                        )
                    return part
        raise PackageError(
            "找不到工作簿的主体部分（workbook.xml）。请在 Excel/WPS 中打开后另存为 .xlsx 再校验。"
        )


# The zip comment of a file the tool wrote: a digest of its parts. Excel, WPS and LibreOffice write a new
# zip without it, so a result that still carries a matching stamp was not edited since the tool wrote it.
_STAMP = b"perfeval result "


def _digest(infos: list[zipfile.ZipInfo]) -> str:
    h = hashlib.sha256()
    for info in sorted(infos, key=lambda i: i.filename):
        h.update(f"{info.filename}\0{info.CRC}\0{info.file_size}\n".encode())
    return h.hexdigest()


def written_by_us_and_untouched(path: Path) -> bool:
    """Whether a file is a result the tool wrote, unchanged since (so replacing it loses nothing)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.comment == _STAMP + _digest(zf.infolist()).encode("ascii")
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def _source_of(rels: str) -> str:
    folder, base = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text as SpreadsheetML stores it: characters XML cannot hold are escaped as _xHHHH_ (ST_Xstring)."""
    return _INVALID_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
