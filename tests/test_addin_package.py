"""The Excel add-in file addin/perfeval.xlam: its package, its VBA as oletools reads it, its config sheet,
the committed copy against a fresh build, and `perfeval addin install/uninstall/status`."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlwings
from defusedxml import ElementTree
from oletools.olevba import VBA_Parser
from openpyxl import load_workbook
from typer.testing import CliRunner

from perfeval.cli import app
from perfeval.excel import addin_build, install
from perfeval.excel.addin_build import (
    CONFIG_SHEET,
    DEFAULT_CONFIG,
    AddinBuildError,
    build_xlam,
    read_config,
    xlam_bytes,
)
from perfeval.vba.ovba import read_modules

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "addin" / "perfeval.xlam"
XLWINGS = Path(xlwings.__file__).parent
XLWINGS_ADDIN = XLWINGS / "addin" / "xlwings.xlam"
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def xlam() -> bytes:
    return xlam_bytes()


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _xml(z: zipfile.ZipFile, name: str):
    return ElementTree.fromstring(z.read(name))


def _vba(data: bytes) -> dict[str, str]:
    """Module file name (olevba's: .bas for standard, .cls otherwise) -> source, LF line endings."""
    vba = _zip(data).read("xl/vbaProject.bin")
    return {
        name: code.replace("\r\n", "\n")
        for _, _, name, code in VBA_Parser("vbaProject.bin", data=vba).extract_macros()
    }


def _expected_source(path: Path, text: str | None = None) -> str:
    """An exported module file as the VBA project stores it: no class header, LF, one final newline."""
    lines = (text if text is not None else path.read_text()).replace("\r\n", "\n").split("\n")
    if lines[0].startswith("VERSION "):
        lines = lines[lines.index("END") + 1 :]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- the package ------------------------------------------------------------------------------------


def test_package_parts_and_content_types(xlam: bytes) -> None:
    z = _zip(xlam)
    assert z.testzip() is None
    assert z.namelist()[0] == "[Content_Types].xml"
    types = _xml(z, "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{NS_CT}Override")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    for part in overrides:
        assert part.lstrip("/") in z.namelist()
    for name in z.namelist():
        if name.endswith((".xml", ".rels")):
            _xml(z, name)  # every XML part is well formed


def test_ribbon_part_and_relationship(xlam: bytes) -> None:
    z = _zip(xlam)
    rels = {r.get("Type"): r.get("Target") for r in _xml(z, "_rels/.rels").iter(f"{NS_PR}Relationship")}
    assert (
        rels["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"]
        == "customUI/customUI14.xml"
    )
    assert rels["http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"] == (
        "xl/workbook.xml"
    )
    assert z.read("customUI/customUI14.xml") == (ROOT / "addin" / "customUI14.xml").read_bytes()
    ui = _xml(z, "customUI/customUI14.xml")
    assert ui.tag == f"{NS_UI}customUI"
    book_rels = {
        r.get("Type").rsplit("/", 1)[1]: r.get("Target")
        for r in _xml(z, "xl/_rels/workbook.xml.rels").iter(f"{NS_PR}Relationship")
    }
    assert book_rels == {
        "worksheet": "worksheets/sheet1.xml",
        "styles": "styles.xml",
        "vbaProject": "vbaProject.bin",
    }


def test_every_ribbon_callback_exists_in_the_vba(xlam: bytes) -> None:
    ui = _xml(_zip(xlam), "customUI/customUI14.xml")
    actions = {el.get("onAction") for el in ui.iter() if el.get("onAction")}
    assert actions == {"PerfevalRibbon.OnAction"}
    vba = _vba(xlam)
    for action in actions:
        module, sub = action.split(".")
        code = vba[f"{module}.bas"]
        signature = rf"^Public Sub {sub}\(control As IRibbonControl\)\s*$"
        assert re.search(signature, code, re.MULTILINE), f"{action} missing or with another signature"


def test_vba_equals_the_sources(xlam: bytes) -> None:
    runner = (XLWINGS / "xlwings_custom_addin.bas").read_text()
    assert runner.count('PROJECT_NAME As String = "myaddin"') == 1
    runner = runner.replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "perfeval"')
    macros = sorted((ROOT / "macros").glob("*.bas")) + sorted((ROOT / "macros").glob("*.cls"))
    assert {p.name for p in macros} >= {
        "ThisWorkbook.cls",
        "Sheet1.cls",
        "PerfevalRibbon.bas",
        "PerfevalMarks.bas",
    }
    expected = {p.name: _expected_source(p) for p in macros}
    expected["xlwings.bas"] = _expected_source(Path(), runner)
    # The class as Excel stored it in xlwings' own add-in: the exported file plus the class header.
    expected["Dictionary.cls"] = _vba(XLWINGS_ADDIN.read_bytes())["Dictionary.cls"]
    exported = _expected_source(XLWINGS / "addin" / "Dictionary.cls").split("\n")
    assert [line for line in expected["Dictionary.cls"].split("\n") if line not in exported] == [
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
    ]
    assert _vba(xlam) == expected
    ours = read_modules(_zip(xlam).read("xl/vbaProject.bin"))
    assert {k: v.replace("\r\n", "\n") for k, v in ours.items()} == {
        k.split(".")[0]: v for k, v in expected.items()
    }


def _stored_header(code: str) -> list[str]:
    """The Attribute lines at the top of a module as stored."""
    lines = code.split("\n")
    return lines[: next((i for i, line in enumerate(lines) if not line.startswith("Attribute ")), len(lines))]


def _module_kind(file_name: str, header: list[str]) -> str:
    """standard, class, or document bound to its host (VB_Base: workbook and worksheet differ)."""
    if file_name.endswith(".bas"):  # olevba: .bas for MODULETYPE procedural, .cls otherwise
        return "standard"
    base = next((line for line in header if line.startswith("Attribute VB_Base = ")), None)
    # A class stored without VB_Base (the old bug) still counts as a class, and then fails the comparison.
    return "class" if base is None or "{FCFB3D2A-A0FA-1068-A738-08002B3371B5}" in base else f"document {base}"


def _kind_header(file_name: str, header: list[str]) -> tuple[str, ...]:
    """A header as every module of its kind has it: the module's own name and docstring left out."""
    name = f'Attribute VB_Name = "{Path(file_name).stem}"'
    return tuple(
        'Attribute VB_Name = "<name>"' if line == name else line
        for line in header
        if not line.startswith("Attribute VB_Description = ")
    )


def test_every_module_header_is_the_one_excel_stores_for_its_kind(xlam: bytes) -> None:
    """Standard, class and document modules carry, line for line, the header Excel wrote in the add-ins
    that ship with the pinned xlwings (read with oletools). Excel needs a class's VB_Base to compile
    `New Dictionary` (the xlwings module's Mac branch)."""
    reference: dict[str, set[tuple[str, ...]]] = {}
    same_name: dict[str, list[list[str]]] = {}
    for addin in (XLWINGS / "quickstart_addin_ribbon.xlam", XLWINGS_ADDIN):
        for file_name, code in _vba(addin.read_bytes()).items():
            header = _stored_header(code)
            reference.setdefault(_module_kind(file_name, header), set()).add(_kind_header(file_name, header))
            same_name.setdefault(file_name, []).append(header)
    assert sorted(reference) == [
        "class",
        'document Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"',  # workbook
        'document Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"',  # worksheet
        "standard",
    ]
    assert all(len(headers) == 1 for headers in reference.values())  # one header per kind
    ours = _vba(xlam)
    assert {_module_kind(n, _stored_header(c)) for n, c in ours.items()} == set(reference)
    for file_name, code in ours.items():
        header = _stored_header(code)
        assert {_kind_header(file_name, header)} == reference[_module_kind(file_name, header)], file_name
        for theirs in same_name.get(file_name, []):  # same name: docstrings compared too
            assert header == theirs, file_name
    assert set(ours) & set(same_name) == {"Dictionary.cls", "ThisWorkbook.cls", "Sheet1.cls", "xlwings.bas"}


def test_workbook_code_names_match_the_document_modules(xlam: bytes) -> None:
    z = _zip(xlam)
    book = _xml(z, "xl/workbook.xml")
    assert book.find(f"{NS_MAIN}workbookPr").get("codeName") == "ThisWorkbook"
    assert [s.get("name") for s in book.iter(f"{NS_MAIN}sheet")] == [CONFIG_SHEET] == ["perfeval.conf"]
    sheet = _xml(z, "xl/worksheets/sheet1.xml")
    assert sheet.find(f"{NS_MAIN}sheetPr").get("codeName") == "Sheet1"


def test_build_is_byte_reproducible(tmp_path: Path, xlam: bytes) -> None:
    assert xlam_bytes() == xlam
    assert build_xlam(tmp_path / "a.xlam").read_bytes() == xlam
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in _zip(xlam).infolist())


