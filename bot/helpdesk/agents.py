"""Support agents: their accounts and sign-in sessions that expire.

Accounts live in helpdesk.yml (`agents:`) or in the help-desk database;
either way only a pbkdf2 hash of the password is kept. Session tokens are
kept hashed too.

    python -m bot.helpdesk.agents hash        prints the hash of a password to put in helpdesk.yml
    python -m bot.helpdesk.agents add NAME    stores an account in the database (DATABASE_URL)
                                              (password from the terminal, or one line on stdin)
    python -m bot.helpdesk.agents sign-out NAME   ends every session of that agent now (a lost laptop)
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
import sys
import time
from typing import Mapping, Optional

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables

ITERATIONS = 200_000
SESSION_SECONDS = 8 * 3600

metadata = sa.MetaData()

agent_accounts = sa.Table(
    "agent_accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
)

agent_sessions = sa.Table(
    "agent_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("agent", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)


def hash_password(password: str, salt: Optional[str] = None) -> str:
    """pbkdf2_sha256$iterations$salt$hash"""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), ITERATIONS).hex()
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    try:
        method, iterations, salt, digest = stored.split("$")
        if method != "pbkdf2_sha256":
            return False
        computed = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), int(iterations)).hex()
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(computed, digest)


STAND_IN_HASH = f"pbkdf2_sha256${ITERATIONS}${'0' * 32}${'0' * 64}"  # matches no password


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AgentSessions:
    """Sign-in: a random token per session, valid for SESSION_SECONDS."""

    def __init__(self, accounts: Mapping[str, str], database_url: Optional[str] = None) -> None:
        self.accounts = dict(accounts)  # name -> password hash, from helpdesk.yml
        self.database_url = database_url or default_database_url()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def add_account(self, name: str, password: str) -> None:
        """Create or change an account kept in the database."""
        if not name or len(name) > 64 or len(password) < 12:
            raise ValueError("a name of 1-64 characters and a password of at least 12")
        hashed = hash_password(password)
        with self.engine.begin() as db:
            db.execute(agent_accounts.delete().where(agent_accounts.c.name == name))
            db.execute(agent_accounts.insert().values(name=name, password_hash=hashed))

    def _stored_hash(self, name: str) -> Optional[str]:
        if name in self.accounts:
            return self.accounts[name]
        with self.engine.connect() as db:
            return db.execute(sa.select(agent_accounts.c.password_hash).where(agent_accounts.c.name == name)).scalar()

    def sign_in(self, name: str, password: str) -> Optional[dict]:
        stored = self._stored_hash(name)
        # Verify against a stand-in hash for unknown names: one key derivation
        # either way, so the time taken does not tell which names exist.
        valid = verify_password(password, stored or STAND_IN_HASH)
        if stored is None or not valid:
            return None
        token = secrets.token_urlsafe(32)
        expires_at = time.time() + SESSION_SECONDS
        with self.engine.begin() as db:
            db.execute(agent_sessions.delete().where(agent_sessions.c.expires_at < time.time()))
            db.execute(agent_sessions.insert().values(token_hash=_token_hash(token), agent=name, expires_at=expires_at))
        return {"token": token, "agent": name, "expires_at": expires_at}

    def sign_out(self, token: str) -> None:
        """This session ends now (the console's "Sign out")."""
        with self.engine.begin() as db:
            db.execute(agent_sessions.delete().where(agent_sessions.c.token_hash == _token_hash(token)))

    def sign_out_everywhere(self, name: str) -> int:
        """Every session of this agent ends now (a lost laptop); how many there were."""
        with self.engine.begin() as db:
            return db.execute(agent_sessions.delete().where(agent_sessions.c.agent == name)).rowcount

    def agent_for(self, token: Optional[str]) -> Optional[str]:
        if not token:
            return None
        with self.engine.connect() as db:
            row = db.execute(sa.select(agent_sessions).where(agent_sessions.c.token_hash == _token_hash(token))).first()
        if row is None or row.expires_at < time.time():
            return None
        return row.agent


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


def main(argv: Optional[list] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "sign-out":
        ended = AgentSessions({}).sign_out_everywhere(args[1])
        print(f"{ended} session(s) of {args[1]} ended.")
        return 0
    if args not in (["hash"],) and not (len(args) == 2 and args[0] == "add"):
        print(__doc__.split("\n\n")[-1].rstrip(), file=sys.stderr)
        return 2
    password = _read_password()
    if len(password) < 12:
        print("Use at least 12 characters.", file=sys.stderr)
        return 1
    if args[0] == "hash":
        print(hash_password(password))
        return 0
    AgentSessions({}).add_account(args[1], password)
    print(f"Agent {args[1]} can now sign in at /agent.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
