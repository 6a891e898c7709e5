"""`python -m checker` runs the command line."""

from .cli import main

main()
