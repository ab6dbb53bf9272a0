"""The operators of an expression as PostgreSQL types them (see `expressions`): comparisons,
`||`, integer and NUMERIC arithmetic, unary minus, LIKE/ILIKE, NULLIF, IN and BETWEEN, and the
coercion of an untyped literal to the type it meets. `expressions._Typer` is the rest of the
typing (leaves, casts, boolean structure, functions) and the traversal these methods call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind

from onex_registry.errors import NotSupportedByMockError
from onex_registry.tools.pg_mock.ddl import TOOL
from onex_registry.tools.pg_mock.node_builders import int_const, pg_call, text_const
from onex_registry.tools.pg_mock.pg_types import (
    BOOL,
    TEXT,
    UNKNOWN,
    PgType,
    cast_now,
    common_type,
    undefined_operator,
)

_COMPARISONS = {"=", "<>", "!=", "<", ">", "<=", ">="}
_LIKE_OPERATORS = {"~~": (False, False), "!~~": (False, True), "~~*": (True, False),
                   "!~~*": (True, True)}  # fmt: skip


class OperatorTyping(ABC):
    """The operator handlers of the expression typer; `changed` is set when a node is rewritten
    into a call of a `pg_*` function."""

    changed: bool

    @abstractmethod
    def expr(self, node: Any) -> tuple[Any, PgType]:
        """Type (and rewrite) one expression node."""

    @abstractmethod
    def visit_children(self, node: Any) -> Any:
        """Type the expressions under a node that is not typed itself."""

    def _coerce(self, node: Any, kind: PgType, to: PgType) -> tuple[Any, PgType]:
        """An untyped literal ('5') meeting a typed value takes its type, as PostgreSQL does."""
        if not kind.literal or to.family not in ("int", "numeric", "bool"):
            return node, kind
        self.changed = True
        target = replace(to, scale=None) if to.family == "numeric" else to
        cast_now(node, target)
        result = pg_call(
            "pg_cast",
            node,
            text_const("text"),
            text_const(target.family),
            int_const(target.bits),
            int_const(-1),
            int_const(-1),
            int_const(-1),
        )
        return result, (replace(to, scale=None) if to.family == "numeric" else to)  # fmt: skip

    def _A_Expr(self, node: Any) -> tuple[Any, PgType]:
        operator = str(node.name[-1].sval) if node.name else ""
        if node.kind == A_Expr_Kind.AEXPR_OP:
            if node.lexpr is None:
                return self._unary(node, operator)
            left, lt = self.expr(node.lexpr)
            right, rt = self.expr(node.rexpr)
            left, lt = self._coerce(left, lt, rt)
            right, rt = self._coerce(right, rt, lt)
            node.lexpr, node.rexpr = left, right
            if operator in _COMPARISONS:
                self._comparable(operator, lt, rt)
                return node, BOOL
            if operator == "||":
                return self._concat(node, lt, rt)
            if operator in {"+", "-", "*", "/", "%"}:
                return self._arithmetic(node, operator, lt, rt)
            return node, UNKNOWN
        if node.kind in (A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE):
            return self._like(node, operator)
        if node.kind == A_Expr_Kind.AEXPR_NULLIF:
            left, lt = self.expr(node.lexpr)
            right, rt = self.expr(node.rexpr)
            left, lt = self._coerce(left, lt, rt)
            right, rt = self._coerce(right, rt, lt)
            self._comparable("=", lt, rt)
            node.lexpr, node.rexpr = left, right
            return node, common_type("NULLIF", [lt, rt])
        if node.kind == A_Expr_Kind.AEXPR_IN:
            return self._list_compared(node, "="), BOOL
        if node.kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_NOT_BETWEEN):
            return self._list_compared(node, "<="), BOOL
        return self.visit_children(node), UNKNOWN

    def _list_compared(self, node: Any, operator: str) -> Any:
        """`x IN (a, b)` and `x BETWEEN a AND b`: each item compared with x, literals coerced."""
        left, lt = self.expr(node.lexpr)
        items = []
        for item in node.rexpr:
            value, kind = self.expr(item)
            value, kind = self._coerce(value, kind, lt)
            self._comparable(operator, lt, kind)
            items.append(value)
        node.lexpr, node.rexpr = left, tuple(items)
        return node

    def _unary(self, node: Any, operator: str) -> tuple[Any, PgType]:
        value, kind = self.expr(node.rexpr)
        node.rexpr = value
        if operator != "-":
            return node, kind
        if kind.family == "int":
            self.changed = True
            return pg_call("pg_int_neg", value, int_const(kind.bits)), kind
        if kind.family in ("text", "bool"):
            raise undefined_operator("-", kind)
        return node, kind

    def _comparable(self, operator: str, left: PgType, right: PgType) -> None:
        families = {left.family, right.family} - {"null", "unknown"}
        if left.literal or right.literal:
            families -= {"text"}
        numeric = {"int", "numeric", "float"}
        if len(families) <= 1 or families <= numeric:
            return
        raise undefined_operator(operator, left, right)

    def _concat(self, node: Any, lt: PgType, rt: PgType) -> tuple[Any, PgType]:
        texts = "text" in (lt.family, rt.family) or lt.literal or rt.literal
        if not texts and "unknown" not in (lt.family, rt.family):
            raise undefined_operator("||", lt, rt)
        for side, kind in (("lexpr", lt), ("rexpr", rt)):
            if kind.family in ("int", "numeric", "bool"):
                self.changed = True
                setattr(node, side, pg_call(
                    "pg_cast", getattr(node, side), text_const(kind.family), text_const("text"),
                    int_const(0), int_const(-1), int_const(-1),
                    int_const(-1 if kind.scale is None else kind.scale),
                ))  # fmt: skip
        return node, TEXT

    def _arithmetic(
        self, node: ast.A_Expr, operator: str, lt: PgType, rt: PgType
    ) -> tuple[Any, PgType]:
        if "unknown" in (lt.family, rt.family):
            return node, UNKNOWN
        if lt.family == "null" or rt.family == "null":
            other = rt if lt.family == "null" else lt
            return node, other if other.family in ("int", "numeric") else UNKNOWN
        if lt.family not in ("int", "numeric") or rt.family not in ("int", "numeric"):
            raise undefined_operator(operator, lt, rt)
        if lt.family == "int" and rt.family == "int":
            self.changed = True
            bits = max(lt.bits, rt.bits)
            return pg_call("pg_int_op", text_const(operator), node.lexpr, node.rexpr,
                         int_const(bits)), PgType("int", bits=bits)  # fmt: skip
        if operator in {"/", "%"}:
            raise NotSupportedByMockError(TOOL, f"NUMERIC {operator} in an expression")
        scales = (0 if lt.family == "int" else lt.scale, 0 if rt.family == "int" else rt.scale)
        first, second = scales
        if first is None or second is None:
            return node, PgType("numeric")
        scale = first + second if operator == "*" else max(first, second)
        self.changed = True
        return pg_call("pg_numeric_op", text_const(operator), node.lexpr, node.rexpr,
                     int_const(scale)), PgType("numeric", scale=scale)  # fmt: skip

    def _like(self, node: Any, operator: str) -> tuple[Any, PgType]:
        left, lt = self.expr(node.lexpr)
        right, rt = self.expr(node.rexpr)
        for kind in (lt, rt):
            if kind.family not in ("text", "null", "unknown"):
                raise undefined_operator(operator, lt, rt)
        insensitive, negated = _LIKE_OPERATORS.get(operator, (False, False))
        self.changed = True
        flags = (int_const(int(insensitive)), int_const(int(negated)))
        return pg_call("pg_like", left, right, *flags), BOOL
