"""Smoke script: run one pass now and print the report in the seed's format.

Usage: python3 test_broadcaster.py  (exit 0 when the pass ran, else 1). Not a pytest module:
the suite lives in tests/ and setup.cfg limits collection to it.
"""

from __future__ import annotations

import logging
import sys

import stats_broadcaster as sb
from broadcaster.core.config import load_config
from broadcaster.core.errors import ConfigError, StorageError
from broadcaster.core.logs import configure_logging
from broadcaster.core.states import Trigger
from broadcaster.storage.db import open_database


def main(argv: list[str] | None = None) -> int:
    """Run one pass (trigger "cli") and print 总任务数 / 成功 / 失败 / 时间."""
    print("=" * 50)
    print("分发数据回传服务 - 手动测试")
    print("=" * 50)
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"配置错误: {exc}", file=sys.stderr)
        return 1
    configure_logging(config.secrets(), logging.WARNING)
    try:
        database = open_database(config)
    except StorageError as exc:
        print(f"数据库不可用: {exc}", file=sys.stderr)
        return 1
    result = sb.broadcast_all_tasks(config, database, trigger=Trigger.CLI)
    print(sb.format_report(result))
    print("=" * 50)
    return 0 if result["success"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
