"""Render the 自评报告 from a check result: one Jinja2 template per section, joined in file-name order.

Every output line is one paragraph; a leading marker gives its style (see templates/README.md). A
profile may name a folder of templates whose files take precedence over the bundled ones, so a finance
bureau can change the wording without touching code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, TemplateError

from perfeval.core.pipeline import CheckResult
from perfeval.narrative.facts import MISSING, Facts, build_facts
from perfeval.report.document import Paragraph, Report

MARKS = {"§t": "title", "§s": "subtitle", "§1": "heading1", "§2": "heading2", "§a": "attachment"}
USER_MARK = "§u"


class NarrativeError(Exception):
    """A wording template that cannot be rendered; str() is a Chinese message naming the file."""


def _user_lines(facts: Facts, name: str, prefix: str = "") -> str:
    paragraphs = facts.texts.get(name, [])
    if not paragraphs:
        return ""
    lines = [f"{USER_MARK} {prefix if i == 0 else ''}{p.lstrip('§')}" for i, p in enumerate(paragraphs)]
    warnings = facts.text_warnings.get(name)
    if warnings:
        lines.append(
            "【待核对：上段文字与表格不一致，见校验结果 " + "；".join(dict.fromkeys(warnings)) + "】"
        )
    return "\n".join(lines)


@lru_cache(maxsize=8)  # compiled templates are reused across the workbooks of one batch
def environment(template_dir: Path | None = None) -> Environment:
    loaders = [PackageLoader("perfeval.narrative", "templates")]
    if template_dir is not None:
        loaders.insert(0, FileSystemLoader(str(template_dir)))
    return Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # plain text for cells and Word, never HTML
    )


def _parse(text: str) -> list[Paragraph]:
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        mark, _, rest = line.partition(" ")
        if mark in MARKS:
            if rest.strip():
                out.append(Paragraph(MARKS[mark], rest.strip()))  # type: ignore[arg-type]
        elif mark == USER_MARK:
            if rest.strip():
                out.append(Paragraph("body", rest.strip(), generated=False))
        else:
            out.append(Paragraph("body", line))
    return out


def render_report(result: CheckResult, template_dir: Path | None = None) -> Report:
    facts = build_facts(result)
    if template_dir is None and result.model.profile.narrative_dir:
        template_dir = Path(result.model.profile.narrative_dir)
    env = environment(template_dir)

    def user_or_missing(name: str, prefix: str = "") -> str:
        return _user_lines(facts, name, prefix) or MISSING.format(what=result.model.label(name))

    names = sorted(n for n in env.list_templates(extensions=["j2"]))
    paragraphs: list[Paragraph] = []
    for name in names:
        try:
            text = env.get_template(name).render(
                f=facts,
                user=lambda n, prefix="": _user_lines(facts, n, prefix),
                user_or_missing=user_or_missing,
            )
        except TemplateError as e:
            raise NarrativeError(
                f"报告措辞模板 {name} 有误：{e}。请对照 perfeval 自带的同名模板修改。"
            ) from e
        paragraphs.extend(_parse(text))
    titles = [p for p in paragraphs if p.kind == "title"]
    title = titles[0].text if titles else f"{facts.year}年度部门整体支出绩效自评报告"
    return Report(title, [p for p in paragraphs if p.kind != "title"])
