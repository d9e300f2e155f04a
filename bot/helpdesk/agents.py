"""Support agents: their accounts and sign-in sessions that expire.

Accounts live in helpdesk.yml (`agents:`) or in the help-desk database;
either way only a pbkdf2 hash of the password is kept. Session tokens are
kept hashed too.

    python -m bot.helpdesk.agents hash        prints the hash of a password to put in helpdesk.yml
    python -m bot.helpdesk.agents add NAME [--admin] [--language pt]   stores an account in the database
                                              (DATABASE_URL; password from the terminal, or one line on stdin);
                                              an admin may export and delete a customer's data in the console
    python -m bot.helpdesk.agents language NAME pt   the console's language for that agent
                                              (en, pt, es, vi, zh-Hans, zh-Hant; also changeable in the console)
    python -m bot.helpdesk.agents add NAME --queue support --queue sales   the queues the agent works in
    python -m bot.helpdesk.agents queues NAME support,sales   changes them (`all`: every queue, the default;
                                              see bot/helpdesk/queues.py)
    python -m bot.helpdesk.agents admin NAME on|off     gives or takes that right
    python -m bot.helpdesk.agents list        every account, where it is kept, disabled or locked
    python -m bot.helpdesk.agents reset-password NAME   a new password; every session ends
    python -m bot.helpdesk.agents disable NAME | enable NAME   no sign-in while disabled; sessions end
    python -m bot.helpdesk.agents remove NAME  deletes a database account; sessions end
    python -m bot.helpdesk.agents sign-out NAME   ends every session of that agent now (a lost laptop)

Wrong passwords lock the name for a while, whoever tries (per account, not
per address: behind a proxy every caller has the proxy's address): after
FREE_FAILURES in a row, LOCK_SECONDS, doubling with each further failure up
to MAX_LOCK_SECONDS. Unknown names are counted the same way, so a lockout
tells nothing about which names exist.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
import sys
import time
from typing import Any, Mapping, Optional

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables

ITERATIONS = 200_000
SESSION_SECONDS = 8 * 3600
FREE_FAILURES = 5
LOCK_SECONDS = 30.0
MAX_LOCK_SECONDS = 15 * 60.0
FORGET_FAILURES_SECONDS = 24 * 3600.0  # a day without failures starts the count again

metadata = sa.MetaData()

agent_accounts = sa.Table(
    "agent_accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("disabled", sa.Boolean),
    sa.Column("admin", sa.Boolean),  # may export and delete customers' data in the console
)

agent_lockouts = sa.Table(
    "agent_lockouts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),  # any name tried, known or not
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.Float, nullable=False),
    sa.Column("locked_until", sa.Float, nullable=False),
)


class LockedOut(Exception):
    """Too many wrong passwords for this name: try again in `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"locked for {seconds:.0f} s")
        self.seconds = seconds


def lock_seconds(failures: int) -> float:
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2.0 ** (failures - FREE_FAILURES))


# The console's language of each agent, for accounts of helpdesk.yml and of
# the database alike (so it is its own table, not a column of agent_accounts).
agent_preferences = sa.Table(
    "agent_preferences",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("language", sa.String(8)),
)

CONSOLE_LANGUAGES = ("en", "pt", "es", "vi", "zh-Hans", "zh-Hant")
DEFAULT_CONSOLE_LANGUAGE = "en"


def console_language(value: str) -> str:
    """A console language as stored; ValueError names the ones there are."""
    for language in CONSOLE_LANGUAGES:
        if value.strip().lower() == language.lower():
            return language
    raise ValueError(f"unknown console language {value!r}: use one of {', '.join(CONSOLE_LANGUAGES)}")


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

    def add_account(self, name: str, password: str, admin: Optional[bool] = None) -> None:
        """Create or change an account kept in the database (`admin`: None keeps it as it was)."""
        if not name or len(name) > 64 or len(password) < 12:
            raise ValueError("a name of 1-64 characters and a password of at least 12")
        hashed = hash_password(password)
        with self.engine.begin() as db:
            changes = {"password_hash": hashed, **({} if admin is None else {"admin": admin})}
            if db.execute(agent_accounts.update().where(agent_accounts.c.name == name).values(**changes)).rowcount:
                return  # a new password; disabled stays disabled
            db.execute(agent_accounts.insert().values(name=name, password_hash=hashed, admin=bool(admin)))

    def _stored_hash(self, name: str) -> Optional[str]:
        """The password hash of an account that may sign in (None: unknown or disabled)."""
        if name in self.accounts:
            return self.accounts[name]
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(agent_accounts.c.password_hash, agent_accounts.c.disabled).where(
                    agent_accounts.c.name == name
                )
            ).first()
        return row.password_hash if row is not None and not row.disabled else None

    def sign_in(self, name: str, password: str, now: Optional[float] = None) -> Optional[dict]:
        """A session, or None for a wrong name or password; LockedOut while the name is locked."""
        now = time.time() if now is None else now
        key = name[:64]
        with self.engine.connect() as db:
            lock = db.execute(sa.select(agent_lockouts).where(agent_lockouts.c.name == key)).first()
        if lock is not None and lock.locked_until > now:
            raise LockedOut(lock.locked_until - now)
        stored = self._stored_hash(name)
        # Verify against a stand-in hash for unknown names: one key derivation
        # either way, so the time taken does not tell which names exist.
        valid = verify_password(password, stored or STAND_IN_HASH)
        if stored is None or not valid:
            self._count_failure(key, lock, now)
            return None
        if lock is not None:
            with self.engine.begin() as db:
                db.execute(agent_lockouts.delete().where(agent_lockouts.c.name == key))
        token = secrets.token_urlsafe(32)
        expires_at = time.time() + SESSION_SECONDS
        with self.engine.begin() as db:
            db.execute(agent_sessions.delete().where(agent_sessions.c.expires_at < time.time()))
            db.execute(agent_sessions.insert().values(token_hash=_token_hash(token), agent=name, expires_at=expires_at))
        return {
            "token": token,
            "agent": name,
            "expires_at": expires_at,
            "admin": self.is_admin(name),
            "language": self.language_of(name),
        }

    def language_of(self, name: str) -> str:
        """The language the agent's console speaks (DEFAULT_CONSOLE_LANGUAGE until one is chosen)."""
        with self.engine.connect() as db:
            stored = db.execute(
                sa.select(agent_preferences.c.language).where(agent_preferences.c.name == name)
            ).scalar()
        return stored if stored in CONSOLE_LANGUAGES else DEFAULT_CONSOLE_LANGUAGE

    def set_language(self, name: str, language: str) -> str:
        """Choose the agent's console language (ValueError for an unknown one); returns it as stored."""
        language = console_language(language)
        change = agent_preferences.update().where(agent_preferences.c.name == name).values(language=language)
        with self.engine.begin() as db:
            if db.execute(change).rowcount:
                return language
        try:
            with self.engine.begin() as db:
                db.execute(agent_preferences.insert().values(name=name, language=language))
        except sa.exc.IntegrityError:  # another tab chose at the same moment: the last choice wins
            with self.engine.begin() as db:
                db.execute(change)
        return language

    def _count_failure(self, key: str, lock: Any, now: float) -> None:
        recent = lock is not None and now - lock.last_failure_at < FORGET_FAILURES_SECONDS
        failures = (lock.failures if recent else 0) + 1
        values = {"failures": failures, "last_failure_at": now, "locked_until": now + lock_seconds(failures)}
        with self.engine.begin() as db:
            db.execute(agent_lockouts.delete().where(agent_lockouts.c.last_failure_at < now - FORGET_FAILURES_SECONDS))
            db.execute(agent_lockouts.delete().where(agent_lockouts.c.name == key))
            db.execute(agent_lockouts.insert().values(name=key, **values))

    def accounts_list(self, now: Optional[float] = None) -> list:
        """Every account: name, where it is kept, disabled, seconds still locked."""
        now = time.time() if now is None else now
        with self.engine.connect() as db:
            rows_in_db = list(db.execute(sa.select(agent_accounts)))
            stored = {row.name: bool(row.disabled) for row in rows_in_db}
            admins = {row.name for row in rows_in_db if row.admin}
            locks = {row.name: row.locked_until for row in db.execute(sa.select(agent_lockouts))}
        rows = [(name, "helpdesk.yml", False) for name in sorted(self.accounts)]
        rows += [(name, "database", disabled) for name, disabled in sorted(stored.items()) if name not in self.accounts]
        return [
            {
                "name": name,
                "kept_in": kept,
                "disabled": disabled,
                "admin": name in admins,
                "locked_seconds": max(0.0, locks.get(name, 0.0) - now),
            }
            for name, kept, disabled in rows
        ]

    def set_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable a database account (its sessions end); False if there is none."""
        with self.engine.begin() as db:
            changed = db.execute(
                agent_accounts.update().where(agent_accounts.c.name == name).values(disabled=disabled)
            ).rowcount
        if changed:
            self.sign_out_everywhere(name)
        return bool(changed)

    def remove_account(self, name: str) -> bool:
        with self.engine.begin() as db:
            removed = db.execute(agent_accounts.delete().where(agent_accounts.c.name == name)).rowcount
            db.execute(agent_preferences.delete().where(agent_preferences.c.name == name))
        # A new account of the same name must not inherit the old one's queues.
        from bot.helpdesk.queues import QueueMembership

        QueueMembership(self.database_url).set_queues(name, [])
        self.sign_out_everywhere(name)
        return bool(removed)

    def is_admin(self, name: str) -> bool:
        """Only database accounts can be admins (`add NAME --admin`)."""
        with self.engine.connect() as db:
            return bool(db.execute(sa.select(agent_accounts.c.admin).where(agent_accounts.c.name == name)).scalar())

    def set_admin(self, name: str, admin: bool) -> bool:
        with self.engine.begin() as db:
            return bool(
                db.execute(agent_accounts.update().where(agent_accounts.c.name == name).values(admin=admin)).rowcount
            )

    def has_database_account(self, name: str) -> bool:
        with self.engine.connect() as db:
            return db.execute(sa.select(agent_accounts.c.name).where(agent_accounts.c.name == name)).first() is not None

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
    admin = "--admin" in args
    args = [arg for arg in args if arg != "--admin"]
    from bot.helpdesk import queues

    args, queue_names = queues.take_queue_flags(args)
    try:
        queue_names = queues.QueueMembership().check(queue_names) if queue_names else []
    except queues.UnknownQueue as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    language = None
    if "--language" in args:
        at = args.index("--language")
        if at + 1 >= len(args):
            print("--language needs a value: " + ", ".join(CONSOLE_LANGUAGES), file=sys.stderr)
            return 2
        language = args[at + 1]
        args = args[:at] + args[at + 2 :]
        try:
            language = console_language(language)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    command, name = (args + ["", ""])[:2]
    if len(args) == 3 and command == "language":
        from bot.settings import get_settings

        agents = AgentSessions(get_settings().agents)
        if name not in agents.accounts and not agents.has_database_account(name):
            print(f"No account {name} (add it with: add {name} --language {args[2]}).", file=sys.stderr)
            return 1
        try:
            chosen = agents.set_language(name, args[2])
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"Agent {name}: the console speaks {chosen}.")
        return 0
    if len(args) == 3 and command == "queues":
        from bot.settings import get_settings

        known = AgentSessions(get_settings().agents)
        return queues.queues_command(name, args[2], name in known.accounts or known.has_database_account(name))
    if len(args) == 3 and command == "admin" and args[2] in ("on", "off"):
        if not AgentSessions({}).set_admin(name, args[2] == "on"):
            print(f"No account {name} in the database.", file=sys.stderr)
            return 1
        print(f"Agent {name}: admin {args[2]}.")
        return 0
    if args == ["list"]:
        from bot.settings import get_settings

        agents = AgentSessions(get_settings().agents)
        for account in agents.accounts_list():
            state = "disabled" if account["disabled"] else "active"
            if account["locked_seconds"] > 0:
                state += f", locked for {account['locked_seconds']:.0f} s"
            if account["admin"]:
                state += ", admin"
            state += f", console in {agents.language_of(account['name'])}"
            state += f", queues: {', '.join(queues.QueueMembership().queues_of(account['name']))}"
            print(f"{account['name']}\t{account['kept_in']}\t{state}")
        return 0
    if len(args) == 2 and command == "sign-out":
        ended = AgentSessions({}).sign_out_everywhere(name)
        print(f"{ended} session(s) of {name} ended.")
        return 0
    if len(args) == 2 and command in ("disable", "enable", "remove"):
        agents = AgentSessions({})
        done = agents.remove_account(name) if command == "remove" else agents.set_disabled(name, command == "disable")
        if not done:
            print(f"No account {name} in the database (accounts in helpdesk.yml are changed there).", file=sys.stderr)
            return 1
        print(f"Agent {name}: {'removed' if command == 'remove' else command + 'd'}; every session ended.")
        return 0
    if args != ["hash"] and not (len(args) == 2 and command in ("add", "reset-password")):
        print(__doc__.split("\n\n")[2].rstrip(), file=sys.stderr)
        return 2
    if command == "reset-password" and not AgentSessions({}).has_database_account(name):
        print(f"No account {name} in the database (add it with: add {name}).", file=sys.stderr)
        return 1
    password = _read_password()
    if len(password) < 12:
        print("Use at least 12 characters.", file=sys.stderr)
        return 1
    if command == "hash":
        print(hash_password(password))
        return 0
    agents = AgentSessions({})
    agents.add_account(name, password, admin=True if admin else None)
    if language:
        agents.set_language(name, language)
    if queue_names:
        queues.QueueMembership().set_queues(name, queue_names)
    if command == "reset-password":
        agents.sign_out_everywhere(name)
        print(f"Agent {name} has a new password; every session ended.")
        return 0
    print(f"Agent {name} can now sign in at /agent.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
