"""Fixtures shared across test modules."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dutygraph.kg.build import build
from dutygraph.kg.stores import GraphStore, open_store

if TYPE_CHECKING:
    from fastapi import FastAPI


@pytest.fixture(scope="session")
def seed_store() -> Iterator[GraphStore]:
    """A memory store holding the five bundled plans, the ontology and what reasoning infers — as `dutygraph
    build` leaves it. Shared by the whole session: tests must not write to it."""
    with open_store("memory") as store:
        build(store, [])
        yield store


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real Oxigraph server on loopback, with its data in a temporary directory.

    The server comes from the `oxigraph` package (a dev dependency). Shared by the session: a test that
    writes to it must start by emptying it. Missing binary: a skip, except under CI (env CI=true), where
    a missing backend fails.
    """
    binary = shutil.which(
        "oxigraph", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if binary is None:
        reason = "the oxigraph server binary is not installed (pip install oxigraph)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with socket.socket() as probe:  # a free port: bind to 0, read it, let the server take it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    location = tmp_path_factory.mktemp("oxigraph-server")
    log = (location.parent / "oxigraph-server.log").open("w+b")
    server = subprocess.Popen(
        [binary, "serve", "--location", str(location / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if server.poll() is not None:
                log.seek(0)
                pytest.fail(f"oxigraph serve exited with {server.returncode}: {log.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"oxigraph serve did not answer on {url} within 15 s")
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@contextmanager
def served_on_loopback(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free loopback port, for the block: its base URL."""
    import uvicorn

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()
