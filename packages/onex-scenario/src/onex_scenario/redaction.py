"""The one redaction of the harness: every writer (console, JSON, JUnit, HTML, snapshots, logs
copied into reports) passes what it writes through `redact` or `redact_text`.

What counts as a secret (documented in docs/runner.md, "Secrets in reports"):
- the password of a URL or DSN: `postgresql://u:pw@h`, `redis://:pw@h` → `…://u:***@h`;
- the value after `password=`, `secret=`, `token=` … in key=value DSNs and query strings
  (`host=h password=pw`, `?token=t&x=1`), and after a quoted key in JSON or a Python repr
  (`"password": "pw"`, `'api_key': 'k'`);
- a bearer token (`Authorization: Bearer t`);
- in a mapping, the whole value of a key named like a secret (case-insensitive): `password`,
  `passwd`, `passphrase`, `secret`, `token`, `api_key` (`apikey`, `api-key`), `credential(s)`,
  `private_key`, or any key that contains one of them (`sasl_password`, `client_secret`,
  `access_token`).
- any text in `known`: secrets the caller holds (a generated password, or `known_secrets` of the
  environment: `ONEX_DB_PASSWORD`'s value, the password inside `ONEX_DB_URL`), wherever they appear
  (four characters or more: replacing every "a" of a report would hide the report, not a secret).

Redaction is deliberately eager: a key such as `max_tokens` is hidden too. A report that hides a
harmless value costs a look at the live system; a report that shows a password cannot be undone.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

REDACTED = "***"
_MIN_KNOWN = 4

_SECRET_WORDS = r"pass(?:word|wd|phrase)|secret|token|api[_-]?key|credentials?|private[_-]?key"
_SECRET_KEY = re.compile(_SECRET_WORDS, re.IGNORECASE)

# scheme://[user]:password@host; a valid URL percent-encodes '@' and '/' inside a password, and
# excluding '/' keeps `http://host:8080/a@b` (a port, then a path) intact.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*:)[^\s/@'\"]*@")
# key=value (DSN, query string, environment line); the key may be a longer word (sasl_password).
_ASSIGNED = re.compile(
    rf"(?P<head>\b[\w.\-]*(?:{_SECRET_WORDS})[\w.\-]*\s*=\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;,'\"}]+)",
    re.IGNORECASE,
)
# "key": "value" or 'key': value — JSON text and Python reprs inside messages.
_QUOTED_KEY = re.compile(
    rf"(?P<head>(?P<q>['\"])[\w.\-]*(?:{_SECRET_WORDS})[\w.\-]*(?P=q)\s*:\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,}\]]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)


def is_secret_key(key: object) -> bool:
    """True when a mapping key names a secret (see the module docstring for the words)."""
    return isinstance(key, str) and _secret_name(key)


@functools.lru_cache(maxsize=4096)
def _secret_name(key: str) -> bool:
    # Reports repeat the same few dozen keys thousands of times: one regex search per name.
    return _SECRET_KEY.search(key) is not None


def _keep_quotes(match: re.Match[str]) -> str:
    value = match.group("value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return f"{match.group('head')}{value[0]}{REDACTED}{value[0]}"
    return f"{match.group('head')}{REDACTED}"


def _longest_first(known: Iterable[str]) -> tuple[str, ...]:
    """The known secrets worth replacing, longest first (a secret that contains another one is
    replaced whole)."""
    return tuple(sorted((s for s in known if len(s) >= _MIN_KNOWN), key=len, reverse=True))


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """`text` with every password, secret and token in it replaced by `***`."""
    return _redact_text(text, _longest_first(known))


def _redact_text(text: str, ordered: tuple[str, ...]) -> str:
    for secret in ordered:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if ":" not in text and "=" not in text and "bearer" not in text.lower():
        return text  # no pattern below can match (each needs ':', '=' or "Bearer"): cheap path
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{REDACTED}@", text)
    text = _ASSIGNED.sub(_keep_quotes, text)
    text = _QUOTED_KEY.sub(_keep_quotes, text)
    return _BEARER.sub(lambda m: f"{m.group('head')}{REDACTED}", text)


def redact_url(url: str) -> str:
    """A client URL for display: `scheme://user:secret@host` → `scheme://user:***@host`."""
    return redact_text(url)


class SecretUrl(str):
    """A client URL that may hold a password: the whole URL wherever a client reads it (it is a
    `str`), redacted where Python shows it. pytest prints the repr of a failing test's fixture
    values in its traceback, which reaches CI logs and JUnit files."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(redact_url(str(self)))


