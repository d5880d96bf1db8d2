"""The release number, read from the installed package so pyproject.toml stays its one source."""

from importlib.metadata import PackageNotFoundError, version

try:
    APP_VERSION = version("cityready")
except PackageNotFoundError:  # running from a checkout that was never installed
    APP_VERSION = "0.0.0+unknown"
