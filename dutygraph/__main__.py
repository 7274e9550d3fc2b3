"""`python -m dutygraph` is the `dutygraph` command."""

import sys

from dutygraph.cli import main

sys.exit(main())
