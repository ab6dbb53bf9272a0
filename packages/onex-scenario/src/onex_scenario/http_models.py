"""The `http` step: a request to the app under test, and what its response must be.

```yaml
- id: create
  http:
    method: POST
    path: /orders
    json: {id: o-1, sku: ABC, qty: 2}
    headers: {X-Request-Id: r-1}
    expect:
      status: 201                                 # a number or a matcher: {$between: [200, 299]}
      headers: {content-type: {$regex: "^application/json"}}
      json: {id: o-1, status: accepted}           # compared with `match` (partial by default)
```

The step's output is `{status, headers, json}` (`json` is null when the body is not JSON; the
body as text is the field `text`), so later steps can use `${steps.create.json.id}`.
Header names are compared in lower case.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from onex_scenario.expected import Expected
from onex_scenario.names import YamlValue

_MODEL = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class ModelHttpExpectation(BaseModel):
    """What the response must be; only what is given is checked."""

    model_config = _MODEL

    status: Expected = Field(default=None, description="The status code, or a matcher.")
    headers: dict[str, Expected] | None = Field(
        default=None, description="Headers that must be present (names in any case)."
    )
    body: Expected = Field(default=None, alias="json", description="The JSON body.")
    text: Expected = Field(default=None, description="The body as text (e.g. {$regex: ...}).")
    match: Literal["exact", "partial", "contains", "type"] = "partial"

    @property
    def body_given(self) -> bool:
        """True when the file set `json` (then it is compared, even when it is null)."""
        return "body" in self.model_fields_set


class ModelHttpSpec(BaseModel):
    """One request to the app's base URL (`${app.base_url}`)."""

    model_config = _MODEL

    method: HttpMethod = "GET"
    path: str = Field(pattern=r"^/", description="Path and query, e.g. /orders/o-1?full=1.")
    body: YamlValue = Field(default=None, alias="json", description="Sent as a JSON body.")
    headers: dict[str, str] = Field(default_factory=dict)
    expect: ModelHttpExpectation = Field(default_factory=ModelHttpExpectation)

    @property
    def body_given(self) -> bool:
        return "body" in self.model_fields_set
