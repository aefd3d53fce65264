"""Second Act: a desktop networking assistant for career changers."""

__version__ = "0.1.0"
APP_NAME = "Second Act"
APP_ID = "io.github.secondact.SecondAct"
