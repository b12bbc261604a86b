"""One module per ``lmr-studio`` command: ``add_arguments(parser)`` and ``run(args) -> int``."""
