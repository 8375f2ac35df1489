"""The Stats Broadcaster: the loop that runs a pass every interval, and the command line.

While the switch is on, every 3 minutes a pass reads every active task, refreshes the stalest
videos within per-platform budgets, builds one stats entry per task and POSTs it as a signed
webhook. Every process (each gunicorn worker, this command) runs one `Broadcaster`, and the
database decides which of them runs each pass (docs/architecture.md).

    python3 stats_broadcaster.py                   switch on and run the loop until SIGINT/SIGTERM
    python3 stats_broadcaster.py --once            one pass now, report on stdout
    python3 stats_broadcaster.py --once --dry-run  print each payload, send and write nothing
    python3 stats_broadcaster.py --init-db         apply the schema
    python3 stats_broadcaster.py --plan            how fresh the counts can be at the current settings
    python3 stats_broadcaster.py --hash-password   read a password (prompt or stdin), print its hash

This file only wires: the supervisor is `broadcaster.engine.supervisor`, the command line
`broadcaster.cli` (docs/command-line.md).
"""

import sys

from broadcaster.cli import format_report, main
from broadcaster.engine.supervisor import Broadcaster, broadcast_all_tasks

__all__ = ["Broadcaster", "broadcast_all_tasks", "format_report", "main"]

if __name__ == "__main__":
    sys.exit(main())
