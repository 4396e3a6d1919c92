"""Rules: consistency across sheets. The same money or head count given in two places must agree."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from perfeval import catalogue as cat
from perfeval.core.compute import split_basis, split_is_spending
from perfeval.core.findings import Severity
from perfeval.core.model import Model, NotApplicable, Project, ProjectItem
from perfeval.core.parse import normalize_text
from perfeval.core.rules.common import join_labels, table_label
from perfeval.core.rules.plausibility import swapped_columns
from perfeval.core.rules.registry import BOTH, UNIT, Hit, fmt_amount, fmt_num, hit, rule


def _same_amount(m: Model, basic_name: str, unit_name: str, what: str) -> Iterator[Hit]:
    """附件1 决算数 against the 附件2 按支出性质分 line of the same kind of spending (XT-001, XT-002)."""
    basic, unit = m.need(basic_name, unit_name)
    if not split_is_spending(m, "expense_sum"):
        basis = "、".join(_BASIS[c] for c in split_basis(m, "expense_sum"))
        raise NotApplicable(f"附件2 按支出性质分各行之和等于{basis}而非全年执行数，不能与附件1 决算数比较")
    if abs(basic - unit) <= m.profile.amount_tolerance:
        return
    if unit_name.removeprefix("ua_").removesuffix("_expenditure") in swapped_columns(m):
        return  # PL-004 reports the swapped year columns this difference comes from
    yield hit(
        [m.ref(basic_name), m.ref(unit_name)],
        f"{m.label(basic_name)} 为 {fmt_amount(basic)}，{m.label(unit_name)} 为 {fmt_amount(unit)}，"
        f"相差 {fmt_amount(abs(basic - unit))}；同一年度的{what}在两张表中应一致",
        expected=f"与附件2 一致：{fmt_amount(unit)}",
        found=fmt_amount(basic),
        advice=f"请以部门决算为准核对两张表的{what}，改正填错的一处。",
    )


_BASIS = dict(zip(cat.BUDGET_COLS, cat.BUDGET_HEADERS, strict=True))


@rule(
    "XT-001",
    "附件1项目支出与附件2不符",
    Severity.ERROR,
    reads=("bd_project_current_actual", "ua_project_expenditure"),
    forms=UNIT,
)
def project_spending_matches(m: Model) -> Iterator[Hit]:
    """附件1 项目支出本年决算数 = 附件2 按支出性质分的项目支出（按全年执行数填列；按预算数填列时不比较；年度列疑似错位时由 PL-004 报告）。"""
    yield from _same_amount(m, "bd_project_current_actual", "ua_project_expenditure", "项目支出")


@rule(
    "XT-002",
    "附件1基本支出与附件2不符",
    Severity.ERROR,
    reads=("bd_basic_current_actual", "ua_basic_expenditure"),
    forms=UNIT,
)
def basic_spending_matches(m: Model) -> Iterator[Hit]:
    """附件1 部门基本支出本年决算数 = 附件2 按支出性质分的基本支出（按全年执行数填列；按预算数填列时不比较；年度列疑似错位时由 PL-004 报告）。"""
    yield from _same_amount(m, "bd_basic_current_actual", "ua_basic_expenditure", "基本支出")


@rule(
    "XT-003",
    "项目表执行数合计与附件2不符",
    Severity.WARNING,
    reads=("ua_project_expenditure",),
    forms=BOTH,
)
def project_table_total(m: Model) -> Iterator[Hit]:
    """“项目支出自评”表各项目全年执行数之和 = 附件2 按支出性质分的项目支出（项目表只列主要项目时可书面说明）。"""
    if not m.projects:
        raise NotApplicable("项目支出自评表未列出项目")
    table = cat.PROJECTS.name
    unreadable = [table_label(m, table, p.index, "spent") for p in m.projects if not p.spent.ok]
    if unreadable:
        raise NotApplicable("缺少或无法识别：" + join_labels(unreadable))
    (unit,) = m.need("ua_project_expenditure")
    if not split_is_spending(m, "expense_sum"):
        raise NotApplicable("附件2 按支出性质分按预算数填列，不能与项目的全年执行数比较")
    total = sum((p.spent.value for p in m.projects if p.spent.value is not None), unit * 0)
    if abs(total - unit) <= m.profile.amount_tolerance:
        return
    more = "大于" if total > unit else "小于"
    yield hit(
        [m.ref("ua_project_expenditure"), *(m.tref(table, p.index, "spent") for p in m.projects)],
        f"项目支出自评表 {len(m.projects)} 个项目的全年执行数之和 {fmt_amount(total)}{more}"
        f"{m.label('ua_project_expenditure')} {fmt_amount(unit)}，相差 {fmt_amount(abs(total - unit))}",
        expected=fmt_amount(unit),
        found=fmt_amount(total),
        advice=(
            "项目表如只列出了主要项目，合计小于附件2 项目支出属正常，请在审核说明中注明；"
            "否则请核对各项目的全年执行数与附件2 项目支出。"
        ),
    )


_STAFF_PARTS = ("info_staff_admin", "info_staff_institution", "info_staff_service")


@rule(
    "XT-004",
    "编制数分类合计与附件1不符",
    Severity.ERROR,
    reads=(*_STAFF_PARTS, "bd_authorized_staff"),
    forms=UNIT,
)
def staff_classes_sum(m: Model) -> Iterator[Hit]:
    """基本信息的行政编制数 + 事业编制数 + 工勤编制数（已填的各项）= 附件1 编制数。"""
    typed = [n for n in _STAFF_PARTS if m.num(n) is not None]
    if not typed:
        raise NotApplicable("基本信息的编制数分类均未填")
    (authorized,) = m.need("bd_authorized_staff")
    total = sum((m.num(n) for n in typed), authorized * 0)  # type: ignore[misc]
    if total == authorized:  # head counts are whole numbers: no tolerance
        return
    formula = " + ".join(f"{cat.field(n).label} {fmt_num(m.num(n))}" for n in typed)
    yield hit(
        [*(m.ref(n) for n in typed), m.ref("bd_authorized_staff")],
        f"基本信息 {formula} = {fmt_num(total)} 人，而{m.label('bd_authorized_staff')} 为 "
        f"{fmt_num(authorized)} 人",
        expected=f"{fmt_num(authorized)} 人",
        found=f"{fmt_num(total)} 人",
        advice="请核对各类编制数与附件1 编制数，改正填错的一处；没有的编制类别请留空。",
    )


# --- projects against the 附件1 项目支出明细 ------------------------------------------------------------

# "1、", "（2）", "3." in front of a name: list numbering, not part of the name.
_NUMBERING = re.compile(
    r"^\s*(?:[(（]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9一二三四五六七八九十]+\s*[、.．)）])"
)


def name_key(name: str) -> str:
    """A project name reduced for matching: no numbering, spaces or punctuation; full-width folded."""
    text = _NUMBERING.sub("", normalize_text(name))
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZ")


def _matches(project: Project, items: list[tuple[ProjectItem, str]]) -> list[ProjectItem]:
    """Items naming this project: the same name, else either name containing the other."""
    key = name_key(project.name)
    if not key:
        return []
    exact = [it for it, k in items if k == key]
    if exact:
        return exact
    return [it for it, k in items if key in k or k in key]


def _named_items(m: Model) -> list[tuple[ProjectItem, str]]:
    return [(it, name_key(it.name)) for it in m.project_items if name_key(it.name)]


@rule("XT-005", "项目未列入附件1项目支出明细", Severity.INFO, forms=BOTH)
def project_not_in_items(m: Model) -> Iterator[Hit]:
    """“项目支出自评”表中的项目应能在附件1 项目支出明细中找到（去掉空格、标点和序号后名称相同或互相包含）。"""
    items = _named_items(m)
    if not items:
        raise NotApplicable("附件1 项目支出明细未填")
    if not m.projects:
        raise NotApplicable("项目支出自评表未列出项目")
    listed = join_labels([f"“{it.name}”" for it, _ in items], 5)
    for p in m.projects:
        if not name_key(p.name) or _matches(p, items):
            continue
        yield hit(
            m.tref(cat.PROJECTS.name, p.index, "name"),
            f"项目“{p.name}”在附件1 项目支出明细中找不到同名项目",
            expected=f"附件1 明细中的项目：{listed}",
            found=f"“{p.name}”",
            advice="请核对项目名称是否与附件1 明细一致；如附件1 按资金来源或科目合并列示，可忽略本提示。",
        )


@rule("XT-006", "项目执行数与附件1明细不符", Severity.WARNING, forms=BOTH)
def project_spent_matches_item(m: Model) -> Iterator[Hit]:
    """同一项目：“项目支出自评”表的全年执行数 = 附件1 项目支出明细的本年决算数（按名称对应）。"""
    items = _named_items(m)
    compared = False
    for p in m.projects:
        matched = _matches(p, items)
        if len(matched) != 1:  # none, or ambiguous: XT-005 or nothing to say
            continue
        item = matched[0]
        spent, actual = p.spent.value, item.amounts["current_actual"].value
        if spent is None or actual is None:
            continue
        compared = True
        if abs(spent - actual) <= m.profile.amount_tolerance:
            continue
        spent_ref = m.tref(cat.PROJECTS.name, p.index, "spent")
        item_ref = m.tref(cat.PROJECT_ITEMS.name, item.index, "current_actual")
        yield hit(
            [spent_ref, item_ref],
            f"项目“{p.name}”全年执行数 {fmt_amount(spent)}（{spent_ref}），附件1 明细“{item.name}”"
            f"本年决算数 {fmt_amount(actual)}（{item_ref}），相差 {fmt_amount(abs(spent - actual))}",
            expected=f"与附件1 明细一致：{fmt_amount(actual)}",
            found=fmt_amount(spent),
            advice="请以决算为准核对两处金额；如两者口径不同（如跨年度项目），请在审核说明中注明。",
        )
    if not compared:
        raise NotApplicable("没有能与附件1 项目支出明细对应且金额已填的项目")
