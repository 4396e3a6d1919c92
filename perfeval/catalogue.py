"""The field catalogue: every input and computed cell of the template, declared once.

The template builder, the readers, the rule messages and `perfeval fields` all read this module, so a
cell address is written nowhere else. Sheets are declared as blocks of rows; fields and table columns
are derived from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from functools import cache, lru_cache


# The core imports this module and must stay free of Excel libraries, so column letters are done here.
# Both are asked hundreds of times per workbook for the same few cells: kept (bounded, a hostile workbook
# may name any cell).
@lru_cache(maxsize=4096)
def get_column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_ADDRESS = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@lru_cache(maxsize=8192)
def split_address(address: str) -> tuple[int, int]:
    """'AB12' -> (row 12, column 28)."""
    m = _ADDRESS.fullmatch(address)
    if not m:
        raise ValueError(f"not a cell address: {address!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


MAX_ROW, MAX_COL = 1_048_576, 16_384  # Excel's grid: A1:XFD1048576


def is_cell(address: str) -> bool:
    """Whether an address is one cell of Excel's grid ("A0", "B1048577", "#REF!" and ranges are not)."""
    try:
        row, col = split_address(address)
    except ValueError:
        return False
    return 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """ "A3:F10" (or "$A$3:$F$10", or one cell) -> (min_col, min_row, max_col, max_row)."""
    first, _, last = ref.replace("$", "").partition(":")
    r1, c1 = split_address(first)
    r2, c2 = split_address(last or first)
    return c1, r1, c2, r2


TEMPLATE_VERSION = "2"
# Where a blank template comes from, in the messages of every adapter (the web page words it as its button).
TEMPLATE_HOW = "网页上的“下载空白模板”或命令 perfeval new"
# Versions the readers still understand; an older one is read as the current (its missing columns blank).
READABLE_VERSIONS = ("1", "2")
VERSION_NAME = "perfeval_template_version"


class Form(StrEnum):
    """Which form a field belongs to: a workbook holds the 部门整体 forms, the project forms, or both."""

    COMMON = "common"  # 基本信息 basics, read for every kind
    UNIT = "unit"  # 附件1 基础数据表, 附件2 部门整体支出绩效自评表, the 部门整体 report texts
    PROJECT = "project"  # 项目支出绩效自评表


FORM_NAMES = {Form.UNIT: "部门整体支出绩效自评", Form.PROJECT: "项目支出绩效自评"}
# `perfeval new --kind`: what a workbook holds. The text is also what the 工作簿内容 cell shows.
KINDS_OF_WORKBOOK: dict[str, frozenset[Form]] = {
    "整体": frozenset({Form.UNIT}),
    "项目": frozenset({Form.PROJECT}),
    "全部": frozenset({Form.UNIT, Form.PROJECT}),
}
KIND_CHOICES = {"整体": "部门整体", "项目": "项目支出", "全部": "部门整体和项目支出"}


FORM_SHORT = {Form.COMMON: "通用", Form.UNIT: "部门整体", Form.PROJECT: "项目支出"}


def forms_text(forms: frozenset[Form]) -> str:
    """ "部门整体", "项目支出", "部门整体、项目支出"; "各类" for none (a rule any workbook runs)."""
    return "、".join(FORM_SHORT[f] for f in (Form.UNIT, Form.PROJECT) if f in forms) or "各类"


def kind_forms(text: object) -> frozenset[Form] | None:
    """The forms a 工作簿内容 cell names ("项目支出" -> {PROJECT}); None when blank or unknown."""
    value = str(text or "").strip()
    for key, shown in KIND_CHOICES.items():
        if value in (key, shown):
            return KINDS_OF_WORKBOOK[key]
    return None


def kind_text(forms: frozenset[Form]) -> str:
    return next(KIND_CHOICES[k] for k, v in KINDS_OF_WORKBOOK.items() if v == forms)


