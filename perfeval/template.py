"""Build `workbook_template.xlsx` from the field catalogue (the template is code, never edited by hand)."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType, Form, get_column_letter
from perfeval.core.profile import LEVEL_KEYS, Profile, default_profile
from perfeval.textwidth import text_width

INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")  # pale yellow: the user types here
COMPUTED_FILL = PatternFill("solid", fgColor="E8F1FB")  # pale blue: the tool writes here
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
BAND_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "宋体"
# Rows reserved below a table for data validation and formats, so a growing table keeps them.
TABLE_GROWTH_ROWS = 300

NUMBER_FORMATS = {
    FieldType.AMOUNT: "#,##0.00",
    FieldType.AREA: "#,##0.00",
    FieldType.COUNT: "0",
    FieldType.RATE: "0.00%",
    FieldType.SCORE: "0.00",
    FieldType.YEAR: "0",
}

GUIDE_UNIT = (
    "附件1：基础数据表（人员、三公经费、项目支出、公用经费、政府采购、楼堂馆所），金额单位为{unit}。",
    "附件2：部门整体支出绩效自评表（年度资金、收入与支出结构、年度总体目标、绩效指标），可在指标表末行下方续填。",
)
GUIDE_PROJECT = (
    "项目支出自评：一个项目一行，依次填写项目名称、主管部门、实施单位，项目资金（年度资金总额及其中的当年财政"
    "拨款、上年结转资金、其他资金，金额单位为{unit}），执行率与得分，年度总体目标，总分，评价结论、存在问题、改进措施。",
    "项目绩效指标：每个项目的三级指标，一行一个指标，“项目名称”须与项目支出自评表一致。",
)


def guide_lines(forms: frozenset[Form], profile: Profile) -> tuple[tuple[str, str], ...]:
    what = "、".join(cat.FORM_NAMES[f] for f in (Form.UNIT, Form.PROJECT) if f in forms)
    steps = [
        "基本信息：单位名称、年度"
        + ("、编制，以及自评报告各部分的文字（按报告原文粘贴）。" if Form.UNIT in forms else "。")
    ]
    if Form.UNIT in forms:
        steps += GUIDE_UNIT
    if Form.PROJECT in forms:
        steps += GUIDE_PROJECT
    unit = profile.amount_unit
    return (
        ("填报说明", "title"),
        (f"本工作簿是“{what}”的标准模板（评分口径：{profile.name}），请按以下顺序填写：", ""),
        *((f"{i}. {text.format(unit=unit)}", "") for i, text in enumerate(steps, start=1)),
        (
            "单元格颜色：浅黄色为填报单元格；浅蓝色为工具计算的“复核”单元格，请勿手工填写（每次校验都会重算）。",
            "",
        ),
        (
            f"金额请按{unit}填数字（如 {'1584300.00' if unit == '元' else '158.43'}），不要带单位；比率可填 100% 或 1；指标值可带比较符和单位，如 ≥95%、10个。"
            "定性指标的实际完成值可直接写完成等次，如“达成年度指标”。",
            "",
        ),
        (
            "填好后：在 Excel 中点击“绩效自评”选项卡的“校验并评分”；没有 Excel 时运行命令 perfeval check 文件.xlsx。",
            "",
        ),
        (
            "工具会：计算执行率、控制率、合计与得分，填入复核单元格；把有问题的单元格按严重程度着色并加批注；",
            "",
        ),
        ("生成" + "、".join(f"“{name}”" for name in cat.OUTPUT_SHEETS) + "表（见下方说明）。", ""),
        (
            "严重程度：错误（必须修改后才能报送）、警告（请修改，或在“校验结果”表的“审核说明”列写明理由）、提示（供参考）。",
            "",
        ),
        ("重复校验不会改动您填写的内容，只更新工具自己写入的复核值、颜色、批注和结果表。", ""),
    )


# The result sheets a check writes (cat.OUTPUT_SHEETS, the order core/plan.build_plan writes them in).
RESULT_SHEET_TEXTS = {
    cat.SHEET_FINDINGS: "全部问题，按严重程度着色，点击单元格地址可跳转；“审核说明”列可填写理由，重新校验时保留",
    cat.SHEET_SCORES: "预算执行率、各一级指标和总分的分值、填报得分与复核得分，以及每个指标的复核得分",
    cat.SHEET_REPORT: "按表格数据和“基本信息”中的报告文字生成的自评报告（手工修改后另存为“自评报告（修改稿）”，不会被覆盖）",
    cat.SHEET_RULES: "本工具执行的全部校验规则及其说明",
}
GUIDE_VERSION_ROW = 20  # fixed whatever the kind: the Excel adapter and older readers look here
GUIDE_RULES_ROW = GUIDE_VERSION_ROW + 2
_LEVEL_NAMES = {"execution": "预算执行率", **{key: level for level, key in LEVEL_KEYS.items()}}


def _points(value: object) -> str:
    return f"{value:g} 分" if isinstance(value, (int, float)) else f"{value.normalize():f} 分"


def _weights_text(weights: dict) -> str:
    parts = [f"{_LEVEL_NAMES[k]} {_points(weights[k])}" for k in ("execution", *LEVEL_KEYS.values())]
    return "、".join(parts) + f"，合计 {_points(sum(weights.values()))}"


def _comparators(direction: str) -> str:
    """The comparison words the parser reads as `direction` ('>=' or '<='), a few of each, for the guide."""
    from perfeval.core.parse import _PREFIX_COMPARATORS, _SUFFIX_COMPARATORS

    prefix = [
        w for w, d in _PREFIX_COMPARATORS.items() if d == direction and w not in "≧⩾≦⩽" and not w.isascii()
    ][:4]
    suffix = [w for w, d in _SUFFIX_COMPARATORS.items() if d == direction][:2]
    return "、".join([*prefix, *(f"……{w}" for w in suffix)])


def computed_cells(forms: frozenset[Form], profile: Profile) -> list[tuple[str, str, list[str]]]:
    """(sheet, column header, cells) of every computed cell of the template, in sheet order: 复核 cells
    of the blocks, whole columns of the tables."""
    out: list[tuple[str, str, list[str]]] = []
    fields = cat.fields()
    for spec in cat.sheets_of(forms):
        by_header: dict[str, list[str]] = {}
        for pb in cat.blocks_of(spec, forms):
            for pr in pb.rows:
                for i, cell in enumerate(pr.spec.cells):
                    if cell is not None and fields[cell.name].computed:
                        header = pb.block.header[i + 1]
                        if header in ("填报", "复核", ""):  # 总分/等级 rows: the row says what it is
                            header = f"{pr.spec.label}（{header or '复核'}）"
                        by_header.setdefault(header, []).append(fields[cell.name].cell)
        out += [(spec.name, header, cells) for header, cells in by_header.items()]
        for t in spec.tables:
            if t.form not in forms:
                continue
            options = profile.columns if t.form is Form.UNIT else frozenset()
            place = cat.table_placement(t, options)
            for col in t.laid_out(options):
                if col.computed:
                    out.append((spec.name, col.header, [f"{place.letters[col.key]} 列"]))
    return out


def _cells_text(cells: list[str]) -> str:
    """E7、E8、E13 as they are; H7 to H19, every row, as H7:H19."""
    if len(cells) > 2:
        places = [cat.split_address(c) for c in cells if cat.is_cell(c)]
        rows = [r for r, _ in places]
        if (
            len(places) == len(cells)
            and len({c for _, c in places}) == 1
            and rows == list(range(rows[0], rows[-1] + 1))
        ):
            return f"{cells[0]}:{cells[-1]}"
    return "、".join(cells)


def rules_lines(forms: frozenset[Form], profile: Profile) -> tuple[tuple[str, str], ...]:
    """The scoring rules of the profile, the direction rules and the computed cells, as guide lines."""
    from perfeval.core.rules import REGISTRY

    grades = "、".join(
        f"{name} {lower:g} 分及以上" if lower > 0 else f"{name} 低于 {profile.grades[i - 1][1]:g} 分"
        for i, (name, lower) in enumerate(profile.grades)
    )
    formula = re.search(r"（(正向.*?)）[，。]", REGISTRY["SCORE-001"].description)
    lines: list[tuple[str, str]] = [(f"评分规则（评分口径：{profile.name}）", "heading")]
    weights = [f"部门整体（附件2）：{_weights_text(profile.weights)}。"] if Form.UNIT in forms else []
    if Form.PROJECT in forms:
        weights.append(f"项目支出：{_weights_text(profile.project_weights)}。")
    lines += [
        ("一级指标分值：" + "".join(weights), ""),
        (
            "二级指标不单列分值；每个三级指标填写分值，同一一级指标下各三级指标分值之和应等于该一级指标的分值，"
            "单个三级指标的分值应大于 0 且不超过其一级指标的分值。分值合计不是 100 分时，工具只给出复核总分，等级写“等级待定”。",
            "",
        ),
        (
            f"等级：{grades}。得分保留 {profile.score_places} 位小数（{profile.rounding_name}）。",
            "",
        ),
        *([(f"定量指标按方向复核得分：{formula.group(1)}。", "")] if formula else []),
        (
            "指标方向（正向：越高越好；反向：越低越好；定值：达到即可）：“指标方向”栏填写的优先；空白时先看指标值的"
            f"比较符——{_comparators('>=')} 为正向，{_comparators('<=')} 为反向，“=”为定值；没有比较符时看三级指标名称："
            f"含“{'、'.join(profile.ceiling_words)}”的为反向"
            + (
                f"，含“{'、'.join(profile.full_rate_ceiling_words)}”且指标值为 100% 的为反向"
                if profile.full_rate_ceiling_words
                else ""
            )
            + (f"，但含“{'、'.join(profile.floor_words)}”的仍为正向" if profile.floor_words else "")
            + "；其余按正向。推断出的方向在“校验结果”中说明。",
            "",
        ),
        (
            "定性指标按完成等次自评，得分应在该等次的区间内（占分值的比例）："
            + "；".join(
                f"“{band}”{float(lo) * 100:g}%～{float(hi) * 100:g}%"
                for band, (lo, hi) in profile.bands.items()
            )
            + "。",
            "",
        ),
        ("工具计算的单元格（浅蓝色，请勿填写或覆盖，每次校验都会重算）：", "heading"),
    ]
    by_sheet: dict[str, list[str]] = {}
    for sheet, header, cells in computed_cells(forms, profile):
        by_sheet.setdefault(sheet, []).append(f"{form_text(header, profile)}（{_cells_text(cells)}）")
    lines += [(f"{sheet}：{'；'.join(items)}。", "") for sheet, items in by_sheet.items()]
    lines.append(("校验后生成的工作表（结果另存为新文件，原文件不变）：", "heading"))
    lines += [(f"“{name}”：{RESULT_SHEET_TEXTS[name]}。", "") for name in cat.OUTPUT_SHEETS]
    return tuple(lines)


def form_text(text: str, profile: Profile) -> str:
    """A template text in the profile's wording and amount unit."""
    text = profile.label(text)
    return text.replace("万元", "元") if profile.amount_unit == "元" else text


