"""Vet an input workbook before any parser touches it, and pick output paths that never clobber it.

Users are accountants who pick "the Excel file" in a dialog: it may be an old .xls, a password-protected
workbook, an HTML page a finance system named .xls, a half-copied file from a USB stick or a 200 MB file
full of pasted scans. openpyxl and calamine fail on those with English tracebacks (or hang, or eat
memory), so `check_input_file` recognises them from headers and the zip central directory only and
raises `InputFileError` with a Chinese message that says what the file is, why we cannot read it and
what to do. It never writes to the file and never reads it whole into memory.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NoReturn

from perfeval import catalogue as cat

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "InputFileError",
    "backup_path",
    "check_input_file",
    "default_output_path",
    "ensure_distinct_output",
]

MAX_FILE_BYTES: int = 50 * 1024 * 1024  # a filled template is well under 1 MB
MAX_UNCOMPRESSED_BYTES: int = 300 * 1024 * 1024  # zip-bomb guard

# Beyond the absolute limit, a suspicious ratio only counts once the content is big enough to hurt:
# tiny, highly repetitive XML parts legitimately compress very well.
_BOMB_RATIO: float = 200.0
_BOMB_RATIO_MIN_BYTES: int = 50 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

_ACCEPTED_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"})

# Main-part content types of workbooks openpyxl reads; used when xl/workbook.xml is not at its usual path.
_WORKBOOK_CONTENT_TYPES = (
    b"spreadsheetml.sheet.main+xml",
    b"spreadsheetml.template.main+xml",
    b"ms-excel.sheet.macroEnabled.main+xml",
    b"ms-excel.template.macroEnabled.main+xml",
)
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024

_SAVE_AS_XLSX = "请在 Excel 或 WPS 中打开它，用“另存为”保存为“Excel 工作簿 (*.xlsx)”后再校验。"


class InputFileError(Exception):
    """A file we cannot read; str(e) is a complete Chinese message for the user (what, why, what to do)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------------------------------
# check_input_file


