"""Install the add-in where Excel loads it at startup, for this user, with this Python named in it.

Windows: %APPDATA%\\Microsoft\\Excel\\XLSTART. macOS: Excel's sandboxed startup folder, plus the
AppleScript xlwings' RunPython needs there. Linux has no Excel. The file is always `perfeval.xlam`;
nothing else in the folder is touched. `PERFEVAL_ADDIN_DIR` (or `target_dir`) overrides the folder,
which lets tests run the whole cycle on any OS.

On the Mac, xlwings' AppleScript puts the interpreter's path into a shell command unquoted: a path with a
space or a shell character would make every click fail. Such a Python is named through a small wrapper
script at a plain path (`~/.perfeval/bin/python`) that execs the real interpreter.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from perfeval.excel.addin_build import DEFAULT_CONFIG, read_config, xlam_bytes

ADDIN_FILE = "perfeval.xlam"
ENV_DIR = "PERFEVAL_ADDIN_DIR"
MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
# Where xlwings' RunPython looks for its AppleScript (xlwings.cli.runpython_install writes it there).
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"
MAC_WRAPPER = ".perfeval/bin/python"
WRAPPER_MARK = "# perfeval: the Python that the Excel add-in runs"
# xlwings' config key for running RunPython in a persistent COM server (Windows only); "True"/"False" as
# text, like the other values (see addin_build.DEFAULT_CONFIG).
UDF_SERVER = "USE UDF SERVER"
# What xlwings' AppleScript can pass to the shell unquoted, and its VBA through `POSIX path of "..."`
# (which would read a colon as an HFS separator): letters (any script), digits and these few marks.
_MAC_SAFE_PATH = re.compile(r"[\w/.+@,-]+")

LINUX_MESSAGE = (
    "Linux 上没有 Microsoft Excel，无法安装 Excel 加载项。"
    "请在命令行中使用 perfeval check 校验工作簿（例如：perfeval check 2024年自评.xlsx）；"
    "使用 WPS 表格的用户同样请使用 perfeval check。"
)
IN_USE_MESSAGE = (
    "无法{action}加载项文件 {path}：该文件正被 Excel 使用。请先关闭所有 Excel 窗口，再重新运行本命令。"
)
FAST_ON_MAC_MESSAGE = (
    "--fast（保持 Python 常驻，即 xlwings 的 Use UDF Server）只适用于 Windows 版 Excel："
    "Mac 版 Excel 每次点击都启动新的 Python。未安装任何文件；请去掉 --fast 后重新运行。"
)
OLEFILE_MESSAGE = (
    "生成加载项需要 Python 包 olefile（读取 xlwings 自带加载项中的 VBA 引用），当前环境中没有安装。"
    "请在同一虚拟环境中运行 pip install olefile，再重新运行本命令。"
)


class AddinInstallError(RuntimeError):
    """Installing, removing or reading the add-in failed; the message is for the user, in Chinese."""


class UnsupportedPlatform(AddinInstallError):
    """No Excel on this platform."""


@dataclass(frozen=True)
class AddinStatus:
    path: Path
    installed: bool
    interpreter_win: str | None = None
    interpreter_mac: str | None = None
    config: Mapping[str, str] = field(default_factory=dict)

    @property
    def fast(self) -> bool:
        """Whether the add-in keeps Python running between clicks (xlwings' Use UDF Server)."""
        return self.config.get(UDF_SERVER, "").strip().lower() == "true"


def _platform(platform: str | None) -> str:
    return platform or sys.platform


def addin_dir(
    platform: str | None = None,
    target_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Path:
    """The folder Excel loads the add-in from: explicit, from PERFEVAL_ADDIN_DIR, or per platform."""
    env = os.environ if environ is None else environ
    if target_dir is not None:
        return target_dir
    if env.get(ENV_DIR):
        return Path(env[ENV_DIR])
    plat = _platform(platform)
    if plat.startswith("win"):
        appdata = env.get("APPDATA")
        if not appdata:
            raise AddinInstallError("找不到 APPDATA 环境变量，无法确定 Excel 的启动文件夹（XLSTART）。")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if plat == "darwin":
        return (home or Path.home()) / MAC_STARTUP
    raise UnsupportedPlatform(LINUX_MESSAGE)


def default_interpreters(executable: str | None = None) -> dict[str, str]:
    """This Python, for each OS: pythonw.exe on Windows runs without a console window flashing up."""
    exe = Path(executable or sys.executable)
    pythonw = exe.with_name("pythonw.exe")
    return {
        "INTERPRETER_WIN": str(pythonw if pythonw.exists() else exe),
        "INTERPRETER_MAC": str(exe),
    }


# --- the Mac wrapper ------------------------------------------------------------------------------


def mac_shell_safe(path: str) -> bool:
    """Whether xlwings on the Mac can run this interpreter path as it is (it does not quote it)."""
    return bool(_MAC_SAFE_PATH.fullmatch(path))


def mac_wrapper_path(home: Path | None = None) -> Path:
    return (home or Path.home()) / MAC_WRAPPER


def wrapper_target(path: str | Path) -> str | None:
    """The interpreter a wrapper written by `write_mac_wrapper` runs; None for anything else."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)  # a wrapper is a few lines; the path may also name a real interpreter
    except OSError:
        return None
    lines = head.decode("utf-8", errors="replace").splitlines()
    if WRAPPER_MARK not in lines:
        return None
    for line in lines:
        if line.startswith("exec "):
            words = shlex.split(line)
            return words[1] if len(words) >= 2 else None
    return None


def write_mac_wrapper(python: str, home: Path | None = None) -> Path:
    """Write `~/.perfeval/bin/python`, a shell script that execs `python` (quoted), and return its path.

    exec keeps a virtual environment working: Python finds pyvenv.cfg from the path it was started by."""
    wrapper = mac_wrapper_path(home)
    if not mac_shell_safe(str(wrapper)):
        raise AddinInstallError(
            f"Python 的路径 {python} 含空格或特殊字符，xlwings 在 Mac 上调用它时不加引号，每次点击都会失败；"
            f"本工具通常在 {wrapper} 写一个转到它的小脚本，但您的用户文件夹路径本身也含空格或特殊字符。"
            "未安装任何文件。请把 Python 虚拟环境建在只含英文字母、数字和 - _ . 的路径下"
            "（如 /Users/Shared/perfeval/.venv），再用其中的 perfeval addin install 安装。"
        )
    text = (
        "#!/bin/sh\n"
        f"{WRAPPER_MARK}\n"
        "# Written by perfeval addin install: xlwings' AppleScript passes the interpreter's path to the\n"
        "# shell unquoted, so a path with spaces is named through this script.\n"
        f'exec {shlex.quote(python)} "$@"\n'
    )
    try:
        wrapper.parent.mkdir(parents=True, exist_ok=True)
        wrapper.write_text(text, encoding="utf-8")
        wrapper.chmod(0o755)
    except OSError as e:
        raise AddinInstallError(f"无法写入 {wrapper}：{e.strerror or e}") from e
    return wrapper


def mac_interpreter(python: str, home: Path | None = None) -> str:
    """The path to record for Excel on the Mac: `python` itself when the shell can take it, else a wrapper."""
    return python if mac_shell_safe(python) else str(write_mac_wrapper(python, home))


# --- install / uninstall / status -------------------------------------------------------------------


def install(
    platform: str | None = None,
    target_dir: Path | None = None,
    interpreters: dict[str, str] | None = None,
    *,
    fast: bool = False,
    home: Path | None = None,
) -> Path:
    """Build the add-in naming this interpreter and write it into Excel's startup folder.

    `fast` keeps Python running between clicks (xlwings' Use UDF Server, Windows only)."""
    plat = _platform(platform)
    if fast and plat == "darwin":
        raise AddinInstallError(FAST_ON_MAC_MESSAGE)
    folder = addin_dir(plat, target_dir, home=home)
    config = {**DEFAULT_CONFIG, **(interpreters or default_interpreters())}
    config[UDF_SERVER] = "True" if fast else "False"
    if plat == "darwin":
        config["INTERPRETER_MAC"] = mac_interpreter(config["INTERPRETER_MAC"], home)
    try:
        data = xlam_bytes(config)  # build first: a failed build leaves an installed add-in as it was
    except ModuleNotFoundError as e:
        if e.name != "olefile":
            raise
        raise AddinInstallError(OLEFILE_MESSAGE) from e
    path = folder / ADDIN_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except PermissionError as e:
        raise AddinInstallError(IN_USE_MESSAGE.format(action="写入", path=path)) from e
    except OSError as e:
        raise AddinInstallError(f"无法写入加载项文件 {path}：{e.strerror or e}") from e
    if plat == "darwin":
        install_applescript(home)
    return path


def install_applescript(home: Path | None = None) -> Path:
    """Copy the AppleScript xlwings' RunPython calls on the Mac (what `xlwings runpython install` does)."""
    import shutil

    import xlwings

    name = f"xlwings-{xlwings.__version__}.applescript"
    folder = (home or Path.home()) / MAC_SCRIPTS
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(xlwings.__file__).parent / name, folder / name)
    except OSError as e:
        raise AddinInstallError(f"无法写入 xlwings 的 AppleScript {folder / name}：{e.strerror or e}") from e
    return folder / name


def uninstall(
    platform: str | None = None, target_dir: Path | None = None, home: Path | None = None
) -> Path | None:
    """Remove the add-in (and on the Mac our interpreter wrapper); the path removed, or None when it was
    not installed."""
    plat = _platform(platform)
    path = addin_dir(plat, target_dir, home=home) / ADDIN_FILE
    if plat == "darwin":
        wrapper = mac_wrapper_path(home)
        if wrapper_target(wrapper) is not None:  # ours only
            wrapper.unlink(missing_ok=True)
    if not path.exists():
        return None
    try:
        path.unlink()
    except PermissionError as e:
        raise AddinInstallError(IN_USE_MESSAGE.format(action="删除", path=path)) from e
    return path


def status(
    platform: str | None = None, target_dir: Path | None = None, home: Path | None = None
) -> AddinStatus:
    """Where the add-in goes, whether it is there, and which Python its config sheet names."""
    path = addin_dir(_platform(platform), target_dir, home=home) / ADDIN_FILE
    if not path.is_file():
        return AddinStatus(path, installed=False)
    try:
        config = read_config(path)
    except Exception as e:  # a damaged or foreign file: say so rather than fail
        raise AddinInstallError(f"{path} 不是可读取的 perfeval 加载项：{e}") from e
    return AddinStatus(path, True, config.get("INTERPRETER_WIN"), config.get("INTERPRETER_MAC"), config)
