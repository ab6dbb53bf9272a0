"""Constant folding as PostgreSQL's planner does it, for the errors it raises before a row is read.

PostgreSQL evaluates every constant subexpression while planning (eval_const_expressions), so
`x IN (1, abs(-2147483648))` fails even when x is 1, and a division by zero inside an IN list
fails though sqlite, which stops at the first match, would never reach it. It also stops where
its simplifications stop: at the first TRUE of an OR, the first FALSE of an AND, the first
non-NULL constant of a COALESCE, and the first constant-TRUE arm of a CASE (an arm whose
condition folds to FALSE or NULL is dropped unevaluated). This module walks a rewritten
statement the same way and calls the same `pg_*` functions on constant arguments, so the mock
raises the same planning-time errors; the values themselves are still computed by sqlite.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType

from onex_registry.tools.pg_mock import pg_functions as pg


class _NotConstant:
    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT: Any = _NotConstant()

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: function for name, (_arity, function) in pg.FUNCTIONS.items()},
    "length": lambda s: None if s is None else len(str(s)),
    "char_length": lambda s: None if s is None else len(str(s)),
}  # fmt: skip
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b, "<>": lambda a, b: a != b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}  # fmt: skip


def fold_statement(node: Any) -> None:
    """Fold every expression of a statement; raises what PostgreSQL raises while planning."""
    if isinstance(node, tuple | list):
        for item in node:
            fold_statement(item)
        return
    if not isinstance(node, ast.Node):
        return
    if _is_expression(node):
        fold(node)
        return
    for slot in getattr(node, "__slots__", ()):
        fold_statement(getattr(node, slot, None))


def _is_expression(node: Any) -> bool:
    return isinstance(node, ast.A_Const | ast.A_Expr | ast.BoolExpr | ast.NullTest
                      | ast.FuncCall | ast.CoalesceExpr | ast.CaseExpr)  # fmt: skip


def fold(node: Any) -> Any:
    """The constant value of an expression, or NOT_CONSTANT; folds what lies under it."""
    if isinstance(node, ast.A_Const):
        return _constant(node)
    if isinstance(node, ast.FuncCall):
        return _function(node)
    if isinstance(node, ast.BoolExpr):
        return _boolean(node)
    if isinstance(node, ast.CoalesceExpr):
        settled = True  # every argument so far is a constant (a NULL one)
        arguments: Any = node.args
        for arg in arguments:
            value = fold(arg)
            if value is not NOT_CONSTANT and value is not None:
                return value if settled else NOT_CONSTANT  # later arguments are dropped
            settled = settled and value is not NOT_CONSTANT
        return None if settled else NOT_CONSTANT
    if isinstance(node, ast.CaseExpr):
        return _case(node)
    if isinstance(node, ast.NullTest):
        value = fold(node.arg)
        if value is NOT_CONSTANT:
            return NOT_CONSTANT
        return int((value is None) == (node.nulltesttype == NullTestType.IS_NULL))
    if isinstance(node, ast.A_Expr):
        return _operator(node)
    fold_statement_children(node)
    return NOT_CONSTANT


def fold_statement_children(node: Any) -> None:
    for slot in getattr(node, "__slots__", ()):
        fold_statement(getattr(node, slot, None))


def _constant(node: Any) -> Any:
    if node.isnull:
        return None
    value = node.val
    if isinstance(value, ast.Integer):
        return int(value.ival or 0)
    if isinstance(value, ast.Float):
        number = Decimal(str(value.fval))
        return (
            int(number)
            if number == number.to_integral_value() and "." not in str(value.fval)
            else number
        )
    if isinstance(value, ast.Boolean):
        return int(bool(value.boolval))
    return str(value.sval)


def _function(node: Any) -> Any:
    name = str(node.funcname[-1].sval).lower()
    values = [fold(arg) for arg in node.args or ()]
    function = _FUNCTIONS.get(name)
    if function is None or any(v is NOT_CONSTANT for v in values):
        return NOT_CONSTANT
    return function(*values)


def _boolean(node: Any) -> Any:
    if node.boolop == BoolExprType.NOT_EXPR:
        value = fold(node.args[0])
        return value if value is NOT_CONSTANT or value is None else int(not value)
    stop = 1 if node.boolop == BoolExprType.OR_EXPR else 0
    values = []
    for arg in node.args:
        value = fold(arg)
        if value is not NOT_CONSTANT and value is not None and bool(value) == bool(stop):
            return stop  # PostgreSQL stops simplifying here: later arguments are not evaluated
        values.append(value)
    if any(v is NOT_CONSTANT for v in values):
        return NOT_CONSTANT
    return None if any(v is None for v in values) else int(not stop)


def _case(node: Any) -> Any:
    if node.arg is not None:
        fold_statement_children(node)
        return NOT_CONSTANT
    for when in node.args:
        condition = fold(when.expr)
        if condition is not NOT_CONSTANT and not condition:
            continue  # FALSE or NULL: the arm is dropped, its result never evaluated
        result = fold(when.result)
        if condition is not NOT_CONSTANT:
            return NOT_CONSTANT if result is NOT_CONSTANT else result
    if node.defresult is not None:
        fold(node.defresult)
    return NOT_CONSTANT


def _operator(node: Any) -> Any:
    operator = str(node.name[-1].sval) if node.name else ""
    if node.kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_NOT_BETWEEN):
        # The parser turns BETWEEN into `x >= a AND x <= b`: the second half is not folded
        # once the first is FALSE.
        low, high = node.rexpr
        value = fold(node.lexpr)
        first = _compare(">=", value, fold(low))
        if first is not NOT_CONSTANT and first is not None and not first:
            return NOT_CONSTANT
        fold(high)
        return NOT_CONSTANT
    left = fold(node.lexpr) if node.lexpr is not None else None
    if isinstance(node.rexpr, tuple | list):
        for item in node.rexpr:
            fold(item)
        return NOT_CONSTANT
    right = fold(node.rexpr)
    if node.kind == A_Expr_Kind.AEXPR_OP and operator in _ORDER:
        return _compare(operator, left, right)
    return NOT_CONSTANT


def _compare(operator: str, left: Any, right: Any) -> Any:
    if left is NOT_CONSTANT or right is NOT_CONSTANT:
        return NOT_CONSTANT
    if left is None or right is None:
        return None
    if isinstance(left, str) != isinstance(right, str):
        return NOT_CONSTANT  # mixed kinds: left to the rewritten casts at run time
    return int(_ORDER[operator](left, right))
