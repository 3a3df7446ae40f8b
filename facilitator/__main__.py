"""`python -m facilitator` is the same command as `facilitator`."""

import sys

from facilitator.command import main

if __name__ == "__main__":
    sys.exit(main())