def version_text(value: object) -> str | None:
    """The template version as stored in its named cell ("1"; Excel may hand back 1.0)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class FieldType(StrEnum):
    TEXT = "文本"
    AMOUNT = "金额"
    COUNT = "人数"
    RATE = "比率"
    SCORE = "分值"
    AREA = "面积"
    TARGET = "指标值"
    CHOICE = "选项"
    YEAR = "年度"


NUMERIC_TYPES = frozenset(
    {FieldType.AMOUNT, FieldType.COUNT, FieldType.RATE, FieldType.SCORE, FieldType.AREA}
)


@dataclass(frozen=True)
class Field:
    """One named cell. `computed` cells belong to the tool; all others to the user."""

    name: str
    label: str
    sheet: str
    cell: str
    type: FieldType
    unit: str = ""
    required: bool = False
    computed: bool = False
    choices: tuple[str, ...] = ()
    form: Form = Form.COMMON

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or (self.name[0].upper() in "RC" and self.name[1:2].isdigit()):
            raise ValueError(f"defined name {self.name!r} is not usable in Excel")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: FieldType
    unit: str = ""
    required: bool = False
    computed: bool = False
    choices: tuple[str, ...] = ()
    width: float = 12
    # A column only some forms print (重庆's 得分系数, 核心指标): in the template only when the profile asks
    # for it, read only when its header is there.
    optional: bool = False
    aliases: tuple[str, ...] = ()  # headers of earlier template versions, still read


@dataclass(frozen=True)
class TableSpec:
    """A variable list: an Excel table whose header row starts at `anchor`."""

    name: str
    label: str
    sheet: str
    anchor: str
    columns: tuple[Column, ...]
    blank_rows: int = 10
    form: Form = Form.UNIT
    band: tuple[tuple[str, int], ...] = ()  # group titles over the header row: (title, columns spanned)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def laid_out(self, options: frozenset[str] = frozenset()) -> tuple[Column, ...]:
        """The columns a template shows: every column but the optional ones its profile does not ask for."""
        return tuple(c for c in self.columns if not c.optional or c.key in options)


# --- sheet names -------------------------------------------------------------------------------------
SHEET_GUIDE = "填报说明"
SHEET_INFO = "基本信息"
SHEET_BASIC = "附件1"
SHEET_UNIT = "附件2"
SHEET_PROJECTS = "项目支出自评"
SHEET_PROJECT_INDICATORS = "项目绩效指标"
INPUT_SHEETS = (SHEET_GUIDE, SHEET_INFO, SHEET_BASIC, SHEET_UNIT, SHEET_PROJECTS, SHEET_PROJECT_INDICATORS)

# Sheets the tool writes and replaces on every run.
SHEET_FINDINGS = "校验结果"
SHEET_SCORES = "评分汇总"
SHEET_RULES = "审核公式"
SHEET_REPORT = "自评报告"
SHEET_STATE = "_perfeval"
# In the order the tool writes them (and the plan lists them).
OUTPUT_SHEETS = (SHEET_FINDINGS, SHEET_SCORES, SHEET_REPORT, SHEET_RULES)
# The tool knows its own sheets by a hidden sheet-scoped defined name, never by their name: a user's sheet
# may be called 自评报告 too, and a user may rename ours. Excel and WPS keep such a name on the sheet
# through renames and moves. Keyed by the sheet's default name.
OWN_SHEET_MARKS = {
    SHEET_FINDINGS: "perfeval_sheet_findings",
    SHEET_SCORES: "perfeval_sheet_scores",
    SHEET_REPORT: "perfeval_sheet_report",
    SHEET_RULES: "perfeval_sheet_rules",
    SHEET_STATE: "perfeval_sheet_state",
}

# --- vocabularies ------------------------------------------------------------------------------------
LEVEL1 = ("产出指标", "效益指标", "满意度指标")
LEVEL2 = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
ALL_LEVEL2 = tuple(x for v in LEVEL2.values() for x in v)
KINDS = ("定量", "定性")
DIRECTIONS = ("正向", "反向", "定值")
BANDS = ("达成年度指标", "部分达成并具有一定效果", "未达成且效果较差")
UNIT_TYPES = ("行政单位", "参照公务员法管理事业单位", "公益一类事业单位", "公益二类事业单位", "其他")

# --- layout primitives -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A field placed in a block row; the label is composed from the row and column titles."""

    name: str
    type: FieldType
    unit: str = ""
    required: bool = False
    computed: bool = False
    choices: tuple[str, ...] = ()
    label: str = ""  # overrides the composed label


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell | None, ...] = ()
    style: str = ""  # "total", "sub", "computed"