def test_committed_addin_has_not_drifted(xlam: bytes) -> None:
    """The committed file holds exactly what a fresh build holds (rebuild: python addin/build.py).

    Compared part by part, uncompressed: a zlib other than the one that built it may deflate differently."""
    committed, fresh = _zip(COMMITTED.read_bytes()), _zip(xlam)
    assert committed.namelist() == fresh.namelist()
    for name in fresh.namelist():
        assert committed.read(name) == fresh.read(name), f"{name} differs: run python addin/build.py"


# --- the config sheet -------------------------------------------------------------------------------


def _config_via_openpyxl(data: bytes) -> dict[str, str]:
    """An independent reader: openpyxl, once the add-in's content type is swapped for a .xlsm's."""
    src, buf = _zip(data), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            out.writestr(item, body)
    ws = load_workbook(buf)[CONFIG_SHEET]
    return {str(a): "" if b is None else str(b) for a, b in ws.iter_rows(values_only=True)}


def test_default_config_sheet(xlam: bytes) -> None:
    assert read_config(xlam) == DEFAULT_CONFIG
    assert _config_via_openpyxl(xlam) == DEFAULT_CONFIG
    assert DEFAULT_CONFIG["ADD_WORKBOOK_TO_PYTHONPATH"] == "False"


def test_config_keys_are_ones_the_xlwings_vba_reads() -> None:
    runner = (XLWINGS / "xlwings_custom_addin.bas").read_text()
    for key in DEFAULT_CONFIG:
        assert f'GetConfig("{key}"' in runner
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in runner
    # prepare_sys_path adds the workbook's folder only for "true" (any case)
    assert 'if args[0].lower() == "true"' in (XLWINGS / "utils.py").read_text()


