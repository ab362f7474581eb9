"""``python -m bie`` runs the command-line interface (the library itself never imports it)."""

from bie_cli.main import main

if __name__ == "__main__":  # pragma: no cover
    main()
