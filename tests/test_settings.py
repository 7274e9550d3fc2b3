"""Settings: defaults, DUTYGRAPH_* environment variables, options over both, and one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from dutygraph.errors import ConfigError
from dutygraph.kg.stores import BACKENDS
from dutygraph.settings import Settings, env_name, get_settings

VARIABLES = [env_name(field) for field in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from no DUTYGRAPH_* variable, whatever the shell running pytest has set."""
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def test_defaults() -> None:
    settings = get_settings()

    assert settings.store == Path(".dutygraph/store")
    assert not settings.store.is_absolute()
    assert settings.backend == "oxigraph"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.query_timeout_s == 30.0
    assert settings.max_rows == 10000


def test_environment_variables_set_every_field(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DUTYGRAPH_STORE", str(tmp_path / "jiaojiang-store"))
    monkeypatch.setenv("DUTYGRAPH_BACKEND", "memory")
    monkeypatch.setenv("DUTYGRAPH_HOST", "0.0.0.0")
    monkeypatch.setenv("DUTYGRAPH_PORT", "8765")
    monkeypatch.setenv("DUTYGRAPH_QUERY_TIMEOUT_S", "2.5")
    monkeypatch.setenv("DUTYGRAPH_MAX_ROWS", "500")

    settings = get_settings()

    assert settings.store == tmp_path / "jiaojiang-store"
    assert settings.backend == "memory"
    assert (settings.host, settings.port) == ("0.0.0.0", 8765)
    assert (settings.query_timeout_s, settings.max_rows) == (2.5, 500)


def test_options_override_the_environment_and_none_means_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUTYGRAPH_PORT", "8765")
    monkeypatch.setenv("DUTYGRAPH_BACKEND", "memory")

    settings = get_settings(port=9000, backend=None, store=Path("~/dutygraph-store"))

    assert settings.port == 9000
    assert settings.backend == "memory"
    assert settings.store == Path.home() / "dutygraph-store"


def test_settings_are_read_when_asked_not_before(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_settings().port == 8000
    monkeypatch.setenv("DUTYGRAPH_PORT", "8001")

    assert get_settings().port == 8001


def test_settings_are_frozen() -> None:
    settings = get_settings()

    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DUTYGRAPH_PORT", "70000", "DUTYGRAPH_PORT='70000': Input should be less than or equal to 65535"),
        ("DUTYGRAPH_PORT", "0", "DUTYGRAPH_PORT='0': Input should be greater than or equal to 1"),
        (
            "DUTYGRAPH_PORT",
            "八千",
            "DUTYGRAPH_PORT='八千': Input should be a valid integer, unable to parse string as an integer",
        ),
        ("DUTYGRAPH_QUERY_TIMEOUT_S", "0", "DUTYGRAPH_QUERY_TIMEOUT_S='0': Input should be greater than 0"),
        ("DUTYGRAPH_QUERY_TIMEOUT_S", "-5", "DUTYGRAPH_QUERY_TIMEOUT_S='-5': Input should be greater than 0"),
        (
            "DUTYGRAPH_QUERY_TIMEOUT_S",
            "inf",
            "DUTYGRAPH_QUERY_TIMEOUT_S='inf': Input should be a finite number",
        ),
        ("DUTYGRAPH_MAX_ROWS", "0", "DUTYGRAPH_MAX_ROWS='0': Input should be greater than 0"),
        (
            "DUTYGRAPH_BACKEND",
            "fuseki",
            "DUTYGRAPH_BACKEND='fuseki': Input should be 'memory', 'oxigraph' or 'sparql'",
        ),
        ("DUTYGRAPH_STORE", " ", "DUTYGRAPH_STORE=' ': Value error, the store directory must not be empty"),
    ],
)
def test_a_bad_environment_value_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as raised:
        get_settings()

    assert str(raised.value) == message


def test_a_bad_option_names_the_option_and_its_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        get_settings(query_timeout_s=-1)

    assert str(raised.value) == (
        "query_timeout_s=-1 (option, overrides DUTYGRAPH_QUERY_TIMEOUT_S): Input should be greater than 0"
    )


def test_every_bad_value_is_reported_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUTYGRAPH_PORT", "70000")
    monkeypatch.setenv("DUTYGRAPH_QUERY_TIMEOUT_S", "0")

    with pytest.raises(ConfigError) as raised:
        get_settings()

    message = str(raised.value)
    assert "\n" not in message
    assert "DUTYGRAPH_PORT='70000'" in message
    assert "DUTYGRAPH_QUERY_TIMEOUT_S='0'" in message


def test_an_unknown_option_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'layout'; known settings: store, backend, host"):
        get_settings(layout="four-column")


def test_the_backend_choices_are_the_registered_store_backends() -> None:
    assert get_args(Settings.model_fields["backend"].annotation) == BACKENDS
