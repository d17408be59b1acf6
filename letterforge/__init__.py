"""letterforge: turn plain-text advocacy campaigns into finished letters."""

__version__ = "0.1.0"
