"""Imported by the forkservers that workers and steps fork from: the compiled kernels are loaded there once, so a
forked process starts with them instead of loading numba's cache itself (about a second each)."""

from apollo_assets.mongo.fast.kernels import warm

warm()
