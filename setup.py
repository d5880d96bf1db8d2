"""The package build compiles the translation catalogs, so every install path speaks Chinese.

The .mo files are build output and never committed. Compiling them here, into the source tree
the build reads from, puts them in the wheel (``package-data``) and also beside the checkout's
own ``app/`` that ``flask --app app`` and gunicorn import when started in the checkout after a
plain ``pip install .`` (docs/deploy.md). Everything else is in pyproject.toml.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = Path(__file__).parent / "app" / "translations"


class BuildPyWithCatalogs(build_py):
    """build_py that first compiles every app/translations/*/LC_MESSAGES/*.po to its .mo."""

    def run(self) -> None:
        for source in sorted(CATALOGS.glob("*/LC_MESSAGES/*.po")):
            with source.open("rb") as po:
                catalog = read_po(po, locale=source.parent.parent.name)
            with source.with_suffix(".mo").open("wb") as mo:
                write_mo(mo, catalog)
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogs})
