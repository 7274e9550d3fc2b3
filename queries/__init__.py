"""The SPARQL query library: one `.rq` file per question, named by its file name.

Each file opens with a header of `# key: value` comment lines — ``title`` (中文 / English), ``answers`` (the
question), ``parameters`` (each ``name: RDF type, example`` or ``none``) and ``reads`` (the graphs it reads).
`dutygraph.kg.query_library` loads and runs them with parameters bound as RDF terms.
"""
