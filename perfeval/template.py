"""Build `workbook_template.xlsx` from the field catalogue (the template is code, never edited by hand)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType, Form, get_column_letter
from perfeval.core.profile import Profile, default_profile

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
        ("生成“校验结果”表（可点击跳转到单元格）、“评分汇总”表和“审核公式”表（列出全部校验规则）。", ""),
        (
            "严重程度：错误（必须修改后才能报送）、警告（请修改，或在“校验结果”表的“审核说明”列写明理由）、提示（供参考）。",
            "",
        ),
        ("重复校验不会改动您填写的内容，只更新工具自己写入的复核值、颜色、批注和结果表。", ""),
    )


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


def _header(c, text: str) -> None:
    c.value = text
    c.fill = HEADER_FILL
    c.border = BORDER
    c.font = Font(name=FONT, size=10, bold=True)
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


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
        for i, text in enumerate(pb.block.header):
            if text:
                _header(ws.cell(pb.header_row, i + 1), form_text(text, profile))
        for pr in pb.rows:
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
        _header(ws.cell(hr, ci), col.header)
        letter = get_column_letter(ci)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, col.width)
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
    # Their headers ("当年财政拨款·全年预算") take two lines.
    if spec.band:
        ws.row_dimensions[hr].height = 30
    ci = place.first_col
    for title, span in spec.band:
        _header(ws.cell(hr - 1, ci), form_text(title, profile))
        if span > 1:
            ws.merge_cells(start_row=hr - 1, start_column=ci, end_row=hr - 1, end_column=ci + span - 1)
        ci += span
    label_row = hr - 2 if spec.band else hr - 1
    label = ws.cell(label_row, place.first_col, f"{spec.label}（可在表格末行下方直接续填，表格会自动扩展）")
    label.font = Font(name=FONT, size=10, bold=True)


def _build_guide(wb: Workbook, forms: frozenset[Form], profile: Profile) -> None:
    ws = wb.active
    ws.title = cat.SHEET_GUIDE
    ws.column_dimensions["A"].width = 120
    for i, (text, kind) in enumerate(guide_lines(forms, profile), start=1):
        c = ws.cell(i, 1, text)
        c.font = Font(name=FONT, size=14 if kind else 11, bold=bool(kind))
        c.alignment = Alignment(wrap_text=True, vertical="center")
    # The version is a named cell, not a constant name: xlwings' remote clients send only names that refer
    # to ranges, and the Excel adapter must recognise the template too. A fixed row, whatever the kind.
    row = 20
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
        header = cat.table_placement(tables[0][0]).header_row if tables and not blocks else None
        _page_setup(ws, spec.landscape, f"{header}:{header}" if header else None)
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
