"""Sozialraum-Berichte: the reporting workbook of a city's social planning department."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sozialraum")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"
