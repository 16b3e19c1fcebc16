"""Fail-closed, declarative, vectorized masking of personal data in Arrow tables (snapshot → lake).

See `docs/contracts.md` sections 3-4 and the policies in `policies/<collection>.yaml`.
"""

from apollo_assets.masking.leaks.fingerprints import PiiFingerprints, collect_pii_fingerprints
from apollo_assets.masking.leaks.scan import LeakReport, scan_for_leaks
from apollo_assets.masking.masker import Masker
from apollo_assets.masking.policy.files import load_policy, policy_from_yaml
from apollo_assets.masking.policy.model import FieldRule, MaskingPolicy, PolicyError
from apollo_assets.masking.policy.suggest import suggest_policy
from apollo_assets.masking.report import MaskingReport
from apollo_assets.masking.tokens.key import ENV_VAR, MaskingKey, MaskingKeyError, load_masking_key
from apollo_assets.masking.tokens.pseudonym import pseudonym, pseudonymize

__all__ = [
    "ENV_VAR",
    "FieldRule",
    "LeakReport",
    "Masker",
    "MaskingKey",
    "MaskingKeyError",
    "MaskingPolicy",
    "MaskingReport",
    "PiiFingerprints",
    "PolicyError",
    "collect_pii_fingerprints",
    "load_masking_key",
    "load_policy",
    "policy_from_yaml",
    "pseudonym",
    "pseudonymize",
    "scan_for_leaks",
    "suggest_policy",
]