@dataclass(frozen=True)
class Block:
    """Rows under a header row; column A holds row labels, cells start in column B."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    title: str = ""  # a band above the header
    tall: bool = False  # free-text rows
    form: Form | None = None  # None: the sheet's form


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str
    blocks: tuple[Block, ...]
    tables: tuple[TableSpec, ...] = ()
    widths: tuple[float, ...] = ()
    landscape: bool = False
    form: Form = Form.UNIT

    def block_form(self, block: Block) -> Form:
        return block.form or self.form


AMOUNT_UNITS = ("万元", "元")  # the units a form's amounts are printed in
A, N, R, S, T = FieldType.AMOUNT, FieldType.COUNT, FieldType.RATE, FieldType.SCORE, FieldType.TEXT
WAN = "万元"

# --- 基本信息 ----------------------------------------------------------------------------------------
INFO_TEXTS: tuple[tuple[str, str, bool], ...] = (
    ("info_overview", "单位基本情况（编制、人员、机构等，按报告原文）", True),
    ("info_departments", "内设机构", False),
    ("info_duties", "主要职责", True),
    ("info_performance_goals", "年度绩效目标", True),
    ("info_budget_notes", "部门整体支出情况", False),
    ("info_basic_expenditure_notes", "基本支出使用情况", False),
    ("info_project_notes", "项目支出使用情况", False),
    ("info_achievements", "主要工作成效（绩效完成情况）", True),
    ("info_economic_notes", "经济效益与预算执行情况", False),
    ("info_effectiveness", "有效性和效率性", False),
    ("info_evaluation_process", "绩效评价工作开展情况", False),
    ("info_problems", "存在问题及原因", False),
    ("info_improvements", "改进措施和有关建议", True),
)
TEXT_FIELDS = tuple(name for name, _, _ in INFO_TEXTS)

INFO = SheetSpec(
    name=SHEET_INFO,
    title="基本信息",
    form=Form.COMMON,
    widths=(30, 90),
    blocks=(
        Block(
            header=("项目", "填写内容"),
            rows=(
                Row("单位名称", (Cell("info_unit_name", T, required=True),)),
                Row("年度", (Cell("info_year", FieldType.YEAR, "年", required=True),)),
                Row("单位性质", (Cell("info_unit_type", FieldType.CHOICE, choices=UNIT_TYPES),)),
                Row("行政编制数", (Cell("info_staff_admin", N, "人"),)),
                Row("事业编制数", (Cell("info_staff_institution", N, "人"),)),
                Row("工勤编制数", (Cell("info_staff_service", N, "人"),)),
                Row("报告日期", (Cell("info_report_date", T),)),
                Row("填表人", (Cell("info_preparer", T),)),
                Row("联系电话", (Cell("info_phone", T),)),
                Row("单位负责人", (Cell("info_leader", T),)),
            ),
        ),
        Block(
            title="表式（由 perfeval new 按评分口径填好；换用其他省市表式时请用 perfeval new --profile 重新生成）",
            header=("项目", "填写内容"),
            rows=(
                Row(
                    "工作簿内容", (Cell("info_kind", FieldType.CHOICE, choices=tuple(KIND_CHOICES.values())),)
                ),
                Row("评分口径", (Cell("info_profile", T),)),
                Row("金额单位", (Cell("info_amount_unit", FieldType.CHOICE, choices=AMOUNT_UNITS),)),
            ),
        ),
        Block(
            title="报告文字（自评报告各部分的原文，工具将核对其中的数字与表格是否一致）",
            header=("项目", "填写内容"),
            tall=True,
            form=Form.UNIT,
            rows=tuple(Row(label, (Cell(name, T, required=req),)) for name, label, req in INFO_TEXTS),
        ),
    ),
)

# --- 附件1 基础数据表 --------------------------------------------------------------------------------
YEAR_COLS = ("prior_actual", "current_budget", "current_actual")
YEAR_HEADERS = ("上年决算数", "本年预算数", "本年决算数")

# key, label, parts that must add up to it (None: not a total), style
COST_ROWS: tuple[tuple[str, str, tuple[str, ...] | None, str], ...] = (
    ("tpc", "三公经费", ("car", "abroad", "reception"), "total"),
    ("car", "1、公务用车购置和维护经费", ("car_purchase", "car_operation"), "sub"),
    ("car_purchase", "其中：公车购置", None, ""),
    ("car_operation", "公车运行维护", None, ""),
    ("abroad", "2、出国经费", None, ""),
    ("reception", "3、公务接待", None, ""),
    ("project", "项目支出（明细见下方“项目支出明细”表）", ("tbl_project_items",), "total"),
    ("public", "公用经费", None, "total"),
    ("office", "其中：办公经费", None, ""),
    ("utilities_travel", "水费、电费、差旅费", None, ""),
    ("meeting_training", "会议费、培训费", None, ""),
    ("procurement", "政府采购金额", None, "total"),
    ("basic", "部门基本支出预算调整", None, "total"),
)
PUBLIC_PARTS = ("office", "utilities_travel", "meeting_training")
COST_LABELS = {
    key: label.split("（")[0].replace("其中：", "").lstrip("123、") for key, label, _, _ in COST_ROWS
}
SUM_ROWS = {key: parts for key, _, parts, _ in COST_ROWS if parts}


def _cost_row(key: str, label: str, parts: tuple[str, ...] | None, style: str) -> Row:
    amounts = tuple(Cell(f"bd_{key}_{col}", A, WAN) for col in YEAR_COLS)
    sums = tuple(Cell(f"bd_{key}_{col}_sum", A, WAN, computed=True) if parts else None for col in YEAR_COLS)
    rates = (
        Cell(f"bd_{key}_control_rate", R, "%", computed=True),
        Cell(f"bd_{key}_change_rate", R, "%", computed=True),
    )
    return Row(label, amounts + sums + rates, style)


PROJECT_ITEMS = TableSpec(
    name="tbl_project_items",
    label="项目支出明细",
    sheet=SHEET_BASIC,
    anchor="A27",
    blank_rows=8,
    columns=(
        Column("name", "项目支出明细（项目名称）", T, required=True, width=44),
        Column("prior_actual", "上年决算数", A, WAN),
        Column("current_budget", "本年预算数", A, WAN),
        Column("current_actual", "本年决算数", A, WAN),
    ),
)

BASIC = SheetSpec(
    name=SHEET_BASIC,
    title="部门整体支出绩效评价基础数据表",
    widths=(44, 13, 13, 13, 13, 13, 15, 13, 15, 13),  # G, I: "投资概算控制率" on one line
    landscape=True,
    blocks=(
        Block(
            header=("财政供养人员情况（人）", "编制数", "实际在职人数", "控制率（填报）", "控制率（复核）"),
            rows=(
                Row(
                    "人数",
                    (
                        Cell("bd_authorized_staff", N, "人", required=True, label="编制数"),
                        Cell("bd_actual_staff", N, "人", required=True, label="实际在职人数"),
                        Cell("bd_staff_control_rate", R, "%", label="在职人员控制率（填报）"),
                        Cell(
                            "bd_staff_control_rate_calc",
                            R,
                            "%",
                            computed=True,
                            label="在职人员控制率（复核）",
                        ),
                    ),
                ),
            ),
        ),
        Block(
            header=(
                "经费控制情况（万元）",
                *YEAR_HEADERS,
                "合计复核：上年决算",
                "合计复核：本年预算",
                "合计复核：本年决算",
                "控制率（决算÷预算）",
                "较上年变动率",
            ),
            rows=tuple(_cost_row(*r) for r in COST_ROWS),
        ),
        Block(
            header=(
                "楼堂馆所控制情况（本年完工项目）",
                "批复规模（m²）",
                "实际规模（m²）",
                "规模控制率（填报）",
                "预算投资（万元）",
                "实际投资（万元）",
                "投资概算控制率（填报）",
                "规模控制率（复核）",
                "投资概算控制率（复核）",
            ),
            rows=(
                Row(
                    "本年完工项目（无项目在批复规模栏填“无”）",
                    (
                        Cell("bd_building_approved_area", FieldType.AREA, "m²"),
                        Cell("bd_building_actual_area", FieldType.AREA, "m²"),
                        Cell("bd_building_area_rate", R, "%"),
                        Cell("bd_building_budgeted_investment", A, WAN),
                        Cell("bd_building_actual_investment", A, WAN),
                        Cell("bd_building_investment_rate", R, "%"),
                        Cell("bd_building_area_rate_calc", R, "%", computed=True),
                        Cell("bd_building_investment_rate_calc", R, "%", computed=True),
                    ),
                ),
            ),
        ),
        Block(
            header=("厉行节约保障措施", "内容"),
            tall=True,
            rows=(Row("保障措施", (Cell("bd_frugality_measures", T),)),),
        ),
    ),
    tables=(PROJECT_ITEMS,),
)

# --- 附件2 自评表 -----------------------------------------------------------------------------------
BUDGET_COLS = ("initial_budget", "adjusted_budget", "spent")
BUDGET_HEADERS = ("年初预算数", "全年预算数", "全年执行数")
# 按收入性质分 / 按支出性质分: on the form each line holds one figure (seed 000: 一般公共预算：266.32,
# 基本支出：107.64, 项目支出：158.68), the year's money by source and by kind. One field `ua_{key}` a line.
INCOME_SPLITS = (
    ("general_budget", "其中：一般公共预算"),
    ("gov_fund", "政府性基金拨款"),
    ("special_account", "纳入专户管理的非税收入拨款"),
    ("other_funds", "其他资金"),
)
EXPENSE_SPLITS = (("basic_expenditure", "其中：基本支出"), ("project_expenditure", "项目支出"))
# (sum field, the form's heading, its lines)
SPLIT_GROUPS = (
    ("income_sum", "按收入性质分", INCOME_SPLITS),
    ("expense_sum", "按支出性质分", EXPENSE_SPLITS),
)
# The 年度资金总额 columns the one figure may be, in the order it is read from a version-1 workbook and
# compared: 全年执行数 first, 全年预算数 when that is what the unit put, 年初预算数 when only that is known.
SPLIT_BASES = ("spent", "adjusted_budget", "initial_budget")
GOAL_ROWS = 8


def _split_rows(sum_key: str, heading: str, splits: tuple[tuple[str, str], ...]) -> tuple[Row, ...]:
    """The form's lines of one group, one figure each; the group's sum (复核) beside its first line."""
    rows = []
    for i, (key, label) in enumerate(splits):
        name = label.removeprefix("其中：")
        cells: tuple[Cell | None, ...] = (Cell(f"ua_{key}", A, WAN, label=f"{heading} {name}"),)
        if i == 0:
            cells += (Cell(f"ua_{sum_key}", A, WAN, computed=True, label=f"{heading}合计（复核）"),)
            rows.append(Row(f"{heading}　{label}", cells, "sub"))
        else:
            rows.append(Row(label, cells))
    return tuple(rows)


SPLIT_FIELDS = tuple(f"ua_{k}" for _, _, splits in SPLIT_GROUPS for k, _ in splits)
SPLIT_SUMS = tuple(f"ua_{sum_key}" for sum_key, _, _ in SPLIT_GROUPS)
# Names of version 1 still read: version 1 had the three budget columns on every split line and sum row;
# the current field takes the first one filled (a sum takes the column its lines were read from). Applied
# in one place, snapshot.assemble, for both adapters.
LEGACY_NAMES: dict[str, tuple[str, ...]] = {
    name: tuple(f"{name}_{col}" for col in SPLIT_BASES) for name in (*SPLIT_FIELDS, *SPLIT_SUMS)
}


def readable_names() -> tuple[str, ...]:
    """Every defined name an adapter reads: the catalogue's fields and the older names still understood."""
    return (*fields(), *(old for olds in LEGACY_NAMES.values() for old in olds))


