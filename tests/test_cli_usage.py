"""The command line's own words: Chinese usage errors (exit 3), help pages, the guide, --version, the one
`-o` for every output, and a folder given where a workbook is wanted. A real subprocess each time."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from perfeval import __version__
from perfeval.terminal import columns
from tests.test_cli import TAOJIANG, run, squash

ENGLISH = re.compile(r"Usage|Error|Missing|Options|Arguments|Commands|Show this|Try '|Got unexpected|No such")


def _no_english(text: str) -> None:
    assert not ENGLISH.search(text), text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("args", "message", "usage"),
    [
        (("check",), "缺少参数：输入文件", "用法：perfeval check [选项] 输入文件"),
        (
            ("check", "甲.xlsx", "结果.xlsx"),
            "多余的参数（结果.xlsx）：要指定输出文件请用 -o",
            "用法：perfeval check",
        ),
        (
            ("export", "甲.xlsx", "报送"),
            "多余的参数（报送）：要指定输出文件夹请用 -o",
            "用法：perfeval export",
        ),
        (("check", "甲.xlsx", "--jsn"), "没有 --jsn 这个选项（是不是 --json？）", "用法：perfeval check"),
        (("check", "--foo"), "没有 --foo 这个选项", "用法：perfeval check"),
        (("check", "-o"), "选项 -o 后面缺少值", "用法：perfeval check"),
        (("chek",), "没有“chek”这个命令（是不是 check？）", "用法：perfeval [选项] 命令"),
        (
            ("export", "甲.xlsx", "--pdf", "always"),
            "--pdf 只能是 auto 或 required，不是“always”",
            "用法：perfeval export",
        ),
        (("new", "甲.xlsx", "--kind", "部门"), "未知的工作簿内容“部门”", "用法：perfeval new"),
        (("report",), "缺少参数：输入文件", "用法：perfeval report [选项] 输入文件"),
    ],
)
def test_usage_errors_are_chinese_and_exit_3(
    tmp_path: Path, args: tuple[str, ...], message: str, usage: str
) -> None:
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    lines = r.stderr.splitlines()
    # The message first, then the usage line and where the help is; nothing on stdout.
    assert squash(r.stderr).startswith(squash(message)), r.stderr
    assert any(line.startswith(usage) for line in lines), r.stderr
    assert lines[-1].startswith("查看说明：perfeval") and lines[-1].endswith(" --help")
    assert r.stdout == ""
    _no_english(r.stderr)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_no_arguments_prints_the_guide_and_exits_0() -> None:
    r = run()
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == f"perfeval {__version__}：部门整体支出和项目支出绩效自评"
    # The steps in the order a new user takes them.
    steps = [
        next(i for i, line in enumerate(lines) if f"perfeval {c} " in line)
        for c in ("new", "check", "report", "export")
    ]
    assert steps == sorted(steps)
    assert "perfeval --help" in r.stdout
    _no_english(r.stdout)


@pytest.mark.parametrize(
    "args", [("--help",), ("-h",), ("check", "--help"), ("export", "-h"), ("addin", "--help")]
)
def test_help_is_chinese_and_fits_80_columns(args: tuple[str, ...]) -> None:
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("用法：perfeval")
    assert "选项：" in r.stdout and "显示本帮助并退出" in r.stdout
    _no_english(r.stdout)
    assert max(columns(line) for line in r.stdout.splitlines()) <= 80


def test_help_states_the_exit_codes() -> None:
    root = run("--help").stdout
    assert "退出码：0 没有错误；1 有错误；2 文件无法读取或写入；3 命令用法有误。" in root
    assert "命令：" in root and "  check " in root
    check = "".join(run("check", "--help").stdout.split())
    assert "退出码：0没有错误" in check and "1有错误" in check and "3命令用法有误" in check
    assert "--brief" in check and "参数：输入文件" in check


def test_export_help_shows_o_and_says_d_still_works() -> None:
    text = run("export", "--help").stdout
    assert "-o, --output 文件夹" in text
    assert "-d、--dir是旧写法" in "".join(text.split())


def test_version_option_and_command() -> None:
    for args in (("--version",), ("version",)):
        r = run(*args)
        assert r.returncode == 0
        assert r.stdout.startswith(f"perfeval {__version__}（模板版本 ")


def test_a_group_without_its_command_prints_its_help() -> None:
    r = run("addin")
    assert r.returncode == 0
    assert r.stdout.startswith("用法：perfeval addin [选项] 命令") and "install" in r.stdout


@pytest.mark.parametrize("given", ["./", "."])
def test_check_of_a_folder_names_the_folder(tmp_path: Path, given: str) -> None:
    shutil.copyfile(TAOJIANG, tmp_path / "桃江县科协2023.xlsx")
    r = run("check", given, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "程序内部错误" not in r.stderr
    flat = "".join(r.stderr.split())
    assert f"“{tmp_path.resolve()}”是一个文件夹" in flat
    assert "perfevalcheck桃江县科协2023.xlsx" in flat  # the workbook in it, as the next command
    assert not list(tmp_path.glob("*校验结果*"))


def test_export_o_and_its_old_name_d(tmp_path: Path) -> None:
    book = tmp_path / "桃江.xlsx"
    shutil.copyfile(TAOJIANG, book)
    no_office = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # no soffice: no PDF, quicker
    for option, folder in (("-o", "新"), ("-d", "旧")):
        # The example still has 错误: --force with a reason exports it all the same.
        r = run("export", book, option, tmp_path / folder, "--force", "--reason", "测试", env=no_office)
        assert r.returncode == 0, r.stderr
        (made,) = (tmp_path / folder).iterdir()
        assert (made / "manifest.json").is_file()