def check_input_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Raise InputFileError unless `path` looks like a readable .xlsx/.xlsm workbook.

    Only the first bytes, the OLE2 directory or the zip central directory are read; the zip members are
    then streamed once to verify their CRCs (bounded by the zip-bomb check that runs first).
    """
    path = Path(path)  # callers sometimes pass str despite the annotation
    name = f"“{path.name}”"

    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputFileError(
            f"找不到文件{name}（位置：{path}）。请确认文件没有被移动、改名或删除，然后重新选择该文件。"
        ) from None
    except PermissionError:
        raise InputFileError(
            f"没有权限访问文件{name}所在的文件夹（{path.parent}）。"
            "请把文件复制到“桌面”或“文档”等自己的文件夹后再校验。"
        ) from None
    except OSError as e:
        raise InputFileError(
            f"无法访问文件{name}：{_reason(e)}。如果文件在网络盘或U盘上，请先复制到本机后再校验。"
        ) from None

    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(
            f"{name}是一个文件夹，不是 Excel 文件。请打开该文件夹，选择其中填好的 .xlsx 工作簿进行校验。"
        )
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO or device would block or stream forever.
        raise InputFileError(f"{name}不是普通文件，无法作为 Excel 工作簿读取。请选择填好的 .xlsx 工作簿。")

    _check_suffix(path, name)

    try:
        f = open(path, "rb")  # noqa: SIM115 - closed in the finally below; read-only by construction
    except PermissionError:
        raise InputFileError(
            f"没有权限读取文件{name}，或它正被其他程序独占打开。"
            "请关闭正在使用它的程序（如 Excel、WPS）；若仍不行，请把文件复制一份后校验副本。"
        ) from None
    except OSError as e:
        raise InputFileError(f"无法打开文件{name}：{_reason(e)}。请把文件复制到本机后再校验。") from None

    try:
        size = os.fstat(f.fileno()).st_size  # the opened file, in case it changed since stat()
        if size == 0:
            raise InputFileError(
                f"文件{name}是空的（0 字节），没有任何内容。可能是保存或复制时中断了，"
                "请找到原来填好的工作簿重新保存或复制后再校验。"
            )
        if size > max_bytes:
            raise InputFileError(
                f"文件{name}大小为 {_fmt_size(size)}，超过了允许的上限 {_fmt_size(max_bytes)}。"
                "填好的模板通常不到 1 MB，这么大一般是因为粘贴了图片、扫描件或多余的工作表。"
                "请删除其中的图片和多余的工作表，或新建一个只包含模板工作表的副本（另存为 .xlsx）后再校验。"
            )
        _check_content(f, size, path, name)
    except OSError as e:
        raise InputFileError(
            f"读取文件{name}时出错：{_reason(e)}。如果文件在网络盘或U盘上，请先复制到本机后再校验。"
        ) from None
    finally:
        f.close()


def _check_suffix(path: Path, name: str) -> None:
    suffix = path.suffix.lower()
    if suffix in _ACCEPTED_SUFFIXES:
        return
    if suffix == ".et":
        raise InputFileError(
            f"{name}是 WPS 表格专用格式（.et），本工具无法直接读取。"
            "请在 WPS 表格中打开它，用“另存为”保存为“Excel 工作簿 (*.xlsx)”后再校验。"
        )
    if suffix in (".ods", ".fods"):
        raise InputFileError(
            f"{name}是 OpenDocument 表格（{suffix}），本工具无法直接读取。"
            "请在 LibreOffice 或 WPS 中打开它，用“另存为”保存为“Excel 工作簿 (*.xlsx)”后再校验。"
        )
    if suffix in (".csv", ".txt", ".tsv"):
        raise InputFileError(
            f"{name}是纯文本表格（{suffix}），不支持校验：其中没有模板的工作表结构。"
            "请使用本工具提供的 Excel 模板（.xlsx）填写后再校验。"
        )
    if suffix == ".xlsb":
        raise InputFileError(
            f"{name}是 Excel 二进制工作簿（.xlsb），本工具无法读取。"
            "请在 Excel 中用“另存为”保存为“Excel 工作簿 (*.xlsx)”后再校验。"
        )
    shown = suffix or "（无扩展名）"
    raise InputFileError(
        f"{name}的扩展名 {shown} 不是 Excel 工作簿，本工具只校验 .xlsx / .xlsm 文件。"
        "请选择填好的模板工作簿；如果它确实是 Excel 文件，请在 Excel 中打开后另存为 .xlsx 再校验。"
    )


def _check_content(f: BinaryIO, size: int, path: Path, name: str) -> None:
    head = f.read(8)
    if head == _OLE_MAGIC:
        _check_ole(f, size, name)
    elif head[:4] in _ZIP_MAGICS:
        _check_zip(f, size, name)
    else:
        _raise_not_excel(f, path, name)


def _raise_not_excel(f: BinaryIO, path: Path, name: str) -> None:
    f.seek(0)
    sample = f.read(4096)
    text = _decode_sample(sample)
    lowered = (text or "").lstrip().lower()

    if path.name.startswith("~$"):
        why = (
            "这是 Excel/WPS 打开工作簿时自动生成的临时锁定文件（文件名以 ~$ 开头），不是您的工作簿。"
            f"请改选同一文件夹中名为“{path.name[2:]}”的文件进行校验。"
        )
    elif lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
        why = (
            "这个文件实际上是网页（HTML）格式，只是扩展名看起来像 Excel（一些业务、财务系统导出的"
            "“Excel”就是这种格式），不是真正的 Excel 工作簿。" + _SAVE_AS_XLSX
        )
    elif lowered.startswith("<?xml") or "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        why = "这个文件是 XML 格式（例如“XML 电子表格 2003”），不是 Excel 工作簿 (.xlsx)。" + _SAVE_AS_XLSX
    elif text is not None:
        why = (
            "这个文件是纯文本（例如 CSV 或 TXT 改了扩展名），不是 Excel 工作簿。"
            "本工具只校验 Excel 模板，请使用本工具提供的 .xlsx 模板填写后再校验。"
        )
    else:
        why = (
            "它的内容不是 Excel 工作簿格式（可能是其他类型的文件被改成了 Excel 的扩展名）。"
            "请选择填好的 .xlsx 模板工作簿；若它在 Excel 中能正常打开，请另存为 .xlsx 后再校验。"
        )
    raise InputFileError(f"文件{name}不是 Excel 工作簿：{why}")


def _decode_sample(sample: bytes) -> str | None:
    """The sample as text if it plausibly is text (CSV, HTML, XML in UTF-8/GBK/UTF-16), else None."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return sample[2 : len(sample) - len(sample) % 2].decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in sample:
        return None
    sample = sample.removeprefix(b"\xef\xbb\xbf")
    for encoding in ("utf-8", "gb18030"):
        # The sample may end in the middle of a multi-byte character.
        for cut in range(4):
            try:
                return sample[: len(sample) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return None


# ---- OLE2 compound files (.xls, encrypted OOXML) -------------------------------------------------


def _check_ole(f: BinaryIO, size: int, name: str) -> None:
    streams, complete = _read_ole_directory(f, size)
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        # Excel stores a password-protected .xlsx as an OLE2 wrapper around the encrypted zip (MS-OFFCRYPTO).
        raise InputFileError(
            f"文件{name}设有打开密码（已加密），本工具无法读取其中的内容。"
            "请在 Excel 中输入密码打开后取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码并确定），"
            "然后另存为 .xlsx，再校验。WPS：文件→文档加密→密码加密，清空打开密码后保存。"
        )
    if "WordDocument" in streams:
        raise InputFileError(
            f"文件{name}不是 Excel 工作簿：它是旧版 Word 97-2003 文档（.doc），只是扩展名被改成了 Excel 的。"
            "请选择填好的 .xlsx 模板工作簿进行校验。"
        )
    if "PowerPoint Document" in streams:
        raise InputFileError(
            f"文件{name}不是 Excel 工作簿：它是旧版 PowerPoint 演示文稿（.ppt），"
            "只是扩展名被改成了 Excel 的。"
            "请选择填好的 .xlsx 模板工作簿进行校验。"
        )
    if not complete:
        # The header or directory points past the end of the file or is garbage: cut off or corrupted.
        raise InputFileError(
            f"文件{name}看起来是旧版 Excel 97-2003 (.xls) 或设有密码的工作簿，但文件已损坏或未完整保存"
            "（例如复制、下载或保存时被中断），无法读取。请重新复制/下载完整的文件，"
            "用 Excel 打开确认无误后另存为 .xlsx（如有打开密码请先取消），再校验。"
        )
    # Anything else with this magic is treated as a legacy workbook: "save as .xlsx" is the right advice
    # for every realistic case.
    raise InputFileError(
        f"文件{name}是旧版 Excel 97-2003 (.xls) 文件，本工具只能读取新版 .xlsx 格式。"
        "请在 Excel/WPS 中打开它，用“另存为”保存为“Excel 工作簿 (*.xlsx)”后再校验。"
    )


_OLE_MAXREGSECT = 0xFFFFFFFA
_OLE_ENDOFCHAIN = 0xFFFFFFFE
_OLE_MAX_DIR_SECTORS = 4096  # ample for any real file; stops cycles and absurd chains


def _read_ole_directory(f: BinaryIO, size: int) -> tuple[set[str], bool]:
    """(names of the storages and streams in an OLE2 compound file's directory, whether it read cleanly).

    A minimal reader of the MS-CFB header, FAT and directory chain, instead of depending on `olefile`:
    we only need the entry names, which takes a few hundred bytes of reads, and it keeps the runtime
    dependencies (shipped with the Excel add-in) unchanged. Every offset is bounds-checked so a hostile
    or truncated file yields a partial set and False, never an exception or a long loop.
    """
    f.seek(0)
    header = f.read(512)
    if len(header) < 512 or header[:8] != _OLE_MAGIC:
        return set(), False
    sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
    if sector_shift not in (9, 12):
        return set(), False
    ssz = 1 << sector_shift
    per_sector = ssz // 4
    n_fat = struct.unpack_from("<I", header, 0x2C)[0]
    first_dir = struct.unpack_from("<I", header, 0x30)[0]
    first_difat = struct.unpack_from("<I", header, 0x44)[0]
    difat = list(struct.unpack_from("<109I", header, 0x4C))
    difat_next = first_difat
    max_sector = size // ssz  # sectors beyond the file's end cannot exist

    def read_sector(sector: int) -> bytes | None:
        if sector > _OLE_MAXREGSECT or sector >= max_sector:
            return None
        f.seek((sector + 1) * ssz)
        data = f.read(ssz)
        return data if len(data) == ssz else None

    def fat_sector_location(index: int) -> int | None:
        nonlocal difat_next
        # Extend the DIFAT lazily from its own chain; each DIFAT sector ends with the next one's number.
        while index >= len(difat) and index < n_fat and len(difat) < 109 + _OLE_MAX_DIR_SECTORS * per_sector:
            data = read_sector(difat_next)
            if data is None:
                return None
            entries = struct.unpack(f"<{per_sector}I", data)
            difat.extend(entries[:-1])
            difat_next = entries[-1]
        return difat[index] if index < len(difat) and index < n_fat else None

    def next_sector(sector: int) -> int | None:
        location = fat_sector_location(sector // per_sector)
        if location is None:
            return None
        data = read_sector(location)
        if data is None:
            return None
        return struct.unpack_from("<I", data, (sector % per_sector) * 4)[0]

    names: set[str] = set()
    seen: set[int] = set()
    complete = False
    sector: int | None = first_dir
    while sector is not None and len(seen) < _OLE_MAX_DIR_SECTORS:
        if sector > _OLE_MAXREGSECT:
            complete = sector == _OLE_ENDOFCHAIN and bool(names)
            break
        if sector in seen:  # a cycle: keep what was read, but the file is corrupt
            break
        seen.add(sector)
        data = read_sector(sector)
        if data is None:
            break
        for offset in range(0, ssz, 128):
            entry = data[offset : offset + 128]
            name_len = struct.unpack_from("<H", entry, 0x40)[0]
            entry_type = entry[0x42]
            # 1 = storage, 2 = stream, 5 = root; the length counts the UTF-16 terminator.
            if entry_type in (1, 2, 5) and 2 <= name_len <= 64 and name_len % 2 == 0:
                names.add(entry[: name_len - 2].decode("utf-16-le", errors="replace"))
        sector = next_sector(sector)
    return names, complete


# ---- zip / OOXML ----------------------------------------------------------------------------------


def _raise_damaged(name: str) -> NoReturn:
    raise InputFileError(
        f"文件{name}已损坏或未完整保存（例如复制、下载或保存时被中断，U盘被提前拔出），无法读取。"
        "请用 Excel 打开原文件确认能否正常显示，重新保存一份，或重新复制/下载完整的文件后再校验。"
    )


def _check_zip(f: BinaryIO, size: int, name: str) -> None:
    f.seek(0)
    try:
        # Reads only the end record and the central directory.
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error, NotImplementedError):
        _raise_damaged(name)

    with zf:
        infos = zf.infolist()
        # Declared sizes bound real output: zipfile stops at file_size and then fails the CRC check.
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES or (
            total > _BOMB_RATIO_MIN_BYTES and total > _BOMB_RATIO * max(packed, 1)
        ):
            raise InputFileError(
                f"文件{name}解压后的内容异常巨大（约 {_fmt_size(total)}，而文件本身只有 "
                f"{_fmt_size(size)}），像是“压缩炸弹”或严重异常的文件，"
                "为保护电脑不被卡死，已拒绝读取。请确认文件来源可靠，并使用本工具提供的模板重新填写后再校验。"
            )

        by_lower = {i.filename.lower(): i for i in infos}
        _check_ooxml_workbook(zf, by_lower, name)
        _test_members(zf, infos, name)


def _check_ooxml_workbook(zf: zipfile.ZipFile, by_lower: dict[str, zipfile.ZipInfo], name: str) -> None:
    content_types = by_lower.get("[content_types].xml")
    if content_types is not None and "xl/workbook.xml" in by_lower:
        return
    if content_types is not None and content_types.file_size <= _MAX_CONTENT_TYPES_BYTES:
        # A workbook whose main part lives elsewhere (some generators) still declares its content type.
        try:
            declared = zf.read(content_types)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError):
            _raise_damaged(name)
        if any(ct in declared for ct in _WORKBOOK_CONTENT_TYPES):
            return
        if b"sheet.binary.macroEnabled.main" in declared:
            raise InputFileError(
                f"文件{name}实际上是 Excel 二进制工作簿（.xlsb），本工具无法读取。"
                "请在 Excel 中用“另存为”保存为“Excel 工作簿 (*.xlsx)”后再校验。"
            )

    if "word/document.xml" in by_lower:
        kind = "一个 Word 文档（.docx）"
    elif "ppt/presentation.xml" in by_lower:
        kind = "一个 PowerPoint 演示文稿（.pptx）"
    elif "mimetype" in by_lower or "content.xml" in by_lower:
        kind = "一个 OpenDocument 文档（如 .ods/.odt）"
    elif content_types is None and any(n.startswith("xl/") for n in by_lower):
        # Looks like a workbook whose package index is missing: damaged rather than foreign.
        _raise_damaged(name)
    else:
        kind = "一个普通压缩包（.zip）或其他格式的文件"
    raise InputFileError(
        f"文件{name}不是 Excel 工作簿：它实际上是{kind}，只是扩展名被改成了 Excel 的。"
        "请选择填好的 .xlsx 模板工作簿进行校验。"
    )


