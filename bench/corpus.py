"""Write the synthetic corpus: ``python bench/corpus.py --scale N --out DIR [--seed S]`` (5·N plan files).

The generator is `dutygraph.kg.synthetic_plans` (importable, installed); this is a thin script around it.
"""

from __future__ import annotations

import sys

from dutygraph.kg.synthetic_plans import main

if __name__ == "__main__":
    sys.exit(main())
