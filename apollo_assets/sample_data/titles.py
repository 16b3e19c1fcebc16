"""Job titles mapped to a seniority and departments, and how raw seniority casing drifts in the source."""

import random

from .seeding import Weighted

SENIORITIES = ("entry", "senior", "manager", "director", "vp", "c_suite")

# title, seniority, departments, relative frequency
TITLES: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("Chief Executive Officer", "c_suite", ("c_suite",), 3),
    ("Co-Founder & CEO", "c_suite", ("c_suite",), 2),
    ("Chief Technology Officer", "c_suite", ("c_suite", "engineering_technical"), 2),
    ("Chief Revenue Officer", "c_suite", ("c_suite", "sales"), 1),
    ("Chief Marketing Officer", "c_suite", ("c_suite", "marketing"), 1),
    ("Chief Financial Officer", "c_suite", ("c_suite", "finance"), 1),
    ("VP of Sales", "vp", ("sales",), 3),
    ("Vice President, Marketing", "vp", ("marketing",), 2),
    ("VP Engineering", "vp", ("engineering_technical",), 2),
    ("VP of Customer Success", "vp", ("customer_service",), 1),
    ("VP Finance", "vp", ("finance",), 1),
    ("VP People", "vp", ("human_resources",), 1),
    ("Director of Sales", "director", ("sales",), 4),
    ("Director of Marketing", "director", ("marketing",), 3),
    ("Engineering Director", "director", ("engineering_technical",), 3),
    ("Director of Operations", "director", ("operations",), 2),
    ("IT Director", "director", ("information_technology",), 2),
    ("Director of Product", "director", ("product_management",), 2),
    ("Sales Manager", "manager", ("sales",), 6),
    ("Marketing Manager", "manager", ("marketing",), 5),
    ("Engineering Manager", "manager", ("engineering_technical",), 4),
    ("Product Manager", "manager", ("product_management",), 5),
    ("HR Manager", "manager", ("human_resources",), 3),
    ("Operations Manager", "manager", ("operations",), 3),
    ("Senior Software Engineer", "senior", ("engineering_technical",), 8),
    ("Senior Account Executive", "senior", ("sales",), 6),
    ("Senior Data Scientist", "senior", ("engineering_technical", "data_science"), 3),
    ("Senior Marketing Specialist", "senior", ("marketing",), 3),
    ("Senior Accountant", "senior", ("finance",), 3),
    ("Software Engineer", "entry", ("engineering_technical",), 9),
    ("Sales Development Representative", "entry", ("sales",), 8),
    ("Business Development Representative", "entry", ("sales",), 5),
    ("Account Executive", "entry", ("sales",), 6),
    ("Marketing Coordinator", "entry", ("marketing",), 4),
    ("Customer Support Specialist", "entry", ("customer_service",), 4),
    ("Recruiter", "entry", ("human_resources",), 3),
    ("Data Analyst", "entry", ("engineering_technical", "data_science"), 4),
)
_TITLE = Weighted(TITLES, [t[3] for t in TITLES])
_BY_SENIORITY = {s: tuple(t for t in TITLES if t[1] == s) for s in SENIORITIES}

# Source systems spell seniority inconsistently; the warehouse has to normalise it.
_RAW_VARIANTS = {
    "c_suite": ("C_Suite", "C_SUITE"),
    "vp": ("VP", "Vp"),
    "director": ("Director", "DIRECTOR"),
    "manager": ("Manager", "MANAGER"),
    "senior": ("Senior",),
    "entry": ("Entry", "ENTRY"),
}


def pick_title(rng: random.Random) -> tuple[str, str, tuple[str, ...], int]:
    return _TITLE.pick(rng)


def title_at(rng: random.Random, seniority: str) -> tuple[str, str, tuple[str, ...], int]:
    titles = _BY_SENIORITY[seniority]
    return titles[int(rng.random() * len(titles))]


def step(seniority: str, levels: int) -> str:
    """The seniority `levels` above (or below, if negative) this one, clamped to the ladder."""
    index = SENIORITIES.index(seniority) + levels
    return SENIORITIES[min(max(index, 0), len(SENIORITIES) - 1)]


def raw_seniority(rng: random.Random, seniority: str) -> str:
    if rng.random() < 0.8:
        return seniority
    variants = _RAW_VARIANTS[seniority]
    return variants[int(rng.random() * len(variants))]


def normalize_seniority(raw: str) -> str:
    return raw.lower()
