"""`perfeval doctor`: can this machine run the Excel add-in? Each check says what it found and what to do.

The checks take the machine as a value (platform, Python, environment, home, ANSI code page) rather than
reading `sys` and `os` themselves, so tests describe a Windows PC with a Chinese user name or a Mac with a
space in its Python path on Linux. `this_machine()` is the one place that reads the real one.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from perfeval.excel import install as inst

# The xlwings VBA module names its version here; RunPython's AppleScript (Mac) and the UDF server's DLL
# (Windows) are looked up by this version, so it has to match the installed xlwings package.
_VBA_VERSION = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.MULTILINE)
_PIN = re.compile(r"^\s*xlwings\s*==\s*([A-Za-z0-9.+!-]+)")


class Status(Enum):
    OK = "正常"
    WARNING = "警告"
    ERROR = "错误"


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it stands, and in Chinese what was found and what to do."""

    name: str
    status: Status
    message: str


@dataclass(frozen=True)
class Machine:
    """What the checks look at. `ansi_codepage` is Windows' code page for non-Unicode programs ("cp936" on a
    PC set to Chinese, "cp1252" on one set to English); VBA hands paths to the system in it."""

    platform: str
    python_version: tuple[int, int, int]
    executable: str
    environ: Mapping[str, str]
    home: Path
    ansi_codepage: str | None = None

    @property
    def windows(self) -> bool:
        return self.platform.startswith("win")

    @property
    def mac(self) -> bool:
        return self.platform == "darwin"


def this_machine() -> Machine:
    return Machine(
        platform=sys.platform,
        python_version=(sys.version_info.major, sys.version_info.minor, sys.version_info.micro),
        executable=sys.executable,
        environ=dict(os.environ),
        home=Path.home(),
        ansi_codepage=_ansi_codepage(),
    )


def _ansi_codepage() -> str | None:
    if os.name != "nt":
        return None
    import ctypes

    return f"cp{ctypes.windll.kernel32.GetACP()}"  # type: ignore[attr-defined]


# --- versions ---------------------------------------------------------------------------------------


def _project_text() -> str | None:
    """pyproject.toml of the checkout perfeval runs from (an editable install), else None."""
    from perfeval.excel.addin_build import repo_root

    path = repo_root() / "pyproject.toml"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def project_requirements() -> tuple[str | None, str | None]:
    """(requires-python, the pinned xlwings version): from the checkout's pyproject.toml, which is what
    `pip install -e .` would install now, else from the installed package's metadata."""
    import tomllib
    from importlib import metadata

    text = _project_text()
    if text is not None:
        try:
            project = tomllib.loads(text).get("project", {})
            return project.get("requires-python"), _pinned(project.get("dependencies", []))
        except tomllib.TOMLDecodeError:
            pass
    try:
        return metadata.metadata("perfeval").get("Requires-Python"), _pinned(
            metadata.requires("perfeval") or []
        )
    except metadata.PackageNotFoundError:
        return None, None


def _pinned(requirements: Iterable[str]) -> str | None:
    for requirement in requirements:
        found = _PIN.match(requirement)
        if found:
            return found.group(1)
    return None


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def satisfies(version: tuple[int, ...], spec: str) -> bool:
    """Whether `version` meets a simple requires-python spec such as ">=3.11" or ">=3.11,<4"."""
    ops = {
        ">=": lambda a, b: a >= b,
        ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b,
        "<": lambda a, b: a < b,
        "==": lambda a, b: a[: len(b)] == b,
        "!=": lambda a, b: a[: len(b)] != b,
        "~=": lambda a, b: a >= b and a[: len(b) - 1] == b[:-1],
    }
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        found = re.fullmatch(r"(>=|<=|==|!=|~=|>|<)\s*([\d.]+)(\.\*)?", clause)
        if found and not ops[found.group(1)](tuple(version), _version_tuple(found.group(2))):
            return False
    return True


def addin_xlwings_version(xlam: Path | bytes) -> str:
    """The XLWINGS_VERSION constant of the xlwings VBA module inside an add-in file."""
    from perfeval.vba.ovba import read_modules

    source = io.BytesIO(xlam) if isinstance(xlam, bytes) else xlam
    with zipfile.ZipFile(source) as z:
        modules = read_modules(z.read("xl/vbaProject.bin"))
    found = _VBA_VERSION.search(modules.get("xlwings", ""))
    if found is None:
        raise ValueError("加载项中没有 xlwings 模块的版本常量 XLWINGS_VERSION")
    return found.group(1)


# --- the checks -------------------------------------------------------------------------------------


