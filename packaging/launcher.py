"""Entry point for frozen builds (PyInstaller): the same main() as the second-act command."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
