"""pglast nodes the expression rewriter builds: calls of the mock's pg_* functions, constants,
and AND/OR spelled as a CASE that sqlite evaluates lazily."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import BoolExprType, CoercionForm, NullTestType


def pg_call(name: str, *args: Any) -> ast.FuncCall:
    return ast.FuncCall(
        funcname=(ast.String(sval=name),),
        args=tuple(args),
        agg_star=False,
        agg_distinct=False,
        func_variadic=False,
        funcformat=CoercionForm.COERCE_EXPLICIT_CALL,
    )


def text_const(value: str) -> ast.A_Const:
    return ast.A_Const(isnull=False, val=ast.String(sval=value))


def int_const(value: int) -> ast.A_Const:
    return ast.A_Const(isnull=False, val=ast.Integer(ival=value))


def may_raise(node: Any) -> bool:
    """Whether evaluating `node` may raise: it calls one of the mock's pg_* functions."""
    if isinstance(node, tuple | list):
        return any(may_raise(item) for item in node)
    if not isinstance(node, ast.Node):
        return False
    if isinstance(node, ast.FuncCall):
        name: Any = node.funcname
        if str(name[-1].sval).startswith("pg_"):
            return True
    return any(may_raise(getattr(node, slot, None)) for slot in getattr(node, "__slots__", ()))


def boolean(value: bool | None) -> ast.A_Const:
    if value is None:
        return ast.A_Const(isnull=True)
    return ast.A_Const(isnull=False, val=ast.Boolean(boolval=value))


def short_circuit(is_or: bool, args: list[Any]) -> ast.CaseExpr:
    """AND/OR as a CASE, which sqlite evaluates lazily as PostgreSQL evaluates AND/OR: from the
    left, stopping at the first TRUE (OR) or FALSE (AND). sqlite computes both sides of its own
    AND/OR, so `id = 1 OR 1 / 0 = 1` would fail where PostgreSQL answers TRUE."""
    whens = [
        ast.CaseWhen(
            expr=arg if is_or else ast.BoolExpr(boolop=BoolExprType.NOT_EXPR, args=(arg,)),
            result=boolean(is_or),
        )
        for arg in args
    ]
    any_null = ast.BoolExpr(
        boolop=BoolExprType.OR_EXPR,
        args=tuple(ast.NullTest(arg=arg, nulltesttype=NullTestType.IS_NULL) for arg in args),
    )
    whens.append(ast.CaseWhen(expr=any_null, result=boolean(None)))
    return ast.CaseExpr(args=tuple(whens), defresult=boolean(not is_or))
