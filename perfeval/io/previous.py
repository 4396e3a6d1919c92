"""An earlier result workbook: is a file one of ours, and which 审核说明 did the user type into it.

`perfeval check` keeps the previous result under a numbered name before writing the new one, and
carries the explanations typed on its 校验结果 sheet forward. Both questions are asked of files we did not
just write (a user's file at the -o path, an old result), so they are answered from the file's values
alone, by the header of the findings sheet, and never raise: a file that cannot be read is not a result
and has no explanations.
"""

from __future__ import annotations

from pathlib import Path

import python_calamine as calamine

from perfeval import catalogue as cat
from perfeval.core.plan import FINDINGS_HEADER
from perfeval.io.safety import InputFileError, check_input_file

__all__ = ["is_result_workbook", "previous_explanations"]

_HEADER_ROWS = 5  # the header is row 2 as written; a user may have inserted a row or two above it
_RULE, _EXPLANATION, _FINGERPRINT = "规则编号", "审核说明", "指纹"
assert {_RULE, _EXPLANATION, _FINGERPRINT} <= set(FINDINGS_HEADER)


def _book(path: Path) -> calamine.CalamineWorkbook | None:
    try:
        check_input_file(path)  # bounded reading: no zip bombs, no .xls, no encrypted files
        return calamine.CalamineWorkbook.from_path(str(path))
    except (InputFileError, OSError, ValueError):
        return None
    except Exception:  # calamine raises its own error types; any of them means unreadable
        return None


def _findings_rows(book: calamine.CalamineWorkbook) -> tuple[int, int, list[list[object]]] | None:
    """(explanation column, fingerprint column, rows below the header) of the tool's findings sheet."""
    names = list(book.sheet_names)
    # Ours is called 校验结果 (or 校验结果(2) beside a user's sheet of that name); it may have been renamed.
    names.sort(key=lambda n: not n.startswith(cat.SHEET_FINDINGS))
    for name in names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:
            continue
        for i, row in enumerate(rows[:_HEADER_ROWS]):
            header = [str(v).strip() if v is not None else "" for v in row]
            if _RULE in header and _EXPLANATION in header and _FINGERPRINT in header:
                return header.index(_EXPLANATION), header.index(_FINGERPRINT), rows[i + 1 :]
    return None


def is_result_workbook(path: Path) -> bool:
    """True when `path` is a workbook this tool wrote (it has the 校验结果 sheet or the hidden state sheet)."""
    book = _book(Path(path))
    if book is None:
        return False
    try:
        if any(str(n).startswith(cat.SHEET_STATE) for n in book.sheet_names):
            return True
        return _findings_rows(book) is not None
    except Exception:
        return False
    finally:
        book.close()


def previous_explanations(path: Path) -> dict[str, str]:
    """审核说明 typed on the 校验结果 sheet of the result at `path`, keyed by finding fingerprint ({} when
    the file is not a readable result)."""
    book = _book(Path(path))
    if book is None:
        return {}
    try:
        found = _findings_rows(book)
    except Exception:
        found = None
    finally:
        book.close()
    if found is None:
        return {}
    explanation_col, fingerprint_col, rows = found
    out: dict[str, str] = {}
    for row in rows:
        if len(row) <= max(explanation_col, fingerprint_col):
            continue
        fingerprint, note = row[fingerprint_col], row[explanation_col]
        if fingerprint and note is not None and str(note).strip():
            out[str(fingerprint).strip().lstrip("'")] = str(note).strip()
    return out