INDICATOR_COLUMNS = (
    Column("level1", "一级指标", FieldType.CHOICE, required=True, choices=LEVEL1, width=11),
    Column("level2", "二级指标", FieldType.CHOICE, required=True, choices=ALL_LEVEL2, width=13),
    Column("level3", "三级指标", T, required=True, width=20),
    Column("core", "核心指标", FieldType.CHOICE, choices=("是", "否"), width=8, optional=True),
    Column("kind", "指标性质", FieldType.CHOICE, choices=KINDS, width=8),
    Column("direction", "指标方向", FieldType.CHOICE, choices=DIRECTIONS, width=8),
    Column("target", "年度指标值", FieldType.TARGET, required=True, width=16),
    Column("actual", "实际完成值", FieldType.TARGET, required=True, width=20),
    Column("weight", "分值", S, "分", required=True, width=7),
    Column("coefficient", "得分系数", R, width=8, optional=True),
    Column("score", "自评得分", S, "分", required=True, width=8, aliases=("得分",)),
    Column("band", "定性完成等次", FieldType.CHOICE, choices=BANDS, width=14),
    Column("deviation_note", "偏差原因分析及改进措施", T, width=30),
    Column("completion_calc", "完成率（复核）", R, "%", computed=True, width=10),
    Column("score_calc", "得分（复核）", S, "分", computed=True, width=9),
)

