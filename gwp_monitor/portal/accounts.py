"""Portal accounts in the reporting database: users, API tokens and sign-in links, the sign-in
throttle and the audit log (tables of revision 0006, store/schema.py).

Plain functions over a `Database`, shared by the web application and the `gwp-monitor portal`
commands. Nothing here holds a password or a token in clear: only argon2id hashes and SHA-256 digests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, insert, select, update

from gwp_monitor.portal.security import hash_password, new_secret, password_problem, secret_digest, verify_password
from gwp_monitor.store.database import Database

Role = Literal["supplier", "contract_manager", "admin"]
ROLES: tuple[Role, ...] = ("supplier", "contract_manager", "admin")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
SIGN_IN_LINK_DAYS = 3


class AccountError(ValueError):
    """An account change that cannot be made; the message says what to do instead."""


@dataclass(frozen=True)
class User:
    user_id: int
    email: str
    role: Role
    supplier_id: str | None
    disabled: bool
    has_password: bool

    @property
    def sees_everything(self) -> bool:
        """Contract managers and administrators see every contract; a supplier user only its own."""
        return self.role != "supplier"


def now() -> datetime:
    return datetime.now(UTC)


def _ts(db: Database, value: datetime) -> datetime:
    """UTC; naive on SQLite (no time zones there), aware on PostgreSQL."""
    value = value.astimezone(UTC)
    return value.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else value


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"'{email[:80]}' is not an e-mail address")
    return email


def _user(row) -> User:  # noqa: ANN001 - a Row of portal_users
    return User(
        user_id=int(row.user_id),
        email=row.email,
        role=row.role,
        supplier_id=row.supplier_id,
        disabled=bool(row.disabled),
        has_password=row.password_hash is not None,
    )


def add_user(db: Database, email: str, role: str, supplier_id: str | None = None, password: str | None = None) -> User:
    """Create an account. A supplier user needs the supplier_id of the register; others must not have one."""
    email = normal_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    if role == "supplier" and not supplier_id:
        raise AccountError("a supplier user needs --supplier-id (the supplier_id in the contract register)")
    if role != "supplier" and supplier_id:
        raise AccountError(f"a {role} sees every contract: leave out --supplier-id")
    if password is not None and (why := password_problem(password)):
        raise AccountError(f"password refused: {why}")
    table = db.table("portal_users")
    with db.engine.begin() as conn:
        if conn.execute(select(table.c.user_id).where(table.c.email == email)).first():
            raise AccountError(f"there is already an account for {email}")
        conn.execute(
            insert(table).values(
                email=email,
                role=role,
                supplier_id=supplier_id,
                password_hash=hash_password(password) if password is not None else None,
                disabled=False,
                created_at=_ts(db, now()),
            )
        )
    found = user_by_email(db, email)
    assert found is not None
    return found


def user_by_email(db: Database, email: str) -> User | None:
    table = db.table("portal_users")
    with db.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.email == email.strip().lower())).first()
    return _user(row) if row else None


def user_by_id(db: Database, user_id: int) -> User | None:
    table = db.table("portal_users")
    with db.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.user_id == user_id)).first()
    return _user(row) if row else None


def list_users(db: Database) -> list[User]:
    table = db.table("portal_users")
    with db.engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(table).order_by(table.c.email))]


def set_disabled(db: Database, email: str, disabled: bool = True) -> User:
    """Disable (or enable) an account: its sessions and tokens stop working at the next request."""
    user = user_by_email(db, email)
    if user is None:
        raise AccountError(f"no account for {email}")
    table = db.table("portal_users")
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.user_id == user.user_id).values(disabled=disabled))
    return user_by_email(db, email) or user


def set_password(db: Database, user: User, password: str) -> None:
    if why := password_problem(password):
        raise AccountError(f"password refused: {why}")
    table = db.table("portal_users")
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.user_id == user.user_id).values(password_hash=hash_password(password)))


def check_password(db: Database, email: str, password: str) -> User | None:
    """The account when `password` is right and the account is enabled; one argon2 verification always."""
    table = db.table("portal_users")
    try:
        email = normal_email(email)
    except AccountError:
        email = ""
    with db.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.email == email)).first() if email else None
    ok = verify_password(row.password_hash if row else None, password)
    if not ok or row is None or row.disabled:
        return None
    return _user(row)


# --- tokens: API bearer tokens and one-time sign-in links ------------------------------------------


def create_token(db: Database, user: User, purpose: Literal["api", "sign_in"], days: float) -> tuple[str, datetime]:
    """A new secret for `user` (shown once, stored as SHA-256) and when it expires."""
    if days <= 0:
        raise AccountError("a token must be valid for more than 0 days")
    secret = new_secret()
    made = now()
    expires = made + timedelta(days=days)
    with db.engine.begin() as conn:
        conn.execute(
            insert(db.table("portal_tokens")).values(
                token_sha256=secret_digest(secret),
                user_id=user.user_id,
                purpose=purpose,
                created_at=_ts(db, made),
                expires_at=_ts(db, expires),
            )
        )
    return secret, expires


def token_user(db: Database, secret: str, purpose: Literal["api", "sign_in"]) -> User | None:
    """The enabled account an unexpired (and, for a sign-in link, unused) token belongs to, else None."""
    if not secret or len(secret) > 200:
        return None
    tokens = db.table("portal_tokens")
    with db.engine.connect() as conn:
        row = conn.execute(
            select(tokens).where(tokens.c.token_sha256 == secret_digest(secret), tokens.c.purpose == purpose)
        ).first()
    if row is None or _aware(row.expires_at) <= now() or row.used_at is not None:
        return None
    user = user_by_id(db, int(row.user_id))
    return user if user is not None and not user.disabled else None


def use_sign_in_link(db: Database, secret: str) -> User | None:
    """Spend a one-time sign-in link: the account, once; a second use (or a race) gets None."""
    user = token_user(db, secret, "sign_in")
    if user is None:
        return None
    tokens = db.table("portal_tokens")
    with db.engine.begin() as conn:
        spent = conn.execute(
            update(tokens)
            .where(tokens.c.token_sha256 == secret_digest(secret), tokens.c.used_at.is_(None))
            .values(used_at=_ts(db, now()))
        ).rowcount
    return user if spent == 1 else None


# --- sign-in throttle ------------------------------------------------------------------------------


def throttled(db: Database, limits: dict[str, int], window: timedelta) -> bool:
    """True when any key (an account, a client address) reached its limit of failures in the current window."""
    table = db.table("portal_sign_in_failures")
    since = now() - window
    with db.engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.throttle_key.in_(list(limits)))).all()
    return any(r.failures >= limits[r.throttle_key] and _aware(r.window_start) > since for r in rows)


def record_failure(db: Database, keys: list[str], window: timedelta) -> None:
    """Count one failed sign-in against each key; a window that has passed starts again at one."""
    table = db.table("portal_sign_in_failures")
    at = now()
    with db.engine.begin() as conn:
        for key in keys:
            row = conn.execute(select(table).where(table.c.throttle_key == key)).first()
            if row is None:
                conn.execute(insert(table).values(throttle_key=key, failures=1, window_start=_ts(db, at)))
            elif _aware(row.window_start) <= at - window:
                conn.execute(
                    update(table).where(table.c.throttle_key == key).values(failures=1, window_start=_ts(db, at))
                )
            else:
                conn.execute(update(table).where(table.c.throttle_key == key).values(failures=table.c.failures + 1))


def clear_failures(db: Database, keys: list[str]) -> None:
    with db.engine.begin() as conn:
        table = db.table("portal_sign_in_failures")
        conn.execute(delete(table).where(table.c.throttle_key.in_(keys)))


# --- audit log -------------------------------------------------------------------------------------


def audit(db: Database, actor: str | None, action: str, obj: str | None = None, outcome: str = "ok") -> None:
    """One line of the audit trail: who, when, what, on what; never a file's contents."""
    with db.engine.begin() as conn:
        conn.execute(
            insert(db.table("portal_audit_log")).values(
                at=_ts(db, now()), actor=actor, action=action[:64], object=(obj or "")[:1000] or None, outcome=outcome
            )
        )


def audit_trail(db: Database, limit: int = 500) -> list[dict]:
    table = db.table("portal_audit_log")
    with db.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.audit_id.desc()).limit(limit)).all()
    return [{**r._mapping, "at": _aware(r.at)} for r in rows]


def audit_count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(db.table("portal_audit_log"))).scalar_one())
