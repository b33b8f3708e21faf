"""Where the package's own files are: templates, stylesheet and script of the report pages.

Every stage finds them here, whatever folder its module sits in.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: The workbook's report notebooks: the top-level ``notebooks/`` folder analysts open, beside
#: ``lib/`` (the package is installed from the project, ``pip install -e .``). A config outside
#: the project renders with these unless its ``[bericht]`` names its own copies.
NOTEBOOKS_DIR = PACKAGE_DIR.parents[1] / "notebooks"
