"""Sanctuary: sanctuary ordinances as code.

The public Python API. The CLI and the HTTP service import only what is exported here and from the
subpackages' own ``__init__`` modules.
"""

from sanctuary.errors import SanctuaryError

__version__ = "0.1.0"
__all__ = ["SanctuaryError", "__version__"]
