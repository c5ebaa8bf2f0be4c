"""Accounts and roles written straight into the hub's database (`lianhu hub add-user`, `lianhu hub users`), as an
office adds people without a web form: the JupyterHub user, their one role group, and NativeAuthenticator's
record (the password bcrypt-hashed, the account authorised). Works whether or not the hub is running; a running
hub reads a changed role when the person's server next starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import HubError
from ..roles import ROLES
from .settings import hub_database_url, password_problems, username_problems


@dataclass(frozen=True)
class Account:
    name: str
    role: str | None
    admin: bool
    authorised: bool  # NativeAuthenticator lets them log in
    has_password: bool


def _session(data: Path):
    import logging

    import nativeauthenticator.orm  # noqa: F401 (its table is in the hub's database)
    from jupyterhub import orm

    Path(data).mkdir(mode=0o700, parents=True, exist_ok=True)
    logging.disable(logging.INFO)  # alembic stamping a new database: not news for an office
    try:
        session = orm.new_session_factory(hub_database_url(data))()
    finally:
        logging.disable(logging.NOTSET)
    (Path(data) / "jupyterhub.sqlite").chmod(0o600)
    return session


def add_user(data: Path, name: str, role: str | None, password: str | None, admin: bool = False) -> Account:
    """Create or change an account: its role (the one group among ROLES; None keeps the present one), its
    password (None keeps it; a new account needs one) and admin flag; it is authorised to log in."""
    import bcrypt
    from jupyterhub import orm
    from nativeauthenticator.orm import UserInfo

    reasons = username_problems(name)
    if role is not None and role not in ROLES:
        reasons.append(f"角色须为 / the role must be one of {', '.join(ROLES)}, not {role!r}")
    if password is not None:
        reasons += password_problems(password)
    if reasons:
        raise HubError(reasons)
    db = _session(data)
    try:
        user = orm.User.find(db, name)
        info = UserInfo.find(db, name)
        if info is None and password is None:
            raise HubError([f"新账号 {name} 须设密码 / a new account needs a password"])
        if user is None:
            user = orm.User(name=name)
            db.add(user)
        if admin:
            user.admin = True
        if role is not None:
            for code in ROLES:
                group = orm.Group.find(db, code) or orm.Group(name=code)
                if code == role and user not in group.users:
                    group.users.append(user)
                elif code != role and user in group.users:
                    group.users.remove(user)
                db.add(group)
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()) if password is not None else None
        if info is None:
            db.add(UserInfo(username=name, password=hashed, is_authorized=True))
        else:
            info.is_authorized = True
            if hashed is not None:
                info.password = hashed
        db.commit()
        return _account(db, name)
    finally:
        db.close()


def accounts(data: Path) -> list[Account]:
    """Every account in the hub's database, with its role."""
    from jupyterhub import orm

    if not (Path(data) / "jupyterhub.sqlite").is_file():
        return []
    db = _session(data)
    try:
        return [_account(db, user.name) for user in db.query(orm.User).order_by(orm.User.name)]
    finally:
        db.close()


def _account(db, name: str) -> Account:
    from jupyterhub import orm
    from nativeauthenticator.orm import UserInfo

    user, info = orm.User.find(db, name), UserInfo.find(db, name)
    roles = sorted({group.name for group in user.groups} & set(ROLES)) if user else []
    return Account(name, roles[0] if len(roles) == 1 else None, bool(user and user.admin),
                   bool(info and info.is_authorized), info is not None)
