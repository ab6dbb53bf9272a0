"""Differential test of SQL expressions: Hypothesis writes random typed expressions (arithmetic,
division, casts, comparisons, LIKE, string functions, CASE, NULLs, values at the edges of their
types) and PostgreSQL and the mock SqlStore evaluate each as `SELECT <expr>`. Their values, or
their error classes, must agree.

The statement-level test (test_differential_sql.py) drives tables and transactions with a fixed
set of statement shapes; this one explores what goes inside a statement, where sqlite's own
semantics (NULL on division by zero, 64-bit integers, truncating casts, case-blind LIKE) would
otherwise leak through. A mock that refuses a construct by name (NotSupportedByMockError) is
honest, not a divergence: it is counted and printed.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from differential import SETTINGS, connected_pair
from hypothesis import given
from hypothesis import strategies as st
from onex_registry import SqlStore, SqlStoreToolFactory
from onex_registry.divergences import Outcome, compare

pytestmark = [pytest.mark.fidelity, pytest.mark.requires_postgres]

REFUSED = "NotSupportedByMockError"
INT_EDGES = [0, 1, -1, 2, 7, 2147483647, -2147483648, 46341, 65536]
TEXT_ATOMS = ["", "a", "A", "ab", "Ab", "a_b", "a%", "%", "_", "10", "-3", "1.5", " x ", "é"]


def _lit_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ints() -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.integers(-9, 9).map(lambda n: f"({n})"),
        st.sampled_from(INT_EDGES).map(lambda n: f"({n})"),
        st.just("CAST(NULL AS integer)"),
    )
    return st.recursive(leaf, _int_steps, max_leaves=4)


def _int_steps(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    texts = st.sampled_from(TEXT_ATOMS).map(_lit_text)
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda e: f"abs({e})"),
        inner.map(lambda e: f"(- {e})"),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"nullif({t[0]}, {t[1]})"),
        texts.map(lambda t: f"length({t})"),
        texts.map(lambda t: f"CAST({t} AS integer)"),
        texts.map(lambda t: f"{t}::integer"),
        _numeric_leaves().map(lambda e: f"CAST({e} AS integer)"),
        st.tuples(_bools_leaf(), inner, inner).map(
            lambda t: f"CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END"
        ),
    )


def _numeric_leaves() -> st.SearchStrategy[str]:
    return st.one_of(
        st.decimals(-20, 20, places=2, allow_nan=False, allow_infinity=False).map(
            lambda d: f"({d})"
        ),
        st.sampled_from(["(0.5)", "(1.5)", "(2.5)", "(-2.5)", "(0.005)", "(99999.995)"]),
        st.just("CAST(NULL AS numeric)"),
    )


def _numerics() -> st.SearchStrategy[str]:
    leaf = _numeric_leaves()
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(inner, st.integers(0, 3)).map(lambda t: f"round({t[0]}, {t[1]})"),
            inner.map(lambda e: f"abs({e})"),
            _ints().map(lambda e: f"CAST({e} AS numeric)"),
            inner.map(lambda e: f"CAST({e} AS numeric(6, 1))"),
        ),
        max_leaves=3,
    )


def _texts() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(TEXT_ATOMS).map(_lit_text), st.just("CAST(NULL AS text)"))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda t: f"({t[0]} || {t[1]})"),
            inner.map(lambda e: f"upper({e})"),
            inner.map(lambda e: f"lower({e})"),
            st.tuples(inner, st.integers(-1, 3), st.integers(-1, 3)).map(
                lambda t: f"substr({t[0]}, {t[1]}, {t[2]})"
            ),
            _ints().map(lambda e: f"CAST({e} AS text)"),
            inner.map(lambda e: f"CAST({e} AS varchar(2))"),
            st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        ),
        max_leaves=3,
    )


def _bools_leaf() -> st.SearchStrategy[str]:
    return st.sampled_from(["true", "false", "CAST(NULL AS boolean)"])


def _bools() -> st.SearchStrategy[str]:
    comparisons = st.sampled_from(["=", "<>", "<", ">", "<=", ">="])
    typed = st.one_of(_ints(), _numerics(), _texts())

    def compared(kind: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(kind, comparisons, kind).map(lambda t: f"({t[0]} {t[1]} {t[2]})")

    leaf = st.one_of(
        _bools_leaf(),
        compared(_ints()),
        compared(_numerics()),
        compared(_texts()),
        st.tuples(_texts(), st.sampled_from(["LIKE", "NOT LIKE", "ILIKE"]), _texts()).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        typed.map(lambda e: f"({e} IS NULL)"),
        st.tuples(_ints(), _ints(), _ints()).map(lambda t: f"({t[0]} BETWEEN {t[1]} AND {t[2]})"),
        st.tuples(_ints(), st.lists(_ints(), min_size=1, max_size=3)).map(
            lambda t: f"({t[0]} IN ({', '.join(t[1])}))"
        ),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"(NOT {e})"),
        ),
        max_leaves=3,
    )


EXPRESSIONS = st.one_of(_ints(), _numerics(), _texts(), _bools())


def _normalise(outcome: Outcome) -> Outcome:
    """Rows as plain values; NUMERIC compared by value and scale (Decimal('1.50') != '1.5')."""
    if outcome.error is not None:
        return outcome
    rows: Any = outcome.value
    value = rows[0]["v"] if rows else None
    if isinstance(value, Decimal):
        # By value and scale: asyncpg may spell 100000 as Decimal('1.0E+5'), which equals it.
        exponent = value.as_tuple().exponent
        scale = max(0, -exponent) if isinstance(exponent, int) else None
        return Outcome(value=("numeric", value, scale))
    return Outcome(value=(type(value).__name__, value))


def test_sql_expressions_evaluate_as_postgresql_does(real_postgres: Any) -> None:
    pair, real, mock, schema = connected_pair(SqlStore, SqlStoreToolFactory(), real_postgres.dsn)
    tally: Counter[str] = Counter()

    @SETTINGS
    @given(expression=EXPRESSIONS)
    def check(expression: str) -> None:
        sql = f"SELECT {expression} AS v"
        real_outcome = _normalise(pair.run(_outcome(real, sql)))
        mock_outcome = _normalise(pair.run(_outcome(mock, sql)))
        if mock_outcome.error == REFUSED:
            tally["refused by name"] += 1
            return
        tally["compared"] += 1
        try:
            compare("SqlStore", "expression", real_outcome, mock_outcome)
        except AssertionError as exc:
            raise AssertionError(f"{sql}\n{exc}") from None

    try:
        check()
    finally:
        pair.run(real.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        pair.run(real.close())
        pair.run(mock.close())
        pair.loop.close()
        print(f"\nSQL expressions: {dict(tally)}")


async def _outcome(store: SqlStore, sql: str) -> Outcome:
    try:
        return Outcome(value=await store.fetch(sql))
    except Exception as exc:  # noqa: BLE001  (every error is an outcome to compare)
        return Outcome(error=type(exc).__name__)
