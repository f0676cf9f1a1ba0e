"""Sync: the apps' credentials (an API password per person, its Fever key's hash, API keys) and
stable ids for people's folders.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user_id(table: str) -> sa.Column[int]:
    fk = sa.ForeignKey("users.id", ondelete="CASCADE", name=f"fk_{table}_user_id_users")
    return sa.Column("user_id", BigId, fk, nullable=False)


def upgrade() -> None:
    op.add_column("users", sa.Column("api_password_hash", sa.Text(), nullable=True))
    op.add_column("users", sa.Column("fever_key_hash", sa.String(64), nullable=True))
    op.create_index("ix_users_fever_key_hash", "users", ["fever_key_hash"])
    op.create_table(
        "api_keys",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        _user_id("api_keys"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("token_hash", name="uq_api_keys_token_hash"),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])
    op.create_table(
        "folders",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        _user_id("folders"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_folders"),
        sa.UniqueConstraint("user_id", "name", name="uq_folders_user_id_name"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("folders")
    op.drop_table("api_keys")
    op.drop_index("ix_users_fever_key_hash", table_name="users")
    op.drop_column("users", "fever_key_hash")
    op.drop_column("users", "api_password_hash")
