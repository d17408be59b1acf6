"""Loading WeasyPrint's C libraries (Pango, HarfBuzz, fontconfig) without asking a compiler.

WeasyPrint tries several names for each library, one per platform. On Linux, cffi passes each
name that ``dlopen`` refuses to ``ctypes.util.find_library``, which runs ``ldconfig``, ``gcc``
and ``ld`` to look for it: about 200 processes and 0.2 s for one import, paid again by every
build worker. Yet among the names are the libraries' Linux sonames (``libpango-1.0.so.0``),
which ``dlopen`` finds by itself, in ld.so's cache and ``LD_LIBRARY_PATH``. So the first try
lets WeasyPrint use those only; a library that only the compiler's search finds (in a folder
ld.so does not know) is then looked for as WeasyPrint would.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import io
import sys
from types import ModuleType


def load_weasyprint() -> ModuleType:
    """WeasyPrint, imported with its C libraries loaded the quick way where it can be."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        return importlib.import_module("weasyprint")
    looking_up = ctypes.util.find_library
    ctypes.util.find_library = _not_looked_up
    try:
        # WeasyPrint prints a long notice before it fails: not for the quick try.
        with contextlib.redirect_stdout(io.StringIO()):
            return importlib.import_module("weasyprint")
    except OSError:
        pass  # imported below, with the compiler's search
    finally:
        ctypes.util.find_library = looking_up
    return importlib.import_module("weasyprint")


def _not_looked_up(name: str) -> None:
    return None