def _style_input(c, ftype: FieldType, computed: bool) -> None:
    c.fill = COMPUTED_FILL if computed else INPUT_FILL
    c.border = BORDER
    c.font = Font(name=FONT, size=10, italic=computed, color="1F4E79" if computed else "000000")
    if ftype in NUMBER_FORMATS:
        c.number_format = NUMBER_FORMATS[ftype]
        c.alignment = Alignment(horizontal="right", vertical="center")
    else:
        c.alignment = Alignment(wrap_text=True, vertical="top")
    if not computed:
        c.protection = Protection(locked=False)


# Header cells are measured in digits of the template's default font (Calibri 11: 7 px, narrower than
# the export's Arial) so that a header judged to fit does fit.
HEADER_DIGIT_PX = 7.0
HEADER_SIZE = 10.0


def header_capacity(width: float) -> float:
    """Ems of a bold 10 pt header that fit on one line of a column `width` units wide."""
    return (width * HEADER_DIGIT_PX - 6) / (HEADER_SIZE * 96 / 72)


def header_width(text: str) -> float:
    """The column width that shows a header on one line (the inverse of header_capacity), rounded up."""
    return float(-(-(text_width(text) * HEADER_SIZE * 96 / 72 + 6) // HEADER_DIGIT_PX))


def break_header(text: str, width: float) -> str:
    """A header too long for its column, broken where a reader expects it: before "（" or after "：" or
    "·", so no line holds a lone "）". Text that fits, or has no such place, is left to wrap."""
    capacity = header_capacity(width)
    if "\n" in text or text_width(text) <= capacity:
        return text
    cuts = [i for i, ch in enumerate(text) if ch == "（" and i > 0]
    cuts += [i + 1 for i, ch in enumerate(text) if ch in "：·" and i + 1 < len(text)]
    if not cuts:
        return text
    fitting = [i for i in cuts if text_width(text[:i]) <= capacity]
    # The longest first line that fits (the second is then the shortest); else the first place there is.
    cut = max(fitting) if fitting else min(cuts)
    return text[:cut] + "\n" + text[cut:]


def header_lines(text: str, width: float) -> int:
    """Lines a header takes in its column (each of its lines wrapped at the capacity)."""
    capacity = header_capacity(width)
    return sum(
        max(1, -(-int(text_width(line) * 100) // max(int(capacity * 100), 1))) for line in text.split("\n")
    )


def _header(c, text: str, width: float | None = None) -> None:
    c.value = break_header(text, width) if width else text
    c.fill = HEADER_FILL
    c.border = BORDER
    c.font = Font(name=FONT, size=10, bold=True)
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _width(ws: Worksheet, col: int) -> float:
    return ws.column_dimensions[get_column_letter(col)].width or 13


HEADER_LINE_PT = 13.5  # a line of 10 pt text
MIN_HEADER_PT = 20.0


def _fit_header_row(ws: Worksheet, row: int, ncols: int, first_col: int = 1) -> None:
    """The header row as tall as its longest header needs (fixed: no renderer fits it on opening)."""
    lines = max(
        (
            header_lines(str(ws.cell(row, c).value), _width(ws, c))
            for c in range(first_col, first_col + ncols)
            if ws.cell(row, c).value
        ),
        default=1,
    )
    ws.row_dimensions[row].height = max(MIN_HEADER_PT, lines * HEADER_LINE_PT + 4)


def _title(ws: Worksheet, text: str, ncols: int) -> None:
    ws.cell(cat.TITLE_ROW, 1, text).font = Font(name=FONT, size=14, bold=True)
    ws.cell(cat.TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    if ncols > 1:
        ws.merge_cells(start_row=cat.TITLE_ROW, start_column=1, end_row=cat.TITLE_ROW, end_column=ncols)
    ws.row_dimensions[cat.TITLE_ROW].height = 28


def _page_setup(ws: Worksheet, landscape: bool, title_rows: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def _validation(ws: Worksheet, choices: tuple[str, ...], ref: str, title: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    dv.error = f"请从下拉列表中选择{title}"
    dv.errorTitle = "输入无效"
    dv.prompt = f"请选择{title}"
    dv.showErrorMessage = True
    dv.add(ref)
    ws.add_data_validation(dv)


def _add_name(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{ref}")


def _build_blocks(
    wb: Workbook, ws: Worksheet, spec: cat.SheetSpec, forms: frozenset[Form], profile: Profile
) -> None:
    fields = cat.fields()
    for pb in cat.blocks_of(spec, forms):
        if pb.title_row:
            c = ws.cell(pb.title_row, 1, pb.block.title)
            c.font = Font(name=FONT, size=10, bold=True)
            c.fill = BAND_FILL
        header = pb.block.header
        for i, text in enumerate(header):
            if text:
                _header(ws.cell(pb.header_row, i + 1), form_text(text, profile), _width(ws, i + 1))
        _fit_header_row(ws, pb.header_row, len(header))
        for pr in pb.rows:
            # Every cell under a titled column is boxed: one the form leaves empty is shaded, not a gap.
            for i, text in enumerate(header[1:], start=2):
                if text and (i - 2 >= len(pr.spec.cells) or pr.spec.cells[i - 2] is None):
                    blank = ws.cell(pr.row, i)
                    blank.border = BORDER
                    blank.fill = BAND_FILL
            label = ws.cell(pr.row, 1, pr.spec.label)
            label.border = BORDER
            label.font = Font(name=FONT, size=10, bold=pr.spec.style == "total")
            label.alignment = Alignment(
                wrap_text=True, vertical="center", indent=1 if not pr.spec.style else 0
            )
            if pb.block.tall:
                ws.row_dimensions[pr.row].height = 60
            for i, cell in enumerate(pr.spec.cells):
                if cell is None:
                    continue
                f = fields[cell.name]
                target = ws[f.cell]
                _style_input(target, f.type, f.computed)
                _add_name(wb, f.name, spec.name, "$" + f.cell.rstrip("0123456789") + "$" + str(pr.row))
                if f.choices:
                    _validation(ws, f.choices, f.cell, f.label)
                if spec is cat.INFO or (pb.block.tall and i == 0 and len(pb.block.header) == 2):
                    # one wide text cell: span visually without merging (the data cell stays one cell)
                    target.alignment = Alignment(wrap_text=True, vertical="top")


def _build_table(
    wb: Workbook, ws: Worksheet, spec: cat.TableSpec, options: frozenset[str], profile: Profile
) -> None:
    place = cat.table_placement(spec, options)
    columns = spec.laid_out(options)
    hr = place.header_row
    first_data, last_data = hr + 1, hr + spec.blank_rows
    for i, col in enumerate(columns):
        ci = place.first_col + i
        letter = get_column_letter(ci)
        # A table's header is read back by its text, so it cannot be broken by hand: a bracketed one
        # ("完成率（复核）") gets a column wide enough for one line, or it wraps to a lone "）".
        need = header_width(col.header) if "（" in col.header else 0
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, col.width, need)
        _header(ws.cell(hr, ci), col.header)
        for r in range(first_data, last_data + 1):
            _style_input(ws.cell(r, ci), col.type, col.computed)
        if col.choices:
            _validation(
                ws, col.choices, f"{letter}{first_data}:{letter}{last_data + TABLE_GROWTH_ROWS}", col.header
            )
    last_letter = get_column_letter(place.first_col + len(columns) - 1)
    table = Table(displayName=spec.name, ref=f"{spec.anchor}:{last_letter}{last_data}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    ws.add_table(table)
    # Group titles over the header (the form's 项目资金 rows as column groups); the label goes above them.
    _fit_header_row(ws, hr, len(columns), place.first_col)
    ci = place.first_col
    for title, span in spec.band:
        _header(ws.cell(hr - 1, ci), form_text(title, profile))
        ws.cell(hr - 1, ci + span - 1).border = BORDER  # a merged cell's right edge is drawn by its last cell
        if span > 1:
            ws.merge_cells(start_row=hr - 1, start_column=ci, end_row=hr - 1, end_column=ci + span - 1)
        ci += span
    label_row = hr - 2 if spec.band else hr - 1
    label = ws.cell(label_row, place.first_col, f"{spec.label}（可在表格末行下方直接续填，表格会自动扩展）")
    label.font = Font(name=FONT, size=10, bold=True)


GUIDE_WIDTH = 110  # column A of 填报说明: one A4 portrait page wide at fit-to-width


def _guide_row(ws: Worksheet, row: int, text: str, kind: str) -> None:
    from perfeval.export.workbook import estimate_row_height

    size = {"title": 14, "heading": 12}.get(kind, 11)
    c = ws.cell(row, 1, text)
    c.font = Font(name=FONT, size=size, bold=bool(kind))
    c.alignment = Alignment(wrap_text=True, vertical="center")
    # Excel and LibreOffice do not fit a wrapped row when the file opens: the height is set.
    ws.row_dimensions[row].height = estimate_row_height(text, GUIDE_WIDTH * 0.95, size)


def _build_guide(wb: Workbook, forms: frozenset[Form], profile: Profile) -> None:
    ws = wb.active
    ws.title = cat.SHEET_GUIDE
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    ws.column_dimensions["B"].width = 8
    for i, (text, kind) in enumerate(guide_lines(forms, profile), start=1):
        _guide_row(ws, i, text, kind)
    for i, (text, kind) in enumerate(rules_lines(forms, profile), start=GUIDE_RULES_ROW):
        _guide_row(ws, i, text, kind)
    # The version is a named cell, not a constant name: xlwings' remote clients send only names that refer
    # to ranges, and the Excel adapter must recognise the template too. A fixed row, whatever the kind.
    row = GUIDE_VERSION_ROW
    grey = Font(name=FONT, size=9, color="808080")
    ws.cell(row, 1, "模板版本（供校验工具识别，请勿修改）").font = grey
    ws.cell(row, 1).alignment = Alignment(horizontal="right")
    version = ws.cell(row, 2, cat.TEMPLATE_VERSION)
    version.font = grey
    version.number_format = "@"
    _add_name(wb, cat.VERSION_NAME, cat.SHEET_GUIDE, f"$B${row}")
    _page_setup(ws, False, None)


def build_template(profile: Profile | None = None, forms: frozenset[Form] | None = None) -> Workbook:
    """The template for a profile's forms (default: the default profile, 部门整体 and 项目)."""
    cat.validate_layout()
    profile = profile or default_profile()
    forms = forms or profile.forms
    wb = Workbook()
    _build_guide(wb, forms, profile)
    for spec in cat.sheets_of(forms):
        ws = wb.create_sheet(spec.name)
        tables = [
            (t, profile.columns if t.form is Form.UNIT else frozenset())
            for t in spec.tables
            if t.form in forms
        ]
        blocks = cat.blocks_of(spec, forms)
        ncols = max(
            [len(pb.block.header) for pb in blocks]
            + [cat.table_placement(t, o).first_col + len(t.laid_out(o)) - 1 for t, o in tables]
        )
        _title(ws, form_text(spec.title, profile), ncols)
        for i, w in enumerate(spec.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        _build_blocks(wb, ws, spec, forms, profile)
        for t, options in tables:
            _build_table(wb, ws, t, options, profile)
        freeze = None
        if tables and not blocks:
            freeze = f"B{cat.table_placement(tables[0][0]).header_row + 1}"
        elif spec is cat.INFO:
            freeze = "B3"
        if freeze:
            ws.freeze_panes = freeze
        titles = None
        if tables:
            t, options = tables[0]
            hr = cat.table_placement(t, options).header_row
            top = hr - 2 if t.band else hr - 1  # from its label (and group titles) to its header
            titles = f"{top if blocks else hr - (1 if t.band else 0)}:{hr}"
            if blocks and spec is cat.UNIT:
                # The indicator table starts a page, so the repeated header rows are its own.
                ws.row_breaks.append(Break(id=top - 1))
        _page_setup(ws, spec.landscape, titles)
    # The form the workbook holds, filled in so the checker reads it as made.
    info = wb[cat.SHEET_INFO]
    for name, value in (
        ("info_kind", cat.kind_text(forms)),
        ("info_profile", profile.name),
        ("info_amount_unit", profile.amount_unit),
    ):
        info[cat.field(name).cell] = value
    wb.properties.creator = "perfeval"
    wb.properties.title = (
        "、".join(cat.FORM_NAMES[f] for f in (Form.UNIT, Form.PROJECT) if f in forms) + "模板"
    )
    return wb


def write_template(path: Path, profile: Profile | None = None, forms: frozenset[Form] | None = None) -> Path:
    wb = build_template(profile, forms)
    wb.save(path)
    return path


def bundled_template() -> Path:
    """The committed template at the repository root, or a freshly built one when installed as a wheel."""
    here = Path(__file__).resolve().parent
    candidate = here.parent / "workbook_template.xlsx"
    if candidate.exists():
        return candidate
    packaged = here / "data" / "workbook_template.xlsx"
    if packaged.exists():
        return packaged
    raise FileNotFoundError("workbook_template.xlsx")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "workbook_template.xlsx"
    write_template(out)
    print(f"已生成 {out}")
