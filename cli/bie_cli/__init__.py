"""The ``bie`` command: parses options, calls one library function, renders with rich."""
