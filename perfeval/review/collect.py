"""Find the workbooks to review: every Excel file under a folder, or in a zip extracted to a private temp dir.

The input is only read. Zip names written by Chinese Windows tools are GBK without the UTF-8 flag; zipfile
reads those as cp437, so they are decoded again here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from perfeval.io.safety import MAX_FILE_BYTES, InputFileError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et"}  # .xls/.et are listed as skipped with the reason why
_MAX_ZIP_MEMBERS = 20_000
# All members together, as the zip declares them (zipfile never reads past a member's declared size): a
# county's workbooks are a few hundred MB at most; a zip that unpacks to more is refused before any write.
MAX_ZIP_TOTAL_BYTES = 4 * 1024**3


@dataclass
class Candidate:
    path: Path  # where to read it (inside the folder, or the private copy of a zip member)
    name: str  # as the user knows it: relative to the folder or the zip, "/"-separated
    department: str  # the first folder level, where files are sorted by 主管部门; "" at the top


@dataclass
class Collected:
    source: Path
    candidates: list[Candidate]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # name, Chinese reason
    tempdir: Path | None = None

    def cleanup(self) -> None:
        if self.tempdir is not None:
            shutil.rmtree(self.tempdir, ignore_errors=True)
            self.tempdir = None


def _wanted(name: str) -> bool:
    base = PurePosixPath(name).name
    # Office's lock files (~$a.xlsx) and macOS resource forks are not workbooks.
    if base.startswith(("~$", "._")) or "__MACOSX" in PurePosixPath(name).parts:
        return False
    return PurePosixPath(base).suffix.lower() in EXCEL_SUFFIXES


def _department(name: str) -> str:
    parts = PurePosixPath(name).parts
    return parts[0] if len(parts) > 1 else ""


def _wrapper(names: list[str], stem: str) -> str:
    """The one folder every file sits in when it only wraps them: a zip of the folder 各单位 holds
    各单位/教育局/x.xlsx, whose 主管部门 is 教育局. It wraps when some file lies deeper than one level under
    it, or when it is named like the zip itself (what 发送到→压缩文件夹 makes); a lone 教育局/ of flat files
    is that department's. "" when there is none."""
    parts = [PurePosixPath(n).parts for n in names]
    tops = {p[0] for p in parts if len(p) > 1}
    if len(tops) != 1 or any(len(p) == 1 for p in parts):
        return ""
    top = tops.pop()
    return top if top == stem or any(len(p) > 2 for p in parts) else ""


def _set_departments(collected: Collected, stem: str) -> Collected:
    wrapper = _wrapper([c.name for c in collected.candidates], stem)
    if wrapper:
        for c in collected.candidates:
            c.department = _department(c.name[len(wrapper) + 1 :])
    return collected


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 when flagged, else the bytes read as UTF-8 when they are, else GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def collect_folder(folder: Path) -> Collected:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            path = Path(root) / f
            name = path.relative_to(folder).as_posix()
            if _wanted(name):
                found.append(Candidate(path, name, _department(name)))
    return _set_departments(Collected(folder, found), "")


def collect_zip(archive: Path, shown: str | None = None) -> Collected:
    """Extract the Excel members to a private temp dir (never beside the zip), under safe names. `shown`:
    the zip's name as the user knows it (an upload's), for messages and the wrapping folder's name."""
    shown = shown or archive.name
    try:
        zf = zipfile.ZipFile(archive)
    except OSError as e:
        raise InputFileError(
            f"无法读取“{shown}”（{e.strerror or e}）。请确认文件没有被其他程序占用。"
        ) from None
    except zipfile.BadZipFile:
        raise InputFileError(
            f"“{shown}”不是可以打开的 zip 压缩包：文件已损坏、没有下载或复制完整，或是改了扩展名的其他文件。"
            "请重新压缩后再复核，或改用解压后的文件夹。"
        ) from None
    tempdir = Path(tempfile.mkdtemp(prefix="perfeval-review-"))
    collected = Collected(archive, [], tempdir=tempdir)
    try:
        with zf:
            infos = [i for i in zf.infolist() if not i.is_dir()][:_MAX_ZIP_MEMBERS]
            total = sum(
                i.file_size for i in infos if _wanted(zip_member_name(i)) and i.file_size <= MAX_FILE_BYTES
            )
            if total > MAX_ZIP_TOTAL_BYTES:
                raise InputFileError(
                    f"“{shown}”解压后超过 {MAX_ZIP_TOTAL_BYTES // 1024**3} GB，未复核。"
                    "请分成几个压缩包，或解压到文件夹后指定该文件夹。"
                )
            for n, info in enumerate(infos):
                name = zip_member_name(info)
                if not _wanted(name):
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    collected.skipped.append(
                        (name, f"文件过大（{info.file_size // 1024 // 1024} MB），未校验")
                    )
                    continue
                # The member keeps its own name inside a numbered folder: no path from the zip is trusted.
                target = tempdir / str(n) / PurePosixPath(name).name
                target.parent.mkdir()
                try:
                    with zf.open(info) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as e:
                    why = "已加密" if isinstance(e, RuntimeError) else f"无法解压（{e}）"
                    collected.skipped.append((name, f"压缩包中的该文件{why}，未校验"))
                    continue
                collected.candidates.append(Candidate(target, name, _department(name)))
    except BaseException:
        collected.cleanup()
        raise
    return _set_departments(collected, PurePosixPath(shown).stem)


def collect(source: Path, shown: str | None = None) -> Collected:
    """The workbooks under a folder or in a zip; InputFileError when `source` is neither."""
    if source.is_dir():
        return collect_folder(source)
    if source.is_file() and source.suffix.lower() == ".zip":
        return collect_zip(source, shown)  # says so when it is not a zip that opens
    if not source.exists():
        raise InputFileError(f"找不到“{source}”。请指定存放各单位工作簿的文件夹或 zip 压缩包。")
    raise InputFileError(
        f"“{source.name}”不是文件夹或 zip 压缩包。perfeval review 复核一个文件夹（或 zip）中的全部工作簿；"
        "单个工作簿请用 perfeval check。"
    )
