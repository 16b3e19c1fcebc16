"""Helpers of the benchmark scripts (not benchmarks themselves: `make bench` runs `benchmarks/*.py`)."""
