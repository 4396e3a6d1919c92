"""`perfeval doctor` and the checks inside `perfeval addin install`, on machines described as values: a
Windows PC with a Chinese user name, a Mac whose Python path has a space, Linux. And `--fast` (xlwings' Use
UDF Server): the setting it writes, and that the ribbon's check does not depend on a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings
from rich.cells import cell_len
from typer.testing import CliRunner

from perfeval.cli import app
from perfeval.excel import doctor, install, ribbon
from perfeval.excel.addin_build import read_config, xlam_bytes
from perfeval.excel.doctor import Machine, Status
from tests.projects import project_workbook
from tests.remote_client import actions, remote_book
from tests.workbooks import taojiang_fixed

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
XLWINGS_VERSION = xlwings.__version__


def _machine(platform: str, tmp_path: Path, **kw) -> Machine:
    values = {
        "python_version": (3, 11, 7),
        "executable": sys.executable,
        "environ": {},
        "home": tmp_path / "home",
        "ansi_codepage": None,
    }
    values.update(kw)
    return Machine(platform=platform, **values)  # type: ignore[arg-type]


def _by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


def _python_at(folder: Path) -> Path:
    """A virtual environment's Python in `folder` (its bin/ or Scripts/): a link to this one, with the
    environment's pyvenv.cfg one level up, as `python -m venv` makes it."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "python3"
    link.symlink_to(os.path.realpath(sys.executable))
    cfg = Path(sys.prefix) / "pyvenv.cfg"
    (folder.parent / "pyvenv.cfg").write_text(
        cfg.read_text() if cfg.is_file() else "include-system-site-packages = false\n"
    )
    return link


# --- versions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "spec", "ok"),
    [
        ((3, 11, 7), ">=3.11", True),
        ((3, 12, 0), ">=3.11", True),
        ((3, 10, 14), ">=3.11", False),
        ((3, 13, 1), ">=3.11,<3.13", False),
        ((3, 11, 0), "==3.11.*", True),
    ],
)
def test_requires_python(version: tuple[int, int, int], spec: str, ok: bool) -> None:
    assert doctor.satisfies(version, spec) is ok


def test_python_and_xlwings_checks() -> None:
    assert doctor.check_python((3, 11, 7), ">=3.11", "/v/bin/python").status is Status.OK
    old = doctor.check_python((3, 10, 2), ">=3.11", "/v/bin/python")
    assert (
        old.status is Status.ERROR
        and "3.11 或更新" in old.message
        and "perfeval addin install" in old.message
    )
    assert doctor.check_xlwings("0.37.8", "0.37.8").status is Status.OK
    other = doctor.check_xlwings("0.38.0", "0.37.8")
    assert other.status is Status.WARNING and "pip install -e ." in other.message
    assert doctor.check_xlwings(None, "0.37.8").status is Status.ERROR


def test_the_pin_is_the_one_in_pyproject() -> None:
    requires, pinned = doctor.project_requirements()
    assert requires == ">=3.11" and pinned == XLWINGS_VERSION


def test_the_addins_xlwings_version_is_read_from_its_vba() -> None:
    """The committed add-in and a fresh build embed the VBA of the installed (pinned) xlwings."""
    assert doctor.addin_xlwings_version(ROOT / "addin" / "perfeval.xlam") == XLWINGS_VERSION
    assert doctor.addin_xlwings_version(xlam_bytes()) == XLWINGS_VERSION
    stale = doctor.check_addin_xlwings("0.30.0", XLWINGS_VERSION)
    assert stale.status is Status.ERROR and "perfeval addin install" in stale.message


# --- Linux ----------------------------------------------------------------------------------------------


def test_linux_runs_the_python_xlwings_and_build_checks(tmp_path: Path) -> None:
    checks = doctor.run_checks(_machine("linux", tmp_path))
    by = _by_name(checks)
    assert list(by) == ["Python 版本", "xlwings 版本", "Excel", "生成加载项"]
    assert by["Excel"].status is Status.WARNING and "perfeval check" in by["Excel"].message
    assert by["生成加载项"].status is Status.OK and XLWINGS_VERSION in by["生成加载项"].message
    assert doctor.worst(checks) is Status.WARNING