def _requirement(spec: str) -> str:
    """ ">=3.11" as a user reads it: "3.11 或更新版本"; any other specifier as written."""
    found = re.fullmatch(r">=\s*([\d.]+)", spec.strip())
    return f"{found.group(1)} 或更新版本" if found else spec


def check_python(version: tuple[int, int, int], requires: str | None, executable: str) -> Check:
    shown = ".".join(map(str, version))
    if requires is None or satisfies(version, requires):
        need = f"（本工具要求 {_requirement(requires)}）" if requires else ""
        return Check("Python 版本", Status.OK, f"Python {shown}{need}，解释器 {executable}")
    return Check(
        "Python 版本",
        Status.ERROR,
        f"Python {shown}（{executable}）不符合本工具的要求（{_requirement(requires)}）。请安装 Python 3.11 或更新版本，"
        "用它重新建立虚拟环境（python -m venv .venv）并安装 perfeval，再运行 perfeval addin install。",
    )


def check_xlwings(installed: str | None, pinned: str | None) -> Check:
    if installed is None:
        return Check(
            "xlwings 版本",
            Status.ERROR,
            "没有安装 xlwings，加载项无法调用 Python。请在虚拟环境中运行 pip install -e .（perfeval 源码目录），"
            "再运行 perfeval addin install。",
        )
    if pinned is None or installed == pinned:
        tail = "，与 perfeval 固定的版本一致" if pinned else ""
        return Check("xlwings 版本", Status.OK, f"xlwings {installed}{tail}。")
    return Check(
        "xlwings 版本",
        Status.WARNING,
        f"已安装 xlwings {installed}，而 perfeval 固定使用 {pinned}（pyproject.toml），这一组合未经测试。"
        f"请在 perfeval 源码目录运行 pip install -e .（会装回 xlwings {pinned}），再运行 perfeval addin install。",
    )


def check_build(installed_xlwings: str | None) -> Check:
    """Whether `perfeval addin install` can build the add-in here, and which xlwings VBA it would embed."""
    from perfeval.excel.addin_build import AddinBuildError, xlam_bytes

    name = "生成加载项"
    try:
        embedded = addin_xlwings_version(xlam_bytes())
    except AddinBuildError as e:
        return Check(name, Status.ERROR, str(e))
    except ModuleNotFoundError as e:
        if e.name == "olefile":
            return Check(name, Status.ERROR, inst.OLEFILE_MESSAGE)
        return Check(name, Status.ERROR, f"缺少 Python 包 {e.name}：请在虚拟环境中运行 pip install -e .。")
    if installed_xlwings is not None and embedded != installed_xlwings:
        return Check(
            name,
            Status.ERROR,
            f"生成的加载项内含 xlwings {embedded} 的 VBA 模块，而已安装的 xlwings 为 {installed_xlwings}。"
            "请在虚拟环境中运行 pip install -e . 后重试。",
        )
    return Check(
        name, Status.OK, f"perfeval addin install 能生成加载项，内含 xlwings {embedded} 的 VBA 模块。"
    )


def check_excel(machine: Machine) -> Check:
    if machine.windows:
        return Check("Excel", Status.OK, "Windows 版，加载项装在 Excel 启动时自动加载的 XLSTART 文件夹中。")
    if machine.mac:
        return Check(
            "Excel",
            Status.OK,
            "macOS 版，加载项装在 Excel 的 Startup 文件夹中；按钮经 xlwings 的 AppleScript 调用 Python。",
        )
    return Check(
        "Excel",
        Status.WARNING,
        "Linux 上没有 Microsoft Excel，加载项在本机无法使用。"
        "请在命令行中用 perfeval check 文件.xlsx 校验工作簿（WPS 用户同样）。",
    )


def _not_in_codepage(text: str, codepage: str) -> bool:
    try:
        text.encode(codepage)
    except UnicodeEncodeError:
        return True
    except LookupError:  # a code page Python does not know: only ASCII is certain to pass
        return not text.isascii()
    return False