def _test_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> None:
    """Stream every member once so a bad CRC or truncated data is found now, not mid-parse.

    Like ZipFile.testzip(), but also maps zlib/EOF/unsupported-method errors, which testzip lets escape.
    Memory stays at one chunk; the total work is bounded by the zip-bomb check above.
    """
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as member:
                while member.read(1024 * 1024):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError):
            _raise_damaged(name)


# --------------------------------------------------------------------------------------------------
# output paths


def default_output_path(input_path: Path, suffix: str = "校验结果") -> Path:
    """`<stem>.<suffix>.xlsx` beside the input; never the input itself.

    Checking an earlier result ("桃江.校验结果.xlsx") does not stack suffixes: it yields the next free
    "桃江.校验结果(2).xlsx", "(3)", ... instead of overwriting the file being checked.
    """
    input_path = Path(input_path)
    if suffix and ("/" in suffix or "\\" in suffix):
        raise ValueError(f"suffix must be a plain name part, got {suffix!r}")
    parent = input_path.parent
    stem = input_path.stem

    base: str | None = None
    if suffix:
        m = re.fullmatch(rf"(.*\.{re.escape(suffix)})(?:\(\d+\))?", stem)
        base = m.group(1) if m else None
        if base is None:
            candidate = parent / f"{stem}.{suffix}.xlsx"
            if not _same_path(candidate, input_path):
                return candidate
            base = f"{stem}.{suffix}"
    else:
        base = stem

    # The input already is a result (or the suffix is empty): take the next free numbered name.
    for n in itertools.count(2):
        candidate = parent / f"{base}({n}).xlsx"
        if not os.path.lexists(candidate) and not _same_path(candidate, input_path):
            return candidate
    raise AssertionError("unreachable")


