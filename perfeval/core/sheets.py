"""Where the tool may write: the names of its own sheets this run, and the computed cells it still owns.

Both are decided here, from the snapshot alone, so the plan, the rules that tell the user about a clash
or a moved cell, and both adapters agree.
"""

from __future__ import annotations

from collections import Counter

from perfeval import catalogue as cat
from perfeval.catalogue import Field
from perfeval.core.snapshot import CellRef, Snapshot
from perfeval.narrative.sheet import edited, kept_name

MAX_SHEET_NAME = 31  # Excel's limit


def report_kept_as(snapshot: Snapshot) -> str | None:
    """The new name of the tool's 自评报告 when the user edited it (it then becomes theirs), else None."""
    return kept_name(snapshot.sheet_names) if edited(snapshot) else None


def output_names(snapshot: Snapshot) -> dict[str, str]:
    """Default name -> the name the tool writes that sheet under (its output sheets and its state sheet).

    The tool's own sheet keeps the name it has now (the user may have renamed it); otherwise the default
    name, unless a sheet of the user's holds it: then the first free "校验结果(2)", "(3)"…
    """
    own = dict(snapshot.own_sheets)
    taken = {n.casefold() for n in snapshot.sheet_names if n not in own.values()}
    kept = report_kept_as(snapshot)
    if kept is not None:  # the edited report becomes the user's under its new name; its old one is free
        own.pop(cat.SHEET_REPORT, None)
        taken.add(kept.casefold())
    names: dict[str, str] = {}
    for default in (*cat.OUTPUT_SHEETS, cat.SHEET_STATE):
        name = own.get(default)
        if name is None:
            name = default
            n = 2
            while name.casefold() in taken:
                name = f"{default}({n})"[:MAX_SHEET_NAME]
                n += 1
        taken.add(name.casefold())
        names[default] = name
    return names


def clashes(snapshot: Snapshot) -> dict[str, str]:
    """Default name -> the other name the tool's sheet takes because a sheet of the user's has that name."""
    users = {n.casefold() for n in snapshot.sheet_names if n not in snapshot.own_sheets.values()}
    return {
        default: name
        for default, name in output_names(snapshot).items()
        if name != default and default.casefold() in users and default != cat.SHEET_STATE
    }


def home_sheets(snapshot: Snapshot) -> dict[str, str]:
    """Template sheet name -> the workbook's sheet holding most of that sheet's names (it may be renamed)."""
    votes: dict[str, Counter[str]] = {}
    for f in cat.fields().values():
        ref = snapshot.cells.get(f.name)
        if ref is not None and ref.address == f.cell:
            counter = votes.get(f.sheet)
            if counter is None:  # not setdefault: that makes a Counter for every field
                counter = votes[f.sheet] = Counter()
            counter[ref.sheet] += 1
    return {sheet: counter.most_common(1)[0][0] for sheet, counter in votes.items()}


def moved_computed(snapshot: Snapshot) -> dict[str, CellRef]:
    """Computed fields whose defined name no longer points at the cell the template gave it.

    A cut-and-paste moves the name with the cell; writing there could overwrite what the user typed (the
    unit's name), so the tool does not write such a field and says so instead.
    """
    homes = home_sheets(snapshot)
    moved = {}
    for f in cat.computed_fields():
        ref = snapshot.cells.get(f.name)
        # A field read from an older name lives where that version put it.
        if ref is not None and f.name not in snapshot.migrated and not _at_home(f, ref, homes):
            moved[f.name] = ref
    return moved


def _at_home(f: Field, ref: CellRef, homes: dict[str, str]) -> bool:
    return ref.address == f.cell and ref.sheet == homes.get(f.sheet, f.sheet)
