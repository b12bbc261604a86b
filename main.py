"""Start the LMR Studio window: ``python main.py [VIDEO]``."""

from lmr_studio.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
