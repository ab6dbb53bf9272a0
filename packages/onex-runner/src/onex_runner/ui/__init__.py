"""The page shared by the HTML report and the live dashboard: one template, one script, one
style sheet, shipped as package data (no CDN: the page works without network access)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def asset(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _json_script(element_id: str, value: Any) -> str:
    # "<" escaped as \u003c: no "</script>" or "<!--" inside the data can end the element.
    text = json.dumps(value, default=str, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def page(title: str, *, live: bool, data: dict[str, Any] | None = None) -> str:
    """The page with its assets inline; `data` (element id → JSON value) is embedded for the
    report, while the live dashboard gets its events from the server instead."""
    scripts = "".join(_json_script(key, value) for key, value in (data or {}).items())
    return (
        asset("page.html")
        .replace("__TITLE__", title)
        .replace("__SOURCE__", "live" if live else "embedded")
        .replace("__CSS__", asset("app.css"))
        .replace("__JS__", asset("app.js"))
        .replace("__DATA__", scripts)  # last: the run's data may hold any of these markers
    )
