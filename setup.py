"""The build compiles the catalogs: the wheel carries each language's ``.mo`` beside its ``.po``.

Everything else about the package is in pyproject.toml; a checkout without ``.mo`` files reads
the ``.po`` files (tidings/i18n.py), so an editable install needs no build step.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """``build_py`` that also writes ``tidings/locale/*/LC_MESSAGES/tidings.mo``."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        built = Path(self.build_lib) / "tidings" / "locale"
        for po in sorted(built.glob("*/LC_MESSAGES/tidings.po")):
            with po.open("rb") as file:
                catalog = read_po(file, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as file:
                write_mo(file, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithCatalogs})
