"""Rounding that cannot fail: Decimal.quantize raises InvalidOperation once the result needs more digits
than the context precision (28), i.e. for 1E+26 with two decimals. A workbook can hold such numbers (a
rate over a tiny base, an amount typed in the wrong unit), and one odd cell must not stop a check or a
report, so every rounding of a value that came from a workbook goes through `round_half_up`.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, getcontext

__all__ = ["round_half_up"]


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """`value` rounded half up to `places` decimals, exactly, for any finite Decimal however large."""
    if not value.is_finite():
        return value
    digits = max(getcontext().prec, value.adjusted() + places + 2)
    context = Context(prec=digits, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)
    return value.quantize(Decimal(1).scaleb(-places, context), context=context)
