"""Keyed pseudonyms: the masking key, HMAC-SHA256 over Arrow arrays, computed once per distinct value."""
