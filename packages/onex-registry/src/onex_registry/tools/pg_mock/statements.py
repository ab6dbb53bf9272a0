"""A statement as PostgreSQL's grammar reads it (pglast / libpg_query), analysed once per text:
its kind, which column each `$n` is bound to, where each result column comes from, and whether
it asked for an order. Cached, since a node runs the same few statements over and over."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError

from onex_registry.sql_errors import SqlSyntaxError

_PLACEHOLDER = re.compile(r"\$(\d+)")
# Functions whose result PostgreSQL types as NUMERIC whatever the input (avg of integers).
NUMERIC_RESULT = frozenset({"avg"})
# Functions whose result has the type of their argument column.
SAME_TYPE_RESULT = frozenset({"min", "max", "sum", "coalesce"})


@dataclass(frozen=True)
class Source:
    """Where a result column comes from: a column (maybe through an aggregate) or nothing known."""

    column: str | None
    function: str | None = None


@dataclass(frozen=True)
class Statement:
    kind: str  # the pglast node name: SelectStmt, InsertStmt, CreateStmt, TransactionStmt, ...
    node: Any
    sqlite_sql: str
    tables: tuple[str, ...]
    # $n → column name (looked up in `tables` at run time: the catalog changes).
    params: dict[int, str] = field(default_factory=dict)
    results: dict[str, Source] = field(default_factory=dict)
    # PostgreSQL's names of the result columns in order (None where a `*` expands).
    names: tuple[str | None, ...] = ()
    ordered: bool = False
    star: bool = False


def _walk(node: Any) -> Any:
    """Every pglast node below `node`, depth first."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for slot in getattr(node, "__slots__", ()):
            yield from _walk(getattr(node, slot, None))


def _column_name(node: Any) -> str | None:
    if isinstance(node, ast.ColumnRef) and node.fields:
        last = node.fields[-1]
        return last.sval if isinstance(last, ast.String) else None
    return None


def _param(node: Any) -> int | None:
    if isinstance(node, ast.TypeCast):
        return None  # an explicit cast says the type itself
    return node.number if isinstance(node, ast.ParamRef) else None


def _bind_params(node: Any, params: dict[int, str]) -> None:
    for found in _walk(node):
        if isinstance(found, ast.A_Expr):
            pairs = [(found.lexpr, found.rexpr), (found.rexpr, found.lexpr)]
            for column_side, other in pairs:
                name = _column_name(column_side)
                if name is None:
                    continue
                for candidate in other if isinstance(other, tuple | list) else (other,):
                    number = _param(candidate)
                    if number is not None:
                        params.setdefault(number, name)
        elif isinstance(found, ast.ResTarget) and found.name and _param(found.val) is not None:
            params.setdefault(_param(found.val) or 0, found.name)  # UPDATE ... SET col = $n


def _insert_params(node: ast.InsertStmt, columns: list[str] | None, params: dict[int, str]) -> None:
    names = [c.name for c in node.cols or ()] or columns or []
    select = node.selectStmt
    for row in getattr(select, "valuesLists", None) or ():
        for name, value in zip(names, row, strict=False):
            number = _param(value)
            if number is not None:
                params[number] = name


def _results(targets: Any) -> tuple[dict[str, Source], tuple[str | None, ...], bool]:
    """Each result column's source and PostgreSQL's name for it (a function's name, or
    '?column?' for an expression), which sqlite would spell as the expression's text."""
    results: dict[str, Source] = {}
    names: list[str | None] = []
    star = False
    for target in targets or ():
        value: Any = target.val
        fields: Any = getattr(value, "fields", None)
        name = _column_name(value)
        if isinstance(value, ast.ColumnRef) and isinstance(fields[-1], ast.A_Star):
            star = True
            names.append(None)
            continue
        if name is not None:
            results[target.name or name] = Source(name)
            names.append(target.name or name)
        elif isinstance(value, ast.FuncCall):
            funcname: Any = value.funcname
            function = str(funcname[-1].sval)
            argument = _column_name(value.args[0]) if value.args else None
            results[target.name or function] = Source(argument, function)
            names.append(target.name or function)
        else:
            names.append(target.name or "?column?")
    return results, tuple(names), star


@lru_cache(maxsize=2048)
def analyse(sql: str) -> tuple[Statement, ...]:
    """The statements of `sql`, or SqlSyntaxError where PostgreSQL's grammar refuses it."""
    try:
        raw = parse_sql(sql)
    except ParseError as exc:
        raise SqlSyntaxError(f"{exc} in {sql!r}") from exc
    statements = []
    for item in raw:
        node = item.stmt
        location, length = item.stmt_location or 0, item.stmt_len or len(sql)
        text = sql[location : location + length] if len(raw) > 1 else sql
        statements.append(_statement(node, _PLACEHOLDER.sub(r"?\1", text)))
    return tuple(statements)


def _statement(node: Any, sqlite_sql: str) -> Statement:
    tables = tuple(
        dict.fromkeys(
            str(found.relname) for found in _walk(node) if isinstance(found, ast.RangeVar)
        )
    )
    params: dict[int, str] = {}
    results: dict[str, Source] = {}
    names: tuple[str | None, ...] = ()
    star = ordered = False
    if isinstance(node, ast.SelectStmt):
        results, names, star = _results(node.targetList)
        ordered = bool(node.sortClause)
    elif isinstance(node, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt):
        returning = node.returningClause.exprs if node.returningClause else ()
        results, names, star = _results(returning)
    if isinstance(node, ast.InsertStmt):
        _insert_params(node, None, params)
    _bind_params(node, params)
    kind = type(node).__name__
    return Statement(kind, node, sqlite_sql, tables, params, results, names, ordered, star)


def insert_params_for(statement: Statement, columns: list[str]) -> dict[int, str]:
    """An INSERT without a column list binds its values to the table's columns in order."""
    params = dict(statement.params)
    if isinstance(statement.node, ast.InsertStmt) and not statement.node.cols:
        _insert_params(statement.node, columns, params)
    return params
