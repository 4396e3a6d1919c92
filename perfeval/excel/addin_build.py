"""Build the Excel add-in `perfeval.xlam` from text sources, on any OS, byte for byte reproducibly.

Inputs: our VBA in `macros/`, the ribbon in `addin/customUI14.xml`, and from the pinned xlwings package
its custom add-in module (`xlwings_custom_addin.bas`, with PROJECT_NAME set to "perfeval") and the
`Dictionary` class it needs on the Mac. The VBA project is written by `perfeval.vba`; Excel compiles it
from source the first time it opens the add-in. The one worksheet, `perfeval.conf`, is the xlwings
configuration the VBA reads (keys in column A, values in column B).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import perfeval
from perfeval.vba.ovba import VbaError, VbaModule, build_vba_project

PROJECT_NAME = "perfeval"
CONFIG_SHEET = f"{PROJECT_NAME}.conf"  # xlwings_custom_addin.bas reads PROJECT_NAME & ".conf"
XLWINGS_PROJECT_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'

# The committed add-in names no particular Python: `perfeval addin install` writes this machine's.
# "False" as text, not a boolean cell: VBA reads a boolean cell back as a localized word ("假").
# ADD_WORKBOOK_TO_PYTHONPATH False keeps the user's folder (often a Chinese path) off sys.path:
# xlwings.utils.prepare_sys_path adds it only when the value is "true".
DEFAULT_CONFIG: dict[str, str] = {
    "INTERPRETER_WIN": "pythonw",
    "INTERPRETER_MAC": "python",
    "USE UDF SERVER": "False",
    "ADD_WORKBOOK_TO_PYTHONPATH": "False",
}

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold: no build time in the file

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOCUMENT = f"{NS_REL}/officeDocument"
REL_CUSTOM_UI_14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class AddinBuildError(RuntimeError):
    """The add-in cannot be built; the message says why, in Chinese."""


def repo_root() -> Path:
    """The source checkout perfeval is installed from (editable install: `pip install -e .`)."""
    return Path(perfeval.__file__).resolve().parents[1]


def _require(path: Path) -> Path:
    if not path.exists():
        raise AddinBuildError(
            f"找不到加载项的源文件：{path}。加载项只能从 perfeval 源码目录构建"
            "（需要 macros/ 与 addin/ 文件夹），请在源码目录中执行 pip install -e . 后重试。"
        )
    return path


def _xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def vba_modules(root: Path | None = None) -> list[VbaModule]:
    """All modules of the add-in, in project order: documents, standard modules, classes."""
    macros = _require((root or repo_root()) / "macros")
    ours = [VbaModule.from_file(p) for p in sorted(macros.glob("*.bas")) + sorted(macros.glob("*.cls"))]
    if not ours:
        raise AddinBuildError(f"{macros} 中没有 VBA 源文件（.bas/.cls）。")
    xw = _xlwings_dir()
    runner = _require(xw / "xlwings_custom_addin.bas").read_text(encoding="ascii")
    if runner.count(XLWINGS_PROJECT_LINE) != 1:
        raise AddinBuildError(
            "xlwings_custom_addin.bas 中找不到 PROJECT_NAME 常量行：xlwings 版本与 pyproject.toml 中固定的不一致？"
        )
    runner = runner.replace(XLWINGS_PROJECT_LINE, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
    theirs = [
        VbaModule.from_text(runner, "standard"),
        VbaModule.from_file(_require(xw / "addin" / "Dictionary.cls")),
    ]
    modules = ours + theirs
    names = {m.name for m in modules if m.kind == "document"}
    if not {"ThisWorkbook", "Sheet1"} <= names:
        raise AddinBuildError("macros/ 中应有 ThisWorkbook.cls 与 Sheet1.cls 两个文档模块。")
    rank = {"document": 0, "standard": 1, "class": 2}
    # ThisWorkbook first, as Excel writes it; otherwise the order above within each kind.
    return sorted(modules, key=lambda m: (rank[m.kind], m.name != "ThisWorkbook"))


# --- parts --------------------------------------------------------------------------------------


def _content_types() -> str:
    overrides = {
        "/xl/workbook.xml": CT_ADDIN,
        "/xl/worksheets/sheet1.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
        "/xl/styles.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
        "/xl/vbaProject.bin": CT_VBA,
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    return (
        XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items())
        + "</Types>"
    )


def _relationships(rels: list[tuple[str, str]]) -> str:
    return (
        XML_DECL
        + f'<Relationships xmlns="{NS_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"/>'
            for i, (t, target) in enumerate(rels, 1)
        )
        + "</Relationships>"
    )


def _workbook() -> str:
    return (
        XML_DECL
        + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        + '<workbookPr codeName="ThisWorkbook"/>'
        + '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="16384" windowHeight="8192"'
        + ' visibility="hidden"/></bookViews>'
        + f'<sheets><sheet name="{CONFIG_SHEET}" sheetId="1" r:id="rId1"/></sheets>'
        + "</workbook>"
    )


def _text_cell(ref: str, text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _config_sheet(config: Mapping[str, str]) -> str:
    rows = []
    for r, (key, value) in enumerate(config.items(), 1):
        cells = _text_cell(f"A{r}", key) + (_text_cell(f"B{r}", value) if value else "")
        rows.append(f'<row r="{r}">{cells}</row>')
    last = max(len(config), 1)
    return (
        XML_DECL
        + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        + '<sheetPr codeName="Sheet1"/>'
        + f'<dimension ref="A1:B{last}"/>'
        + '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        + '<sheetFormatPr defaultRowHeight="15"/>'
        + '<cols><col min="1" max="1" width="32" customWidth="1"/><col min="2" max="2" width="80" customWidth="1"/></cols>'
        + f"<sheetData>{''.join(rows)}</sheetData>"
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        + "</worksheet>"
    )


STYLES = (
    XML_DECL
    + f'<styleSheet xmlns="{NS_MAIN}">'
    + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    + '<fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    + "</styleSheet>"
)

# Excel's Add-ins dialog shows the title and the description (core properties) of an add-in.
CORE = (
    XML_DECL
    + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    + ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
    + "<dc:title>绩效自评</dc:title>"
    + "<dc:description>部门整体支出绩效自评：校验并评分（perfeval）</dc:description>"
    + "<dc:creator>perfeval</dc:creator>"
    + "</cp:coreProperties>"
)

APP = (
    XML_DECL
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    + "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
    + "</Properties>"
)


def _check_config(config: Mapping[str, str]) -> None:
    seen: set[str] = set()
    for key, value in config.items():
        if not key.strip():
            raise AddinBuildError("配置项名称不能为空。")
        # The VBA collects keys upper-cased into a dictionary: a duplicate would stop every click.
        if key.upper() in seen:
            raise AddinBuildError(f"配置项重复：{key}")
        seen.add(key.upper())
        if not isinstance(value, str):
            raise AddinBuildError(f"配置项 {key} 的值应为文本：{value!r}")


def xlam_bytes(config: Mapping[str, str] | None = None, root: Path | None = None) -> bytes:
    """The add-in file's bytes; the same inputs always give the same bytes."""
    config = dict(DEFAULT_CONFIG if config is None else config)
    _check_config(config)
    root = root or repo_root()
    custom_ui = _require(root / "addin" / "customUI14.xml").read_bytes()
    try:
        vba = build_vba_project(vba_modules(root), PROJECT_NAME)
    except VbaError as e:
        raise AddinBuildError(str(e)) from e
    parts: list[tuple[str, bytes | str]] = [
        ("[Content_Types].xml", _content_types()),
        (
            "_rels/.rels",
            _relationships(
                [
                    (REL_OFFICE_DOCUMENT, "xl/workbook.xml"),
                    (f"{NS_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
                    (f"{NS_REL}/extended-properties", "docProps/app.xml"),
                    (REL_CUSTOM_UI_14, "customUI/customUI14.xml"),
                ]
            ),
        ),
        ("docProps/app.xml", APP),
        ("docProps/core.xml", CORE),
        ("xl/workbook.xml", _workbook()),
        (
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    (f"{NS_REL}/worksheet", "worksheets/sheet1.xml"),
                    (f"{NS_REL}/styles", "styles.xml"),
                    (REL_VBA_PROJECT, "vbaProject.bin"),
                ]
            ),
        ),
        ("xl/worksheets/sheet1.xml", _config_sheet(config)),
        ("xl/styles.xml", STYLES),
        ("xl/vbaProject.bin", vba),
        ("customUI/customUI14.xml", custom_ui),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever OS builds it
            info.external_attr = 0
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def build_xlam(out: Path, config: dict[str, str] | None = None) -> Path:
    """Write the add-in to `out` (default config: see DEFAULT_CONFIG) and return the path."""
    data = xlam_bytes(config)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


