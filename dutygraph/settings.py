"""The one typed place dutygraph's settings come from: ``DUTYGRAPH_*`` environment variables and options.

Nothing is read at import time and no other module reads `os.environ`: the CLI and the server call
`get_settings` once at start-up (tests call it, or override the dependency, with their own values).

=========================  ==================  =====================================================
environment variable       default             meaning
=========================  ==================  =====================================================
DUTYGRAPH_STORE            .dutygraph/store    the store directory; a relative path is taken from
                                               the working directory of the process
DUTYGRAPH_BACKEND          oxigraph            ``oxigraph`` (persistent), ``memory`` or ``sparql``
DUTYGRAPH_ENDPOINT         (none)              base URL of the SPARQL server, http(s); needed by
                                               ``sparql`` (see `dutygraph.kg.stores.sparql`)
DUTYGRAPH_HOST             127.0.0.1           address the server listens on
DUTYGRAPH_PORT             8000                its port, 1–65535
DUTYGRAPH_QUERY_TIMEOUT_S  30                  seconds a query may run, > 0
DUTYGRAPH_MAX_ROWS         10000               rows a query may return, > 0
=========================  ==================  =====================================================

>>> settings = get_settings(backend="memory", port=8080)
>>> settings.backend, settings.port, settings.query_timeout_s
('memory', 8080, 30.0)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dutygraph.errors import ConfigError

ENV_PREFIX = "DUTYGRAPH_"
# scheme, then a host (with an optional port), then an optional path; no spaces anywhere
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


class Settings(BaseSettings):
    """dutygraph's settings; each field `name` is read from the environment variable ``DUTYGRAPH_NAME``.

    Build it with `get_settings`, which turns a bad value into a one-line `ConfigError`. Settings are
    frozen: a part of the program that needs other values asks for a new `Settings`.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    store: Path = Field(
        default=Path(".dutygraph/store"),
        description="Directory of the graph store. Relative paths are relative to the working directory.",
    )
    backend: Literal["memory", "oxigraph", "sparql"] = Field(
        default="oxigraph", description="Store backend, a name known to dutygraph.kg.stores.open_store."
    )
    host: str = Field(default="127.0.0.1", min_length=1, description="Address the server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on.")
    query_timeout_s: float = Field(
        default=30.0, gt=0, allow_inf_nan=False, description="Longest time one query may run, in seconds."
    )
    max_rows: int = Field(default=10000, gt=0, description="Most rows one query may return.")
    max_body_bytes: int = Field(
        default=1_000_000,
        gt=0,
        description="Largest request body the server accepts (a SPARQL query, a form).",
    )
    # Declared after `backend`, so that its validator sees the backend already validated.
    endpoint: str | None = Field(
        default=None,
        validate_default=True,
        description="Base URL of the SPARQL 1.1 server the sparql backend uses (its /query and /update).",
    )

    @field_validator("store", mode="before")
    @classmethod
    def _store_is_a_path(cls, value: Any) -> Any:
        # An empty DUTYGRAPH_STORE would silently mean the working directory itself.
        if isinstance(value, str) and not value.strip():
            raise ValueError("the store directory must not be empty")
        return value

    @field_validator("store")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_an_http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("backend") == "sparql":
                raise ValueError(
                    f"backend 'sparql' needs the server's base URL: set {env_name('endpoint')} or --endpoint"
                )
            return None
        if not _HTTP_URL.match(value):
            raise ValueError("not an http(s) URL, e.g. http://127.0.0.1:7878")
        return value


def env_name(field: str) -> str:
    """The environment variable that sets `field`.

    >>> env_name("query_timeout_s")
    'DUTYGRAPH_QUERY_TIMEOUT_S'
    """
    return f"{ENV_PREFIX}{field.upper()}"


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with `overrides` (e.g. CLI options) taking precedence.

    An override whose value is None is ignored, so an option the user did not give leaves the
    environment variable (or the default) in force.

    >>> get_settings(port=None).port
    8000
    >>> get_settings(port=70000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    dutygraph.errors.ConfigError: port=70000 (option, overrides DUTYGRAPH_PORT): Input should be less than ...

    :raises ConfigError: naming the environment variable and the bad value, for every bad value, or an
        override that is not a setting.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    unknown = sorted(set(given) - set(Settings.model_fields))
    if unknown:
        known = ", ".join(Settings.model_fields)
        raise ConfigError(f"unknown setting {unknown[0]!r}; known settings: {known}")
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "?"
            value = error.get("input")
            given_as_option = f"{field}={value!r} (option, overrides {env_name(field)})"
            where = given_as_option if field in given else f"{env_name(field)}={value!r}"
            problems.append(f"{where}: {error['msg']}")
        raise ConfigError("; ".join(problems)) from exc
