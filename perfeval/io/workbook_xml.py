"""workbook.xml and what hangs off it: sheets, defined names, styles, shared strings, calculation chain.

The edits the tool makes to a workbook's structure: remove, rename and add its own sheets, and keep every
sheet-scoped defined name (localSheetId is a sheet's position) pointing at the same sheet.
"""

from __future__ import annotations

import re

from lxml import etree

from perfeval.io.package import (
    CT_WORKSHEET,
    NS_R,
    REL_CALC_CHAIN,
    REL_SHARED_STRINGS,
    REL_STYLES,
    REL_WORKSHEET,
    Package,
    PackageError,
    q,
    resolve,
)
from perfeval.io.sheet_xml import Worksheet, shared_strings
from perfeval.io.styles import StyleSheet

_RID = f"{{{NS_R}}}id"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class Book:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.part = package.workbook_part
        self.root = package.xml(self.part)
        self.sheets_el = self.root.find(q("sheets"))
        if self.sheets_el is None:
            raise PackageError(
                "工作簿中没有工作表列表，结构不完整。请在 Excel/WPS 中打开后另存为 .xlsx 再校验。"
            )
        styles = package.related(self.part, REL_STYLES)
        if not styles or styles[0][1] not in package:
            raise PackageError(
                "工作簿缺少样式部分（styles.xml）。请在 Excel/WPS 中打开后另存为 .xlsx 再校验。"
            )
        self.styles = StyleSheet(package, styles[0][1])
        strings = package.related(self.part, REL_SHARED_STRINGS)
        self.shared = shared_strings(package, strings[0][1] if strings else None)
        self._worksheets: dict[str, Worksheet] = {}
        self.formulas_removed = False

    # --- sheets --------------------------------------------------------------------------------------
    def _sheet_elements(self) -> list[etree._Element]:
        return list(self.sheets_el.iterfind(q("sheet")))

    def sheet_names(self) -> list[str]:
        return [el.get("name", "") for el in self._sheet_elements()]

    def _element(self, name: str) -> etree._Element | None:
        return next((el for el in self._sheet_elements() if el.get("name") == name), None)

    def sheet_part(self, name: str) -> str | None:
        el = self._element(name)
        if el is None:
            return None
        part = self.package.target(self.part, el.get(_RID, ""))
        return part if part in self.package else None

    def worksheet(self, name: str) -> Worksheet | None:
        """A worksheet by name (None for a chart sheet, a dialog sheet or a missing part)."""
        if name not in self._worksheets:
            part = self.sheet_part(name)
            if part is None or etree.QName(self.package.xml(part)).localname != "worksheet":
                return None
            self._worksheets[name] = Worksheet(self.package, part)
        return self._worksheets[name]

    def remove_sheet(self, name: str) -> None:
        """Delete one of the tool's sheets with its own parts, keeping every other sheet's names in place."""
        el = self._element(name)
        if el is None:
            return
        position = self._sheet_elements().index(el)
        part = self.sheet_part(name)
        self.sheets_el.remove(el)
        self.package.remove_rel(self.part, el.get(_RID, ""))
        self._worksheets.pop(name, None)
        if part is not None:
            self._remove_tree(part)
        names = self.root.find(q("definedNames"))
        for dn in list(names) if names is not None else []:
            local = dn.get("localSheetId")
            if local is None or not local.isdigit():
                continue
            if int(local) == position:
                names.remove(dn)
            elif int(local) > position:
                dn.set("localSheetId", str(int(local) - 1))
        if names is not None and len(names) == 0:
            self.root.remove(names)
        self._fix_views(position)
        self.package.touch(self.part)

    def _remove_tree(self, part: str) -> None:
        """A part and whatever only it referred to (a removed sheet's notes, their VML drawing)."""
        targets = [resolve(part, r.target) for r in self.package.rels(part) if not r.external]
        self.package.remove(part)
        for target in targets:
            if target in self.package and not self.package.referenced(target):
                self._remove_tree(target)

    def _fix_views(self, removed: int) -> None:
        count = len(self._sheet_elements())
        for view in self.root.iter(q("workbookView")):
            for attr in ("activeTab", "firstSheet"):
                value = int(view.get(attr, "0"))
                if value > removed or value >= count:
                    view.set(attr, str(max(0, min(value - 1, count - 1))))

    def rename_sheet(self, old: str, new: str) -> None:
        el = self._element(old)
        if el is None:
            return
        el.set("name", new)
        if old in self._worksheets:
            self._worksheets[new] = self._worksheets.pop(old)
        pattern = re.compile(rf"(?<![\w'])(?:{re.escape(quote_sheet(old))}|{re.escape(old)})!")
        names = self.root.find(q("definedNames"))
        for dn in names if names is not None else []:
            if dn.text:
                dn.text = pattern.sub(lambda _: quote_sheet(new) + "!", dn.text)
        self.package.touch(self.part)

    def add_sheet(self, name: str, root: etree._Element, *, hidden: bool = False) -> int:
        part = self.package.free_name("xl/worksheets/sheet{}.xml")
        self.package.write(part, root, CT_WORKSHEET)
        rel_id = self.package.add_rel(self.part, REL_WORKSHEET, part)
        ids = [int(el.get("sheetId", "0")) for el in self._sheet_elements()]
        el = etree.SubElement(self.sheets_el, q("sheet"))
        el.set("name", name)
        el.set("sheetId", str(max([0, *ids]) + 1))
        if hidden:
            el.set("state", "hidden")
        el.set(_RID, rel_id)
        self.package.touch(self.part)
        return len(self._sheet_elements()) - 1

    def position(self, name: str) -> int:
        return self.sheet_names().index(name)

    # --- defined names -------------------------------------------------------------------------------
    def local_names(self, name: str) -> list[str]:
        """The names scoped to a sheet."""
        names = self.root.find(q("definedNames"))
        index = str(self.position(name))
        return [
            dn.get("name", "")
            for dn in (names if names is not None else [])
            if dn.get("localSheetId") == index
        ]

    def set_local_name(self, sheet: str, name: str, formula: str, *, hidden: bool = True) -> None:
        names = self.root.find(q("definedNames"))
        if names is None:
            names = etree.Element(q("definedNames"))
            later = {"calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                     "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"}  # fmt: skip
            anchor = next(
                (c for c in self.root if isinstance(c.tag, str) and etree.QName(c).localname in later), None
            )
            if anchor is not None:
                anchor.addprevious(names)
            else:
                self.root.append(names)
        index = str(self.position(sheet))
        for dn in names:
            if dn.get("name") == name and dn.get("localSheetId") == index:
                names.remove(dn)
        dn = etree.SubElement(names, q("definedName"))
        dn.set("name", name)
        dn.set("localSheetId", index)
        if hidden:
            dn.set("hidden", "1")
        dn.text = formula
        self.package.touch(self.part)

    def remove_local_name(self, sheet: str, name: str) -> None:
        names = self.root.find(q("definedNames"))
        index = str(self.position(sheet))
        for dn in list(names) if names is not None else []:
            if dn.get("name") == name and dn.get("localSheetId") == index:
                names.remove(dn)
                self.package.touch(self.part)

    # --- finishing -----------------------------------------------------------------------------------
    def finish(self) -> None:
        """After the edits: a removed formula leaves the calculation chain stale, so Excel rebuilds it."""
        if self.formulas_removed:
            for rel_id, part in self.package.related(self.part, REL_CALC_CHAIN):
                self.package.remove_rel(self.part, rel_id)
                self.package.remove(part)
        visible = [
            i for i, el in enumerate(self._sheet_elements()) if el.get("state", "visible") == "visible"
        ]
        for view in self.root.iter(q("workbookView")):
            if visible and int(view.get("activeTab", "0")) not in visible:
                view.set("activeTab", str(visible[0]))
                self.package.touch(self.part)
