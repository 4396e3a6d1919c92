"""Rules: parsing. Cells whose content could not be read as the number the form asks for."""

from __future__ import annotations

from collections.abc import Iterator

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType
from perfeval.core.findings import Severity
from perfeval.core.model import Model, as_text
from perfeval.core.parse import Quantity, Status, is_excel_error, normalize_text
from perfeval.core.rules.common import missing, table_label
from perfeval.core.rules.registry import Hit, amount_unit, fmt_amount, fmt_rate, hit, per_run, rule
from perfeval.core.snapshot import CellRef, UncomputedFormula

# --- helpers ------------------------------------------------------------------------------------

NUMERIC_FIELD_TYPES = cat.NUMERIC_TYPES | {FieldType.YEAR}
# Numeric columns of the project table (amounts, 分值, rates, scores); the computed 复核 columns are ours.
PROJECT_NUMERIC_COLUMNS = tuple(
    c for c in cat.PROJECTS.columns if not c.computed and c.type in cat.NUMERIC_TYPES
)
_SHOWN_CHARS = 30


def shown(raw: object) -> str:
    """What the user typed, as quoted back in a message (7.0 shows as 7, long text is cut)."""
    text = normalize_text(as_text(raw))
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


class NumericInput:
    """A cell the user fills with a number. Its cell and label are looked up only when a rule reports it:
    most inputs are fine, and three rules walk them all."""

    __slots__ = ("_index", "_key", "_m", "_table", "qty", "type")

    def __init__(self, m: Model, table: str, index: int, key: str, type: FieldType, qty: Quantity) -> None:
        # table "": the single cell named `key`
        self._m, self._table, self._index, self._key = m, table, index, key
        self.type, self.qty = type, qty

    @property
    def ref(self) -> CellRef:
        if not self._table:
            return self._m.ref(self._key)
        return self._m.tref(self._table, self._index, self._key)

    @property
    def label(self) -> str:
        if not self._table:
            return self._m.label(self._key)
        return table_label(self._m, self._table, self._index, self._key)


@per_run  # PARSE-001, -003, -004 walk the same inputs
def numeric_inputs(m: Model) -> tuple[NumericInput, ...]:
    """Every cell the user fills with a number: single cells, then the numeric table columns.

    Indicator 年度指标值/实际完成值 are not here: text there makes the indicator qualitative, not wrong.
    """
    out: list[NumericInput] = []
    for f in cat.input_fields():
        if f.type in NUMERIC_FIELD_TYPES and not missing(m, f.name):
            out.append(NumericInput(m, "", 0, f.name, f.type, m.q[f.name]))
    for ind in m.all_indicators():
        for key in ("weight", "score"):
            out.append(NumericInput(m, ind.table, ind.index, key, FieldType.SCORE, getattr(ind, key)))
    present = m.table(cat.PROJECTS.name).columns if cat.PROJECTS.name in m.snapshot.tables else {}
    for p in m.projects:
        for col in PROJECT_NUMERIC_COLUMNS:
            if col.key not in present:
                continue  # a column an earlier template version did not have
            out.append(NumericInput(m, cat.PROJECTS.name, p.index, col.key, col.type, p.quantity(col.key)))
    for item in m.project_items:
        for col in cat.YEAR_COLS:
            out.append(
                NumericInput(m, cat.PROJECT_ITEMS.name, item.index, col, FieldType.AMOUNT, item.amounts[col])
            )
    return tuple(out)


_NUMERIC_FIELDS = tuple(f.name for f in cat.input_fields() if f.type in NUMERIC_FIELD_TYPES)
_AMOUNT_FIELDS = tuple(f.name for f in cat.input_fields() if f.type is FieldType.AMOUNT)
_RATE_FIELDS = tuple(f.name for f in cat.input_fields() if f.type is FieldType.RATE)
_BARE_PERCENT_NOTE = "按百分数理解"  # parse._bare_rate's note: a bare 95 was read as 95%


# --- rules ------------------------------------------------------------------------------------------------


@rule(
    "PARSE-001",
    "数值无法识别",
    Severity.ERROR,
    reads=_NUMERIC_FIELDS,
    description=(
        "金额、人数、比率、分值、面积、年度单元格（含指标分值与自评得分、项目金额/分值/执行率/得分、"
        "项目支出明细金额）的内容无法识别为一个数值。年度指标值、实际完成值填文字按定性指标处理，不在此列。"
    ),
)
def unreadable_number(m: Model) -> Iterator[Hit]:
    for inp in numeric_inputs(m):
        if inp.qty.status is Status.TEXT:
            note = inp.qty.note or "请填写数值"
            yield hit(
                inp.ref,
                f"{inp.label} 无法识别为数值：{note}",
                expected=f"一个{inp.type.value}数值" + (f"（单位：{_unit(inp)}）" if _unit(inp) else ""),
                found=shown(inp.qty.raw),
                advice="请只填写数字；说明性文字请写入报告文字或“偏差原因分析及改进措施”栏。",
            )


