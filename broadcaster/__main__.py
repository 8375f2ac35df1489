"""`python -m broadcaster`: the command line of stats_broadcaster.py (how passes' children start)."""

import sys

from broadcaster.cli import main

sys.exit(main())
