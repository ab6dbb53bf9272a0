"""CREATE TABLE in PostgreSQL's dialect → a mock table: its typed columns and the STRICT sqlite
DDL that enforces PostgreSQL's rules (types, lengths, NOT NULL, CHECK, UNIQUE, PRIMARY KEY,
foreign keys). What the mock does not model is refused by name, never approximated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums import ConstrType
from pglast.stream import RawStream

from onex_registry.errors import NotSupportedByMockError
from onex_registry.tools.pg_mock.types import STORAGE, Column, family_of

TOOL = "InMemorySqlStore"
# The name of the CHECK that stands for VARCHAR(n): its failure is PostgreSQL's 22001.
LENGTH_CHECK_PREFIX = "onex_length__"
# The name of the CHECK that keeps a BOOLEAN column to 0/1.
BOOL_CHECK_PREFIX = "onex_bool__"


# pglast's nodes type every field as optional; the parser fills the ones read here, so they
# are taken as Any rather than asserted field by field.


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, Column]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expr(node: Any) -> str:
    """A default or CHECK expression in SQL that sqlite reads the same way PostgreSQL does."""
    text = str(RawStream()(node))
    if "::" in text:
        raise NotSupportedByMockError(TOOL, f"the cast in expression {text!r}")
    return text.replace("now()", "CURRENT_TIMESTAMP")


def _column(definition: Any) -> tuple[Column, list[str]]:
    names = [n.sval for n in definition.typeName.names]
    pg_type = names[-1]
    if definition.typeName.arrayBounds:
        raise NotSupportedByMockError(TOOL, f"array column {definition.colname!r} ({pg_type}[])")
    family = family_of(pg_type)
    if family is None:
        raise NotSupportedByMockError(TOOL, f"column type {pg_type!r}")
    mods = [_int(m) for m in definition.typeName.typmods or () if isinstance(m, ast.A_Const)]
    column = Column(
        name=definition.colname,
        pg_type=pg_type,
        family=family,
        length=mods[0] if family == "text" and mods else (1 if pg_type == "bpchar" else None),
        scale=(mods[1] if len(mods) > 1 else 0 if mods else None) if family == "numeric" else None,
        padded=pg_type == "bpchar",
    )
    parts = [quote(column.name), STORAGE[family]]
    for constraint in definition.constraints or ():
        parts.append(_constraint(constraint, column))
    if column.length is not None:
        check = f"length({quote(column.name)}) <= {column.length}"
        parts.append(f"CONSTRAINT {quote(LENGTH_CHECK_PREFIX + column.name)} CHECK ({check})")
    if family == "bool":
        check = f"{quote(column.name)} IN (0, 1)"
        parts.append(f"CONSTRAINT {quote(BOOL_CHECK_PREFIX + column.name)} CHECK ({check})")
    return column, [" ".join(p for p in parts if p)]


def _int(constant: Any) -> int:
    return int(constant.val.ival)


def _keys(keys: Any) -> str:
    return ", ".join(quote(k.sval) for k in keys or ())


_ACTIONS = {"a": "", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _constraint(constraint: Any, column: Column | None) -> str:
    kind = constraint.contype
    named = f"CONSTRAINT {quote(constraint.conname)} " if constraint.conname else ""
    if kind == ConstrType.CONSTR_NOTNULL:
        return "NOT NULL"
    if kind == ConstrType.CONSTR_NULL:
        return ""
    if kind == ConstrType.CONSTR_DEFAULT:
        return f"DEFAULT ({_expr(constraint.raw_expr)})"
    if kind == ConstrType.CONSTR_CHECK:
        return f"{named}CHECK ({_expr(constraint.raw_expr)})"
    if kind in {ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE}:
        word = "PRIMARY KEY" if kind == ConstrType.CONSTR_PRIMARY else "UNIQUE"
        if column is not None:
            return f"{named}{word}" + (" NOT NULL" if word == "PRIMARY KEY" else "")
        return f"{named}{word} ({_keys(constraint.keys)})"
    if kind == ConstrType.CONSTR_FOREIGN:
        target = quote(constraint.pktable.relname)
        pk = f"({_keys(constraint.pk_attrs)})" if constraint.pk_attrs else ""
        actions = ""
        on = (("DELETE", constraint.fk_del_action), ("UPDATE", constraint.fk_upd_action))
        for when, code in on:
            if _ACTIONS.get(code):
                actions += f" ON {when} {_ACTIONS[code]}"
        local = "" if column is not None else f"FOREIGN KEY ({_keys(constraint.fk_attrs)}) "
        return f"{named}{local}REFERENCES {target}{pk}{actions}"
    raise NotSupportedByMockError(TOOL, f"constraint {kind.name.removeprefix('CONSTR_')}")


def create_table(statement: Any) -> tuple[Table, str]:
    """The mock table and the sqlite DDL for a PostgreSQL CREATE TABLE."""
    if statement.inhRelations or statement.partspec or statement.ofTypename:
        raise NotSupportedByMockError(TOOL, "CREATE TABLE with INHERITS, PARTITION BY or OF")
    columns: dict[str, Column] = {}
    parts: list[str] = []
    for element in statement.tableElts or ():
        if isinstance(element, ast.ColumnDef):
            column, sql = _column(element)
            if column.family == "serial" and not _is_primary(element, statement):
                raise NotSupportedByMockError(TOOL, f"serial column {column.name!r} off the key")
            columns[column.name] = column
            parts.extend(sql)
        elif isinstance(element, ast.Constraint):
            parts.append(_constraint(element, None))
        else:
            raise NotSupportedByMockError(TOOL, f"table element {type(element).__name__}")
    name = statement.relation.relname
    exists = "IF NOT EXISTS " if statement.if_not_exists else ""
    return Table(name, columns), f"CREATE TABLE {exists}{quote(name)} ({', '.join(parts)}) STRICT"


def _is_primary(element: Any, statement: Any) -> bool:
    if any(c.contype == ConstrType.CONSTR_PRIMARY for c in element.constraints or ()):
        return True
    return any(
        isinstance(e, ast.Constraint)
        and e.contype == ConstrType.CONSTR_PRIMARY
        and [k.sval for k in e.keys or ()] == [element.colname]
        for e in statement.tableElts or ()
    )
