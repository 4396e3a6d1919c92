"""The strings the add-in's VBA helper (macros/PerfevalMarks.bas) reads.

xlwings' desktop clients have no action for notes, column widths, wrapping or hidden names, and a fill per
cell would cost one Excel call per finding. So the marks and the output sheets' look travel as strings in
one macro call (ApplyMarks) and the undoing of the last run in another (UndoMarks); Excel loops over them
in-process. Records are separated by RS (chr 30), fields by US (chr 31), characters that never occur in
cell text the tool writes (they are removed from notes to be sure).

A fill travels as the OOXML <fill> element (SpreadsheetML, namespace left out), the format of the state
sheet's original_fill column (core/plan.STATE_HEADER), so the VBA has one parser for both.
"""

from __future__ import annotations

from perfeval import catalogue as cat
from perfeval.core.plan import NOTE_MARK, SEVERITY_FILLS, SheetPlan, WritePlan

RS, US = "\x1e", "\x1f"
FONT, FONT_SIZE = "宋体", 10


def _clean(text: str) -> str:
    return text.replace(RS, " ").replace(US, " ").replace(NOTE_MARK, "")


def solid_fill(rgb: str) -> str:
    """RRGGBB -> the <fill> Excel writes for a solid fill of that colour."""
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb.upper()}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
    )


def marks_spec(plan: WritePlan) -> str:
    """sheet US address US fill (<fill> XML) US note, one record per marked cell."""
    return RS.join(
        US.join((m.ref.sheet, m.ref.address, solid_fill(SEVERITY_FILLS[m.severity]), _clean(m.note)))
        for m in plan.marks
    )


def layout_record(sp: SheetPlan, link_col: int = 0) -> str:
    """sheet | widths | hidden columns | wrap from row | bold rows | font | size | link column | header row
    | orientation (portrait/landscape) | mark (the hidden sheet-scoped name that makes it the tool's)."""
    bold_rows = sorted(
        {*range(1, sp.header_row + 1), *(r for r, kind in sp.styles.items() if kind != "attachment")}
    )
    wrap_from = (2 if sp.header_row else 1) if sp.wrap else 0  # a table's title row overflows instead
    fields = (
        sp.name,
        ",".join(f"{w:g}" for w in sp.widths),
        ",".join(str(c) for c in sp.hidden_cols),
        str(wrap_from),
        ",".join(str(r) for r in bold_rows),
        FONT,
        str(FONT_SIZE + 1 if sp.styles else FONT_SIZE),
        str(link_col),
        str(sp.header_row),
        "portrait" if sp.portrait else "landscape",
        sp.mark,
    )
    return US.join(fields)


def layout_spec(plan: WritePlan) -> str:
    records = []
    for sp in plan.sheets:
        link_cols = {c for (_, c) in sp.links}
        records.append(layout_record(sp, min(link_cols) if link_cols else 0))
    return RS.join(records)


def apply_args(plan: WritePlan) -> tuple[str, str, str, str]:
    """ApplyMarks(marks, layout, state sheet name, state sheet mark)."""
    return marks_spec(plan), layout_spec(plan), plan.state_sheet, cat.OWN_SHEET_MARKS[cat.SHEET_STATE]


def mark_fills() -> str:
    """The fills a mark can have (US): a marked cell whose fill is no longer one of them was refilled by the
    user since, and keeps the user's fill (as the file adapter does)."""
    return US.join(solid_fill(color) for color in SEVERITY_FILLS.values())


def undo_args(plan: WritePlan) -> tuple[str, str, str, str]:
    """UndoMarks(last run's state sheet or "", sheets that become the user's (RS), every mark name (US),
    the marks' fills (US)). Each sheet in the second argument loses whichever of the tool's marks it carries."""
    return (
        plan.state_sheet_found or "",
        RS.join(plan.renames),
        US.join(cat.OWN_SHEET_MARKS.values()),
        mark_fills(),
    )


def parse_spec(spec: str) -> list[list[str]]:
    """The inverse, for tests and for reading a spec back: records of fields."""
    return [record.split(US) for record in spec.split(RS)] if spec else []
