"""Run one benchmark: `python -m bench NAME [--n N]`. The last line printed is one JSON object.

Each benchmark is a module `bench/<name>.py` with `DEFAULT_N` and `run(n: int) -> dict`; the dict is printed
as {"bench": NAME, "n": N, "per_s": ..., ...}. Needs DATABASE_URL, REDIS_URL and SECRET_KEY in the environment
(FIELD_ENCRYPTION_KEY is generated for the run when absent).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("name", choices=names)
    parser.add_argument("--n", type=int, default=None, help="problem size (each benchmark has its own default)")
    args = parser.parse_args()
    for var in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        if not os.environ.get(var):
            sys.exit(f"{var} must be set: benchmarks run against PostgreSQL + Redis")
    if not os.environ.get("FIELD_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engage.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    module = importlib.import_module(f"bench.{args.name}")
    n = args.n or module.DEFAULT_N
    result = module.run(n)
    print(json.dumps({"bench": args.name, "n": n, **result}), flush=True)


if __name__ == "__main__":
    main()
