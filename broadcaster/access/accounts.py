"""Named accounts (docs/access.md#accounts-and-roles): who may sign in, and whether they may change anything.

`ADMIN_USERS` holds `name:role:hash` entries separated by commas. The hash is what
`python3 stats_broadcaster.py --hash-password` prints (werkzeug's password hash, which has
colons of its own, hence the split at the first two colons only). `ADMIN_USERNAME` with
`ADMIN_PASSWORD` is one more operator, and `ADMIN_TOKEN` is the operator named `token`.
"""

from __future__ import annotations

import dataclasses
import re

from broadcaster.core.errors import ConfigError

OPERATOR = "operator"
VIEWER = "viewer"
ROLES = (OPERATOR, VIEWER)
TOKEN_USER = "token"  # noqa: S105 - the name the Bearer token acts under, not a secret
READ_ONLY_MESSAGE = "只读账号不能执行此操作"
#: The methods that only read, open to viewers; any other needs an operator (and is audited).
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
# werkzeug hashes are `method$salt$hash`; methods are `scrypt:…` or `pbkdf2:…`.
_HASH = re.compile(r"(scrypt|pbkdf2)(:[0-9a-z:]+)?\$[^$\s]+\$[0-9a-f]+")


@dataclasses.dataclass(frozen=True)
class Account:
    """A signed-in user: name and role (what the audit records and the page shows)."""

    name: str
    role: str

    @property
    def may_change(self) -> bool:
        """True for operators: only they may change state."""
        return self.role == OPERATOR


def parse_admin_users(raw: str, reserved: tuple[str, ...] = ()) -> tuple[tuple[str, str, str], ...]:
    """`ADMIN_USERS` as (name, role, hash) triples; a bad entry raises ConfigError naming the
    setting and the entry's position (1-based), never its hash."""
    accounts: list[tuple[str, str, str]] = []
    seen = set(reserved)
    for position, entry in enumerate((part.strip() for part in raw.split(",")), start=1):
        if not entry:
            continue
        name, sep1, rest = entry.partition(":")
        role, sep2, password_hash = rest.partition(":")
        name, role = name.strip(), role.strip()
        if not (sep1 and sep2) or not _NAME.fullmatch(name):
            raise ConfigError(f"ADMIN_USERS 第 {position} 项无效：需要 名字:角色:哈希（名字只能含字母、数字和 _.@-）")
        if role not in ROLES:
            raise ConfigError(f"ADMIN_USERS 第 {position} 项（{name}）的角色无效：只能是 operator 或 viewer")
        if not _HASH.fullmatch(password_hash.strip()):
            raise ConfigError(f"ADMIN_USERS 第 {position} 项（{name}）的哈希无效：请用 "
                              "python3 stats_broadcaster.py --hash-password 生成")
        if name in seen:
            raise ConfigError(f"ADMIN_USERS 第 {position} 项：用户名 {name} 重复")
        seen.add(name)
        accounts.append((name, role, password_hash.strip()))
    return tuple(accounts)
