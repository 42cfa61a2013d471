"""`python -m noticegen` runs the command line."""

from .cli import main

main()
