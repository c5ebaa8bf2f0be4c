"""A real PostgreSQL server for the tests, started by them (initdb and pg_ctl from Debian's `postgresql`
package, as the `postgres` OS user when the tests run as root): one server a session, one new database a test.
The tests reach it over TCP with a password that only its password file (PGPASSFILE) holds, as an office would.

Absent PostgreSQL skips the tests that need it, except where LIANHU_REQUIRE_POSTGRES is set (CI)."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ADMIN = "lianhu_admin"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: pg_config's, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Server:
    """A throwaway cluster in a private folder, listening on 127.0.0.1 only."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="lianhu-pg-"))
        self.data, self.port = self.folder / "data", _free_port()
        self.password = secrets.token_urlsafe(16)
        self.passfile = self.folder / "pgpass"
        self.passfile.write_text(f"127.0.0.1:{self.port}:*:{ADMIN}:{self.password}\n")
        self.passfile.chmod(0o600)
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password)
        self.as_root = os.geteuid() == 0
        self.sockets = self.folder / "sockets"
        for folder in (self.data, self.sockets):
            folder.mkdir(mode=0o700)
        if self.as_root:  # initdb refuses root: the cluster belongs to the postgres user
            self.folder.chmod(0o755)
            for path in (pwfile, self.data, self.sockets):
                shutil.chown(path, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", ADMIN, f"--pwfile={pwfile}", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        pwfile.unlink()
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.sockets / "server.log"), "-o",
                  f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                  "start")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr.strip()[-2000:]}")

    def url(self, database: str = "postgres", user: str = ADMIN) -> str:
        """A URL without a password: the driver finds it in PGPASSFILE."""
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def remember(self, user: str, password: str) -> None:
        """Put a login's password in the password file (in place of any earlier one: setting it again changes
        it), as an office's ~/.pgpass holds it."""
        lines = [line for line in self.passfile.read_text().splitlines(keepends=True)
                 if line.split(":")[3] != user]
        self.passfile.write_text("".join(lines) + f"127.0.0.1:{self.port}:*:{user}:{password}\n")

    def new_database(self) -> str:
        import sqlalchemy as sa

        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_or_skip() -> Server:
    bin_dir = binaries()
    if bin_dir is None:
        if os.environ.get("LIANHU_REQUIRE_POSTGRES"):
            raise RuntimeError("PostgreSQL is required here (LIANHU_REQUIRE_POSTGRES) but initdb was not found")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return Server(bin_dir)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
