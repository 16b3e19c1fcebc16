"""Companies in the prospect database (the `organizations` collection)."""

import random
from datetime import datetime
from decimal import Decimal

from bson import Decimal128

from .industries import INDUSTRIES, INDUSTRY_NAMES, INDUSTRY_WEIGHTS, TECHNOLOGIES
from .names import (
    COMPANY_PREFIXES,
    COMPANY_SUFFIXES,
    LOCATION_WEIGHTS,
    LOCATIONS,
    STREETS,
    TLD_WEIGHTS,
    TLDS,
    ascii_slug,
    fill,
)
from .seeding import ObjectIds, Weighted

_COMBOS = len(COMPANY_PREFIXES) * len(COMPANY_SUFFIXES)
_STRIDE = 1001  # coprime with the number of combos, so consecutive indexes walk all names before repeating


def company_name(index: int, offset: int) -> str:
    combo = (offset + index * _STRIDE) % _COMBOS
    prefix, suffix = divmod(combo, len(COMPANY_SUFFIXES))
    name = f"{COMPANY_PREFIXES[prefix]} {COMPANY_SUFFIXES[suffix]}"
    return name if index < _COMBOS else f"{name} {index // _COMBOS + 1}"


def domain_for(rng: random.Random, name: str) -> str:
    return ascii_slug(name) + rng.choices(TLDS, TLD_WEIGHTS)[0]


_LOCATION = Weighted(LOCATIONS, LOCATION_WEIGHTS)


def random_location(rng: random.Random) -> tuple[str, str | None, str, str, str]:
    return _LOCATION.pick(rng)


def _founded_year(rng: random.Random, index: int) -> int | str:
    year = max(1890, min(2025, round(2025 - rng.expovariate(1 / 16))))
    # A legacy importer stored years as strings in one record out of 50 (2%, even in small samples):
    # the drift the snapshot layer must report.
    return str(year) if index % 50 == 17 else year


def _revenue(rng: random.Random, employees: int) -> Decimal128:
    per_employee = rng.uniform(60_000, 380_000)
    return Decimal128(Decimal(f"{employees * per_employee:.2f}"))


def make_organization(rng: random.Random, ids: ObjectIds, index: int, offset: int, created: datetime) -> dict:
    name = company_name(index, offset)
    domain = domain_for(rng, name)
    industry = rng.choices(INDUSTRY_NAMES, INDUSTRY_WEIGHTS)[0]
    employees = max(1, min(250_000, int(rng.lognormvariate(4.0, 1.7))))
    city, state, country, postal, phone = random_location(rng)
    doc: dict = {
        "_id": ids.new(created),
        "name": name,
        "domain": domain,
        "website_url": f"https://www.{domain}",
    }
    doc["industry"] = industry
    doc["estimated_num_employees"] = employees
    doc["annual_revenue"] = None if rng.random() < 0.12 else _revenue(rng, employees)
    if rng.random() > 0.06:
        doc["founded_year"] = _founded_year(rng, index)
    doc["technologies"] = sorted(rng.sample(TECHNOLOGIES, rng.randint(1, 8)))
    keywords = INDUSTRIES[industry]
    doc["keywords"] = rng.sample(keywords, rng.randint(min(2, len(keywords)), len(keywords)))
    doc["address"] = {
        "street": f"{rng.randint(1, 2500)} {rng.choice(STREETS)}",
        "city": city,
        "state": state,
        "country": country,
        "postal_code": fill(postal, rng),
    }
    if rng.random() < 0.9:
        doc["phone"] = fill(phone, rng) if rng.random() < 0.95 else None
    if rng.random() < 0.9:
        doc["linkedin_url"] = f"https://www.linkedin.com/company/{ascii_slug(name)}"
    doc["created_at"] = created
    doc["updated_at"] = created
    return doc


def refresh_organization(rng: random.Random, org: dict, when: datetime) -> None:
    """A re-crawl: headcount moves, a technology may be adopted."""
    org["estimated_num_employees"] = max(
        1, min(250_000, round(org["estimated_num_employees"] * rng.uniform(0.92, 1.2)))
    )
    if rng.random() < 0.4:
        org["technologies"] = sorted({*org["technologies"], rng.choice(TECHNOLOGIES)})
    org["updated_at"] = when
