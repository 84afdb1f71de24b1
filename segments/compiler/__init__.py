"""The segment compiler: a definition becomes one SQL boolean expression; see compile.py and query.py."""
