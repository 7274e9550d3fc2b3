"""Bridging rules of the reasoner: one SPARQL ``CONSTRUCT`` per file, named by its file name.

OWL axioms cannot say "a group of type 食安委成员单位 in a jurisdiction has as members the members of that
jurisdiction's leading group": that joins two nodes by a shared jurisdiction. Such rules are written here, run
by both reasoning modes (`dutygraph.kg.reasoning`) together with the OWL 2 RL closure until nothing new is
derived, and read backwards by `dutygraph.kg.explain`.

Each file opens with a header of ``# key: value`` lines — ``title`` (中文 / English), ``derives`` (what the
rule concludes) and ``because`` (the reason an explanation prints, with the rule's ``?variables`` replaced by
the names of what they matched) — then ``PREFIX`` lines and one ``CONSTRUCT { head } WHERE { body }`` whose
body is triple patterns and ``VALUES`` only, so an explanation can list every premise.
"""
