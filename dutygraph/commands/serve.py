"""`dutygraph serve [--host] [--port] [--store DIR]`: the SPARQL endpoint, the staff API and the pages."""

from __future__ import annotations

import argparse

from dutygraph.commands._store_options import add_store_options


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve", help="serve the store: /sparql, /api, pages at http://127.0.0.1:8000"
    )
    serve.add_argument("--host", help="address to listen on (default: $DUTYGRAPH_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: $DUTYGRAPH_PORT or 8000)")
    add_store_options(serve)
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from dutygraph.api.app import create_app, open_served_store
    from dutygraph.settings import get_settings

    settings = get_settings(store=args.store, backend=args.backend, host=args.host, port=args.port)
    open_served_store(settings).close()  # fail here, in one line, rather than inside uvicorn's start-up
    print(f"dutygraph: serving {settings.store} at http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
    return 0
