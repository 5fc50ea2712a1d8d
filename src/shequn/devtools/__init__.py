"""Developer tooling: the quality gates behind `./dev test` and CI."""
