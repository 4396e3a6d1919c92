"""Tests for perfeval.io.safety with real files built in tmp_path (no fixtures checked into the repo)."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from perfeval.io import safety
from perfeval.io.safety import (
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    InputFileError,
    backup_path,
    check_input_file,
    default_output_path,
    ensure_distinct_output,
    office_lock_file,
)

# --------------------------------------------------------------------------------------------------
# helpers


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def assert_rejected(path: Path, *phrases: str, max_bytes: int | None = None) -> str:
    """check_input_file raises with the file name and every phrase, and leaves the bytes untouched."""
    before = sha256(path) if path.is_file() else None
    with pytest.raises(InputFileError) as excinfo:
        if max_bytes is None:
            check_input_file(path)
        else:
            check_input_file(path, max_bytes=max_bytes)
    message = str(excinfo.value)
    assert path.name in message, message
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    if before is not None:
        assert sha256(path) == before
    return message


def make_xlsx(path: Path) -> Path:
    """A real workbook written by openpyxl, with Chinese text like a filled template."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "部门整体支出绩效自评表"
    ws["A1"] = "预算单位"
    ws["B1"] = "桃江县财政局"
    for row in range(2, 60):
        ws.cell(row=row, column=1, value=f"指标{row}")
        ws.cell(row=row, column=2, value=row * 1.5)
    wb.create_sheet("佐证材料")
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, compression: int, rename: dict[str, str] | None = None) -> Path:
    """Copy a zip member by member with another compression method (and optionally renamed members)."""
    rename = rename or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            zout.writestr(rename.get(info.filename, info.filename), zin.read(info))
    return dst


