"""The store contract's two-backend fixture, for the update tests that need a real store."""

from tests.store.conftest import store

__all__ = ["store"]