def redact(value: Any, known: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like value (mappings, lists, strings, scalars) with its secrets hidden.

    A value under a secret-named key is replaced whole (a nested mapping of credentials too);
    strings anywhere are passed through `redact_text`; other scalars are kept.
    """
    return _redact(value, _longest_first(known))


_SCALARS = (int, float, bool, type(None))


def _redact(value: Any, ordered: tuple[str, ...]) -> Any:
    # Exact types first: every event of a run passes through here, and most of its values are
    # plain dicts, lists, strings and numbers (an `isinstance` against the Mapping ABC costs
    # several times a `type() is` check). Other mappings and sequences take the general path.
    kind = type(value)
    if kind is str:
        return _redact_text(value, ordered)
    if kind in _SCALARS:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and _secret_name(key) and item is not None and item != ""
                else _redact(item, ordered)
            )
            for key, item in value.items()
        }
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        return [_redact(item, ordered) for item in value]
    if isinstance(value, str):  # a str subclass (an enum's value type)
        return _redact_text(value, ordered)
    return value


_SECRET_STEMS = (
    *("password", "passwd", "passphrase", "secret", "token", "credential", "bearer"),
    *(f"{head}{sep}key" for head in ("api", "private") for sep in ("", "_", "-")),
)
"""Every match of `_SECRET_WORDS` (and "Bearer") contains one of these, case-folded."""
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def redacted_json(value: Any, known: Iterable[str] = ()) -> str:
    """`value` redacted (as `redact` does) and written as one compact JSON text (UTF-8, values
    JSON cannot hold written as `str()`), for writers of many small records (the event stream).

    Cheaper than redacting first: the value is encoded once, and only when the text could hold
    something `redact` would change is it redacted and encoded again. Sound because JSON
    escapes character by character, and (without `ensure_ascii`) leaves letters as they are:
    a secret-named key, a secret word in a string, a URL's `://`, a "Bearer" and each known
    secret (in its escaped form) all appear in the text whenever they appear in the value.
    """
    ordered = _longest_first(known)
    text = _COMPACT(value)
    # Case-folded as the patterns' IGNORECASE matches (a long s is an "s", the Kelvin sign a "k";
    # a dotless i folds to itself yet matches "i"); ASCII text, the usual, has none of those.
    # Substring tests: an IGNORECASE search of the whole text cost more than redacting it.
    folded = text.lower() if text.isascii() else text.casefold().replace("\u0131", "i")
    if (
        not any(word in folded for word in _SECRET_STEMS)
        and "://" not in text
        and not any(_COMPACT(secret)[1:-1] in text for secret in ordered)
    ):
        return text
    return _COMPACT(_redact(value, ordered))


def known_secrets(environ: Mapping[str, str]) -> list[str]:
    """The secrets the harness's own settings hold by value: `ONEX_*` variables named like a
    secret (`ONEX_DB_PASSWORD`) and the passwords inside `ONEX_*` URLs (`ONEX_DB_URL`).

    Writers pass them as `known`, so a password is hidden even where no pattern gives it away
    (a driver's message that quotes it bare). Only `ONEX_*`: other tools' variables such as
    `TOKENIZERS_PARALLELISM=false` would hide every "false" of a report. A secret-named variable
    ending in `_FILE` (`ONEX_KAFKA_SASL_PASSWORD_FILE`) names a file: what it holds is the
    secret, not its path."""
    found: list[str] = []
    for name, value in environ.items():
        if not name.startswith("ONEX_"):
            continue
        if is_secret_key(name) and name.endswith("_FILE") and value:
            found.extend(_file_secret(value))
        elif is_secret_key(name) and value:
            found.append(value)
        elif "://" in value:
            for part in value.split(","):
                try:
                    password = urlsplit(part.strip()).password
                except ValueError:  # not a URL after all (a bad port): nothing to learn
                    continue
                if password:
                    found.append(password)
    return found


def _file_secret(path: str) -> list[str]:
    """The secret a `*_FILE` variable points at (nothing when it cannot be read: the setting's
    own check reports that)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return []
    text = text[:-1] if text.endswith("\n") else text
    return [text] if text else []
