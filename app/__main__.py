"""Allows ``python -m app``."""

import sys

from app.cli import main

# Guarded: worker processes (a large import) start by importing this module again.
if __name__ == "__main__":
    sys.exit(main())