def ensure_distinct_output(input_path: Path, output_path: Path) -> None:
    """Raise InputFileError if writing `output_path` would overwrite `input_path`.

    Compares resolved paths (symlinks followed), case-insensitively on Windows, and asks the file system
    (samefile: hard links, case-insensitive volumes, network aliases) when both exist.
    """
    input_path = Path(input_path)
    output_path = Path(output_path)
    if _same_path(input_path, output_path):
        raise InputFileError(
            f"结果文件“{output_path.name}”与要校验的文件是同一个文件，写入结果会覆盖您填好的原始工作簿。"
            "请为校验结果另选一个文件名或文件夹（默认会在原文件旁生成“文件名.校验结果.xlsx”）。"
        )


def backup_path(path: Path) -> Path:
    """A non-existing sibling name for a backup: "x.bak.xlsx", then "x.bak2.xlsx", "x.bak3.xlsx", ..."""
    path = Path(path)
    stem, ext = path.stem, path.suffix
    for n in itertools.count(1):
        tag = "bak" if n == 1 else f"bak{n}"
        candidate = path.with_name(f"{stem}.{tag}{ext}")
        # lexists: a dangling symlink still occupies the name.
        if not os.path.lexists(candidate):
            return candidate
    raise AssertionError("unreachable")


def _same_path(a: Path, b: Path) -> bool:
    try:
        ra, rb = a.resolve(), b.resolve()
    except (OSError, RuntimeError):  # symlink loops
        ra, rb = a.absolute(), b.absolute()
    if _normalize(ra) == _normalize(rb):
        return True
    try:
        return os.path.samefile(ra, rb)
    except OSError:  # one of them does not exist (yet)
        return False


_CASE_INSENSITIVE = os.name == "nt"


def _normalize(p: Path) -> str:
    s = os.path.normcase(str(p))
    return s.casefold() if _CASE_INSENSITIVE else s


# --------------------------------------------------------------------------------------------------
# message helpers


def _fmt_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


def _reason(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__


class NotOurWorkbookError(InputFileError):
    """The workbook was not made from our template (or from an incompatible version)."""


def check_version(version: str | None, name: str) -> None:
    """Refuse a workbook not made from our template, or from another version of it (both adapters)."""
    if version is None:
        raise NotOurWorkbookError(
            f"“{name}”不是由绩效自评模板创建的工作簿（缺少模板标记）。"
            "请用 perfeval new 生成模板，把数据粘贴到模板中再校验。"
        )
    if version != cat.TEMPLATE_VERSION:
        raise NotOurWorkbookError(
            f"“{name}”使用的模板版本为 {version}，本工具需要版本 {cat.TEMPLATE_VERSION}。"
            "请用 perfeval new 生成新模板并转录数据。"
        )


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it into place: an interrupted write
    never leaves a half-written file under the final name. OSError (PermissionError when the file is open
    in Excel/Word) reaches the caller, which words it for the user."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