# --- reading back -------------------------------------------------------------------------------


def read_config(xlam: Path | bytes) -> dict[str, str]:
    """The key/value pairs on the add-in's `perfeval.conf` sheet (also after Excel re-saved the file)."""
    from defusedxml import ElementTree

    ns = {"m": NS_MAIN, "r": NS_REL, "p": NS_PKG_REL}
    source = io.BytesIO(xlam) if isinstance(xlam, bytes) else xlam
    with zipfile.ZipFile(source) as z:
        names = set(z.namelist())
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        sheet = next(
            (s for s in book.iterfind("m:sheets/m:sheet", ns) if s.get("name") == CONFIG_SHEET), None
        )
        if sheet is None:
            raise AddinBuildError(f"加载项中没有 {CONFIG_SHEET} 工作表。")
        rid = sheet.get(f"{{{NS_REL}}}id")
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels.iterfind("p:Relationship", ns) if r.get("Id") == rid)
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            sst = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS_MAIN}}}t")) for si in sst]
        rows = ElementTree.fromstring(z.read(path)).iterfind("m:sheetData/m:row", ns)
        config: dict[str, str] = {}
        for row in rows:
            values: dict[str, str] = {}
            for c in row.iterfind("m:c", ns):
                column = "".join(ch for ch in c.get("r", "") if ch.isalpha())
                kind, v = c.get("t"), c.find("m:v", ns)
                if kind == "inlineStr":
                    text = "".join(t.text or "" for t in c.iter(f"{{{NS_MAIN}}}t"))
                elif kind == "s" and v is not None:
                    text = shared[int(v.text or 0)]
                elif kind == "b" and v is not None:
                    text = "True" if v.text == "1" else "False"
                else:
                    text = v.text or "" if v is not None else ""
                values[column] = text
            if values.get("A"):
                config[values["A"]] = values.get("B", "")
        return config
