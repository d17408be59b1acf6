"""Loading WeasyPrint's C libraries (Pango, HarfBuzz, fontconfig) without asking a compiler.

WeasyPrint tries several names for each library, one per platform. On Linux, cffi passes each
name that ``dlopen`` refuses to ``ctypes.util.find_library``, which runs ``ldconfig``, ``gcc``
and ``ld`` to look for it: about 200 processes and 0.2 s for one import, paid again by every
build worker. Yet among the names are the libraries' Linux sonames (``libpango-1.0.so.0``),
which ``dlopen`` finds by itself, in ld.so's cache and ``LD_LIBRARY_PATH``. So the first try
lets WeasyPrint use those only. Should that fail, or miss one of the libraries WeasyPrint can do
without (HarfBuzz's subsetter, which changes how fonts are embedded) that the compiler's search
finds, WeasyPrint is imported again from the start, looking for them as it would.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import io
import sys
from types import ModuleType

# The libraries WeasyPrint loads only if they are there (its attribute, their name).
OPTIONAL_LIBRARIES = {"harfbuzz_subset": "harfbuzz-subset", "harfbuzz_vector": "harfbuzz-vector"}


def load_weasyprint() -> ModuleType:
    """WeasyPrint, imported with its C libraries loaded the quick way where it can be."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        return importlib.import_module("weasyprint")
    looking_up = ctypes.util.find_library
    ctypes.util.find_library = _not_looked_up
    try:
        # WeasyPrint prints a long notice before it fails: not for the quick try.
        with contextlib.redirect_stdout(io.StringIO()):
            weasyprint = importlib.import_module("weasyprint")
    except OSError:
        weasyprint = None
    finally:
        ctypes.util.find_library = looking_up
    if weasyprint is None:
        return _import_afresh()
    libraries = sys.modules["weasyprint.text.ffi"]
    for attribute, name in OPTIONAL_LIBRARIES.items():
        if getattr(libraries, attribute, None) is None and looking_up(name) is not None:
            return _import_afresh()
    return weasyprint


def _not_looked_up(name: str) -> None:
    return None


def _import_afresh() -> ModuleType:
    """WeasyPrint imported anew, as if never tried: the modules of a failed try, kept in
    ``sys.modules``, would not be attached to the new package."""
    for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
        del sys.modules[name]
    return importlib.import_module("weasyprint")
