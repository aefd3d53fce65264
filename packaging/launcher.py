"""Entry point for frozen builds (PyInstaller): the same main() as the second-act command."""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    # A large import reads its file in worker processes; in a frozen build those start this
    # same executable, which must then run the worker, not a second window.
    multiprocessing.freeze_support()
    sys.exit(main())
