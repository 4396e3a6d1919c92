"""The committed template is exactly what the catalogue builds, and it carries what users need."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.template import bundled_template, write_template
from tests.workbook_content import content

ROOT = Path(__file__).resolve().parents[1]


def test_committed_template_has_not_drifted(tmp_path: Path) -> None:
    rebuilt = write_template(tmp_path / "rebuilt.xlsx")
    assert content(ROOT / "workbook_template.xlsx") == content(rebuilt), (
        "workbook_template.xlsx differs from the catalogue: run `python -m perfeval.template` and commit"
    )


def test_every_field_has_a_workbook_scope_name_at_its_cell() -> None:
    wb = load_workbook(bundled_template())
    for f in cat.fields().values():
        dn = wb.defined_names.get(f.name)
        assert dn is not None, f.name
        ((sheet, ref),) = list(dn.destinations)
        assert (sheet, ref.replace("$", "")) == (f.sheet, f.cell)


def test_no_two_fields_share_a_cell_and_tables_do_not_overlap_blocks() -> None:
    cat.validate_layout()
    places = [(f.sheet, f.cell) for f in cat.fields().values()]
    assert len(places) == len(set(places))


def test_tables_have_the_catalogue_columns() -> None:
    wb = load_workbook(bundled_template())
    for spec in cat.TABLES.values():
        ws = wb[spec.sheet]
        table = ws.tables[spec.name]
        headers = [c.value for c in ws[table.ref][0]]
        assert headers == [c.header for c in spec.laid_out()]


def test_dropdowns_cover_choice_fields_and_indicator_columns() -> None:
    wb = load_workbook(bundled_template())
    formulas = {dv.formula1 for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    assert '"产出指标,效益指标,满意度指标"' in formulas
    assert '"定量,定性"' in formulas
    assert '"正向,反向,定值"' in formulas


def test_data_areas_are_not_merged_and_print_setup_is_a4() -> None:
    wb = load_workbook(bundled_template())
    for ws in wb.worksheets:
        # The title, and the group titles over a table's header (项目资金 columns), span columns.
        bands = {
            cat.table_placement(t).header_row - 1
            for t in cat.TABLES.values()
            if t.sheet == ws.title and t.band
        }
        for rng in ws.merged_cells.ranges:
            assert rng.min_row == rng.max_row, f"{ws.title}!{rng} merges rows"
            assert rng.min_row in {cat.TITLE_ROW, *bands}, f"{ws.title}!{rng} merges a data area"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4


def test_input_and_computed_cells_look_different() -> None:
    wb = load_workbook(bundled_template())
    f_in, f_calc = cat.field("ua_spent"), cat.field("ua_execution_rate_calc")
    c_in, c_calc = wb[f_in.sheet][f_in.cell], wb[f_calc.sheet][f_calc.cell]
    assert c_in.fill.fgColor.rgb != c_calc.fill.fgColor.rgb
    assert c_calc.number_format == "0.00%"
    assert c_in.protection.locked is False and c_calc.protection.locked is True


def test_template_version_is_marked() -> None:
    wb = load_workbook(bundled_template())
    # A named cell (xlwings' remote clients only send names that refer to ranges), holding text.
    sheet, ref = next(iter(wb.defined_names[cat.VERSION_NAME].destinations))
    cell = wb[sheet][ref.replace("$", "")]
    assert sheet == cat.SHEET_GUIDE and cell.value == cat.TEMPLATE_VERSION and cell.number_format == "@"
