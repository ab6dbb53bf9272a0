"""Expressions as PostgreSQL types and evaluates them, on top of sqlite's execution.

sqlite would answer many expressions PostgreSQL refuses or answers otherwise: `7 / 0` is NULL
(PostgreSQL: division by zero), integers are 64-bit everywhere (PostgreSQL: `integer out of
range` past 2^31), `CAST('abc' AS integer)` is 0 (PostgreSQL: invalid input syntax), `CAST(2.5 AS
integer)` truncates (PostgreSQL rounds), `LIKE` ignores case, `substr` counts a negative start
from the end, `1 = 'a'` is false and `upper(1)` works (PostgreSQL: errors), and a comparison comes
back as 0 or 1. Each statement is therefore typed once per catalog, as PostgreSQL's analyser
types it, and the nodes whose meaning differs are rewritten into calls of functions registered on
the sqlite connection (`pg_*` below) that follow PostgreSQL's rules. The rest stays sqlite's, so a
plain statement runs as fast as before.

Modelled: integer (int2/int4/int8) arithmetic with overflow checks, integer `/` and `%` with
division by zero, unary minus and abs, NUMERIC `+ - *` and round() with PostgreSQL's result
scale, casts between integer, NUMERIC(p, s), text, VARCHAR(n) and boolean, LIKE/ILIKE with the
backslash escape, substr, length, upper/lower, `||`, COALESCE, NULLIF, CASE, comparisons, IN,
BETWEEN, AND/OR/NOT and IS NULL, with PostgreSQL's refusals of mismatched types. Refused by name
(NotSupportedByMockError): NUMERIC division outside avg(), casts to types the mock does not model
and NUMERIC values of different scales meeting in one COALESCE or CASE.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pglast import ast
from pglast.enums import BoolExprType
from pglast.stream import RawStream

from onex_registry.errors import NotSupportedByMockError
from onex_registry.sql_errors import DataTypeMismatch
from onex_registry.tools.pg_mock.ddl import TOOL
from onex_registry.tools.pg_mock.folding import fold_statement
from onex_registry.tools.pg_mock.node_builders import (
    int_const,
    may_raise,
    pg_call,
    short_circuit,
    text_const,
)
from onex_registry.tools.pg_mock.operators import OperatorTyping
from onex_registry.tools.pg_mock.pg_types import (
    BOOL,
    INT4,
    INT8,
    NULL,
    TEXT,
    UNKNOWN,
    PgType,
    aggregate_type,
    cast_now,
    cast_target,
    column_for,
    common_type,
    const_int,
    require_families,
    type_name_of,
    type_of_column,
)
from onex_registry.tools.pg_mock.types import Column

_PLACEHOLDER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Rewritten:
    """A statement ready for sqlite: its SQL, the PostgreSQL type of each result column, and the
    type each explicitly cast parameter (`$1::integer`) is bound as."""

    sqlite_sql: str | None  # None: unchanged, run the statement's own text
    results: tuple[PgType, ...]
    cast_params: dict[int, Column]


Lookup = Callable[[str], Column | None]


def rewrite(node: Any, lookup: Lookup, param_columns: dict[int, Column]) -> Rewritten:
    """Type `node` (a pglast statement) and rewrite what sqlite would evaluate otherwise."""
    typer = _Typer(lookup, param_columns)
    tree = copy.deepcopy(node)
    typer.visit(tree)
    fold_statement(tree)
    results = tuple(typer.target_types(tree))
    if not typer.changed:
        return Rewritten(None, results, typer.cast_params)
    return Rewritten(_PLACEHOLDER.sub(r"?\1", RawStream()(tree)), results, typer.cast_params)


class _Typer(OperatorTyping):
    def __init__(self, lookup: Lookup, param_columns: dict[int, Column]) -> None:
        self._lookup = lookup
        self._params = param_columns
        self.changed = False
        self.cast_params: dict[int, Column] = {}
        self._types: dict[int, PgType] = {}  # id(node) → type, for the result columns

    # -- traversal ---------------------------------------------------------------------------

    def visit(self, node: Any) -> Any:
        """Rewrite the expressions under a statement node in place; returns the (new) node."""
        if isinstance(node, tuple | list):
            return type(node)(self.visit(item) for item in node)
        if not isinstance(node, ast.Node):
            return node
        if isinstance(node, ast.ResTarget) and node.val is not None:
            node.val, kind = self.expr(node.val)
            self._types[id(node)] = kind
            return node
        if self._is_expression(node):
            return self.expr(node)[0]
        for slot in getattr(node, "__slots__", ()):
            value = getattr(node, slot, None)
            if isinstance(value, ast.Node | tuple | list):
                setattr(node, slot, self.visit(value))
        return node

    def target_types(self, tree: Any) -> list[PgType]:
        targets = getattr(tree, "targetList", None)
        if targets is None and getattr(tree, "returningClause", None) is not None:
            targets = tree.returningClause.exprs
        return [self._types.get(id(t), UNKNOWN) for t in targets or ()]

    @staticmethod
    def _is_expression(node: Any) -> bool:
        return isinstance(node, ast.A_Const | ast.ColumnRef | ast.ParamRef | ast.TypeCast
                          | ast.A_Expr | ast.BoolExpr | ast.NullTest | ast.FuncCall
                          | ast.CoalesceExpr | ast.CaseExpr)  # fmt: skip

    def expr(self, node: Any) -> tuple[Any, PgType]:
        handler = getattr(self, f"_{type(node).__name__}", None)
        if handler is None:
            return self.visit_children(node), UNKNOWN
        result: tuple[Any, PgType] = handler(node)
        return result

    def visit_children(self, node: Any) -> Any:
        for slot in getattr(node, "__slots__", ()):
            value = getattr(node, slot, None)
            if isinstance(value, ast.Node | tuple | list):
                setattr(node, slot, self.visit(value))
        return node

    # -- leaves ------------------------------------------------------------------------------

    def _A_Const(self, node: Any) -> tuple[Any, PgType]:
        if node.isnull:
            return node, NULL
        value = node.val
        if isinstance(value, ast.Integer):
            return node, INT4
        if isinstance(value, ast.Float):
            text = str(value.fval)
            if re.fullmatch(r"-?\d+", text) and -(2**63) <= int(text) < 2**63:
                # A negative literal reaches the grammar as one number: -2147483648 is an int4.
                return node, INT4 if -(2**31) <= int(text) < 2**31 else INT8
            exponent = Decimal(text).as_tuple().exponent
            return node, PgType("numeric", scale=max(0, -exponent) if isinstance(exponent, int)
                                else None)  # fmt: skip
        if isinstance(value, ast.Boolean):
            return node, BOOL
        return node, PgType("text", literal=True)

    def _ColumnRef(self, node: Any) -> tuple[Any, PgType]:
        last = node.fields[-1] if node.fields else None
        column = self._lookup(str(last.sval)) if isinstance(last, ast.String) else None
        return node, (type_of_column(column) if column is not None else UNKNOWN)

    def _ParamRef(self, node: Any) -> tuple[Any, PgType]:
        column = self._params.get(node.number)
        return node, (type_of_column(column) if column is not None else UNKNOWN)

    # -- casts -------------------------------------------------------------------------------

    def _TypeCast(self, node: Any) -> tuple[Any, PgType]:
        target = cast_target(node.typeName)
        if isinstance(node.arg, ast.ParamRef):
            if target is None:
                return node, UNKNOWN  # `$1::jsonb`: the parameter passes through as before
            number = int(node.arg.number or 0)
            self.cast_params[number] = column_for(target, number)
            arg, source = node.arg, UNKNOWN
        else:
            arg, source = self.expr(node.arg)
        if target is None:
            raise NotSupportedByMockError(TOOL, f"a cast to {type_name_of(node.typeName)}")
        if source.literal or source.family == "null":
            cast_now(arg, target)
        self.changed = True
        result = pg_call(
            "pg_cast", arg, text_const(source.family), text_const(target.family),
            int_const(target.bits), int_const(-1 if target.scale is None else target.scale),
            int_const(-1 if target.length is None else target.length),
            int_const(-1 if source.scale is None else source.scale),
        )  # fmt: skip
        if target.family == "numeric" and target.scale is None:
            target = replace(target, scale=0 if source.family == "int" else source.scale)
        return result, target

    # -- boolean structure -------------------------------------------------------------------

    def _BoolExpr(self, node: Any) -> tuple[Any, PgType]:
        word = {BoolExprType.AND_EXPR: "AND", BoolExprType.OR_EXPR: "OR"}.get(node.boolop, "NOT")
        args = []
        for arg in node.args:
            value, kind = self.expr(arg)
            value, kind = self._coerce(value, kind, BOOL)
            if kind.family not in ("bool", "null", "unknown"):
                raise DataTypeMismatch(f"argument of {word} must be type boolean, not {kind.name}")
            args.append(value)
        node.args = tuple(args)
        if node.boolop != BoolExprType.NOT_EXPR and any(may_raise(arg) for arg in args):
            self.changed = True
            return short_circuit(node.boolop == BoolExprType.OR_EXPR, args), BOOL
        return node, BOOL

    def _NullTest(self, node: Any) -> tuple[Any, PgType]:
        node.arg = self.expr(node.arg)[0]
        return node, BOOL

    def _CoalesceExpr(self, node: Any) -> tuple[Any, PgType]:
        typed = [self.expr(arg) for arg in node.args]
        common = common_type("COALESCE", [kind for _, kind in typed])
        node.args = tuple(self._coerce(value, kind, common)[0] for value, kind in typed)
        return node, common

    def _CaseExpr(self, node: Any) -> tuple[Any, PgType]:
        if node.arg is not None:
            return self.visit_children(node), UNKNOWN  # CASE x WHEN v: not typed by the mock
        results: list[tuple[Any, PgType]] = []
        for when in node.args:
            condition, kind = self.expr(when.expr)
            condition, kind = self._coerce(condition, kind, BOOL)
            if kind.family not in ("bool", "null", "unknown"):
                raise DataTypeMismatch(
                    f"argument of CASE/WHEN must be type boolean, not {kind.name}"
                )
            when.expr = condition
            results.append(self.expr(when.result))
        if node.defresult is not None:
            results.append(self.expr(node.defresult))
        common = common_type("CASE", [kind for _, kind in results])
        coerced = [self._coerce(value, kind, common)[0] for value, kind in results]
        for when, value in zip(node.args, coerced, strict=False):
            when.result = value
        if node.defresult is not None:
            node.defresult = coerced[-1]
        return node, common

    # -- functions ---------------------------------------------------------------------------

    def _FuncCall(self, node: Any) -> tuple[Any, PgType]:
        name = str(node.funcname[-1].sval).lower()
        typed = [self.expr(arg) for arg in node.args or ()]
        node.args = tuple(value for value, _ in typed) if node.args else node.args
        kinds = [kind for _, kind in typed]
        if node.agg_star or name in ("count", "sum", "min", "max", "avg"):
            return node, aggregate_type(name, kinds)
        if name == "abs" and len(kinds) == 1:
            if kinds[0].family == "int":
                self.changed = True
                return pg_call("pg_int_abs", node.args[0], int_const(kinds[0].bits)), kinds[0]
            require_families(name, kinds, ("numeric", "null", "unknown"))
            return node, kinds[0]
        if name in ("length", "char_length") and len(kinds) == 1:
            require_families(name, kinds, ("text", "null", "unknown"))
            return node, INT4
        if name in ("upper", "lower") and len(kinds) == 1:
            require_families(name, kinds, ("text", "null", "unknown"))
            return node, TEXT
        if name in ("substr", "substring") and len(kinds) in (2, 3):
            require_families(name, kinds[:1], ("text", "null", "unknown"))
            require_families(name, kinds[1:], ("int", "null", "unknown"))
            self.changed = True
            args = list(node.args) + ([] if len(kinds) == 3 else [ast.A_Const(isnull=True)])
            return pg_call("pg_substr", *args), TEXT
        if name == "round" and len(kinds) in (1, 2) and kinds[0].family == "numeric":
            places = node.args[1] if len(kinds) == 2 else int_const(0)
            scale = const_int(places)
            self.changed = True
            return pg_call("pg_round", node.args[0], places), PgType("numeric", scale=scale)
        return node, UNKNOWN
