"""The `platform` fixture of these tests lives in `tests/conftest.py`, shared with `tests/pii/`."""