def _unit(inp: NumericInput) -> str:
    return {
        FieldType.AMOUNT: amount_unit(),
        FieldType.COUNT: "人",
        FieldType.RATE: "%",
        FieldType.SCORE: "分",
        FieldType.AREA: "m²",
        FieldType.YEAR: "年",
    }.get(inp.type, "")


_ERROR_ADVICE = "该单元格的公式出错（如除数为 0 或引用已删除），请修正公式，或直接填写数值或文字。"
_UNCOMPUTED_ADVICE = (
    "公式没有计算结果，请在 Excel/WPS 中打开并保存后再校验（由其他软件生成的文件常见此情况）。"
)


def _cell_error(ref: CellRef, label: str, raw: object) -> Hit:
    if isinstance(raw, UncomputedFormula):
        message = f"{label} 是公式 {raw.formula}，但文件中没有它的计算结果，无法读取数值"
        return hit(ref, message, found=raw.formula, advice=_UNCOMPUTED_ADVICE)
    return hit(ref, f"{label} 为错误值 {shown(raw)}", found=shown(raw), advice=_ERROR_ADVICE)


def _is_error(raw: object) -> bool:
    return isinstance(raw, UncomputedFormula) or is_excel_error(raw)


@rule("PARSE-002", "单元格为错误值或公式没有计算结果", Severity.ERROR)
def excel_error(m: Model) -> Iterator[Hit]:
    """填写单元格（含文字单元格和各表格的填报列）的值为 Excel 错误值，如 #DIV/0!、#N/A、#REF!；或是公式但文件中没有保存计算结果（由其他软件生成、未在 Excel/WPS 中保存过的文件）。"""
    values = m.snapshot.values
    for f in cat.input_fields():
        raw = values.get(f.name)
        if raw is not None and _is_error(raw) and not missing(m, f.name):
            yield _cell_error(m.ref(f.name), m.label(f.name), raw)
    for name, data in m.snapshot.tables.items():
        spec = cat.TABLES.get(name)
        if spec is None:
            continue
        keys = [c.key for c in spec.columns if not c.computed and c.key in data.columns]
        for index, row in enumerate(data.rows):
            for key in keys:
                raw = row.get(key)
                if raw is not None and _is_error(raw):  # most cells are blank
                    yield _cell_error(m.tref(name, index, key), table_label(m, name, index, key), raw)


@rule("PARSE-003", "金额已按“元”换算", Severity.INFO, reads=_AMOUNT_FIELDS)
def amount_converted(m: Model) -> Iterator[Hit]:
    """金额单元格带了“元”“千元”“亿元”等单位，已换算为万元读取（如 13000元 读作 1.30 万元）。"""
    for inp in numeric_inputs(m):
        if inp.type is FieldType.AMOUNT and inp.qty.ok and inp.qty.note.startswith("已按"):
            value = inp.qty.value
            yield hit(
                inp.ref,
                f"{inp.label} 填写“{shown(inp.qty.raw)}”，{inp.qty.note}，读作 {fmt_amount(value)}",
                expected=fmt_amount(value),
                found=shown(inp.qty.raw),
                advice=f"本表金额单位为{m.amount_unit}，请直接填写{fmt_amount(value)}的数字，不要带单位。",
            )


@rule("PARSE-004", "比率按百分数理解", Severity.INFO, reads=_RATE_FIELDS)
def rate_read_as_percent(m: Model) -> Iterator[Hit]:
    """比率单元格填了大于 3 的不带百分号的数（如 95），已按百分数理解（95 即 95%）。"""
    for inp in numeric_inputs(m):
        if inp.type is FieldType.RATE and inp.qty.ok and inp.qty.note.startswith(_BARE_PERCENT_NOTE):
            value = inp.qty.value
            yield hit(
                inp.ref,
                f"{inp.label} 填写“{shown(inp.qty.raw)}”，没有百分号，已按百分数理解为 {fmt_rate(value)}",
                expected=fmt_rate(value),
                found=shown(inp.qty.raw),
                advice=f"如确为 {fmt_rate(value)} 则无需修改；建议填写带百分号的值，以免误读。",
            )
