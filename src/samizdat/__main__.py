"""``python -m samizdat`` runs the command line."""

from samizdat.cli.main import main

main()
