"""Allow ``python -m letterforge``."""

from letterforge.cli import main

main()