def test_config_values_are_escaped_text() -> None:
    config = {"INTERPRETER_WIN": r"C:\用户\张三 & <李四>\pythonw.exe", "EMPTY": "", " SPACED ": " x "}
    assert read_config(xlam_bytes(config)) == config
    with pytest.raises(AddinBuildError, match="重复"):
        xlam_bytes({"a": "1", "A": "2"})


def test_missing_sources_say_so_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(AddinBuildError, match="找不到加载项的源文件"):
        xlam_bytes(root=tmp_path)


# --- install / status / uninstall -------------------------------------------------------------------

PYTHON = {"INTERPRETER_WIN": r"C:\Python311\pythonw.exe", "INTERPRETER_MAC": "/usr/local/bin/python3"}


def test_install_status_uninstall_into_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "XLSTART"
    folder.mkdir()
    (folder / "other.xlam").write_bytes(b"someone else's")
    assert not install.status("win32", folder).installed
    path = install.install("win32", folder, PYTHON)
    assert path == folder / "perfeval.xlam"
    assert read_config(path) == {**DEFAULT_CONFIG, **PYTHON}
    st = install.status("win32", folder)
    assert (st.installed, st.interpreter_win, st.interpreter_mac) == (True, *PYTHON.values())
    assert install.uninstall("win32", folder) == path
    assert install.uninstall("win32", folder) is None
    assert [p.name for p in folder.iterdir()] == ["other.xlam"]
    assert (folder / "other.xlam").read_bytes() == b"someone else's"


def test_platform_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(install.ENV_DIR, raising=False)
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert install.addin_dir("win32") == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert install.addin_dir("darwin") == tmp_path / "home" / install.MAC_STARTUP
    with pytest.raises(install.UnsupportedPlatform, match="perfeval check"):
        install.addin_dir("linux")
    monkeypatch.setenv(install.ENV_DIR, str(tmp_path / "x"))
    assert install.addin_dir("linux") == tmp_path / "x"


