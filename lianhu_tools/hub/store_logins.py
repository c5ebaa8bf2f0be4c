"""On a PostgreSQL store the hub's people are the store's own logins (`lianhu users add`), so that everything a
person does reaches the database as themselves (its roles, row policies and audit log): `StoreLogins` checks a
name and password by connecting to the store as that login, and takes the person's role and area from the store's
users table; the password is kept, encrypted, in JupyterHub's auth_state and written to the person's own password
file when their server starts (`person_password_file`), removed when it stops. Read by the hub only."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from ..store.store import POSTGRES_LOGIN, store_url
from .settings import FAILED_LOGINS_ALLOWED, LOCKOUT_SECONDS

PASSWORD_FILE = ".pgpass"  # in the person's working folder, 0600


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    area: str


def person(store: str, name: str, password: str) -> Person | None:
    """The active user `name` of the store, if `password` is their login's and the server asked for it (a server
    that trusts every connection would let anyone be anyone); None otherwise."""
    import psycopg

    url = store_url(store)
    if not POSTGRES_LOGIN.fullmatch(name or "") or not password:
        return None
    options = {key: value for key, value in url.translate_connect_args(username="user", database="dbname").items()
               if key != "password"}
    options |= dict(url.query) | {"user": name, "password": password, "connect_timeout": 10,
                                  "application_name": "lianhu-hub"}
    try:
        with psycopg.connect(**options) as conn:
            if not conn.pgconn.used_password:
                raise UntrustedServer(url.render_as_string())
            row = conn.execute("SELECT role, area FROM users WHERE name = session_user AND active").fetchone()
    except psycopg.OperationalError:  # a wrong password, no such login, no CONNECT on the database
        return None
    except psycopg.errors.InsufficientPrivilege:
        return None
    return Person(name, row[0], row[1] or "") if row else None


class UntrustedServer(Exception):
    """The database let a login in without its password: the hub cannot tell people apart."""


class StoreLogins(Authenticator):
    """A login is the store's: its name and password, and an active user of the store's users table. Five wrong
    passwords for a name lock it for ten minutes."""

    store = Unicode(config=True, help="the store's URL, without a password")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._failures: dict[str, tuple[int, float]] = {}

    async def authenticate(self, handler, data):
        name = (data.get("username") or "").strip().lower()
        password = data.get("password") or ""
        failures, since = self._failures.get(name, (0, 0.0))
        if failures >= FAILED_LOGINS_ALLOWED and time.monotonic() - since < LOCKOUT_SECONDS:
            self.log.warning("Login of %s refused: locked after %d failures", name, failures)
            return None
        try:
            found = await asyncio.to_thread(person, self.store, name, password)
        except UntrustedServer as exc:
            self.log.error("The store %s let %s in without asking for the password: logins need password "
                           "authentication (pg_hba.conf scram-sha-256)", exc, name)
            return None
        if found is None:
            self._failures[name] = (failures + 1 if time.monotonic() - since < LOCKOUT_SECONDS else 1, time.monotonic())
            self.log.warning("Login of %s refused: not an active user of the store with that password", name)
            return None
        self._failures.pop(name, None)
        return {"name": name, "auth_state": {"password": password, "role": found.role, "area": found.area}}

    def check_allowed(self, username, authentication=None):
        return True  # the store's users table decided


def crypt_key(data: Path) -> str:
    """The key that encrypts auth_state (the logins' passwords) in the hub's database: made once, 0600."""
    path = Path(data) / "jupyterhub_crypt_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def person_password_file(home: Path, name: str, password: str) -> Path:
    """The person's own password file, which their server's PGPASSFILE names (libpq's format, 0600)."""
    escaped = [text.replace("\\", "\\\\").replace(":", "\\:") for text in (name, password)]
    path = Path(home) / PASSWORD_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"*:*:*:{escaped[0]}:{escaped[1]}\n")
    return path


def person_url(store: str, name: str) -> str:
    """The store's URL with the person's login as its user (no password: it is in their password file)."""
    return store_url(store).set(username=name).render_as_string(hide_password=False)
