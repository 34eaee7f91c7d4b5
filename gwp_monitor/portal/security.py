"""Passwords, secrets, signed sessions and CSRF tokens: the portal's cryptography in one small place.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults follow RFC 9106's recommendations).
API tokens and one-time sign-in links are random secrets shown once and kept only as their SHA-256:
they are long and random, so a slow hash adds nothing. The session is a cookie signed with
itsdangerous (HMAC) carrying the user id, a CSRF token and nothing else; its signature carries the
time it was made, so a cookie older than the session length is refused even if a browser keeps it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

_HASHER = PasswordHasher()  # argon2id
#: Verified when the account does not exist, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; always does the work of one argon2 verification."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters (a few words make a good password)"
    if len(password) > 1024:
        return "use at most 1024 characters"
    return None


def new_secret() -> str:
    """A secret for a token or a sign-in link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """What is stored of a token: its SHA-256 in hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    """What the signed cookie holds: who is signed in (None: nobody yet) and the CSRF token."""

    user_id: int | None
    csrf: str


class SessionSigner:
    """Signs and reads session cookies; a cookie older than `max_age_seconds` or tampered with is None."""

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="gwp-portal-session")
        self.max_age = max_age_seconds

    def dumps(self, session: Session) -> str:
        return self._serializer.dumps({"u": session.user_id, "c": session.csrf})

    def loads(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user = data.get("u")
        return Session(user if isinstance(user, int) else None, data["c"])


def new_session(user_id: int | None = None) -> Session:
    """A fresh session (new CSRF token): made at sign-in and sign-out, so a token never outlives them."""
    return Session(user_id, secrets.token_urlsafe(24))


def csrf_ok(session: Session | None, given: str | None) -> bool:
    return session is not None and given is not None and hmac.compare_digest(session.csrf, given)
