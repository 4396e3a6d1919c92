"""Convert a .docx (or .xlsx) to PDF with LibreOffice in headless mode.

Each conversion gets its own LibreOffice profile in a temporary folder (-env:UserInstallation): a shared
profile is locked by the first process using it, so parallel conversions, or a LibreOffice the user has
open, would make soffice exit without converting and without saying why. The PDF is produced in a
private folder too and moved into place only when it exists, so a failed run never leaves a stale or
half-written file looking like a result.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from perfeval.report.errors import ReportError

__all__ = ["FONT_FALLBACKS", "find_soffice", "font_substitutions", "to_pdf"]

_CANDIDATES = ("soffice", "libreoffice")
_MISSING = "未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice 并确认 soffice 在 PATH 中，或在 Word/WPS 中打开 .docx 另存为 PDF。"


# Where the Windows and macOS installers put it; they do not add it to PATH.
_INSTALL_PATHS = (
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "LibreOffice" / "program" / "soffice.exe",
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"))
    / "LibreOffice"
    / "program"
    / "soffice.exe",
    Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
)


def find_soffice() -> str:
    """The LibreOffice program: on PATH, else at its usual install place; ReportError when absent."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    for path in _INSTALL_PATHS:
        if path.is_file():
            return str(path)
    raise ReportError(_MISSING)


# The 公文 fonts the Word file names, and what to print with where they are not installed, best first:
# the Windows fonts of the same style, then free CJK fonts. Without this table LibreOffice falls back to
# one sans-serif CJK font for everything, so body, headings and title would all look alike.
FONT_FALLBACKS: dict[str, tuple[str, ...]] = {
    "仿宋_GB2312": ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "楷体_GB2312": ("楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"),
    "方正小标宋简体": (
        *("方正小标宋_GBK", "华文中宋", "STZhongsong", "宋体", "SimSun"),
        *("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    ),
    "黑体": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
}


def installed_font_families() -> set[str] | None:
    """Font family names fontconfig knows (Linux, macOS with fontconfig); None when it cannot tell."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    try:
        done = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    families: set[str] = set()
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families


def font_substitutions(installed: set[str] | None) -> dict[str, str]:
    """Missing 公文 font -> the installed font to print it with."""
    if installed is None:
        return {}
    out = {}
    for wanted, candidates in FONT_FALLBACKS.items():
        if wanted in installed:
            continue
        for candidate in candidates:
            if candidate in installed:
                out[wanted] = candidate
                break
    return out


def _write_profile(profile: Path, substitutions: dict[str, str]) -> None:
    """Seed the private profile with a font replacement table.

    Only missing fonts are listed, so "Always" (the only mode LibreOffice applies when exporting a PDF)
    never replaces a font that is really there."""
    if not substitutions:
        return
    pairs = "".join(
        f'<node oor:name="_{i}" oor:op="replace">'
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(wanted)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(used)}</value></prop>'
        "</node>"
        for i, (wanted, used) in enumerate(substitutions.items())
    )
    xcu = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>\n'
        f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{pairs}</item>\n'
        "</oor:items>\n"
    )
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")


def _kill(proc: subprocess.Popen) -> None:
    """soffice starts soffice.bin as a child: end the process group we created for it (POSIX), not
    only the launcher; on Windows end the process tree."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    else:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        proc.kill()
    proc.wait()


def to_pdf(docx_or_xlsx: Path, out_dir: Path, timeout: float = 120) -> Path:
    """Convert the file to `out_dir/<stem>.pdf` and return that path.

    Raises ReportError (Chinese message) when LibreOffice is missing, fails, or takes longer than
    `timeout` seconds."""
    src = Path(docx_or_xlsx)
    if not src.is_file():
        raise ReportError(f"要转换为 PDF 的文件不存在：{src}")
    soffice = find_soffice()
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"无法创建输出文件夹 {out_dir}：{exc.strerror or exc}") from None
    target = out_dir / f"{src.stem}.pdf"

    with tempfile.TemporaryDirectory(prefix="perfeval-pdf-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        produced = work / "out"
        produced.mkdir()
        _write_profile(profile, font_substitutions(installed_font_families()))
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(produced),
            str(src.resolve()),
        ]
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, so a timeout can end soffice.bin too
            )
        except OSError as exc:
            raise ReportError(f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}") from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ReportError(
                f"LibreOffice 转换 {src.name} 超过 {timeout:g} 秒仍未完成，已中止。"
                "请稍后重试，或在 Word/WPS 中打开 .docx 另存为 PDF。"
            ) from None
        result = produced / f"{src.stem}.pdf"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = (stderr or stdout or b"").decode("utf-8", "replace").strip().splitlines()
            tail = f"（{detail[-1]}）" if detail else ""
            raise ReportError(
                f"LibreOffice 未能把 {src.name} 转换为 PDF，退出码 {proc.returncode}{tail}。"
                "请确认文件能在 Word/WPS 中正常打开。"
            )
        try:
            shutil.move(str(result), str(target))
        except PermissionError:
            raise ReportError(f"无法写入 {target}：文件可能正在 PDF 阅读器中打开，请关闭后重试。") from None
        except OSError as exc:
            raise ReportError(f"无法写入 {target}：{exc.strerror or exc}") from None
    return target