def member_data_offset(path: Path, member: str) -> tuple[int, int]:
    """(offset of the member's compressed data, its compressed size), from the local file header."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def flip_byte(path: Path, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5A]))


def build_ole(
    path: Path,
    entry_names: list[str],
    *,
    directory_loops: bool = False,
    sector_size: int = 512,
) -> Path:
    """A minimal valid OLE2 compound file (v3 with 512-byte or v4 with 4096-byte sectors).

    The directory holds `entry_names`. Used where no library writes the case we need (a Word .doc, a
    corrupt directory chain, 4096-byte sectors; xlwt and msoffcrypto write v3 only); the streams are
    empty because only the directory matters to the checker. Layout: header, sector 0 = FAT,
    sectors 1.. = directory. The entries hang off the root as a chain of right siblings: a degenerate
    but valid red-black tree, which olefile walks like any other.
    """
    per_dir = sector_size // 128
    per_fat = sector_size // 4
    entries = [("Root Entry", 5), *[(n, 2) for n in entry_names]]
    dir_sectors = (len(entries) + per_dir - 1) // per_dir
    endofchain, freesect, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD

    header = bytearray(sector_size)  # v4: the 512-byte header is padded to a full sector
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    major, shift = (3, 9) if sector_size == 512 else (4, 12)
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, major, 0xFFFE, shift, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, endofchain, 0, endofchain, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([freesect] * 108))

    fat = [fatsect] + [i + 2 for i in range(dir_sectors)]
    fat[dir_sectors] = 1 if directory_loops else endofchain
    fat += [freesect] * (per_fat - len(fat))

    directory = bytearray()
    for sid, (name, entry_type) in enumerate(entries):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 0x40, len(encoded), entry_type, 1)
        # Left sibling, right sibling, child: the root's child is entry 1, each entry's right is the next.
        right = sid + 1 if 0 < sid < len(entries) - 1 else freesect
        child = 1 if sid == 0 and len(entries) > 1 else freesect
        struct.pack_into("<III", entry, 0x44, freesect, right, child)
        struct.pack_into("<I", entry, 0x74, endofchain)
        directory += entry
    directory += b"\x00" * (dir_sectors * sector_size - len(directory))

    path.write_bytes(bytes(header) + struct.pack(f"<{per_fat}I", *fat) + bytes(directory))
    return path


# --------------------------------------------------------------------------------------------------
# accepted files


def test_real_xlsx_passes_in_chinese_folder(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "绩效自评 2024" / "桃江县财政局.xlsx")
    before = sha256(path)
    check_input_file(path)
    check_input_file(str(path))  # type: ignore[arg-type]  # str is tolerated
    assert sha256(path) == before


@pytest.mark.parametrize("name", ["桃江.xlsm", "桃江.XLSX", "桃江.xls", "桃江.xltx"])
def test_zip_workbook_with_other_accepted_extensions_passes(tmp_path: Path, name: str) -> None:
    # .xls holding zip content is a mis-named .xlsx, which parsers read fine when told the format.
    src = make_xlsx(tmp_path / "src.xlsx")
    path = tmp_path / name
    path.write_bytes(src.read_bytes())
    check_input_file(path)


def test_workbook_part_at_unusual_path_passes_via_content_types(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "src.xlsx")
    path = rezip(src, tmp_path / "生成器.xlsx", zipfile.ZIP_DEFLATED, {"xl/workbook.xml": "xl/wb.xml"})
    check_input_file(path)


# --------------------------------------------------------------------------------------------------
# file-system level problems


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "不存在的文件.xlsx"
    message = assert_rejected(path, "找不到文件")
    assert str(tmp_path) in message  # the location helps the user look for it


def test_dangling_symlink_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "链接.xlsx"
    path.symlink_to(tmp_path / "gone.xlsx")
    assert_rejected(path, "找不到文件")


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "自评材料.xlsx"
    path.mkdir()
    assert_rejected(path, "文件夹")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_fifo_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "管道.xlsx"
    os.mkfifo(path)
    assert_rejected(path, "不是普通文件")  # would block forever if opened


def test_unreadable_file_permission_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root here, where chmod 000 does not stop reads; simulate the OS refusing instead.
    path = make_xlsx(tmp_path / "加锁.xlsx")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safety, "open", refuse, raising=False)
    assert_rejected(path, "没有权限读取")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空白.xlsx"
    path.touch()
    assert_rejected(path, "空的", "0 字节")


def test_too_big_sparse_file(tmp_path: Path) -> None:
    path = tmp_path / "扫描件太多.xlsx"
    with open(path, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written to disk
    assert MAX_FILE_BYTES == 50 * 1024 * 1024
    assert_rejected(path, "200 MB", "50 MB", "不到 1 MB", "图片", "工作表")


def test_too_big_with_small_limit(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "桃江.xlsx")
    assert path.stat().st_size > 1000
    assert_rejected(path, "超过了允许的上限", "1000 字节", max_bytes=1000)
    check_input_file(path, max_bytes=path.stat().st_size)  # exactly at the limit is fine


# --------------------------------------------------------------------------------------------------
# extensions


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        ("桃江.et", ("WPS", "另存为", ".xlsx")),
        ("桃江.ods", ("OpenDocument", "LibreOffice", ".xlsx")),
        ("桃江.csv", ("不支持", "模板")),
        ("桃江.xlsb", ("二进制工作簿", ".xlsx")),
        ("桃江.docx", ("扩展名 .docx", ".xlsx")),
        ("桃江", ("无扩展名",)),
    ],
)
def test_unsupported_extensions(tmp_path: Path, name: str, phrases: tuple[str, ...]) -> None:
    path = tmp_path / name
    path.write_bytes(make_xlsx(tmp_path / "src.xlsx").read_bytes())
    assert_rejected(path, *phrases)


# --------------------------------------------------------------------------------------------------
# not a zip


def test_text_file_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "说明.xlsx"
    path.write_text("这不是表格，只是一段说明文字。\n", encoding="utf-8")
    assert_rejected(path, "不是 Excel 工作簿", "纯文本")


def test_gbk_csv_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "导出数据.xlsx"
    path.write_bytes("项目,金额\n办公费,1200.50\n差旅费,3000\n".encode("gbk") * 50)
    assert_rejected(path, "不是 Excel 工作簿", "CSV")


def test_html_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "系统导出.xls"
    path.write_text(
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head>'
        "<body><table><tr><td>预算数</td></tr></table></body></html>",
        encoding="utf-8",
    )
    assert_rejected(path, "不是 Excel 工作簿", "网页", "另存为")


def test_utf16_html_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "系统导出16.xls"
    path.write_bytes("<!DOCTYPE html><html><body><table></table></body></html>".encode("utf-16"))
    assert_rejected(path, "网页")


def test_spreadsheetml_2003_xml(tmp_path: Path) -> None:
    path = tmp_path / "旧系统.xls"
    path.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
        encoding="utf-8",
    )
    assert_rejected(path, "XML", "另存为")


def test_binary_junk_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "图片.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert_rejected(path, "不是 Excel 工作簿")


def test_excel_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "~$桃江.xlsx"
    path.write_bytes(b"\x0cAdministrator" + b"\x00" * 40 + "张会计".encode("utf-16-le") + b"\x00" * 80)
    assert_rejected(path, "锁定文件", "“桃江.xlsx”")


# --------------------------------------------------------------------------------------------------
# zips that are not workbooks, or are damaged


def test_docx_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "报告.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", "<w:document/>")
    assert_rejected(path, "不是 Excel 工作簿", "Word")


def test_plain_zip_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "材料打包.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("附件/说明.txt", "佐证材料")
    assert_rejected(path, "不是 Excel 工作簿", "压缩包")


def test_ods_content_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "开源表格.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    assert_rejected(path, "OpenDocument")


def test_xlsb_content_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "二进制.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/xl/workbook.bin" ContentType="application/'
            'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert_rejected(path, ".xlsb")


def test_workbook_without_content_types_is_damaged(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "src.xlsx")
    path = tmp_path / "缺目录.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            if info.filename != "[Content_Types].xml":
                zout.writestr(info.filename, zin.read(info))
    assert_rejected(path, "已损坏")


@pytest.mark.parametrize("keep", [0.5, 0.9, 100])
def test_truncated_xlsx(tmp_path: Path, keep: float) -> None:
    data = make_xlsx(tmp_path / "src.xlsx").read_bytes()
    path = tmp_path / "没存完.xlsx"
    path.write_bytes(data[: int(len(data) * keep)] if keep < 1 else data[: int(keep)])
    assert_rejected(path, "已损坏或未完整保存")


def test_crc_error_in_stored_member(tmp_path: Path) -> None:
    # Stored (uncompressed) members guarantee the flip surfaces as a CRC mismatch, not a zlib error.
    path = rezip(make_xlsx(tmp_path / "src.xlsx"), tmp_path / "坏了.xlsx", zipfile.ZIP_STORED)
    offset, length = member_data_offset(path, "xl/worksheets/sheet1.xml")
    flip_byte(path, offset + length // 2)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() == "xl/worksheets/sheet1.xml"  # the fixture really has a bad CRC
    assert_rejected(path, "已损坏或未完整保存")


def test_flipped_byte_in_deflated_member(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "坏了.xlsx")
    offset, length = member_data_offset(path, "xl/worksheets/sheet1.xml")
    flip_byte(path, offset + length // 2)
    assert_rejected(path, "已损坏或未完整保存")


# --------------------------------------------------------------------------------------------------
# zip bombs


@pytest.fixture(scope="module")
def zip_bomb_400mb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One member of 400 MB of zeros, streamed through deflate: ~400 KB on disk, ~1 s to build."""
    path = tmp_path_factory.mktemp("bomb") / "炸弹.xlsx"
    chunk = b"\x00" * (4 * 1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(100):
                member.write(chunk)
    yield path


def test_zip_bomb_total_size(zip_bomb_400mb: Path) -> None:
    assert zip_bomb_400mb.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(zip_bomb_400mb) as zf:
        assert sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED_BYTES
    assert_rejected(zip_bomb_400mb, "压缩炸弹")


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    # 60 MB of zeros is under the absolute limit but above 50 MB at a ratio of ~1000:1.
    path = tmp_path / "高压缩比.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/sharedStrings.xml", "w") as member:
            for _ in range(15):
                member.write(b"\x00" * (4 * 1024 * 1024))
    assert_rejected(path, "压缩炸弹")


