"""Product taxonomy (use case → features), as in dbt/seeds/feature_taxonomy.csv (contracts section 2)."""

USE_CASES: dict[str, tuple[str, ...]] = {
    "prospecting": ("people_search", "company_search", "saved_lists", "advanced_filters"),
    "engagement": ("sequences", "email_send", "dialer", "tasks"),
    "enrichment": ("csv_enrichment", "crm_enrichment", "chrome_extension"),
    "deals": ("deals_pipeline", "meetings", "conversation_intelligence"),
}

USE_CASE_OF: dict[str, str] = {f: use_case for use_case, features in USE_CASES.items() for f in features}

FEATURES: tuple[str, ...] = tuple(USE_CASE_OF)

# An account or user is activated when it first runs a sequence or sends an email (any engagement feature).
ACTIVATION_USE_CASE = "engagement"
ACTIVATION_FEATURES: tuple[str, ...] = USE_CASES[ACTIVATION_USE_CASE]
