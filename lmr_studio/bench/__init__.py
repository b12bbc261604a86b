"""Benchmarks behind ``lmr-studio bench``: each module here has ``run(quick: bool) -> dict``.

Every module adds its own keys to one JSON object of figures measured on this machine.
"""

#: Benchmark modules in the order they run (``lmr_studio.bench.<name>``).
BENCH_MODULES: tuple[str, ...] = ("model", "training", "pipeline", "people", "gui")