def test_highly_compressible_small_workbook_is_not_a_bomb(tmp_path: Path) -> None:
    # Ratio alone must not trip the guard: repetitive XML under 50 MB is normal.
    path = tmp_path / "重复内容.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<c/>" * (5 * 1024 * 1024))
    check_input_file(path)


def test_lower_limit_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_xlsx(tmp_path / "桃江.xlsx")
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 1000)
    assert_rejected(path, "压缩炸弹")


# --------------------------------------------------------------------------------------------------
# OLE2 compound files: legacy .xls, encrypted OOXML


def test_legacy_xls_written_by_xlwt(tmp_path: Path) -> None:
    import xlwt  # a test dependency: fails, not skips, when missing

    path = tmp_path / "旧版.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("自评表")
    ws.write(0, 0, "预算单位")
    ws.write(0, 1, "桃江县财政局")
    wb.save(str(path))
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert_rejected(path, "旧版 Excel 97-2003 (.xls)", "另存为", ".xlsx")

    renamed = tmp_path / "其实是旧版.xlsx"
    renamed.write_bytes(path.read_bytes())
    assert_rejected(renamed, "旧版 Excel 97-2003 (.xls)")


@pytest.fixture
def encrypted_xlsx(tmp_path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_xlsx(tmp_path / "明文.xlsx")
    path = tmp_path / "有密码.xlsx"
    with open(plain, "rb") as src, open(path, "wb") as out:
        OOXMLFile(src).encrypt("1234", out)
    return path


def test_encrypted_xlsx(encrypted_xlsx: Path) -> None:
    assert encrypted_xlsx.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert_rejected(encrypted_xlsx, "打开密码", "取消密码", "用密码进行加密", "另存")


def test_ole_directory_of_an_encrypted_xlsx(encrypted_xlsx: Path) -> None:
    with open(encrypted_xlsx, "rb") as f:
        names, complete = safety._read_ole_directory(f, encrypted_xlsx.stat().st_size)
    assert complete
    assert {"EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"} <= names


def test_hand_built_ole_encrypted(tmp_path: Path) -> None:
    path = build_ole(tmp_path / "手工加密.xlsx", ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])
    assert_rejected(path, "打开密码")


