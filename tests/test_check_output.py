"""What `perfeval check` prints: the conclusion first, the findings as short blocks grouped by sheet,
wrapped to 80 columns when redirected (the terminal's width in a terminal), numbers never split; `--brief`
one line per finding. Real runs of the command on the committed example."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from perfeval.terminal import columns, wrap
from tests.test_cli import ROOT, TAOJIANG, run, squash

GOLDEN = ROOT / "tests" / "data" / "check_taojiang_80.txt"
SEVERITY_LINE = re.compile(r"^\[(\d+)\] (错误|警告|提示)  ([A-Z]+-\d+)  ")
# A line that ends inside a number and a next line that goes on with it.
SPLIT_NUMBER = re.compile(r"[\d.,]$")
GOES_ON = re.compile(r"^\s*[\d.,%]")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding examples/桃江县科协2023.xlsx, so the command is `check examples/桃江县科协2023.xlsx`
    as the README shows it, and the printed result path is the same on every machine."""
    folder = tmp_path_factory.mktemp("golden")
    (folder / "examples").mkdir()
    shutil.copyfile(TAOJIANG, folder / "examples" / TAOJIANG.name)
    return folder


@pytest.fixture(scope="module")
def printed(example: Path) -> str:
    r = run("check", f"examples/{TAOJIANG.name}", cwd=example)
    assert r.returncode == 1, r.stderr  # the example has 错误
    assert r.stderr == ""
    return r.stdout


@pytest.fixture(scope="module")
def findings(example: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("json") / "r.xlsx"
    r = run("check", f"examples/{TAOJIANG.name}", "--json", "-o", out, cwd=example)
    return json.loads(r.stdout)["findings"]


def _assert_readable(text: str, width: int) -> None:
    lines = text.splitlines()
    assert max(columns(line) for line in lines) <= width
    for above, below in itertools.pairwise(lines):
        assert not (SPLIT_NUMBER.search(above) and GOES_ON.match(below)), (above, below)


def test_golden_terminal_output_at_80_columns(printed: str) -> None:
    """Compared with tests/data/check_taojiang_80.txt, which was checked by eye: read in a tmux pane 80
    columns wide (and the same run at 60 columns on a terminal): heading, 结论 and 得分 first; the groups
    基本信息, 附件1, 附件2 in the workbook's order; each block's cell line, message, 应为/填报/处理 with the
    wrapped lines under the text after the label; 处理 said once for the two TXT-008 and the two TXT-009
    findings ("同第 2 条", "同第 3 条"); no number, amount or cell reference broken over two lines.

    When the engine's wording changes on purpose, regenerate the file with the command in `printed` (run in
    a folder holding examples/桃江县科协2023.xlsx), read it again the same way, and commit it.
    """
    assert printed == GOLDEN.read_text(encoding="utf-8")


def test_structure_of_the_output(printed: str, findings: list[dict]) -> None:
    _assert_readable(printed, 80)
    lines = printed.splitlines()
    # The conclusion first: heading, counts, score.
    assert lines[0].endswith("— 校验结果")
    assert lines[1] == "结论：4 个错误、11 个警告、4 个提示"
    assert lines[2].startswith("得分：") and "总分 110.00" in lines[2]
    # Groups in the workbook's sheet order, and every finding once, numbered in order.
    groups = [m.group(1) for line in lines if (m := re.match(r"^【(.+?)】", line))]
    assert groups == ["基本信息", "附件1", "附件2"]
    heads = [m for line in lines if (m := SEVERITY_LINE.match(line))]
    assert [int(m.group(1)) for m in heads] == list(range(1, len(findings) + 1))
    assert sorted(m.group(3) for m in heads) == sorted(f["rule"] for f in findings)
    # Every message, with its numbers, is there whole (wrapping only drops spaces at line ends).
    flat = squash(printed)
    for f in findings:
        assert squash(f["message"]) in flat
    # Identical advice is said once per sheet; the later findings point back to it.
    for f in findings:
        times = flat.count(squash(f["advice"]))
        assert times == 1, f["advice"]
    assert printed.count("处理：同第 ") == 2


def test_brief_is_one_line_per_finding(example: Path, findings: list[dict]) -> None:
    r = run("check", f"examples/{TAOJIANG.name}", "--brief", "-o", "brief.xlsx", cwd=example)
    assert r.returncode == 1
    _assert_readable(r.stdout, 80)
    rows = [line for line in r.stdout.splitlines() if re.match(r"^(错误|警告|提示)  ", line)]
    assert len(rows) == len(findings)
    assert sorted(re.split(r"\s{2,}", row)[2] for row in rows) == sorted(f["rule"] for f in findings)
    assert "应为：" not in r.stdout and "处理：" not in r.stdout
    assert "合计：4个错误、11个警告、4个提示" in squash(r.stdout)


def test_json_output_is_not_wrapped(example: Path) -> None:
    r = run("check", f"examples/{TAOJIANG.name}", "--json", "-o", "j.xlsx", cwd=example)
    data = json.loads(r.stdout)
    assert any(len(f["message"]) > 80 for f in data["findings"])  # long messages stay on one line


def test_a_terminal_of_60_columns_gets_60_column_lines(example: Path) -> None:
    """On a real pseudo-terminal 60 columns wide (no COLUMNS variable): lines fit 60, not 80."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 60, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfeval", "check", f"examples/{TAOJIANG.name}", "-o", "tty.xlsx"],
        cwd=example,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 1
    text = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    _assert_readable(text, 60)
    assert max(columns(line) for line in text.splitlines()) > 50  # the width was used, not 40


@pytest.mark.parametrize("width", range(24, 81, 7))
def test_wrap_never_splits_a_number_or_a_cell(width: int) -> None:
    text = (
        "三公经费本年决算数 1.30 万元 较上年决算数 1.04 万元 增加 0.26 万元，增长 25.00%；"
        "与附件1!B4 编制数 7 人不符；调整率 68.10%（(266.32 − 158.43) ÷ 158.43），超支 110.68 万元。"
    )
    lines = wrap(text, width, "    处理：")
    assert all(columns(line) <= width for line in lines)
    kept = [" ".join(line.split()) for line in lines]
    for atom in ("1.30 万元", "25.00%", "附件1!B4", "68.10%", "(266.32", "110.68 万元", "7 人"):
        assert any(atom in line for line in kept), (atom, lines)
    assert not any(line.lstrip().startswith(("。", "，", "；", "）")) for line in lines)


def test_refused_export_lists_the_errors_as_check_does(example: Path, tmp_path: Path) -> None:
    no_office = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    r = run("export", f"examples/{TAOJIANG.name}", "-o", tmp_path / "报送", cwd=example, env=no_office)
    assert r.returncode == 1 and not (tmp_path / "报送").exists()
    _assert_readable(r.stderr, 80)
    lines = r.stderr.splitlines()
    assert lines[0] == "未导出：仍有 4 个错误，未导出报送文件。"
    assert [line for line in lines if line.startswith("【")] == [
        "【基本信息】1 条：1 个错误",
        "【附件2】3 条：3 个错误",
    ]
    assert sum(1 for line in lines if SEVERITY_LINE.match(line)) == 4
    assert "--force --reason" in r.stderr
