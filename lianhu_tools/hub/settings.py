"""What `lianhu hub` was told, checked before anything starts: every problem at once (`HubError`), a store URL
with a password in it refused (a PostgreSQL password belongs in a password file, PGPASSFILE). The hub's
configuration file reads these settings back from one environment variable (`to_environment`), which therefore
never holds a secret."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import HubError, masked
from ..serve import password_in_url

SETTINGS_VARIABLE = "LIANHU_HUB_SETTINGS"  # how `lianhu hub` hands its settings to the hub's configuration file
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")  # a working folder's name too: no "/", no leading dot
PASSWORD_MIN_CHARACTERS = 8
PASSWORD_MAX_BYTES = 72  # bcrypt's limit (bcrypt 5 refuses longer)
FAILED_LOGINS_ALLOWED = 5  # then that account waits LOCKOUT_SECONDS
LOCKOUT_SECONDS = 600


@dataclass(frozen=True)
class DashboardLimits:
    """A leader's own server: at most `pages` dashboard pages (kernels) at once; those no page is connected to
    culled after `abandoned_seconds`, open ones unused after the hub's idle timeout."""

    pages: int = 3
    abandoned_seconds: int = 60
    interval_seconds: int = 30


@dataclass(frozen=True)
class HubSettings:
    store: str  # every server's LIANHU_DB: a URL without a password, or an absolute SQLite path
    data: Path  # the hub's database, cookie secret and everyone's working folder (made 0700)
    notebooks: Path  # what planners, county offices and auditors open in JupyterLab
    ip: str = "127.0.0.1"
    port: int = 8000
    policy_file: Path | None = None  # every server's LIANHU_POLICY
    pgpassfile: Path | None = None  # every server's PGPASSFILE
    idle_timeout: int = 3600  # seconds without use after which a server is stopped
    signup: bool = False  # the sign-up form (each request authorised by the admin)
    admin: str = "admin"
    proxy: str = ""  # configurable-http-proxy's command
    dashboard: DashboardLimits = field(default_factory=DashboardLimits)

    @classmethod
    def checked(cls, store: str | None, data: str | Path, notebooks: str | Path, policy_file: str | Path | None = None,
                pgpassfile: str | Path | None = None, admin: str = "admin", **options) -> HubSettings:
        """The settings, or a HubError listing every problem: no store or one that is not a store, a password in
        its URL, a policy file with problems, a password file others may read, no notebooks folder, a bad admin
        name. The store is opened to check it (nothing is created)."""
        reasons = []
        if not store:
            reasons.append("没有数据库：用 --db 指定本市的数据库（或设置 LIANHU_DB）/ no store: name the city's store "
                           "with --db (or LIANHU_DB)")
        else:
            reasons += store_url_problems(store)
        if pgpassfile:
            pgpassfile = Path(pgpassfile).resolve()
            reasons += password_file_problems(pgpassfile)
        if store and not reasons:
            store = _absolute_store(store)
            reasons += _store_problems(store, pgpassfile)
        if store and not reasons and "://" in store:
            reasons += _trust_problems(store)
        if policy_file:
            policy_file = Path(policy_file).resolve()
            reasons += _policy_problems(policy_file)
        notebooks = Path(notebooks).resolve()
        if not notebooks.is_dir():
            reasons.append(f"找不到笔记本文件夹 / no notebooks folder: {notebooks}")
        reasons += username_problems(admin)
        if reasons:
            raise HubError(reasons)
        return cls(store, Path(data).resolve(), notebooks, policy_file=policy_file, pgpassfile=pgpassfile,
                   admin=admin, **options)

    @property
    def postgres(self) -> bool:
        """On a PostgreSQL store people log in with their own database logins (hub/store_logins.py)."""
        return store_url_is_postgres(self.store)

    def to_environment(self) -> str:
        values = asdict(self)
        return json.dumps({key: str(value) if isinstance(value, Path) else value for key, value in values.items()},
                          ensure_ascii=False)

    @classmethod
    def from_environment(cls, environ=os.environ) -> HubSettings:
        """The settings `lianhu hub` put in SETTINGS_VARIABLE (the store URL checked again: the hub may be started
        by hand)."""
        if SETTINGS_VARIABLE not in environ:
            raise HubError([f"用 lianhu hub 启动 / start the hub with `lianhu hub` (no {SETTINGS_VARIABLE})"])
        values = json.loads(environ[SETTINGS_VARIABLE])
        problems = store_url_problems(values["store"])
        if problems:
            raise HubError(problems)
        for key in ("data", "notebooks", "policy_file", "pgpassfile"):
            values[key] = Path(values[key]) if values[key] else None
        values["dashboard"] = DashboardLimits(**values["dashboard"])
        return cls(**values)

    def make_data_folder(self) -> Path:
        """The data folder and its users/ folder, private to the service account (0700, tightened if wider)."""
        for folder in (self.data, self.data / "users"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if stat.S_IMODE(folder.stat().st_mode) != 0o700:
                folder.chmod(0o700)
        return self.data


def hub_database_url(data: Path) -> str:
    return f"sqlite:///{Path(data).resolve() / 'jupyterhub.sqlite'}"


def store_url_problems(url: str) -> list[str]:
    """A store URL that carries a password (user:password@ or ?password=) is refused; the password is not shown."""
    problem = password_in_url(url)
    return [problem] if problem else []


def password_file_problems(path: Path) -> list[str]:
    """libpq ignores a password file that its group or others may read: say so now, not at the first login."""
    if not path.is_file():
        return [f"找不到密码文件 / no password file: {path}"]
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        return [f"密码文件须只有本人可读（chmod 600）/ the password file must be readable by its owner only "
                f"(chmod 600): {path}"]
    return []


def username_problems(name: str) -> list[str]:
    if USERNAME.fullmatch(name or ""):
        return []
    return [f"用户名 {name!r} 不可用：须为 1–32 个小写字母、数字或 . _ -，以字母或数字开头 / the user name must be 1–32 "
            f"lower-case letters, digits or . _ -, starting with a letter or digit"]


def password_problems(password: str) -> list[str]:
    """What NativeAuthenticator checks at sign-up (length, the list of common passwords), and bcrypt's limit."""
    from nativeauthenticator import NativeAuthenticator

    checker = NativeAuthenticator(add_new_table=False, minimum_password_length=PASSWORD_MIN_CHARACTERS,
                                  check_common_password=True)
    if len(password.encode()) > PASSWORD_MAX_BYTES:
        return [f"密码太长（至多 {PASSWORD_MAX_BYTES} 字节）/ the password is too long (at most {PASSWORD_MAX_BYTES} bytes)"]
    if not checker.is_password_strong(password):
        return [f"密码太弱：至少 {PASSWORD_MIN_CHARACTERS} 个字符，且不能是常见密码 / the password is too weak: at least "
                f"{PASSWORD_MIN_CHARACTERS} characters, and not a common one"]
    return []


def _absolute_store(store: str) -> str:
    if "://" in store:
        return store
    return str(Path(store).resolve())


def _store_problems(store: str, pgpassfile: Path | None = None) -> list[str]:
    """Why the store cannot be opened (none: it can), with the password file every server will use."""
    from ..errors import NotInStore, StoreTooNew
    from ..store import Store

    before = os.environ.get("PGPASSFILE")
    if pgpassfile:
        os.environ["PGPASSFILE"] = str(pgpassfile)
    try:
        Store(store, create=False).engine.dispose()
    except (NotInStore, StoreTooNew) as exc:
        return [masked(str(exc))]
    except Exception as exc:  # a server that does not answer, a file that is not a store
        return [f"数据库打不开 / the store cannot be opened: {masked(store)} ({type(exc).__name__}: "
                f"{masked(str(exc))[:200]})"]
    finally:
        if pgpassfile:
            os.environ.pop("PGPASSFILE") if before is None else os.environ.__setitem__("PGPASSFILE", before)
    return []


def _trust_problems(store: str) -> list[str]:
    """On PostgreSQL people log in with their logins' passwords: a server that asks for none cannot tell them apart."""
    if store_url_is_postgres(store) and trusts_without_password(store):
        return [f"数据库服务器不用密码就让登录名 {masked(store)} 连接（pg_hba.conf 的 trust 或 peer）：hub 无法分辨各人，请改为 "
                f"scram-sha-256 / the database server lets the store's login in without a password (trust or peer in "
                f"pg_hba.conf): the hub could not tell people apart; use scram-sha-256"]
    return []


def trusts_without_password(store: str) -> bool:
    """Whether the server lets the store URL's login in with no password at all (pg_hba.conf `trust`, or `peer`
    on a socket)."""
    import psycopg

    from ..store.store import store_url

    try:
        with psycopg.connect(**connect_options(store_url(store)), passfile=os.devnull, connect_timeout=10) as conn:
            return not conn.pgconn.used_password
    except psycopg.Error:
        return False


def connect_options(url) -> dict:
    """psycopg's connection options for a store URL (sqlalchemy's), without any password."""
    options = url.translate_connect_args(username="user", database="dbname")
    return {key: value for key, value in options.items() if key != "password"} | dict(url.query)


def store_url_is_postgres(store: str) -> bool:
    from ..store.store import store_url  # postgres:// and postgresql+driver:// alike, as the store reads them

    return "://" in store and store_url(store).get_backend_name() == "postgresql"


def _policy_problems(path: Path) -> list[str]:
    from ..errors import InputError
    from ..policy import load_policy

    try:
        load_policy(path)
    except InputError as exc:
        return [str(problem) for problem in exc.errors]
    except OSError as exc:
        return [f"政策文件打不开 / the policy file cannot be read: {path} ({exc.strerror})"]
    return []