def test_cli_doctor_on_linux_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(install.ENV_DIR, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "Linux 上没有 Microsoft Excel" in result.output and "perfeval check" in result.output
    assert "Traceback" not in result.output and "结论：没有错误" in result.output
    assert all(cell_len(line) <= 80 for line in result.output.splitlines())


def test_cli_doctor_exits_2_on_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = _machine("linux", tmp_path, python_version=(3, 10, 1))
    monkeypatch.setattr(doctor, "this_machine", lambda: old)
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 2
    assert "错误  Python 版本" in result.output and "1 个错误" in result.output


def test_doctor_help_states_the_exit_codes() -> None:
    result = CliRunner().invoke(app, ["doctor", "--help"])
    assert result.exit_code == 0
    assert "0 没有“错误”" in result.output and "2 有“错误”" in result.output


# --- Windows --------------------------------------------------------------------------------------------

CHINESE_USER = {
    "TEMP": r"C:\Users\张三\AppData\Local\Temp",
    "TMP": r"C:\Users\张三\AppData\Local\Temp",
    "APPDATA": r"C:\Users\张三\AppData\Roaming",
}
CHINESE_PYTHON = r"C:\Users\张三\perfeval\.venv\Scripts\pythonw.exe"


def test_chinese_user_name_on_a_pc_set_to_chinese_is_fine(tmp_path: Path) -> None:
    machine = _machine("win32", tmp_path, environ=CHINESE_USER, ansi_codepage="cp936")
    assert doctor.check_windows_paths(machine, CHINESE_PYTHON).status is Status.OK


def test_chinese_user_name_on_a_pc_set_to_english_is_warned(tmp_path: Path) -> None:
    machine = _machine("win32", tmp_path, environ=CHINESE_USER, ansi_codepage="cp1252")
    check = doctor.check_windows_paths(machine, CHINESE_PYTHON)
    assert check.status is Status.WARNING
    assert "代码页 1252" in check.message and CHINESE_PYTHON in check.message
    assert "TEMP " in check.message and "APPDATA " in check.message
    assert "非 Unicode 程序的语言" in check.message and "中文(简体，中国)" in check.message
    assert "纯英文路径" in check.message
    ascii_user = {k: v.replace("张三", "zhang") for k, v in CHINESE_USER.items()}
    fine = _machine("win32", tmp_path, environ=ascii_user, ansi_codepage="cp1252")
    assert doctor.check_windows_paths(fine, CHINESE_PYTHON.replace("张三", "zhang")).status is Status.OK


def test_an_unknown_code_page_passes_only_ascii(tmp_path: Path) -> None:
    machine = _machine("win32", tmp_path, environ=CHINESE_USER, ansi_codepage="cp99999")
    assert doctor.check_windows_paths(machine, r"C:\py\pythonw.exe").status is Status.WARNING


def test_windows_install_then_doctor(tmp_path: Path) -> None:
    folder = tmp_path / "XLSTART"
    python = _python_at(tmp_path / "venv" / "Scripts")
    machine = _machine(
        "win32", tmp_path, executable=str(python), environ={"APPDATA": str(tmp_path)}, ansi_codepage="cp936"
    )
    checks = _by_name(doctor.run_checks(machine, folder=folder, build=False))
    assert checks["已安装的加载项"].status is Status.WARNING  # not yet: install it
    install.install("win32", folder, install.default_interpreters(str(python)))
    checks = _by_name(doctor.run_checks(machine, folder=folder, build=False))
    assert checks["已安装的加载项"].status is Status.OK
    assert checks["加载项中的 xlwings"].status is Status.OK
    assert checks["加载项使用的 Python"].status is Status.OK
    assert checks["保持 Python 常驻"].status is Status.OK and "--fast" in checks["保持 Python 常驻"].message
    assert checks["Windows 路径"].status is Status.OK
    assert doctor.worst(checks.values()) is Status.OK


def test_recorded_python_missing_or_another(tmp_path: Path) -> None:
    for name in ("this", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pythonw.exe").write_bytes(b"")
    this = str(tmp_path / "this" / "pythonw.exe")
    machine = _machine("win32", tmp_path, executable=this, environ={"APPDATA": str(tmp_path)})
    assert doctor.check_recorded_python(machine, this, this).status is Status.OK
    gone = doctor.check_recorded_python(machine, str(tmp_path / "gone" / "pythonw.exe"), this)
    assert (
        gone.status is Status.ERROR and "不存在" in gone.message and "perfeval addin install" in gone.message
    )
    another = doctor.check_recorded_python(machine, str(tmp_path / "other" / "pythonw.exe"), this)
    assert another.status is Status.WARNING and "不是本次运行的 Python" in another.message
    bare = doctor.check_recorded_python(machine, "pythonw", this)
    assert bare.status is Status.ERROR and "完整路径" in bare.message


# --- macOS ----------------------------------------------------------------------------------------------


def test_mac_python_path_with_a_space_gets_a_wrapper(tmp_path: Path) -> None:
    home = tmp_path / "home"
    python = _python_at(tmp_path / "Python Envs" / "perfeval (2024)" / "bin")
    machine = _machine("darwin", tmp_path, executable=str(python), home=home)
    before = _by_name(doctor.run_checks(machine, build=False))
    assert before["Mac 上的 Python 路径"].status is Status.WARNING
    assert str(install.mac_wrapper_path(home)) in before["Mac 上的 Python 路径"].message

    path = install.install("darwin", interpreters=install.default_interpreters(str(python)), home=home)
    wrapper = home / ".perfeval" / "bin" / "python"
    assert read_config(path)["INTERPRETER_MAC"] == str(wrapper)
    assert install.wrapper_target(wrapper) == str(python)
    # What xlwings' AppleScript runs: the interpreter unquoted in a shell command. The wrapper works...
    command = '{} -B -u -W ignore -c "import sys; print(sys.prefix)" "--wb=a b.xlsx"'
    ran = subprocess.run(["sh", "-c", command.format(wrapper)], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == str(python.parent.parent)  # exec keeps the virtual environment
    # ...where the real path would not.
    assert subprocess.run(["sh", "-c", command.format(python)], capture_output=True).returncode != 0

    after = _by_name(doctor.run_checks(machine, build=False))
    assert (
        after["Mac 上的 Python 路径"].status is Status.OK
        and str(wrapper) in after["Mac 上的 Python 路径"].message
    )
    assert after["加载项使用的 Python"].status is Status.OK
    assert after["xlwings 的 AppleScript"].status is Status.OK
    assert doctor.worst(after.values()) is Status.OK

    assert install.uninstall("darwin", home=home) == path
    assert not wrapper.exists()


def test_mac_plain_python_path_is_used_as_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    python = _python_at(tmp_path / "venv" / "bin")
    path = install.install("darwin", interpreters=install.default_interpreters(str(python)), home=home)
    assert read_config(path)["INTERPRETER_MAC"] == str(python)
    assert not (home / ".perfeval").exists()


def test_mac_home_with_a_space_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "Zhang San"
    python = "/Users/Zhang San/venv/bin/python3"
    with pytest.raises(install.AddinInstallError, match="用户文件夹路径本身也含空格") as e:
        install.install(
            "darwin", interpreters={"INTERPRETER_WIN": python, "INTERPRETER_MAC": python}, home=home
        )
    assert "未安装任何文件" in str(e.value)
    assert not (home / install.MAC_STARTUP).exists()
    check = doctor.check_mac_python(_machine("darwin", tmp_path, executable=python, home=home), None)
    assert check.status is Status.ERROR and "/Users/Shared" in check.message


def test_mac_add_in_naming_a_spaced_path_is_an_error(tmp_path: Path) -> None:
    """An add-in installed before the wrapper existed: every click would fail."""
    python = _python_at(tmp_path / "My Env" / "bin")
    machine = _machine("darwin", tmp_path, executable=str(python))
    check = doctor.check_recorded_python(machine, str(python), str(python))
    assert check.status is Status.ERROR and "perfeval addin install" in check.message


def test_mac_missing_applescript(tmp_path: Path) -> None:
    check = doctor.check_applescript(_machine("darwin", tmp_path), XLWINGS_VERSION)
    assert check.status is Status.ERROR and f"xlwings-{XLWINGS_VERSION}.applescript" in check.message


def test_fast_is_refused_on_a_mac(tmp_path: Path) -> None:
    with pytest.raises(install.AddinInstallError, match="只适用于 Windows"):
        install.install("darwin", fast=True, home=tmp_path)
    assert not (tmp_path / install.MAC_STARTUP).exists()


# --- --fast: xlwings' Use UDF Server ------------------------------------------------------------------


def test_fast_writes_use_udf_server(tmp_path: Path) -> None:
    python = _python_at(tmp_path / "venv" / "Scripts")
    interpreters = install.default_interpreters(str(python))
    path = install.install("win32", tmp_path / "XLSTART", interpreters, fast=True)
    config = read_config(path)
    assert config[install.UDF_SERVER] == "True" and config["ADD_WORKBOOK_TO_PYTHONPATH"] == "False"
    status = install.status("win32", tmp_path / "XLSTART")
    assert status.fast
    machine = _machine("win32", tmp_path, executable=str(python))
    no_dll = doctor.check_fast(machine, status, XLWINGS_VERSION)
    assert no_dll.status is Status.WARNING and f"xlwings64-{XLWINGS_VERSION}.dll" in no_dll.message
    # pip puts the DLL in sys.prefix: the venv's folder, the parent of Scripts.
    (tmp_path / "venv" / f"xlwings64-{XLWINGS_VERSION}.dll").write_bytes(b"")
    on = doctor.check_fast(machine, status, XLWINGS_VERSION)
    assert on.status is Status.OK and "重新打开 Excel" in on.message
    install.install("win32", tmp_path / "XLSTART", interpreters)  # again without --fast: off
    assert read_config(path)[install.UDF_SERVER] == "False"
    assert not install.status("win32", tmp_path / "XLSTART").fast


def test_the_key_is_the_one_xlwings_reads() -> None:
    runner = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text()
    assert f'OPTIMIZED_CONNECTION = GetConfig("{install.UDF_SERVER}", False)' in runner
    assert 'XLPy.SetAttr XLPy.Module("xlwings._xlwindows"), "BOOK_CALLER", ActiveWorkbook' in runner


def test_cli_install_fast_explains_what_it_costs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(install.ENV_DIR, str(tmp_path))
    result = CliRunner().invoke(app, ["addin", "install", "--fast"])
    assert result.exit_code == 0, result.output
    assert read_config(tmp_path / "perfeval.xlam")[install.UDF_SERVER] == "True"
    out = result.output
    assert "保持 Python 常驻" in out and "重新读取整个工作簿" in out and "重新打开 Excel" in out
    assert "正常  已安装的加载项" in out and "结论：" in out
    status = CliRunner().invoke(app, ["addin", "status"])
    assert "保持 Python 常驻（--fast）：已开启" in status.output


def test_cli_install_on_a_pc_set_to_english_with_a_chinese_user_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "张三" / "XLSTART"
    monkeypatch.setenv(install.ENV_DIR, str(folder))
    machine = _machine(
        "win32", tmp_path, environ={**CHINESE_USER, install.ENV_DIR: str(folder)}, ansi_codepage="cp1252"
    )
    monkeypatch.setattr(doctor, "this_machine", lambda: machine)
    result = CliRunner().invoke(app, ["addin", "install"])
    assert result.exit_code == 0, result.output  # a warning: installed all the same
    assert (folder / "perfeval.xlam").is_file()
    assert "警告  Windows 路径" in result.output and "非 Unicode 程序的语言" in result.output


def test_cli_install_refuses_an_unsupported_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(install.ENV_DIR, str(tmp_path))
    old = _machine("linux", tmp_path, python_version=(3, 9, 0), environ={install.ENV_DIR: str(tmp_path)})
    monkeypatch.setattr(doctor, "this_machine", lambda: old)
    result = CliRunner().invoke(app, ["addin", "install"])
    assert result.exit_code == 2 and "未安装" in result.output
    assert not (tmp_path / "perfeval.xlam").exists()


def test_install_without_olefile_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "olefile", None)  # as after `pip install -e .` without the test extra
    with pytest.raises(install.AddinInstallError, match="pip install olefile"):
        install.install(
            "win32", tmp_path, {"INTERPRETER_WIN": "C:\\py\\pythonw.exe", "INTERPRETER_MAC": "python"}
        )
    assert not (tmp_path / "perfeval.xlam").exists()
    assert doctor.check_build(XLWINGS_VERSION).status is Status.ERROR


# --- printing -------------------------------------------------------------------------------------------


def test_report_lines_fit_80_columns() -> None:
    text = (
        "警告  Windows 路径：这些路径含本机“非 Unicode 程序的语言”（代码页 1252）无法表示的字符："
        "Python 解释器 C:\\Users\\张三\\perfeval\\.venv\\Scripts\\pythonw.exe；TEMP C:\\Users\\张三\\AppData"
        "\\Local\\Temp。" + "很长的路径 /" + "a" * 120 + "。"
    )
    lines = doctor.report_lines(text, 80, indent=6)
    assert all(cell_len(line) <= 80 for line in lines)
    assert all(line.startswith("      ") and not line[6].isspace() for line in lines[1:])
    assert not any(line.lstrip()[0] in "，。；：）" for line in lines)
    assert not any(line[-1] in "（“" for line in lines)
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
    assert any("C:\\Users\\张三\\perfeval\\.venv\\Scripts\\pythonw.exe" in line for line in lines)


# --- a warm Python (--fast): nothing depends on a fresh process -------------------------------------------

FRESH = """
import json, sys
from pathlib import Path
from tests.remote_client import actions, remote_book
from perfeval.excel import ribbon
book = remote_book(Path(sys.argv[1]))
outcome = ribbon.run_action(book, "perfeval_check")
print(json.dumps({"message": outcome.message, "actions": actions(book)}, ensure_ascii=False, sort_keys=True))
"""


def _click(path: Path) -> dict:
    book = remote_book(path)
    outcome = ribbon.run_action(book, "perfeval_check")
    found = {"message": outcome.message, "actions": actions(book)}
    return json.loads(json.dumps(found, ensure_ascii=False, sort_keys=True))


def test_check_clicks_in_one_process_equal_fresh_runs(tmp_path: Path) -> None:
    """With Use UDF Server every click runs in the same Python: clicks on different workbooks, and on the
    same one twice, give exactly what a click in a new process gives."""
    workbooks = {
        "桃江": TAOJIANG,
        "项目": project_workbook(tmp_path / "两个项目.xlsx"),
        "改正后": taojiang_fixed(tmp_path / "fixed"),
    }
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    fresh = {}
    for name, path in workbooks.items():
        ran = subprocess.run(
            [sys.executable, "-c", FRESH, str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        assert ran.returncode == 0, ran.stderr
        fresh[name] = json.loads(ran.stdout)
    assert len({json.dumps(f, sort_keys=True) for f in fresh.values()}) == 3  # three different results
    for name in ("桃江", "项目", "桃江", "桃江", "改正后", "项目", "改正后"):
        assert _click(workbooks[name]) == fresh[name], name
