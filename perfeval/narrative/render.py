"""Render the 自评报告 from a check result: one Jinja2 template per section, joined in file-name order.

Which sections: the 部门整体 report (the top-level templates) when the 部门整体 forms were checked, the
project report (templates/project/) when the project forms were, both for a workbook of both kinds (the
projects then form one more chapter), and the 附件 list last. Every output line is one paragraph; a
leading marker gives its style (see templates/README.md). A profile may name a folder of templates whose
files take precedence over the bundled ones, so a finance bureau can change the wording without touching
code.
"""

from __future__ import annotations

from contextlib import suppress
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
)
from jinja2.bccache import Bucket

from perfeval.core.compute import GRADE_PENDING
from perfeval.core.pipeline import CheckResult
from perfeval.narrative import weave
from perfeval.narrative.facts import MISSING, Facts, Figure, ProjectLine, build_facts
from perfeval.report.document import Paragraph, Report

MARKS = {"§t": "title", "§s": "subtitle", "§1": "heading1", "§2": "heading2", "§a": "attachment"}
USER_MARK = "§u"
PROJECT_USER_MARK = "§v"  # a project's own text (project_text): its figures are the project's
PART_MARK = "§p"  # a part's title ("1．项目基本情况"): heading3, a new section for the weaving
WARNING_MARK = "§w"  # the 【待核对】 line after the user's paragraphs: dropped with them


class NarrativeError(Exception):
    """A wording template that cannot be rendered; str() is a Chinese message naming the file."""


ATTACHMENTS = "8_attachments.j2"  # the 附件 list: last, whatever the kind
PROJECT_DIR = "project/"  # the project report's sections

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (chapter and section numbers)."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def _user_lines(facts: Facts, name: str, prefix: str = "") -> str:
    return _lines(facts.texts.get(name, []), facts.text_warnings.get(name), prefix, source=name)


def _project_lines(p: ProjectLine, key: str, prefix: str = "") -> str:
    """The project's own text (预期目标, 存在问题 …) as the user's paragraphs, else a marker naming its cell."""
    paragraphs = p.texts.get(key, [])
    lines = _lines(paragraphs, p.text_warnings.get(key), prefix, PROJECT_USER_MARK, f"{p.name}/{key}")
    return lines or p.missing(key)


def _lines(
    paragraphs: list[str],
    warnings: list[str] | None,
    prefix: str = "",
    mark: str = USER_MARK,
    source: str = "",
) -> str:
    if not paragraphs:
        return ""
    tag = weave.source(source or prefix)
    lines = [
        f"{mark} {tag}{weave.label(prefix) if i == 0 else ''}{_clean(p)}" for i, p in enumerate(paragraphs)
    ]
    if warnings:
        lines.append(
            f"{WARNING_MARK} 【待核对：上段文字与表格不一致，见校验结果 "
            + "；".join(dict.fromkeys(warnings))
            + "】"
        )
    return "\n".join(lines)


def _clean(text: str) -> str:
    """The user's text as a paragraph: no leading style marker, no character the weaving reads as its own."""
    return weave.unmark(text.lstrip("§"))


def _user_text(text: str, prefix: str = "") -> str:
    """Any text the user typed (a goal of 附件2), as the user's paragraphs, one a line."""
    paragraphs = [ln.strip() for ln in str(text).replace("\r", "\n").split("\n") if ln.strip()]
    return _lines(paragraphs, None, prefix)


def _finalize(value: object) -> object:
    """Every figure a template prints carries what a user's sentence stating it would say (weave.py)."""
    if isinstance(value, Figure):
        return weave.fact(value.claims, value.stated_value, str(value))
    return value