def check_windows_paths(machine: Machine, interpreter: str) -> Check:
    """Paths the add-in's VBA passes through the ANSI code page (Environ, GetAttr, LoadLibraryA): a
    character it cannot encode becomes "?" and the path no longer exists."""
    codepage = machine.ansi_codepage or "cp1252"
    paths = [("Python 解释器", interpreter)]
    # VBA's Environ("Temp") names xlwings' log file; APPDATA holds the add-in (XLSTART).
    paths += [(var, machine.environ[var]) for var in ("TEMP", "APPDATA") if machine.environ.get(var)]
    bad = [(what, path) for what, path in paths if _not_in_codepage(path, codepage)]
    number = codepage.removeprefix("cp")
    if not bad:
        return Check(
            "Windows 路径",
            Status.OK,
            f"Python、TEMP 和 APPDATA 的路径都能用本机“非 Unicode 程序的语言”（代码页 {number}）表示。",
        )
    listed = "；".join(f"{what} {path}" for what, path in bad)
    return Check(
        "Windows 路径",
        Status.WARNING,
        f"这些路径含本机“非 Unicode 程序的语言”（代码页 {number}）无法表示的字符：{listed}。"
        "加载项的宏按这种编码传递路径，点击按钮可能没有反应或提示找不到 Python。解决办法（任选其一）："
        "在“控制面板 → 时钟和区域 → 区域 → 管理 → 更改系统区域设置”中把“非 Unicode 程序的语言”"
        "设为“中文(简体，中国)”并重启电脑；或把 Python 虚拟环境建在纯英文路径下（如 C:\\perfeval\\.venv），"
        "并把 TEMP、TMP 环境变量改为纯英文路径（如 C:\\Temp），再运行 perfeval addin install。",
    )


def check_mac_python(machine: Machine, recorded: str | None) -> Check:
    """xlwings' AppleScript runs `<interpreter> -c ...` in a shell without quoting the interpreter."""
    python = machine.executable
    wrapper = inst.mac_wrapper_path(machine.home)
    if inst.mac_shell_safe(python):
        return Check(
            "Mac 上的 Python 路径", Status.OK, f"{python} 不含空格或特殊字符，xlwings 可以直接调用。"
        )
    if recorded == str(wrapper) and inst.wrapper_target(wrapper) == python:
        return Check(
            "Mac 上的 Python 路径",
            Status.OK,
            f"{python} 含空格或特殊字符；加载项通过 {wrapper}（转到它的小脚本）调用，不受影响。",
        )
    if not inst.mac_shell_safe(str(wrapper)):
        return Check(
            "Mac 上的 Python 路径",
            Status.ERROR,
            f"{python} 含空格或特殊字符，xlwings 调用它时不加引号，每次点击都会失败；您的用户文件夹路径"
            "也含空格或特殊字符，无法改用转接脚本。请把虚拟环境建在只含英文字母、数字和 - _ . 的路径下"
            "（如 /Users/Shared/perfeval/.venv），再用其中的 perfeval addin install 安装。",
        )
    return Check(
        "Mac 上的 Python 路径",
        Status.WARNING,
        f"{python} 含空格或特殊字符，xlwings 调用它时不加引号，直接使用会使每次点击都失败。"
        f"运行 perfeval addin install：它会写一个转到该 Python 的小脚本 {wrapper}，并让加载项使用它。",
    )


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(a) == os.path.normcase(b)


def check_recorded_python(machine: Machine, recorded: str | None, expected: str) -> Check:
    """The interpreter the installed add-in's config sheet names: it exists, and it is this Python."""
    name = "加载项使用的 Python"
    reinstall = "请用要使用的虚拟环境中的 perfeval 运行 perfeval addin install 重新安装。"
    if not recorded or recorded in ("python", "pythonw"):
        return Check(
            name,
            Status.ERROR,
            f"加载项没有记下 Python 的完整路径（{recorded or '空'}），Excel 会找不到本工具。{reinstall}",
        )
    # On the Mac the add-in may name our wrapper script: what counts is the Python it runs.
    target = (inst.wrapper_target(recorded) if machine.mac else None) or recorded
    if not Path(target).is_file():
        return Check(
            name,
            Status.ERROR,
            f"加载项记下的 Python {target} 不存在（虚拟环境被移动或删除了？）。{reinstall}",
        )
    via = f"（经 {recorded}）" if target != recorded else ""
    if machine.mac and not inst.mac_shell_safe(recorded):
        return Check(
            name,
            Status.ERROR,
            f"加载项记下的 Python 路径 {recorded} 含空格或特殊字符，xlwings 在 Mac 上调用它时不加引号，"
            "每次点击都会失败。运行 perfeval addin install 重新安装：它会改用一个不含空格的转接脚本。",
        )
    if not (_same_file(target, expected) or _same_file(target, machine.executable)):
        return Check(
            name,
            Status.WARNING,
            f"加载项使用 {target}{via}，不是本次运行的 Python（{expected}）。如要改用本 Python，"
            "运行 perfeval addin install；否则请用那个环境中的 perfeval doctor 检查。",
        )
    return Check(name, Status.OK, f"{target}{via}，即本次运行的 Python。")


