"""The two strings the add-in's VBA helper (macros/PerfevalMarks.bas, ApplyMarks) reads.

xlwings' desktop clients have no action for notes, column widths or wrapping, and a fill per cell would
cost one Excel call per finding. So the marks and the output sheets' look travel as two strings in one
macro call; Excel loops over them in-process. Records are separated by RS (chr 30), fields by US (chr 31),
characters that never occur in cell text the tool writes (they are removed from notes to be sure).
"""

from __future__ import annotations

from perfeval.core.plan import NOTE_MARK, SEVERITY_FILLS, SheetPlan, WritePlan

RS, US = "\x1e", "\x1f"
FONT, FONT_SIZE = "宋体", 10


def _clean(text: str) -> str:
    return text.replace(RS, " ").replace(US, " ").replace(NOTE_MARK, "")


def marks_spec(plan: WritePlan) -> str:
    """sheet US address US fill(RRGGBB) US note, one record per marked cell."""
    return RS.join(
        US.join((m.ref.sheet, m.ref.address, SEVERITY_FILLS[m.severity], _clean(m.note))) for m in plan.marks
    )


def layout_record(sp: SheetPlan, link_col: int = 0) -> str:
    """sheet | widths | hidden columns | wrap from row | bold rows | font | size | link column | header row
    | orientation (portrait/landscape)."""
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
    )
    return US.join(fields)


def layout_spec(plan: WritePlan) -> str:
    records = []
    for sp in plan.sheets:
        link_cols = {c for (_, c) in sp.links}
        records.append(layout_record(sp, min(link_cols) if link_cols else 0))
    return RS.join(records)


def parse_spec(spec: str) -> list[list[str]]:
    """The inverse, for tests and for reading a spec back: records of fields."""
    return [record.split(US) for record in spec.split(RS)] if spec else []
