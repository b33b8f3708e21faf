"""Where the package's own files are: templates, stylesheet and script of the report pages.

Every stage finds them here, whatever folder its module sits in.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
