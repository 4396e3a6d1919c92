"""Rules: the workbook as a whole (the tool's sheets, its computed cells, the template mark)."""

from __future__ import annotations

from collections.abc import Iterator

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.model import Model
from perfeval.core.rules.registry import Hit, hit, rule
from perfeval.core.sheets import clashes, moved_computed
from perfeval.core.snapshot import CellRef


@rule("WB-001", "已有同名工作表，结果表改用其他名称", Severity.INFO)
def output_sheet_name_taken(m: Model) -> Iterator[Hit]:
    """工作簿中已有您自己的工作表与本工具的结果表同名（如您自己的“自评报告”草稿）时，您的工作表原样保留，
    结果表改用下一个空闲名称，如“自评报告(2)”。"""
    for default, name in clashes(m.snapshot).items():
        yield hit(
            CellRef(name, "A1"),
            f"工作簿中已有名为“{default}”的工作表（不是本工具生成的），已原样保留；"
            f"本工具的“{default}”写在“{name}”工作表中。",
            advice=f"如“{default}”是您自己的内容，无需处理；如它是旧的结果表，可删除后重新校验。",
        )


@rule("WB-002", "复核单元格被移动，未写入复核值", Severity.WARNING)
def computed_cell_moved(m: Model) -> Iterator[Hit]:
    """复核（浅蓝色）单元格由工具计算；它的名称被剪切粘贴等操作移到了别的单元格时，工具不往新位置写，
    以免覆盖那里的内容，并提示恢复原位置。"""
    for name, ref in moved_computed(m.snapshot).items():
        f = cat.field(name)
        yield hit(
            ref,
            f"“{f.label}”原在 {f.sheet}!{f.cell}，现在名称“{name}”指向 {ref}（可能被剪切粘贴过），"
            "为免覆盖该处内容，本次未写入复核值。",
            expected=f"{f.sheet}!{f.cell}",
            found=str(ref),
            advice=f"请撤销移动，或把该单元格剪切回 {f.sheet}!{f.cell}；"
            "也可在“公式→名称管理器”中把该名称改回原单元格。",
        )


@rule("WB-003", "模板标记缺失或被改动", Severity.WARNING)
def template_mark_changed(m: Model) -> Iterator[Hit]:
    """模板版本标记（填报说明工作表上的命名单元格）被删除或改写时，工具按工作簿中的字段名称和表格识别模板，
    照常校验，并提示恢复标记。"""
    version = m.snapshot.template_version
    if version in cat.READABLE_VERSIONS:
        return
    where = m.snapshot.version_cell or CellRef(cat.SHEET_GUIDE, "A1")
    shown = f"为“{version}”" if version else "缺失"
    yield hit(
        where,
        f"模板版本标记{shown}，本工具的模板版本为 {cat.TEMPLATE_VERSION}。已按工作簿中的字段名称和表格识别为"
        "本模板并照常校验。",
        expected=cat.TEMPLATE_VERSION,
        found=version or "（无）",
        advice=f"如删除或改写过“填报说明”工作表，请用{cat.TEMPLATE_HOW}生成新模板对照恢复；内容无误时可忽略。",
    )


@rule("WB-004", "由旧版模板生成，已按新版读取", Severity.INFO)
def older_template(m: Model) -> Iterator[Hit]:
    """工作簿由较早版本的模板生成时，工具按当前版本读取（旧版没有的栏目视为未填），照常校验，并提示一次。"""
    version = m.snapshot.template_version
    if version is None or version == cat.TEMPLATE_VERSION or version not in cat.READABLE_VERSIONS:
        return
    # The split lines held three amounts in version 1 and hold one now (cat.LEGACY_NAMES).
    splits = (
        "附件2 按收入性质分、按支出性质分每行按表式只读一个金额（取全年执行数栏，未填时取全年预算数栏、年初预算数栏），"
        if m.snapshot.migrated
        else ""
    )
    yield hit(
        m.snapshot.version_cell or CellRef(cat.SHEET_GUIDE, "A1"),
        f"本工作簿由第 {version} 版模板生成，已按第 {cat.TEMPLATE_VERSION} 版读取：工作簿内容、评分口径、金额单位"
        f"按默认（部门整体和项目支出、所用评分口径、万元），{splits}项目支出表新增的主管部门、实施单位、资金来源、"
        "评价结论、存在问题、改进措施等栏目视为未填。",
        expected=cat.TEMPLATE_VERSION,
        found=version,
        advice=f"可继续使用本工作簿；需要填写新增栏目时，用{cat.TEMPLATE_HOW}生成新模板并转录数据。",
    )