INDICATORS = TableSpec(
    name="tbl_indicators",
    label="绩效指标",
    sheet=SHEET_UNIT,
    anchor="A29",
    blank_rows=14,
    columns=INDICATOR_COLUMNS,
)

UNIT = SheetSpec(
    name=SHEET_UNIT,
    title="部门整体支出绩效自评表",
    # Shared by the budget block and the indicator table below it: 三级指标 (C) and 实际完成值 (G) wrap
    # rather than widen the amount columns above them.
    widths=(28, 13, 20, 13, 9, 14, 20, 10, 10, 14, 30, 10, 10),
    landscape=True,
    blocks=(
        Block(
            header=(
                "年度预算资金（万元）",
                *BUDGET_HEADERS,
                "分值",
                "执行率（填报）",
                "自评得分（填报）",
                "执行率（复核）",
                "自评得分（复核）",
                "预算调整率",
            ),
            rows=(
                Row(
                    "年度资金总额",
                    (
                        Cell("ua_initial_budget", A, WAN, required=True),
                        Cell("ua_adjusted_budget", A, WAN, required=True),
                        Cell("ua_spent", A, WAN, required=True),
                        Cell("ua_execution_weight", S, "分", required=True),
                        Cell("ua_execution_rate", R, "%", required=True),
                        Cell("ua_execution_score", S, "分", required=True),
                        Cell("ua_execution_rate_calc", R, "%", computed=True),
                        Cell("ua_execution_score_calc", S, "分", computed=True),
                        Cell("ua_adjustment_rate_calc", R, "%", computed=True),
                    ),
                    "total",
                ),
            ),
        ),
        Block(
            # One figure a line, as the form prints it; six lines, so every block below stays where
            # version 1 put it.
            header=("按收入性质分、按支出性质分", "金额（万元）", "合计（复核）"),
            rows=tuple(row for group in SPLIT_GROUPS for row in _split_rows(*group)),
        ),
        Block(
            # Placed under the wide columns of the indicator table (三级指标, 实际完成值).
            header=("年度总体目标", "", "预期目标", "", "", "", "实际完成情况"),
            tall=True,
            rows=tuple(
                Row(
                    f"目标{i}",
                    (
                        None,
                        Cell(f"ua_goal_expected_{i}", T, label=f"年度总体目标{i} 预期目标"),
                        None,
                        None,
                        None,
                        Cell(f"ua_goal_actual_{i}", T, label=f"年度总体目标{i} 实际完成情况"),
                    ),
                )
                for i in range(1, GOAL_ROWS + 1)
            ),
        ),
        Block(
            header=("总分与等级", "填报", "", "复核"),
            rows=(
                Row(
                    "总分",
                    (
                        Cell("ua_total_score", S, "分", required=True),
                        None,
                        Cell("ua_total_score_calc", S, "分", computed=True),
                    ),
                ),
                Row(
                    "等级",
                    (
                        Cell("ua_grade", FieldType.CHOICE, choices=("优", "良", "中", "差")),
                        None,
                        Cell("ua_grade_calc", T, computed=True),
                    ),
                ),
            ),
        ),
    ),
    tables=(INDICATORS,),
)

