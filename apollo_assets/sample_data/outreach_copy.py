"""The words of outreach: campaign names, subjects and bodies (free text that mentions people by name)."""

import random

_PERSONAS = ("VP Sales", "Founders", "Marketing leaders", "RevOps", "IT buyers", "HR directors", "CFOs")
_THEMES = ("outreach", "follow-up", "webinar nurture", "re-engagement", "event invite", "product launch")
_SUBJECTS = (
    "Quick question, {first}",
    "{company} + {sender_company}",
    "Idea for {company}'s pipeline",
    "{first}, worth a chat?",
    "Saw {company} is hiring",
)
_FOLLOW_UP_SUBJECTS = ("Re: {subject}", "Following up", "Any thoughts, {first}?", "Closing the loop")
_OPENERS = (
    "I noticed {company} has been growing its sales team.",
    "Congrats on the recent launch at {company}!",
    "I came across your profile and thought this might be relevant.",
    "Is {email} still the best address to reach you?",
)
_PITCHES = (
    "Teams like yours use {sender_company} to book 30% more meetings without adding headcount.",
    "We help revenue teams find verified contacts and run sequences in one place.",
    "Our customers cut research time per account from an hour to five minutes.",
)
_CALLS_TO_ACTION = ("Open to a 15-minute call next week?", "Would Tuesday or Thursday work?", "Worth a look?")


def campaign_name(rng: random.Random, created_year: int, created_month: int) -> str:
    quarter = (created_month - 1) // 3 + 1
    return f"Q{quarter} {created_year} {rng.choice(_PERSONAS)} {rng.choice(_THEMES)}"


def compose(
    rng: random.Random,
    touch: int,
    first_subject: str | None,
    contact: dict,
    company: str,
    sender: dict,
    sender_company: str,
) -> tuple[str, str]:
    first = contact["first_name"]
    fields = {
        "first": first,
        "email": contact["email"],
        "company": company or "your team",
        "sender_company": sender_company,
    }
    if touch == 1 or first_subject is None:
        subject = rng.choice(_SUBJECTS).format(**fields)
        middle = f"{rng.choice(_OPENERS)}\n\n{rng.choice(_PITCHES)}".format(**fields)
    else:
        subject = rng.choice(_FOLLOW_UP_SUBJECTS).format(subject=first_subject, **fields)
        middle = "Just bumping this to the top of your inbox in case it got buried."
    signature = f"{sender['first_name']} {sender['last_name']}\n{sender_company} | {sender['email']}"
    body = f"Hi {first},\n\n{middle}\n\n{rng.choice(_CALLS_TO_ACTION)}\n\nBest,\n{signature}"
    return subject, body