def test_word_doc_renamed_xls(tmp_path: Path) -> None:
    path = build_ole(tmp_path / "报告.xls", ["WordDocument", "1Table", "\x05SummaryInformation"])
    assert_rejected(path, "Word 97-2003")


def test_hand_built_ole_workbook_is_legacy_xls(tmp_path: Path) -> None:
    # Cross-checks the hand builder itself: a clean directory is read completely.
    path = build_ole(tmp_path / "手工.xls", ["Workbook", "\x05SummaryInformation"] * 3)
    with open(path, "rb") as f:
        names, complete = safety._read_ole_directory(f, path.stat().st_size)
    assert complete and "Workbook" in names
    message = assert_rejected(path, "旧版 Excel 97-2003 (.xls)", "另存为")
    assert "已损坏" not in message


def test_hand_built_v4_ole_with_multi_sector_directory(tmp_path: Path) -> None:
    names = [f"Stream{i}" for i in range(40)] + ["EncryptionInfo", "EncryptedPackage"]
    path = build_ole(tmp_path / "四千字节扇区.xlsx", names, sector_size=4096)
    with open(path, "rb") as f:
        found, complete = safety._read_ole_directory(f, path.stat().st_size)
    assert complete and set(names) <= found
    assert_rejected(path, "打开密码")


def test_ole_with_looping_directory_chain_terminates(tmp_path: Path) -> None:
    path = build_ole(tmp_path / "循环.xls", ["Workbook"], directory_loops=True)
    assert_rejected(path, "已损坏", "旧版 Excel 97-2003")


