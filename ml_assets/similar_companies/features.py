"""The similar-companies model's inputs: what a company is, never who it is (no id, name or domain)."""

from __future__ import annotations

PROFILES_MODEL = "ml_company_profiles"
SAVES_MODEL = "ml_company_saves"
KEY = "company_id"
DISPLAY = ["company_name", "domain", "industry"]
CATEGORICAL = ["industry", "size_bucket"]
TERMS = ["keywords", "technologies"]  # '|'-separated lists
FEATURES = CATEGORICAL + TERMS
# How much each block weighs in the cosine similarity (each block is unit-norm before weighting): the industry
# and the terms describe what a company does, the size only separates companies that do the same.
BLOCK_WEIGHTS = {"industry": 1.0, "size_bucket": 0.5, "keywords": 1.0, "technologies": 0.7}
TERM_PATTERN = r"[^|]+"  # a term may contain spaces ("developer tools"): split on the separator only
