"""The HTTP face of dutygraph: a guarded SPARQL endpoint, an API for staff, and pages (Chinese first).

`api/` only wires routes to `kg/` functions and named queries; it holds no SPARQL text and walks no graph.
`api.app.create_app` assembles the routers; `api.deps` gives routes the store and the settings.
"""
