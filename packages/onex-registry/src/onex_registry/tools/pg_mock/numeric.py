"""PostgreSQL's NUMERIC division, for `avg`: sqlite's avg is a float, PostgreSQL's a NUMERIC
whose scale follows select_div_scale (at least 16 significant digits), so -1/3 comes back as
-0.33333333333333333333 and 3/2 as 1.5000000000000000."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from onex_registry.tools.pg_mock.pg_functions import decimal_of

_MIN_SIG_DIGITS = 16  # NUMERIC_MIN_SIG_DIGITS
_DEC_DIGITS = 4  # a NUMERIC digit is base 10000


def _weight_and_first(value: Decimal) -> tuple[int, int]:
    if value == 0:
        return 0, 0
    weight = abs(value).adjusted() // _DEC_DIGITS
    return weight, int(abs(value).scaleb(-_DEC_DIGITS * weight))


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def divide(dividend: Decimal, divisor: Decimal) -> Decimal:
    weight1, first1 = _weight_and_first(dividend)
    weight2, first2 = _weight_and_first(divisor)
    quotient_weight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    scale = _MIN_SIG_DIGITS - quotient_weight * _DEC_DIGITS
    scale = min(max(scale, _scale(dividend), _scale(divisor), 0), 1000)
    with localcontext() as context:
        context.prec = 1100
        return (dividend / divisor).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


class Average:
    """sqlite aggregate `avg` with PostgreSQL's result: a NUMERIC (as text, read as Decimal)."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.count = 0

    def step(self, value: object) -> None:
        if value is None:
            return
        self.total += decimal_of(value)
        self.count += 1

    def finalize(self) -> str | None:
        return None if self.count == 0 else str(divide(self.total, Decimal(self.count)))