def check_addin_xlwings(embedded: str, installed: str | None) -> Check:
    name = "加载项中的 xlwings"
    if installed is not None and embedded != installed:
        return Check(
            name,
            Status.ERROR,
            f"加载项内含 xlwings {embedded} 的 VBA 模块，而本机 Python 中的 xlwings 为 {installed}"
            "（升级或重装过？），两者不一致时按钮可能失败。运行 perfeval addin install 重新安装加载项。",
        )
    return Check(name, Status.OK, f"加载项内含 xlwings {embedded} 的 VBA 模块，与已安装的 xlwings 一致。")


def check_applescript(machine: Machine, version: str) -> Check:
    script = machine.home / inst.MAC_SCRIPTS / f"xlwings-{version}.applescript"
    if script.is_file():
        return Check("xlwings 的 AppleScript", Status.OK, f"{script}")
    return Check(
        "xlwings 的 AppleScript",
        Status.ERROR,
        f"找不到 {script}：没有它，Mac 上点击按钮会提示运行 xlwings runpython install。"
        "运行 perfeval addin install 重新安装（会一并安装它）。",
    )


def check_fast(machine: Machine, status: inst.AddinStatus, version: str) -> Check:
    """xlwings' Use UDF Server: off, on (Windows: its DLL must sit by the interpreter), or useless on a Mac."""
    name = "保持 Python 常驻"
    if not status.fast:
        tail = "如需更快，可运行 perfeval addin install --fast。" if machine.windows else ""
        return Check(name, Status.OK, f"未开启，每次点击都启动一个新的 Python（需数秒）。{tail}")
    if machine.mac:
        return Check(
            name,
            Status.WARNING,
            "加载项开启了 Use UDF Server，但它只在 Windows 上起作用；Mac 上每次点击仍启动新的 Python。"
            "运行 perfeval addin install（不加 --fast）即可去掉此设置。",
        )
    interpreter = Path(status.interpreter_win or "")
    dlls = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
    folders = [interpreter.parent, interpreter.parent.parent]  # where xlwings' VBA loads it from
    if machine.windows and not any((f / d).is_file() for f in folders for d in dlls):
        return Check(
            name,
            Status.WARNING,
            f"已开启（--fast），但在 {folders[0]} 和 {folders[1]} 中都找不到 xlwings 的 {dlls[0]}，"
            "点击时 Excel 可能提示 Could not load。请在虚拟环境中运行 pip install --force-reinstall "
            f"xlwings=={version}，或运行 perfeval addin install（不加 --fast）关闭此设置。",
        )
    return Check(
        name,
        Status.OK,
        "已开启（--fast），Python 在两次点击之间保持运行，每次点击仍重新读取整个工作簿；"
        "更新 perfeval 后须关闭并重新打开 Excel 才会生效。",
    )


def installed_checks(
    machine: Machine, status: inst.AddinStatus, installed_xlwings: str | None
) -> list[Check]:
    """The add-in `status` describes: there at all, its xlwings VBA, the Python it names, the fast setting."""
    if not status.installed:
        return [
            Check(
                "已安装的加载项",
                Status.WARNING,
                f"未安装（将安装到 {status.path}）。先关闭 Excel，再运行 perfeval addin install。",
            )
        ]
    checks = [Check("已安装的加载项", Status.OK, str(status.path))]
    embedded: str | None = None
    try:
        embedded = addin_xlwings_version(status.path)
    except ModuleNotFoundError:
        checks.append(Check("加载项中的 xlwings", Status.WARNING, inst.OLEFILE_MESSAGE))
    except Exception as e:  # damaged, or saved by something that dropped the module
        checks.append(
            Check(
                "加载项中的 xlwings",
                Status.ERROR,
                f"读不出加载项中的 xlwings 版本（{e}）。运行 perfeval addin install 重新安装。",
            )
        )
    else:
        checks.append(check_addin_xlwings(embedded, installed_xlwings))
    expected = inst.default_interpreters(machine.executable)
    if machine.windows:
        checks.append(check_recorded_python(machine, status.interpreter_win, expected["INTERPRETER_WIN"]))
    else:
        checks.append(check_recorded_python(machine, status.interpreter_mac, expected["INTERPRETER_MAC"]))
    version = embedded or installed_xlwings or ""
    if machine.mac and version:
        checks.append(check_applescript(machine, version))
    checks.append(check_fast(machine, status, version))
    return checks