def test_ole_header_claiming_a_huge_fat_is_damaged_not_a_hang(tmp_path: Path) -> None:
    """A 2 KB file whose header claims 2**31 FAT sectors, with a DIFAT sector that names itself as the
    next one: olefile alone reads on for minutes; the header is checked against the size first."""
    n_fat = 0x7FFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    # FAT sectors, first directory sector, ..., first DIFAT sector = 1, DIFAT sectors as many as claimed.
    struct.pack_into("<9I", header, 0x28, 0, n_fat, 0, 0, 4096, 0xFFFFFFFE, 0, 1, (n_fat - 109 + 126) // 127)
    struct.pack_into("<109I", header, 0x4C, *([0] * 109))
    fat = struct.pack("<128I", 0xFFFFFFFD, *([0xFFFFFFFE] * 127))
    difat = struct.pack("<128I", *([0] * 127), 1)  # its last entry, the next DIFAT sector, is itself
    path = tmp_path / "巨大.xls"
    path.write_bytes(bytes(header) + fat + difat + bytes(512))

    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(assert_rejected(path, "已损坏")), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "check_input_file did not finish"
    assert outcome


@pytest.mark.parametrize("tail", [b"", b"\xff" * 100, bytes(range(256)) * 20])
def test_ole_magic_with_garbage_is_damaged_not_a_crash(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "残缺.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail)
    assert_rejected(path, "已损坏或未完整保存")


def test_truncated_encrypted_file_does_not_crash(encrypted_xlsx: Path, tmp_path: Path) -> None:
    data = encrypted_xlsx.read_bytes()
    for cut in (600, 1500, len(data) // 2):
        path = tmp_path / f"截断{cut}.xlsx"
        path.write_bytes(data[:cut])
        message = assert_rejected(path)
        # Depending on where the cut falls the directory may survive; never the plain ".xls" advice.
        assert "已损坏" in message or "打开密码" in message, message
    assert "已损坏" in assert_rejected(tmp_path / "截断600.xlsx")


# --------------------------------------------------------------------------------------------------
# default_output_path


def test_default_output_path_beside_input(tmp_path: Path) -> None:
    folder = tmp_path / "二〇二四年 绩效自评"
    assert default_output_path(folder / "桃江.xlsx") == folder / "桃江.校验结果.xlsx"
    assert default_output_path(folder / "桃江.xlsm") == folder / "桃江.校验结果.xlsx"
    assert default_output_path(folder / "桃江.xls") == folder / "桃江.校验结果.xlsx"
    assert default_output_path(folder / "桃江.v2.xlsx") == folder / "桃江.v2.校验结果.xlsx"
    assert default_output_path(folder / "桃江.xlsx", "评分") == folder / "桃江.评分.xlsx"


def test_default_output_path_existing_result_is_overwritable(tmp_path: Path) -> None:
    # The name stays the same on a re-run; the previous result is first moved aside (keep_previous_result).
    make_xlsx(tmp_path / "桃江.xlsx")
    make_xlsx(tmp_path / "桃江.校验结果.xlsx")
    assert default_output_path(tmp_path / "桃江.xlsx") == tmp_path / "桃江.校验结果.xlsx"


def test_default_output_path_does_not_stack_or_return_input(tmp_path: Path) -> None:
    result = make_xlsx(tmp_path / "桃江.校验结果.xlsx")
    assert default_output_path(result) == tmp_path / "桃江.校验结果(2).xlsx"

    make_xlsx(tmp_path / "桃江.校验结果(2).xlsx")
    assert default_output_path(result) == tmp_path / "桃江.校验结果(3).xlsx"
    # Checking a numbered result does not stack either, and skips the input and existing names.
    assert default_output_path(tmp_path / "桃江.校验结果(2).xlsx") == tmp_path / "桃江.校验结果(3).xlsx"


def test_default_output_path_skips_symlink_to_input(tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "桃江.xlsx")
    (tmp_path / "桃江.校验结果.xlsx").symlink_to(source)
    out = default_output_path(source)
    assert out == tmp_path / "桃江.校验结果(2).xlsx"


@pytest.mark.parametrize(
    "name", ["桃江.xlsx", "桃江.校验结果.xlsx", "桃江.校验结果(7).xlsx", ".xlsx", "a.b.c.xlsx", "桃江"]
)
def test_default_output_path_never_the_input(tmp_path: Path, name: str) -> None:
    path = make_xlsx(tmp_path / name) if name.endswith(".xlsx") else tmp_path / name
    out = default_output_path(path)
    assert out != path
    assert out.parent == path.parent
    assert out.suffix == ".xlsx"
    ensure_distinct_output(path, out)


def test_default_output_path_rejects_suffix_with_separator(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        default_output_path(tmp_path / "桃江.xlsx", "../x")


# --------------------------------------------------------------------------------------------------
# ensure_distinct_output


def test_ensure_distinct_output_same_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_xlsx(tmp_path / "桃江.xlsx")
    with pytest.raises(InputFileError, match="同一个文件") as excinfo:
        ensure_distinct_output(path, path)
    assert "桃江.xlsx" in str(excinfo.value)

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputFileError):
        ensure_distinct_output(path, Path("桃江.xlsx"))  # relative vs absolute
    with pytest.raises(InputFileError):
        ensure_distinct_output(path, tmp_path / "子目录" / ".." / "桃江.xlsx")


def test_ensure_distinct_output_symlink_and_hardlink(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "桃江.xlsx")
    link = tmp_path / "快捷方式.xlsx"
    link.symlink_to(path)
    with pytest.raises(InputFileError):
        ensure_distinct_output(path, link)
    with pytest.raises(InputFileError):
        ensure_distinct_output(link, path)

    hard = tmp_path / "硬链接.xlsx"
    os.link(path, hard)
    with pytest.raises(InputFileError):
        ensure_distinct_output(path, hard)


def test_ensure_distinct_output_different_files(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "桃江.xlsx")
    ensure_distinct_output(path, tmp_path / "桃江.校验结果.xlsx")  # does not exist yet
    other = make_xlsx(tmp_path / "安化.xlsx")
    ensure_distinct_output(path, other)
    ensure_distinct_output(path, tmp_path / "另一个文件夹" / "桃江.xlsx")


def test_ensure_distinct_output_case_insensitive_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Taojiang 桃江.xlsx"
    upper = tmp_path / "TAOJIANG 桃江.XLSX"
    monkeypatch.setattr(safety, "_CASE_INSENSITIVE", True)
    with pytest.raises(InputFileError):
        ensure_distinct_output(path, upper)
    monkeypatch.setattr(safety, "_CASE_INSENSITIVE", False)
    if os.name != "nt" and sys.platform != "darwin":  # case-sensitive file system: distinct names
        ensure_distinct_output(path, upper)


# --------------------------------------------------------------------------------------------------
# backup_path


def test_backup_path_sequence(tmp_path: Path) -> None:
    folder = tmp_path / "财政局 备份"
    path = make_xlsx(folder / "桃江.xlsx")
    first = backup_path(path)
    assert first == folder / "桃江.bak.xlsx"
    assert not first.exists()
    first.write_bytes(b"x")
    assert backup_path(path) == folder / "桃江.bak2.xlsx"
    (folder / "桃江.bak2.xlsx").write_bytes(b"x")
    assert backup_path(path) == folder / "桃江.bak3.xlsx"


def test_backup_path_keeps_extension_and_skips_dangling_symlink(tmp_path: Path) -> None:
    path = tmp_path / "宏.xlsm"
    (tmp_path / "宏.bak.xlsm").symlink_to(tmp_path / "nowhere")
    assert backup_path(path) == tmp_path / "宏.bak2.xlsm"


def test_backup_path_of_file_without_extension(tmp_path: Path) -> None:
    assert backup_path(tmp_path / "桃江") == tmp_path / "桃江.bak"


# --------------------------------------------------------------------------------------------------
# message quality


def test_error_is_plain_exception_with_message() -> None:
    err = InputFileError("文件“a.xlsx”已损坏")
    assert str(err) == "文件“a.xlsx”已损坏"
    assert isinstance(err, Exception)
    assert "Traceback" not in str(err)


def test_sizes_are_human_readable() -> None:
    assert safety._fmt_size(50 * 1024 * 1024) == "50 MB"
    assert safety._fmt_size(int(1.25 * 1024 * 1024)) == "1.2 MB"
    assert safety._fmt_size(2048) == "2 KB"
    assert safety._fmt_size(10) == "10 字节"


def test_reading_io_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_xlsx(tmp_path / "网络盘.xlsx")
    real_open = open

    class Flaky(io.FileIO):
        def read(self, size: int = -1) -> bytes:
            raise OSError(5, "Input/output error")

    def flaky_open(file: Path, mode: str = "r") -> io.FileIO:
        assert mode == "rb"
        real_open(file, mode).close()
        return Flaky(file, "r")

    monkeypatch.setattr(safety, "open", flaky_open, raising=False)
    assert_rejected(path, "读取文件", "出错")


def test_mutated_files_only_ever_raise_input_file_error(tmp_path: Path, encrypted_xlsx: Path) -> None:
    """Seeded fuzz over header bytes: any damage yields a user message, never another exception."""
    xlsx = make_xlsx(tmp_path / "原始.xlsx")
    ole = build_ole(tmp_path / "原始.xls", ["Workbook", "\x05SummaryInformation"])
    sources = [xlsx.read_bytes(), encrypted_xlsx.read_bytes(), ole.read_bytes()]
    rng = random.Random(20240601)
    path = tmp_path / "变异.xlsx"
    for _ in range(300):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(min(len(data), 4096))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(1, len(data))]
        path.write_bytes(bytes(data))
        try:
            check_input_file(path)
        except InputFileError as e:
            assert "变异.xlsx" in str(e)


def test_a_folder_given_as_dot_is_named_by_its_path(tmp_path: Path, monkeypatch) -> None:
    """`check .` has no file name to show: the message names the folder's full path, and looking for an
    owner (lock) file beside a folder finds none instead of failing."""
    monkeypatch.chdir(tmp_path)
    assert office_lock_file(Path(".")) is None
    with pytest.raises(InputFileError) as e:
        check_input_file(Path("."))
    assert f"“{tmp_path}”是一个文件夹" in str(e.value)
