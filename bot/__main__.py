"""Allow ``python -m bot``."""

from bot.cli import main

# Guarded: import workers (bot/workers.py) start with "spawn", which imports the
# parent's main module again in each worker, where it must not run the command line again.
if __name__ == "__main__":
    raise SystemExit(main())