# --- 项目支出自评 -----------------------------------------------------------------------------------
# The national 项目支出绩效自评表 (财预〔2020〕10号), one project per row: the form's 项目资金 rows
# (年度资金总额 and its 其中 lines) become groups of columns so that a second project is one more row of
# the same table. The export prints each project back in the form's own layout.
FUND_SOURCES = (
    ("fiscal", "当年财政拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
)
FUND_COLS = BUDGET_COLS  # 年初预算数, 全年预算数, 全年执行数
FUND_SHORT = {"initial_budget": "年初", "adjusted_budget": "全年预算", "spent": "全年执行"}
PROJECT_TEXTS = (
    ("conclusion", "评价结论"),
    ("problems", "存在问题"),
    ("improvements", "改进措施"),
)

PROJECTS = TableSpec(
    name="tbl_projects",
    label="项目支出绩效自评",
    sheet=SHEET_PROJECTS,
    anchor="A4",
    blank_rows=6,
    form=Form.PROJECT,
    band=(
        ("项目", 3),
        ("项目资金（万元）：年度资金总额", 6),
        *((f"其中：{label}（万元）", 3) for _, label in FUND_SOURCES),
        ("年度总体目标", 2),
        ("自评结果", 4),
        ("复核（工具计算）", 4),
    ),
    columns=(
        Column("name", "项目名称", T, required=True, width=28),
        Column("department", "主管部门", T, width=16),
        Column("implementer", "实施单位", T, width=16),
        Column("initial_budget", "年初预算数", A, WAN, required=True),
        Column("adjusted_budget", "全年预算数", A, WAN, required=True),
        Column("spent", "全年执行数", A, WAN, required=True),
        Column("execution_weight", "分值", S, "分", required=True, width=7),
        Column("execution_rate", "执行率（填报）", R, "%", width=10),
        Column("execution_score", "执行率得分（填报）", S, "分", width=10),
        *(
            Column(f"{key}_{col}", f"{label}·{FUND_SHORT[col]}", A, WAN, width=12)
            for key, label in FUND_SOURCES
            for col in FUND_COLS
        ),
        Column("goal_expected", "预期目标", T, width=30, aliases=("年度目标",)),
        Column("goal_actual", "实际完成情况", T, width=30),
        Column("total_score", "总分（填报）", S, "分", width=9),
        *(Column(key, label, T, width=24) for key, label in PROJECT_TEXTS),
        Column("execution_rate_calc", "执行率（复核）", R, "%", computed=True, width=10),
        Column("execution_score_calc", "执行率得分（复核）", S, "分", computed=True, width=10),
        Column("total_score_calc", "总分（复核）", S, "分", computed=True, width=9),
        Column("grade_calc", "等级（复核）", T, computed=True, width=8),
    ),
)
PROJECT_SHEET = SheetSpec(
    name=SHEET_PROJECTS,
    title="项目支出绩效自评表（一个项目一行；指标填在“项目绩效指标”表）",
    blocks=(),
    tables=(PROJECTS,),
    landscape=True,
    form=Form.PROJECT,
)

PROJECT_INDICATORS = TableSpec(
    name="tbl_project_indicators",
    label="项目绩效指标",
    sheet=SHEET_PROJECT_INDICATORS,
    anchor="A3",
    blank_rows=12,
    form=Form.PROJECT,
    columns=(Column("project", "项目名称", T, required=True, width=24), *INDICATOR_COLUMNS),
)
PROJECT_INDICATOR_SHEET = SheetSpec(
    name=SHEET_PROJECT_INDICATORS,
    title="项目支出绩效指标（“项目名称”须与“项目支出自评”表一致）",
    blocks=(),
    tables=(PROJECT_INDICATORS,),
    landscape=True,
    form=Form.PROJECT,
)

SHEETS: tuple[SheetSpec, ...] = (INFO, BASIC, UNIT, PROJECT_SHEET, PROJECT_INDICATOR_SHEET)
TABLES: dict[str, TableSpec] = {t.name: t for s in SHEETS for t in s.tables}

# --- placement: rows are laid out top to bottom; the builder and the catalogue share this -------------
TITLE_ROW = 1
FIRST_BLOCK_ROW = 3


@dataclass(frozen=True)
class PlacedRow:
    row: int
    spec: Row
    block: Block


@dataclass(frozen=True)
class PlacedBlock:
    block: Block
    title_row: int | None
    header_row: int
    rows: tuple[PlacedRow, ...]


def place_blocks(sheet: SheetSpec) -> tuple[PlacedBlock, ...]:
    placed: list[PlacedBlock] = []
    r = FIRST_BLOCK_ROW
    for block in sheet.blocks:
        title_row = None
        if block.title:
            title_row, r = r, r + 1
        header_row = r
        rows = tuple(PlacedRow(header_row + 1 + i, row, block) for i, row in enumerate(block.rows))
        placed.append(PlacedBlock(block, title_row, header_row, rows))
        r = header_row + len(block.rows) + 2
    return tuple(placed)


def _compose_label(row: Row, header: str, cell: Cell, sheet: SheetSpec) -> str:
    if cell.label:
        return cell.label
    if sheet is INFO:
        return row.label
    if row.label.startswith("本年完工项目"):
        return f"楼堂馆所 {header}"
    if header in ("填报", "复核"):
        return f"{row.label}（{header}）"
    row_label = re.sub(r"^\d、", "", row.label.split("（")[0].replace("其中：", ""))
    return f"{row_label} {header}".strip()


@cache
def fields() -> dict[str, Field]:
    out: dict[str, Field] = {}
    for sheet in SHEETS:
        for pb in place_blocks(sheet):
            for pr in pb.rows:
                for i, cell in enumerate(pr.spec.cells):
                    if cell is None:
                        continue
                    header = pb.block.header[i + 1] if i + 1 < len(pb.block.header) else ""
                    f = Field(
                        name=cell.name,
                        label=_compose_label(pr.spec, header, cell, sheet),
                        sheet=sheet.name,
                        cell=f"{get_column_letter(i + 2)}{pr.row}",
                        type=cell.type,
                        unit=cell.unit,
                        required=cell.required,
                        computed=cell.computed,
                        choices=cell.choices,
                        form=sheet.block_form(pb.block),
                    )
                    if f.name in out:
                        raise ValueError(f"duplicate field {f.name}")
                    out[f.name] = f
    return out


def field(name: str) -> Field:
    return fields()[name]


def input_fields() -> list[Field]:
    return [f for f in fields().values() if not f.computed]


def computed_fields() -> list[Field]:
    return [f for f in fields().values() if f.computed]


@dataclass(frozen=True)
class TablePlacement:
    """Header row and column letters of a table as laid out in the template."""

    spec: TableSpec
    header_row: int
    first_col: int
    letters: dict[str, str] = dc_field(default_factory=dict)


def table_placement(spec: TableSpec, options: frozenset[str] = frozenset()) -> TablePlacement:
    """Where the template puts a table's columns; `options` names the optional columns it shows."""
    row, first = split_address(spec.anchor)
    letters = {c.key: get_column_letter(first + i) for i, c in enumerate(spec.laid_out(options))}
    return TablePlacement(spec, row, first, letters)


def sheets_of(forms: frozenset[Form]) -> tuple[SheetSpec, ...]:
    """The input sheets a workbook of these forms holds (基本信息 always)."""
    return tuple(s for s in SHEETS if s.form is Form.COMMON or s.form in forms)


def blocks_of(sheet: SheetSpec, forms: frozenset[Form]) -> tuple[PlacedBlock, ...]:
    """The sheet's blocks a workbook of these forms holds. Blocks of other forms come last on their sheet,
    so leaving them out leaves no gap."""
    return tuple(pb for pb in place_blocks(sheet) if sheet.block_form(pb.block) in (Form.COMMON, *forms))


# The form's own facts on 基本信息 (工作簿内容, 评分口径, 金额单位): added in version 2; a workbook without
# them is read with the defaults (both forms, the profile given, its amount unit).
META_FIELDS = ("info_kind", "info_profile", "info_amount_unit")


def fields_of(forms: frozenset[Form]) -> list[Field]:
    return [f for f in fields().values() if f.form is Form.COMMON or f.form in forms]


def tables_of(forms: frozenset[Form]) -> list[TableSpec]:
    return [t for t in TABLES.values() if t.form in forms]


def validate_layout() -> None:
    """Tables must sit below every block of their sheet so they can grow downwards."""
    for sheet in SHEETS:
        last = max((pb.rows[-1].row if pb.rows else pb.header_row for pb in place_blocks(sheet)), default=0)
        for t in sheet.tables:
            if table_placement(t).header_row <= last + 1:
                raise ValueError(f"table {t.name} overlaps the blocks of {sheet.name} (last row {last})")