def run_checks(
    machine: Machine,
    *,
    folder: Path | None = None,
    installed_xlwings: str | None = None,
    requirements: tuple[str | None, str | None] | None = None,
    build: bool = True,
) -> list[Check]:
    """Every check for `machine`, in the order printed. `folder` overrides where the add-in is looked for
    (as install's target_dir); `installed_xlwings` and `requirements` default to this Python's."""
    if installed_xlwings is None:
        installed_xlwings = xlwings_version()
    requires, pinned = requirements if requirements is not None else project_requirements()
    checks = [
        check_python(machine.python_version, requires, machine.executable),
        check_xlwings(installed_xlwings, pinned),
        check_excel(machine),
    ]
    if build:
        checks.append(check_build(installed_xlwings))
    status: inst.AddinStatus | None = None
    try:
        where = inst.addin_dir(machine.platform, folder, environ=machine.environ, home=machine.home)
        status = inst.status(machine.platform, where)
    except inst.UnsupportedPlatform:
        pass  # Linux: no Excel, as check_excel says
    except inst.AddinInstallError as e:  # no APPDATA, or a file that is not our add-in
        checks.append(Check("已安装的加载项", Status.ERROR, f"{e} 运行 perfeval addin install 重新安装。"))
    if status is not None:
        checks += installed_checks(machine, status, installed_xlwings)
    recorded = None
    if status is not None and status.installed:
        recorded = status.interpreter_win if machine.windows else status.interpreter_mac
    if machine.windows:
        interpreter = recorded or inst.default_interpreters(machine.executable)["INTERPRETER_WIN"]
        checks.append(check_windows_paths(machine, interpreter))
    elif machine.mac:
        checks.append(check_mac_python(machine, recorded))
    return checks


def xlwings_version() -> str | None:
    try:
        from importlib import metadata

        return metadata.version("xlwings")
    except Exception:  # not installed, or broken metadata: the check says so
        return None


def worst(checks: Iterable[Check]) -> Status:
    statuses = {c.status for c in checks}
    return next((s for s in (Status.ERROR, Status.WARNING) if s in statuses), Status.OK)


def summary(checks: list[Check]) -> str:
    errors = sum(c.status is Status.ERROR for c in checks)
    warnings = sum(c.status is Status.WARNING for c in checks)
    if errors:
        return f"结论：{errors} 个错误、{warnings} 个警告。请按“错误”各行的说明处理后再运行 perfeval doctor。"
    if warnings:
        return f"结论：没有错误，{warnings} 个警告（见上）。"
    return "结论：全部正常。"


# --- printing -----------------------------------------------------------------------------------------

# These stay on one line when they fit: a path (from / or X:\ up to a space or Chinese punctuation, so
# also a folder with a Chinese name), an ASCII word or number. Anything else may break after any
# character, as Chinese text does.
_UNBROKEN = re.compile(
    r"(?:[A-Za-z]:)?[\\/][^\s，。；：、（）“”]+"
    r"|[A-Za-z0-9_./\\:~@+%=<>$'\"()\[\]{}&|!?*#,;-]+|\s+|."
)
# Punctuation that may not begin a line: it goes with what comes before it.
_NO_LINE_START = set("，。、；：？！）》」』”’％)]")
_NO_LINE_END = set("（《「『“‘([")  # and these go with what follows them


def report_lines(text: str, width: int = 80, indent: int = 6) -> list[str]:
    """`text` broken into lines of at most `width` terminal columns (CJK counts two), every line after the
    first indented by `indent` spaces. A word or path longer than a line is broken where it must be."""
    from rich.cells import cell_len

    lines: list[str] = []
    pad, current = "", []  # the line being filled: its indent and its tokens

    def fits(tokens: list[str]) -> bool:
        return cell_len(pad + "".join(tokens)) <= width

    def emit() -> None:
        nonlocal pad, current
        lines.append((pad + "".join(current)).rstrip())
        pad, current = " " * indent, []

    def add(token: str) -> None:
        while not fits([*current, token]):  # longer than the room left: break it
            room = width - cell_len(pad + "".join(current))
            cut = 0
            while cut < len(token) and cell_len(token[: cut + 1]) <= room:
                cut += 1
            if cut == 0 and current:
                emit()
                continue
            cut = max(cut, 1)
            current.append(token[:cut])
            token = token[cut:]
            emit()
        if token:
            current.append(token)

    for token in _UNBROKEN.findall(text):
        if token.isspace():
            if current and fits([*current, token]):
                current.append(token)
            elif current:
                emit()
            continue
        if fits([*current, token]) or not current:
            add(token)
            continue
        moved = [token]
        while len(current) > 1 and moved[0][0] in _NO_LINE_START and not current[-1].isspace():
            moved.insert(0, current.pop())  # closing punctuation stays with what it closes
        while len(current) > 1 and current[-1] in _NO_LINE_END:
            moved.insert(0, current.pop())
        emit()
        for t in moved:
            add(t)
    if current:
        emit()
    return lines
