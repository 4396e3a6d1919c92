"""Install the add-in where Excel loads it at startup, for this user, with this Python named in it.

Windows: %APPDATA%\\Microsoft\\Excel\\XLSTART. macOS: Excel's sandboxed startup folder, plus the
AppleScript xlwings' RunPython needs there. Linux has no Excel. The file is always `perfeval.xlam`;
nothing else in the folder is touched. `PERFEVAL_ADDIN_DIR` (or `target_dir`) overrides the folder,
which lets tests run the whole cycle on any OS.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from perfeval.excel.addin_build import DEFAULT_CONFIG, read_config, xlam_bytes

ADDIN_FILE = "perfeval.xlam"
ENV_DIR = "PERFEVAL_ADDIN_DIR"
MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"

LINUX_MESSAGE = (
    "Linux 上没有 Microsoft Excel，无法安装 Excel 加载项。"
    "请在命令行中使用 perfeval check 校验工作簿（例如：perfeval check 2024年自评.xlsx）；"
    "使用 WPS 表格的用户同样请使用 perfeval check。"
)
IN_USE_MESSAGE = (
    "无法{action}加载项文件 {path}：该文件正被 Excel 使用。请先关闭所有 Excel 窗口，再重新运行本命令。"
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


def _platform(platform: str | None) -> str:
    return platform or sys.platform


def addin_dir(platform: str | None = None, target_dir: Path | None = None) -> Path:
    """The folder Excel loads the add-in from: explicit, from PERFEVAL_ADDIN_DIR, or per platform."""
    if target_dir is not None:
        return target_dir
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    plat = _platform(platform)
    if plat.startswith("win"):
        appdata = os.environ.get("APPDATA")
        if not appdata:
            raise AddinInstallError("找不到 APPDATA 环境变量，无法确定 Excel 的启动文件夹（XLSTART）。")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if plat == "darwin":
        return Path.home() / MAC_STARTUP
    raise UnsupportedPlatform(LINUX_MESSAGE)


def default_interpreters() -> dict[str, str]:
    """This Python, for each OS: pythonw.exe on Windows runs without a console window flashing up."""
    exe = Path(sys.executable)
    pythonw = exe.with_name("pythonw.exe")
    return {
        "INTERPRETER_WIN": str(pythonw if pythonw.exists() else exe),
        "INTERPRETER_MAC": str(exe),
    }


def install(
    platform: str | None = None,
    target_dir: Path | None = None,
    interpreters: dict[str, str] | None = None,
) -> Path:
    """Build the add-in naming this interpreter and write it into Excel's startup folder."""
    plat = _platform(platform)
    folder = addin_dir(plat, target_dir)
    config = {**DEFAULT_CONFIG, **(interpreters or default_interpreters())}
    data = xlam_bytes(config)  # build first: a failed build leaves an installed add-in as it was
    path = folder / ADDIN_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except PermissionError as e:
        raise AddinInstallError(IN_USE_MESSAGE.format(action="写入", path=path)) from e
    except OSError as e:
        raise AddinInstallError(f"无法写入加载项文件 {path}：{e.strerror or e}") from e
    if plat == "darwin":
        from xlwings.cli import runpython_install

        runpython_install(None)  # the AppleScript RunPython calls; None: install quietly
    return path


def uninstall(platform: str | None = None, target_dir: Path | None = None) -> Path | None:
    """Remove the add-in; the path removed, or None when it was not installed."""
    path = addin_dir(_platform(platform), target_dir) / ADDIN_FILE
    if not path.exists():
        return None
    try:
        path.unlink()
    except PermissionError as e:
        raise AddinInstallError(IN_USE_MESSAGE.format(action="删除", path=path)) from e
    return path


def status(platform: str | None = None, target_dir: Path | None = None) -> AddinStatus:
    """Where the add-in goes, whether it is there, and which Python its config sheet names."""
    path = addin_dir(_platform(platform), target_dir) / ADDIN_FILE
    if not path.is_file():
        return AddinStatus(path, installed=False)
    try:
        config = read_config(path)
    except Exception as e:  # a damaged or foreign file: say so rather than fail
        raise AddinInstallError(f"{path} 不是可读取的 perfeval 加载项：{e}") from e
    return AddinStatus(path, True, config.get("INTERPRETER_WIN"), config.get("INTERPRETER_MAC"))
