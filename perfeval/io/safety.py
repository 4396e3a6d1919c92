"""Vet an input workbook before any parser touches it, and pick output paths that never clobber it.

Users are accountants who pick "the Excel file" in a dialog: it may be an old .xls, a password-protected
workbook, an HTML page a finance system named .xls, a half-copied file from a USB stick or a 200 MB file
full of pasted scans. openpyxl and calamine fail on those with English tracebacks (or hang, or eat
memory), so `check_input_file` recognises them from headers and the zip central directory only and
raises `InputFileError` with a Chinese message that says what the file is, why we cannot read it and
what to do. It never writes to the file and never reads it whole into memory.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NoReturn

from perfeval import catalogue as cat

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "InputFileError",
    "OutputPathError",
    "backup_path",
    "check_input_file",
    "check_output_location",
    "default_output_path",
    "describe_write_error",
    "ensure_distinct_output",
    "keep_previous_result",
    "open_in_office_notice",
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


def check_input_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES, test_members: bool = True) -> None:
    """Raise InputFileError unless `path` looks like a readable .xlsx/.xlsm workbook.

    Only the first bytes, the OLE2 header, FAT and directory (with olefile) or the zip central directory
    are read; the zip members are then streamed once to verify their CRCs (bounded by the zip-bomb check
    that runs first). `test_members` False leaves that last pass out, for a caller that only reads the
    file and runs this check in full when a read fails (service.read_snapshot_of, for the review).
    """
    path = Path(path)  # callers sometimes pass str despite the annotation
    name = f"“{path.name or path.resolve()}”"  # "." and "/" have no name of their own

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
        _check_content(f, size, path, name, test_members)
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


def _check_content(f: BinaryIO, size: int, path: Path, name: str, test_members: bool = True) -> None:
    head = f.read(8)
    if head == _OLE_MAGIC:
        _check_ole(f, size, name)
    elif head[:4] in _ZIP_MAGICS:
        _check_zip(f, size, name, test_members)
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


def _read_ole_directory(f: BinaryIO, size: int) -> tuple[set[str], bool]:
    """(names of the storages and streams in an OLE2 compound file's directory, whether it read cleanly).

    olefile reads the header, the FAT and the directory, never the streams (a directory chain that loops
    is read at most once per sector of the file). A file it cannot parse (cut off, garbage after the magic,
    a header that does not fit the file) gives an empty set and False, never an exception or a long loop.
    """
    if not _ole_header_fits(f, size):
        return set(), False
    import olefile  # here, not at the top: only an OLE2 file needs it, the Excel click path never does

    f.seek(0)
    try:
        with olefile.OleFileIO(f) as ole:
            names = {path[-1] for path in ole.listdir(streams=True, storages=True)}
            complete = not _chain_loops(ole.fat, ole.first_dir_sector)
    except Exception:  # hostile bytes reach olefile's internals: OSError, struct.error, IndexError, ...
        return set(), False
    return names, complete


# FAT sectors beyond what the size needs that a header may claim: room for writers that round the FAT up,
# while a hostile count still costs no more than the file's own size.
_OLE_FAT_SLACK = 8


def _ole_header_fits(f: BinaryIO, size: int) -> bool:
    """Whether the header's count of FAT sectors fits the file's size.

    olefile trusts that count: a 2 KB file whose header claims 2**31 FAT sectors, its DIFAT chain pointing
    at itself, keeps it reading and growing its FAT for minutes (still running after 60 s, measured with
    olefile 0.47). A real file has just the FAT sectors its size needs.
    """
    f.seek(0)
    header = f.read(512)
    if len(header) < 512:
        return False
    (sector_shift,) = struct.unpack_from("<H", header, 0x1E)
    (n_fat,) = struct.unpack_from("<I", header, 0x2C)
    if sector_shift not in (9, 12):  # 512- or 4096-byte sectors, the only two sizes MS-CFB allows
        return False
    sectors = -(-size >> sector_shift)  # rounded up: the last sector may be short
    per_fat_sector = (1 << sector_shift) // 4
    return n_fat <= sectors // per_fat_sector + _OLE_FAT_SLACK


def _chain_loops(fat: Sequence[int], first: int) -> bool:
    """Whether a sector chain comes back on itself: olefile stops reading such a chain after as many
    sectors as the file has, but does not report it, and it means the file is corrupt."""
    seen: set[int] = set()
    sector = first
    while 0 <= sector < len(fat):  # ENDOFCHAIN and the other markers are past any real sector
        if sector in seen:
            return True
        seen.add(sector)
        sector = fat[sector]
    return False


# ---- zip / OOXML ----------------------------------------------------------------------------------


def _raise_damaged(name: str) -> NoReturn:
    raise InputFileError(
        f"文件{name}已损坏或未完整保存（例如复制、下载或保存时被中断，U盘被提前拔出），无法读取。"
        "请用 Excel 打开原文件确认能否正常显示，重新保存一份，或重新复制/下载完整的文件后再校验。"
    )


def _check_zip(f: BinaryIO, size: int, name: str, test_members: bool = True) -> None:
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
        if test_members:
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


def check_template(version: str | None, names_found: int, name: str) -> None:
    """Refuse a workbook not made from our template (both adapters).

    The template is recognised by its structure, the catalogue's defined names: a user may delete or rename
    填报说明 or type over the version mark, and the workbook is still theirs to check (rule WB-003 then
    says the mark is missing). Only a workbook without the names, or holding far too few of them, is
    refused.
    """
    # A project-only workbook holds the 基本信息 names and its tables only.
    if names_found * 2 >= len(cat.fields_of(frozenset({cat.Form.PROJECT}))):
        return
    if version is not None and version not in cat.READABLE_VERSIONS:
        raise NotOurWorkbookError(
            f"“{name}”使用的模板版本为 {version}，本工具需要版本 {cat.TEMPLATE_VERSION}。"
            f"请用{cat.TEMPLATE_HOW}生成新模板并转录数据。"
        )
    raise NotOurWorkbookError(
        f"“{name}”不是由绩效自评模板创建的工作簿（缺少模板中的字段名称）。"
        f"请用{cat.TEMPLATE_HOW}生成模板，把数据粘贴到模板中再校验。"
    )


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it into place: an interrupted write
    never leaves a half-written file under the final name. OSError (PermissionError when the file is open
    in Excel/Word) reaches the caller, which words it for the user."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = new_file_mode(path)
    # A short name of our own: ".<name>-XXXXXXXX.tmp" would not fit where <name> itself just fits.
    fd, name = tempfile.mkstemp(prefix=".perfeval-", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        # mkstemp creates 0600; the user's file gets what any program of theirs would give it.
        with contextlib.suppress(OSError):  # file systems without modes (FAT, some network shares)
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(path: Path) -> int:
    """Permission bits for a file written at `path`: the existing file's when it is replaced, else those a
    newly created file gets under the user's umask (0644 under the usual 022)."""
    try:
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)
    except OSError:
        pass
    return 0o666 & ~current_umask()


