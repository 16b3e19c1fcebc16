"""A product user as the usage simulation sees them."""

from dataclasses import dataclass

from bson import ObjectId


@dataclass(frozen=True)
class Actor:
    """Times are epoch seconds (NEVER = inf); `stops` is when the user quits or the account churns."""

    user_id: ObjectId
    account_id: ObjectId
    plan: str
    created: float
    activation: float
    stops: float
    level: float
    weekly_decay: float
