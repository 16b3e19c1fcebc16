"""Firmographic vocabulary: industries with their keywords, and the technologies companies use."""

INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Computer Software": ("saas", "b2b", "developer tools", "cloud", "api"),
    "Information Technology & Services": ("it services", "managed services", "consulting", "cloud migration"),
    "Marketing & Advertising": ("digital marketing", "seo", "brand strategy", "performance marketing"),
    "Financial Services": ("fintech", "payments", "lending", "wealth management"),
    "Hospital & Health Care": ("healthcare", "telehealth", "patient engagement", "medical devices"),
    "Logistics & Supply Chain": ("freight", "last mile", "warehousing", "supply chain"),
    "Retail": ("e-commerce", "omnichannel", "dtc", "consumer goods"),
    "Manufacturing": ("industrial automation", "iot", "lean manufacturing", "b2b"),
    "Staffing & Recruiting": ("recruiting", "talent acquisition", "hr tech"),
    "Real Estate": ("proptech", "commercial real estate", "property management"),
    "Education Management": ("edtech", "online learning", "higher education"),
    "Government Administration": ("public sector", "civic tech", "procurement"),
    "Biotechnology": ("drug discovery", "genomics", "clinical trials"),
    "Renewables & Environment": ("solar", "clean energy", "sustainability"),
}
INDUSTRY_NAMES = tuple(INDUSTRIES)
INDUSTRY_WEIGHTS = (16, 12, 9, 9, 7, 6, 7, 7, 5, 5, 4, 3, 4, 4)

TECHNOLOGIES = (
    "Salesforce",
    "HubSpot",
    "Google Analytics",
    "AWS",
    "Google Cloud",
    "Microsoft Azure",
    "Slack",
    "Zoom",
    "Shopify",
    "Stripe",
    "Zendesk",
    "Intercom",
    "Marketo",
    "Segment",
    "Snowflake",
    "Datadog",
    "Okta",
    "Workday",
    "Jira",
    "GitHub",
    "WordPress",
    "Cloudflare",
    "Outreach",
    "Gong",
)
