"""The review reads without testing every zip member up front (service.read_snapshot_of, test_members
False); a damaged member must still give `perfeval check`'s own clear message, as a Skip."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from perfeval.io.safety import InputFileError, check_input_file
from perfeval.review.collect import Candidate
from perfeval.review.run import Skip, review_one
from perfeval.service import read_and_check
from tests.test_safety import flip_byte, member_data_offset, rezip
from tests.workbooks import ROOT

EXAMPLE = ROOT / "examples" / "桃江县科协2023.xlsx"
SHEET = "xl/worksheets/sheet1.xml"  # 基本信息: its cells are read by every check


def check_message(path: Path) -> str:
    """What `perfeval check` says about the file: the full check_input_file, CRCs tested."""
    with pytest.raises(InputFileError) as e:
        check_input_file(path)
    return str(e.value)


def reviewed(path: Path) -> Skip:
    record = review_one(Candidate(path, path.name, ""), None)
    assert isinstance(record, Skip), record
    return record


def test_bad_crc_in_a_sheet_that_is_read(tmp_path: Path) -> None:
    # Stored members: the flipped byte surfaces as a CRC mismatch, not a zlib error.
    path = rezip(EXAMPLE, tmp_path / "坏了.xlsx", zipfile.ZIP_STORED)
    offset, length = member_data_offset(path, SHEET)
    flip_byte(path, offset + length // 2)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() == SHEET  # the fixture really has a bad CRC
    check_input_file(path, test_members=False)  # the review's up-front check lets it through ...
    message = check_message(path)
    assert "已损坏或未完整保存" in message and "“坏了.xlsx”" in message
    assert reviewed(path).reason == message  # ... and the failed read gives check's message


def test_flipped_byte_in_a_deflated_sheet(tmp_path: Path) -> None:
    path = tmp_path / "坏了.xlsx"
    shutil.copyfile(EXAMPLE, path)
    offset, length = member_data_offset(path, SHEET)
    flip_byte(path, offset + length // 2)
    message = check_message(path)
    assert "已损坏" in message
    assert reviewed(path).reason == message


def test_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "没存完.xlsx"
    path.write_bytes(EXAMPLE.read_bytes()[:-5000])  # the central directory is cut off
    message = check_message(path)
    assert "已损坏或未完整保存" in message
    assert reviewed(path).reason == message


def test_intact_file_reads_the_same_either_way() -> None:
    # The switch changes no result: the same findings with and without the up-front member test.
    a = read_and_check(EXAMPLE, None)
    b = read_and_check(EXAMPLE, None, test_members=False)
    assert [f.text() for f in a.findings] == [f.text() for f in b.findings]
    assert (
        a.findings
    )  # 桃江 has findings (tests/data/check_taojiang_80.txt), so the comparison says something
