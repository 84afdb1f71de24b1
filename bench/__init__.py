"""Benchmarks (not tests): `python -m bench NAME [--n N]`, against DATABASE_URL + REDIS_URL."""
