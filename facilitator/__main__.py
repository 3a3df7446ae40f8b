"""`python -m facilitator` is the same command as `facilitator`."""

from facilitator.command import run

if __name__ == "__main__":
    run()
