"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


def use_parameters(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Replace the hashing cost; tests use cheap parameters to stay fast."""
    global _hasher
    _hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    )


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Return why a new password is too weak, or None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"it must have at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() == "":
        return "it must not be only spaces"
    return None
