"""postgres_dsn's search_path option: one startup option that libpq and asyncpg both pass on."""

from __future__ import annotations

import pytest
from onex_services.kinds.postgres_schemas import scoped_dsn

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://u@h:5/db", "postgresql://u@h:5/db?options=-csearch_path%3Donex_a_main"),
        ("postgresql://u@h:5/db?sslmode=disable", "postgresql://u@h:5/db?sslmode=disable&options="),
    ],
)
def test_the_option_is_added_to_the_query(dsn: str, expected: str) -> None:
    assert scoped_dsn(dsn, "onex_a_main").startswith(expected)
