"""Site settings: the admin page's choices, kept as text by key (``core`` gives them types)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from tidings.store.part import StorePart
from tidings.store.schema import site_settings


class SettingsPart(StorePart):
    def settings(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {k: v for k, v in conn.execute(select(site_settings))}

    def save_settings(self, values: dict[str, str]) -> None:
        with self.engine.begin() as conn:
            for key, value in values.items():
                conn.execute(delete(site_settings).where(site_settings.c.key == key))
                conn.execute(insert(site_settings).values(key=key, value=value))
