"""On a PostgreSQL store the hub's people are the store's own logins (`lianhu users add`), so that everything a
person does reaches the database as themselves (its roles, row policies and audit log): `StoreLogins` checks a
name and password by connecting to the store as that login, and takes the person's role and area from the store's
users table; the password is kept, encrypted, in JupyterHub's auth_state and written to the person's own password
file when their server starts (`person_password_file`), removed when it stops. Read by the hub only."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from jupyterhub.auth import Authenticator
from tornado.web import HTTPError
from traitlets import Unicode

from ..errors import masked
from ..store.store import POSTGRES_LOGIN, store_url
from .settings import FAILED_LOGINS_ALLOWED, LOCKOUT_SECONDS, connect_options

PASSWORD_FILE = ".pgpass"  # in the person's working folder, 0600
# libpq's connection failures carry no SQLSTATE: these are the server's answers about the login itself
REFUSED = re.compile(r"password authentication failed|permission denied for database|role \S+ does not exist|"
                     r"no pg_hba\.conf entry|password is required|is not permitted to log in")


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    area: str


def person(store: str, name: str, password: str) -> Person | None:
    """The active user `name` of the store, if `password` is their login's and the server asked for it (a server
    that trusts every connection would let anyone be anyone); None otherwise."""
    if not POSTGRES_LOGIN.fullmatch(name or "") or not password:
        return None
    return _read_person(store, name, {"user": name, "password": password}, needs_password=True)


def person_now(store: str, passfile: str | None, name: str) -> Person | None:
    """The active user `name` of the store now, read with the hub's own login (the store URL's, its password in
    `passfile`); None when they are not one."""
    return _read_person(store, name, {"passfile": passfile} if passfile else {}, needs_password=False)


def _read_person(store: str, name: str, login: dict, needs_password: bool) -> Person | None:
    import psycopg

    url = store_url(store)
    options = connect_options(url) | login | {"connect_timeout": 10, "application_name": "lianhu-hub"}
    try:
        with psycopg.connect(**options) as conn:
            if needs_password and not conn.pgconn.used_password:
                raise UntrustedServer(url.render_as_string())
            row = conn.execute("SELECT role, area FROM users WHERE name = %s AND active", (name,)).fetchone()
    except psycopg.Error as exc:
        said = str(exc).strip()
        if exc.sqlstate is None and not REFUSED.search(said):  # no answer about the person: down, unreachable, full
            raise StoreUnreachable(said.splitlines()[0][:200] if said else type(exc).__name__) from None
        return None  # a wrong password, no such login, no CONNECT on the database, no users table
    return Person(name, row[0], row[1] or "") if row else None


class UntrustedServer(Exception):
    """The database let a login in without its password: the hub cannot tell people apart."""


class StoreUnreachable(Exception):
    """The database did not answer (down, unreachable, too slow)."""


class StoreLogins(Authenticator):
    """A login is the store's: its name and password, and an active user of the store's users table. Five wrong
    passwords for a name lock it for ten minutes (attempts at once counted before they are checked). Every
    `auth_refresh_age` seconds a person's standing is read again with the hub's own login: someone deactivated, or
    whose role changed, has their server stopped and must log in again."""

    store = Unicode(config=True, help="the store's URL, without a password")
    passfile = Unicode("", config=True, help="the hub's own password file, for reading the users table")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._failures: dict[str, tuple[int, float]] = {}

    async def authenticate(self, handler, data):
        name = (data.get("username") or "").strip().lower()
        password = data.get("password") or ""
        if not POSTGRES_LOGIN.fullmatch(name):
            return None  # not a login's name: neither logged in full nor remembered
        failures, since = self._failures.get(name, (0, 0.0))
        if time.monotonic() - since >= LOCKOUT_SECONDS:
            failures = 0
        if failures >= FAILED_LOGINS_ALLOWED:
            self.log.warning("Login of %s refused: locked after %d failures", name, failures)
            return None
        self._failures[name] = (failures + 1, time.monotonic())  # counted before the check: tries at once add up
        try:
            found = await asyncio.to_thread(person, self.store, name, password)
        except UntrustedServer as exc:
            self._failures[name] = (failures, since)
            self.log.error("The store %s let %s in without asking for the password: logins need password "
                           "authentication (pg_hba.conf scram-sha-256)", exc, name)
            return None
        except StoreUnreachable as exc:
            self._failures[name] = (failures, since)
            self.log.error("Login of %s not checked: the store did not answer (%s)", name, masked(str(exc)))
            raise HTTPError(503, "数据库暂时连不上，请稍后再试 / the store cannot be reached just now: try again later") from None
        if found is None:
            self.log.warning("Login of %s refused: not an active user of the store with that password", name)
            return None
        self._failures.pop(name, None)
        return {"name": name, "auth_state": {"password": password, "role": found.role, "area": found.area}}

    async def refresh_user(self, user, handler=None):
        """Still an active user of the store, in the role they logged in with? If not, their server is stopped."""
        state = await user.get_auth_state() or {}
        try:
            now = await asyncio.to_thread(person_now, self.store, self.passfile or None, user.name)
        except StoreUnreachable:
            return True  # says nothing about the person
        if now is not None and now.role == state.get("role"):
            return True
        self.log.warning("%s is %s in the store now: their server is stopped and they must log in again", user.name,
                         "no longer an active user" if now is None else f"a {now.role}, not a {state.get('role')},")
        if handler is not None and user.spawner.active:
            await handler.stop_single_user(user)
        await user.save_auth_state(None)
        return False

    def check_allowed(self, username, authentication=None):
        return True  # the store's users table decided


def crypt_key(data: Path) -> str:
    """The key that encrypts auth_state (the logins' passwords) in the hub's database: made once, 0600."""
    path = Path(data) / "jupyterhub_crypt_key"
    if not path.exists():
        _write_privately(path, secrets.token_hex(32))
    return path.read_text().strip()


def person_password_file(home: Path, store: str, name: str, password: str) -> Path:
    """The person's own password file, which their server's PGPASSFILE names (libpq's format, UTF-8, 0600): for
    the store's host and port only."""
    url = store_url(store)
    fields = [url.host or "localhost", str(url.port or 5432), "*", name, password]
    escaped = [text.replace("\\", "\\\\").replace(":", "\\:") for text in fields]
    path = Path(home) / PASSWORD_FILE
    path.unlink(missing_ok=True)
    _write_privately(path, ":".join(escaped) + "\n")
    return path


def _write_privately(path: Path, text: str) -> None:
    """A new file readable by its owner only (0600 from the start, never wider), in UTF-8."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        handle.write(text)


def person_url(store: str, name: str) -> str:
    """The store's URL with the person's login as its user (no password: it is in their password file)."""
    return store_url(store).set(username=name).render_as_string(hide_password=False)
