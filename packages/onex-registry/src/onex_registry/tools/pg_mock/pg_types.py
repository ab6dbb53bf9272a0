"""Types as PostgreSQL's analyser gives them to values and expressions, as far as the mock models
them, and the Python values asyncpg returns for each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pglast import ast

from onex_registry.errors import NotSupportedByMockError
from onex_registry.sql_errors import DataTypeMismatch, UndefinedFunction
from onex_registry.tools.pg_mock.ddl import TOOL
from onex_registry.tools.pg_mock.pg_functions import INT_NAMES, decimal_of, pg_cast
from onex_registry.tools.pg_mock.types import Column

INT_BITS = {"int2": 16, "smallint": 16, "int4": 32, "integer": 32, "int": 32, "int8": 64,
             "bigint": 64, "serial": 32, "serial4": 32, "bigserial": 64, "serial8": 64,
             "smallserial": 16}  # fmt: skip
TEXT_TYPES = {"text", "varchar", "bpchar", "char", "character", "name"}


@dataclass(frozen=True)
class PgType:
    """A value's type as PostgreSQL's analyser sees it. `literal`: a quoted literal of no type
    yet ('1'), which PostgreSQL coerces to what it meets; `unknown`: nothing the mock can tell
    (an unmodelled function, a parameter it cannot place)."""

    family: str  # int, numeric, text, bool, null, unknown, or another family of types.py
    bits: int = 0  # int: 16, 32 or 64
    scale: int | None = None  # numeric: digits after the point, when known
    length: int | None = None  # text: VARCHAR(n)
    literal: bool = False

    @property
    def name(self) -> str:
        if self.family == "int":
            return INT_NAMES[self.bits]
        if self.literal:
            return "unknown"
        return {"numeric": "numeric", "text": "text", "bool": "boolean"}.get(
            self.family, self.family
        )


UNKNOWN = PgType("unknown")
NULL = PgType("null")
BOOL = PgType("bool")
TEXT = PgType("text")
INT4 = PgType("int", bits=32)
INT8 = PgType("int", bits=64)


def type_of_column(column: Column) -> PgType:
    if column.family in ("int", "serial"):
        return PgType("int", bits=INT_BITS.get(column.pg_type, 32))
    if column.family == "numeric":
        return PgType("numeric", scale=column.scale)
    if column.family == "text":
        return PgType("text", length=column.length)
    return PgType(column.family)


def aggregate_type(name: str, kinds: list[PgType]) -> PgType:
    arg = kinds[0] if kinds else UNKNOWN
    if name == "count":
        return INT8
    if name == "sum" and arg.family == "int":
        return INT8 if arg.bits < 64 else PgType("numeric", scale=0)
    if name in ("sum", "min", "max"):
        return arg
    return UNKNOWN  # avg: a NUMERIC of select_div_scale, typed by the store's own path


def const_int(node: Any) -> int | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return int(node.val.ival or 0)
    return None


def type_name_of(type_name: Any) -> str:
    return ".".join(str(n.sval) for n in type_name.names if str(n.sval) != "pg_catalog")


def cast_target(type_name: Any) -> PgType | None:
    name = str(type_name.names[-1].sval).lower()
    mods = [const_int(m) for m in type_name.typmods or ()]
    if name in INT_BITS and not name.endswith("serial"):
        return PgType("int", bits=INT_BITS[name])
    if name in ("numeric", "decimal"):
        scale = (mods[1] if len(mods) > 1 else 0) if mods else None
        return PgType("numeric", scale=scale, length=mods[0] if mods else None)
    if name in TEXT_TYPES:
        length = mods[0] if mods and name != "text" else None
        return PgType("text", length=length if name != "bpchar" or mods else 1)
    if name in ("bool", "boolean"):
        return BOOL
    return None


def column_for(target: PgType, number: int) -> Column:
    pg_type = {"int": INT_NAMES.get(target.bits, "integer"), "numeric": "numeric",
               "text": "text", "bool": "boolean"}[target.family]  # fmt: skip
    family = target.family
    return Column(f"${number}", pg_type, family, length=target.length, scale=target.scale)


def load_result(value: Any, kind: PgType) -> Any:
    """A computed result column as asyncpg returns its PostgreSQL type."""
    if value is None:
        return None
    if kind.family == "bool":
        return bool(value)
    if kind.family == "int":
        return int(value)
    if kind.family == "numeric":
        number = decimal_of(value)
        if kind.scale is not None:
            number = number.quantize(Decimal(1).scaleb(-kind.scale), rounding=ROUND_HALF_UP)
        return number
    if kind.family == "text":
        return str(value)
    return value


def common_type(what: str, kinds: list[PgType]) -> PgType:
    """The type PostgreSQL resolves a COALESCE, CASE or NULLIF to."""
    known = [k for k in kinds if k.family not in ("null",)]
    if not known:
        return TEXT
    if any(k.family == "unknown" for k in known):
        return UNKNOWN
    typed = [k for k in known if not k.literal] or [TEXT]
    families = {k.family for k in typed}
    if families <= {"int"}:
        return PgType("int", bits=max(k.bits for k in typed))
    if families <= {"int", "numeric"}:
        scales = {0 if k.family == "int" else k.scale for k in typed}
        if len(scales) > 1:
            raise NotSupportedByMockError(TOOL, f"{what} over NUMERIC values of different scales")
        return PgType("numeric", scale=scales.pop())
    if len(families) == 1:
        return typed[0] if families != {"text"} else TEXT
    names = " and ".join(k.name for k in typed[:2])
    raise DataTypeMismatch(f"{what} types {names} cannot be matched")


def require_families(name: str, kinds: list[PgType], families: tuple[str, ...]) -> None:
    for kind in kinds:
        if kind.family not in families and not kind.literal:
            raise (
                undefined_operator(name, *kinds[:1])
                if len(kinds) == 1
                else UndefinedFunction(
                    f"function {name}({', '.join(k.name for k in kinds)}) does not exist"
                )
            )


def undefined_operator(operator: str, *types: PgType) -> UndefinedFunction:
    shown = f" {operator} ".join(t.name for t in types) if len(types) == 2 else types[0].name
    return UndefinedFunction(f"operator does not exist: {shown}" if len(types) == 2
                             else f"function {operator}({shown}) does not exist")  # fmt: skip


def cast_now(literal: Any, target: PgType) -> None:
    """A quoted literal (or NULL) is converted while the statement is parsed, in every branch
    of it, reached or not: PostgreSQL's error for `CAST('' AS integer)` comes before any row."""
    if not isinstance(literal, ast.A_Const):
        return
    constant: Any = literal.val
    value = None if literal.isnull else str(constant.sval)
    pg_cast(value, "text", target.family, target.bits,
            -1 if target.scale is None else target.scale,
            -1 if target.length is None else target.length, -1)  # fmt: skip
