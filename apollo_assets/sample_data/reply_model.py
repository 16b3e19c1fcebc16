"""The ground truth the reply-prediction model should rediscover from the warehouse.

A logistic model: juniors answer cold email more than executives, small companies more than large ones,
some industries more than others, and the second touch works best while later ones fatigue.
"""

import math

BASE_LOGIT = -2.35
SENIORITY_EFFECT = {
    "entry": 0.45,
    "senior": 0.3,
    "manager": 0.15,
    "director": 0.0,
    "vp": -0.4,
    "c_suite": -0.8,
}
INDUSTRY_EFFECT = {
    "Marketing & Advertising": 0.35,
    "Staffing & Recruiting": 0.3,
    "Computer Software": 0.15,
    "Information Technology & Services": 0.1,
    "Real Estate": 0.05,
    "Retail": 0.0,
    "Logistics & Supply Chain": -0.05,
    "Manufacturing": -0.1,
    "Education Management": -0.15,
    "Renewables & Environment": -0.1,
    "Biotechnology": -0.2,
    "Financial Services": -0.3,
    "Hospital & Health Care": -0.35,
    "Government Administration": -0.6,
}
TOUCH_EFFECT = (0.0, 0.3, -0.1, -0.5)  # 1st, 2nd, 3rd, 4th and later email of a sequence
SIZE_EFFECT_PER_DECADE = -0.5  # per tenfold headcount above 50 employees


def reply_probability(
    seniority: str | None,
    employees: int | None,
    industry: str | None,
    touch: int,
    intent_score: object = None,
) -> float:
    z = BASE_LOGIT + SENIORITY_EFFECT.get((seniority or "").lower(), 0.0)
    z += INDUSTRY_EFFECT.get(industry or "", 0.0)
    z += SIZE_EFFECT_PER_DECADE * math.log10(max(employees or 50, 1) / 50)
    z += TOUCH_EFFECT[min(max(touch, 1), len(TOUCH_EFFECT)) - 1]
    if isinstance(intent_score, int | float):
        z += 0.01 * (float(intent_score) - 30)
    return 1 / (1 + math.exp(-z))


def bounce_probability(stale_address: bool, manual_contact: bool) -> float:
    # An address at a former employer is mostly dead; hand-typed addresses have typos.
    return 0.6 if stale_address else 0.06 if manual_contact else 0.025