# --------------------------------------------------------------------------------------------------
# where outputs go: checked before any work, and write failures worded for the user

# Characters and names Windows refuses in a file name (checked on Windows only: elsewhere they are legal).
_WINDOWS_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")
_NAME_MAX_DEFAULT = 255  # ext4, NTFS, APFS, FAT32 long names: bytes (Linux) or UTF-16 units (Windows, macOS)
_OFFICE_APPS = {
    ".xlsx": "Excel 或 WPS",
    ".xlsm": "Excel 或 WPS",
    ".docx": "Word 或 WPS",
    ".pdf": "PDF 阅读器",
}


_WINDOWS = os.name == "nt"


def _writable(folder: Path) -> bool:
    """Whether files can be created in `folder` (POSIX permissions; on Windows see describe_write_error)."""
    return os.access(folder, os.W_OK | os.X_OK)


class OutputPathError(InputFileError):
    """An output cannot be written where asked; str(e) says why and what to do. Nothing was written."""


def name_max(folder: Path) -> int:
    """The longest file name the file system under `folder` takes, counted as `name_length` counts."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        limit = os.pathconf(probe, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows; unknown file systems
        return _NAME_MAX_DEFAULT
    return limit if limit and limit > 0 else _NAME_MAX_DEFAULT


def name_length(name: str) -> int:
    """A file name's length as the file system counts it: UTF-16 units on Windows, UTF-8 bytes elsewhere
    (a Chinese character is 3 bytes on Linux, so 85 of them already fill ext4's 255)."""
    if _WINDOWS:
        return len(name.encode("utf-16-le")) // 2
    return len(os.fsencode(name))


def fit_name(head: str, tail: str, limit: int, mark: str = "…") -> str:
    """`head + tail`, with `head` cut at the end (and `mark` added) until the name fits `limit`."""
    if name_length(head + tail) <= limit:
        return head + tail
    while head and name_length(head + mark + tail) > limit:
        head = head[:-1]
    return head + mark + tail


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not os.path.lexists(probe) and probe != probe.parent:
        probe = probe.parent
    return probe


def _app(path: Path) -> str:
    return _OFFICE_APPS.get(path.suffix.lower(), "其他程序")


def _short(name: str, keep: int = 30) -> str:
    return name if len(name) <= keep else name[:keep] + "…"


def check_output_location(
    path: Path, *, what: str = "结果文件", option: str = "-o", example: str | None = None
) -> None:
    """Raise OutputPathError when a file cannot be written at `path`; nothing is created or changed.

    Catches what would otherwise fail only after the whole check or report has run, or midway with an
    English OSError: `path` is a folder, a folder on the way is a file, the name is too long for the file
    system, it holds characters Windows refuses, or the folder is read-only. `what` names the file in the
    message ("结果文件", "报告文件"); `option` is the command-line option that chooses it.
    """
    path = Path(path)
    name = path.name
    if os.path.isdir(path):  # not Path.is_dir(): that raises on a name too long to look up
        hint = f"例如 {path / example}" if example else "例如 结果.xlsx"
        raise OutputPathError(
            f"“{path}”是一个已有的文件夹，不能作为{what}。请在 {option} 后写出完整的文件名，{hint}。"
        )
    if _WINDOWS:
        bad = sorted(set(_WINDOWS_BAD_CHARS.findall(name)))
        if bad or _WINDOWS_RESERVED.fullmatch(name) or name.rstrip(". ") != name:
            shown = "".join(c if c.isprintable() else "?" for c in bad)
            why = f"含有 Windows 不允许的字符 {shown}" if bad else "是 Windows 保留的名称，或以句点、空格结尾"
            raise OutputPathError(
                f"{what}的文件名“{_short(name)}”{why}，无法保存。请用 {option} 另起一个文件名。"
            )
    existing = _nearest_existing(path.parent)
    if not os.path.isdir(existing):
        raise OutputPathError(
            f"无法保存{what}“{_short(name)}”：路径中的“{existing}”是一个文件，不是文件夹。"
            f"请检查 {option} 后的路径，或另选一个文件夹。"
        )
    limit = name_max(existing)
    if name_length(name) > limit:
        raise OutputPathError(
            f"{what}的文件名“{_short(name)}”过长（{name_length(name)}，文件系统最多允许 {limit}；"
            f"一个汉字按 {1 if _WINDOWS else 3} 计），无法保存。请用 {option} 指定一个较短的文件名。"
        )
    if not _WINDOWS and not _writable(existing):
        # On Windows os.access only sees the read-only attribute; the write itself tells (describe_write_error).
        raise OutputPathError(_read_only_folder(existing, what, option))


def _read_only_folder(folder: Path, what: str, option: str) -> str:
    return (
        f"没有权限在文件夹“{os.path.abspath(folder)}”中保存{what}：该文件夹是只读的（或属于其他用户、在只读的网络盘或光盘上）。"
        f"请用 {option} 保存到您有写入权限的文件夹（如“文档”或桌面），"
        "或把工作簿复制到这样的文件夹后再运行。"
    )


def describe_write_error(e: OSError, path: Path, *, what: str = "结果文件", option: str = "-o") -> str:
    """A Chinese message for an OSError raised while writing `path`: what went wrong and what to do.

    A PermissionError on an existing file whose folder is writable is the file being open in Excel, WPS or
    Word (Windows locks open files) or read-only; on a folder that cannot be written, the folder is blamed.
    """
    path = Path(path)
    target = Path(e.filename) if isinstance(e.filename, str) and e.filename else path
    folder = path.parent
    code = e.errno
    if isinstance(e, PermissionError) or code in (errno.EACCES, errno.EPERM):
        lock = office_lock_file(path)
        exists = os.path.lexists(path)
        folder_ok = os.path.isdir(folder) and _writable(folder)
        if lock is not None or (exists and (folder_ok or _WINDOWS)):
            app = _app(path)
            return (
                f"无法写入{what}“{path.name}”：该文件正在 {app} 中打开（或被设为只读），无法替换。"
                f"请在 {app} 中关闭该文件后重试，或用 {option} 另存为其他文件名。"
            )
        return _read_only_folder(_nearest_existing(folder), what, option)
    if code == errno.EROFS:
        return (
            f"无法保存{what}“{path.name}”：所在的磁盘是只读的（如光盘、写保护的U盘）。"
            f"请用 {option} 保存到本机的文件夹（如“文档”或桌面）。"
        )
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"无法保存{what}“{path.name}”：磁盘空间不足。请清理磁盘，或用 {option} 保存到其他磁盘后重试。"
    if code == errno.ENAMETOOLONG:
        return (
            f"无法保存{what}“{_short(path.name)}”：文件名或路径过长。"
            f"请用 {option} 指定较短的文件名，或保存到层级较浅的文件夹。"
        )
    if code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        # The same words as check_output_location, which catches these before the work when it is called.
        try:
            check_output_location(path, what=what, option=option)
        except OutputPathError as refused:
            return str(refused)
        if code == errno.EISDIR:
            return f"“{path}”是一个已有的文件夹，不能作为{what}。请在 {option} 后写出完整的文件名。"
        return f"无法保存{what}“{path.name}”：路径中有一部分是文件，不是文件夹。请检查 {option} 后的路径。"
    if code == errno.EINVAL:
        return (
            f'无法保存{what}“{_short(path.name)}”：文件名含有该磁盘不支持的字符（如 : * ? " < > |）。'
            f"请用 {option} 另起一个只含汉字、字母、数字的文件名。"
        )
    if code == errno.ENOENT:
        return (
            f"无法保存{what}“{path.name}”：文件夹“{folder}”不存在或已断开（如网络盘、U盘已移除）。"
            f"请确认该位置可以访问，或用 {option} 另选文件夹。"
        )
    return (
        f"无法保存{what}“{_short(path.name)}”（{target}）：{_reason(e)}。"
        f"请确认该文件夹可以写入、磁盘未满，或用 {option} 另选位置。"
    )


def office_lock_file(path: Path) -> Path | None:
    """The owner file Excel, WPS, Word or LibreOffice keeps beside a document while it is open, if any.

    Excel and WPS write "~$<name>" (Word drops the first two characters of long names), LibreOffice
    ".~lock.<name>#". A stale one is left behind when the program crashes, so this is a hint, not proof.
    """
    path = Path(path)
    name = path.name
    if not name:  # ".", "/": a folder, which has no owner file
        return None
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(path.stem) > 6:
        candidates.append(f"~${name[2:]}")
    for candidate in candidates:
        lock = path.with_name(candidate)
        try:
            if os.path.lexists(lock):
                return lock
        except (OSError, ValueError):
            return None
    return None


def open_in_office_notice(path: Path) -> str | None:
    """A notice when the input workbook seems open in Excel/WPS (its lock file is beside it), else None."""
    lock = office_lock_file(path)
    if lock is None:
        return None
    app = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel 或 WPS"
    return (
        f"“{Path(path).name}”似乎正在 {app} 中打开（旁边有它的临时文件“{lock.name}”）。"
        f"本次读取的是最近一次保存的内容，尚未保存的修改不包括在内；如需包括，请先在 {app} 中保存后重新运行。"
        "若已关闭该文件，可忽略此提示。"
    )


# --------------------------------------------------------------------------------------------------
# keeping the previous result

KEPT_TAG = "旧"


def kept_result_path(path: Path) -> Path:
    """A free name beside `path` for keeping an older result: "x.校验结果.旧1.xlsx", "….旧2.xlsx", …"""
    path = Path(path)
    limit = name_max(path.parent)
    for n in itertools.count(1):
        candidate = path.with_name(fit_name(path.stem, f".{KEPT_TAG}{n}{path.suffix}", limit))
        if not os.path.lexists(candidate):  # a dangling symlink still occupies the name
            return candidate
    raise AssertionError("unreachable")


@contextlib.contextmanager
def keep_previous_result(path: Path) -> Iterator[Path | None]:
    """Move an existing result at `path` aside to `kept_result_path(path)` before the new one is written;
    yield where it went (None when there was nothing there).

    Users type 审核说明 into a result, so a re-run never destroys one. If the body fails before the new
    file exists, the old one is moved back: a failed run changes nothing. OSError from the move (the file
    open in Excel on Windows) reaches the caller; `describe_write_error(e, path)` words it.
    """
    path = Path(path)
    kept: Path | None = None
    if os.path.lexists(path):
        kept = kept_result_path(path)
        os.rename(path, kept)
    try:
        yield kept
    except BaseException:
        if kept is not None and not os.path.lexists(path):
            with contextlib.suppress(OSError):
                os.rename(kept, path)
        raise