def test_mac_install_also_installs_xlwings_applescript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(install.ENV_DIR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    path = install.install("darwin", interpreters=PYTHON)
    assert path == tmp_path / install.MAC_STARTUP / "perfeval.xlam"
    script = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert (script / f"xlwings-{xlwings.__version__}.applescript").is_file()


def test_a_locked_file_asks_to_close_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(self: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", locked)
    with pytest.raises(install.AddinInstallError, match="关闭所有 Excel"):
        install.install("win32", tmp_path, PYTHON)


def test_default_interpreter_is_this_python() -> None:
    found = install.default_interpreters()
    assert found["INTERPRETER_MAC"] == sys.executable
    assert found["INTERPRETER_WIN"] in (sys.executable, str(Path(sys.executable).with_name("pythonw.exe")))


# --- the command line -------------------------------------------------------------------------------


def test_cli_on_linux_says_use_perfeval_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv(install.ENV_DIR, raising=False)
    for command in ("install", "status", "uninstall"):
        result = CliRunner().invoke(app, ["addin", command])
        assert result.exit_code == 2, result.output
        assert "Linux 上没有 Microsoft Excel" in result.output
        assert "perfeval check" in result.output and "WPS" in result.output
        assert "Traceback" not in result.output


def test_cli_install_status_uninstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(install.ENV_DIR, str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(app, ["addin", "status"])
    assert result.exit_code == 0 and "未安装" in result.output
    result = runner.invoke(app, ["addin", "install"])
    assert result.exit_code == 0, result.output
    assert "已安装" in result.output
    config = read_config(tmp_path / "perfeval.xlam")
    assert config["INTERPRETER_MAC"] == sys.executable
    assert config["ADD_WORKBOOK_TO_PYTHONPATH"] == "False"
    result = runner.invoke(app, ["addin", "status"])
    assert result.exit_code == 0 and sys.executable in result.output
    result = runner.invoke(app, ["addin", "uninstall"])
    assert result.exit_code == 0 and "已卸载" in result.output
    assert list(tmp_path.iterdir()) == []
    assert "注意" not in runner.invoke(app, ["addin", "install"]).output  # an ASCII folder: no warning


@pytest.mark.parametrize(("codepage", "warned"), [("cp936", False), ("cp1252", True)])
def test_cli_install_checks_non_ascii_paths_against_the_code_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codepage: str, warned: bool
) -> None:
    """A Chinese user name matters on Windows only where the language for non-Unicode programs cannot
    spell it (tests/test_doctor.py has the details)."""
    from perfeval.excel import doctor

    folder = tmp_path / "张三" / "XLSTART"
    monkeypatch.setenv(install.ENV_DIR, str(folder))
    env = {
        "TEMP": str(tmp_path / "张三" / "Temp"),
        "APPDATA": str(tmp_path / "张三"),
        install.ENV_DIR: str(folder),
    }
    machine = doctor.Machine("win32", (3, 11, 7), sys.executable, env, tmp_path, codepage)
    monkeypatch.setattr(doctor, "this_machine", lambda: machine)
    result = CliRunner().invoke(app, ["addin", "install"])
    assert result.exit_code == 0 and (folder / "perfeval.xlam").is_file()
    assert ("非 Unicode 程序的语言" in result.output and "纯英文路径" in result.output) is warned


def test_cli_import_stays_light() -> None:
    code = "import sys, perfeval.cli; print(any(m.startswith(('xlwings', 'olefile', 'perfeval.vba')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- an independent reader: LibreOffice -------------------------------------------------------------


def test_libreoffice_reads_our_vba_project(tmp_path: Path, xlam: bytes) -> None:
    """LibreOffice parses the project on its own and writes its own vbaProject.bin: the same modules."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed for this test"
    src = tmp_path / "perfeval.xlam"
    src.write_bytes(xlam)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--infilter=Calc MS Excel 2007 VBA XML",  # type detection does not know .xlam
            "--convert-to",
            "xlsm:Calc MS Excel 2007 VBA XML",
            "--outdir",
            str(tmp_path / "out"),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = (tmp_path / "out" / "perfeval.xlsm").read_bytes()
    assert _zip(converted).read("xl/vbaProject.bin") != _zip(xlam).read("xl/vbaProject.bin")
    theirs = {k: v.rstrip("\n") for k, v in _vba(converted).items()}
    ours = {k: v.rstrip("\n") for k, v in _vba(xlam).items()}
    assert {Path(k).stem for k in theirs} == {Path(k).stem for k in ours}
    # LibreOffice rewrites class modules in its own form ("Option ClassModule"); the rest are verbatim.
    for name in ("ThisWorkbook.cls", "Sheet1.cls", "PerfevalRibbon.bas", "PerfevalMarks.bas", "xlwings.bas"):
        assert theirs[name] == ours[name], name
    assert read_config(converted) == DEFAULT_CONFIG


def test_repo_root_is_this_checkout() -> None:
    assert addin_build.repo_root() == ROOT