class _QuietCache(FileSystemBytecodeCache):
    """Compiled templates kept between runs in the user's temp folder: each click of the Excel add-in is
    a new Python, and compiling the report's templates was a third of a click. A cache that cannot be
    written is skipped, never an error (jinja keys entries by the template's source, so edits are safe)."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> BytecodeCache | None:
    try:
        # The compiled code calls _finalize: a name of its own keeps code compiled without it unread.
        return _QuietCache(pattern="__perfeval_narrative_2_%s.cache")
    except (OSError, RuntimeError):  # no usable temp folder: compile every time
        return None


@lru_cache(maxsize=8)  # compiled templates are reused across the workbooks of one batch
def environment(template_dir: Path | None = None) -> Environment:
    loaders = [PackageLoader("perfeval.narrative", "templates")]
    if template_dir is not None:
        loaders.insert(0, FileSystemLoader(str(template_dir)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # plain text for cells and Word, never HTML
        bytecode_cache=_bytecode_cache(),
        finalize=_finalize,
    )
    env.filters["grade_phrase"] = grade_phrase
    env.globals.update(said=weave.said, topic=weave.topic, user_text=_user_text)
    return env


def grade_phrase(grade: str) -> str:
    """'等级“优”', or why there is none: a total whose weights do not add up is not graded."""
    return "分值合计不符合评分口径，等级待定" if grade == GRADE_PENDING else f"等级“{grade}”"


def _parse(text: str) -> list[weave.Line]:
    """Every line the template wrote; its kind tells the weaving what it is (a heading starts a section)."""
    out: list[weave.Line] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        mark, _, rest = line.partition(" ")
        rest = rest.strip()
        if mark in MARKS:
            if weave.plain(rest):
                out.append(weave.Line("heading", rest, style=MARKS[mark]))
        elif mark == PART_MARK:
            if weave.plain(rest):
                out.append(weave.Line("heading", rest, style="heading3"))
        elif mark in (USER_MARK, PROJECT_USER_MARK):
            if weave.plain(rest):
                project, source = mark == PROJECT_USER_MARK, weave.source_of(rest)
                out.append(weave.Line("user", rest, project=project, source=source))
        elif mark == WARNING_MARK:
            out.append(weave.Line("warning", rest))
        else:
            out.append(weave.Line("generated", line))
    return out


def _paragraphs(lines: list[weave.Line], facts: Facts) -> list[Paragraph]:
    return [
        Paragraph(ln.style, weave.plain(ln.text), generated=ln.kind != "user")  # type: ignore[arg-type]
        for ln in weave.weave(lines, [name for name, _ in facts.project_items])
        if ln.keep and weave.plain(ln.text).strip()
    ]


def _sections(names: list[str], facts: Facts) -> list[str]:
    """The templates to render, in order: 部门整体 sections, project sections, the 附件 list."""
    unit = [n for n in names if "/" not in n and n != ATTACHMENTS]
    project = [n for n in names if n.startswith(PROJECT_DIR)]
    chosen = (unit if facts.has_unit else []) + (project if facts.has_projects else [])
    return chosen + [n for n in names if n == ATTACHMENTS]


def render_report(result: CheckResult, template_dir: Path | None = None) -> Report:
    facts = build_facts(result)
    if template_dir is None and result.model.profile.narrative_dir:
        template_dir = Path(result.model.profile.narrative_dir)
    env = environment(template_dir)

    def user_or_missing(name: str, prefix: str = "") -> str:
        return _user_lines(facts, name, prefix) or MISSING.format(what=result.model.label(name))

    names = _sections(sorted(n for n in env.list_templates(extensions=["j2"])), facts)
    lines: list[weave.Line] = []
    for name in names:
        try:
            text = env.get_template(name).render(
                f=facts,
                user=lambda n, prefix="": _user_lines(facts, n, prefix),
                user_or_missing=user_or_missing,
                project_text=_project_lines,
                cn=chinese_number,
                # The number of the next 一级标题: a section adds its chapters after those already written.
                chapter=1 + sum(1 for ln in lines if ln.style == "heading1"),
            )
        except TemplateError as e:
            raise NarrativeError(
                f"报告措辞模板 {name} 有误：{e}。请对照 perfeval 自带的同名模板修改。"
            ) from e
        lines.extend(_parse(text))
    paragraphs = _paragraphs(lines, facts)
    titles = [p for p in paragraphs if p.kind == "title"]
    title = titles[0].text if titles else facts.kind_title
    return Report(title, [p for p in paragraphs if p.kind != "title"])
