"""Compact built-in vocabularies of people, companies and places (no Faker: nothing downloads at run time)."""

import random
import unicodedata
from functools import cache


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Daniel Karen Matthew Nancy Anthony Lisa Mark Emily Steven "
    "Michelle Andrew Laura Kevin Rebecca Brian Amanda Jason Rachel Ryan Megan Eric Hannah Priya Arjun "
    "Wei Mei Hiroshi Yuki Min-jun Seo-yeon Mohammed Fatima Omar Aisha Carlos Sofía José Lucía Mateo "
    "Valentina Pierre Amélie Lukas Lena Søren Ingrid Giulia Marco Zoë Chloé Liam Noah Olivia Emma Ava "
    "Ethan Mia Lucas Isabella Aiden Chinedu Ngozi "
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Nguyen Hill Flores Green Patel Shah "
    "Kumar Singh Chen Wang Li Zhang Tanaka Sato Kim Park Khan Ali Müller Schmidt Schneider Fischer "
    "Dubois Lefèvre Rossi Bianchi Jensen Nielsen Andersson O'Brien O'Connor Murphy Kelly Smith-Jones "
    "Okafor Adeyemi Cohen Levi Silva Santos Novak Kowalski Ivanova Haddad "
)

COMPANY_PREFIXES = _words(
    "Acme Blue Bright Cedar Cobalt Crimson Delta Echo Ember Falcon Fern Granite Harbor Helix Horizon "
    "Indigo Iron Juniper Kite Lumen Maple Meridian Nimbus North Nova Oak Orbit Pine Pioneer Prism Quartz "
    "Quill Radiant Redwood Ridge River Sable Sage Signal Silver Spark Spruce Stellar Summit Swift Terra "
    "Tidal True Umber Vector Velvet Vertex Violet Willow Wren Zenith Zephyr Apex Atlas Beacon "
)

COMPANY_SUFFIXES = _words(
    "Labs Systems Analytics Health Logistics Capital Robotics Software Networks Media Foods Energy Bio "
    "Cloud Works Group Partners Dynamics AI Security "
)

# Well-known employers that are not in the database: employment history points at them by name only.
OUTSIDE_EMPLOYERS = ("Google", "Oracle", "Deloitte", "Accenture", "IBM", "Salesforce", "Amazon", "Microsoft")

TLDS = (".com", ".io", ".ai", ".co", ".de", ".co.uk", ".fr")
TLD_WEIGHTS = (60, 15, 8, 7, 4, 4, 2)

# city, state (None where addresses carry none), country, postal pattern, phone pattern; '#' digit, '@' letter
LOCATIONS = (
    ("San Francisco", "CA", "United States", "941##", "+1 415 ### ####"),
    ("New York", "NY", "United States", "100##", "+1 212 ### ####"),
    ("Austin", "TX", "United States", "787##", "+1 512 ### ####"),
    ("Boston", "MA", "United States", "021##", "+1 617 ### ####"),
    ("Seattle", "WA", "United States", "981##", "+1 206 ### ####"),
    ("Chicago", "IL", "United States", "606##", "+1 312 ### ####"),
    ("Denver", "CO", "United States", "802##", "+1 303 ### ####"),
    ("Atlanta", "GA", "United States", "303##", "+1 404 ### ####"),
    ("Toronto", "ON", "Canada", "M5V #@#", "+1 416 ### ####"),
    ("London", None, "United Kingdom", "EC1A #@@", "+44 20 #### ####"),
    ("Manchester", None, "United Kingdom", "M1 #@@", "+44 161 ### ####"),
    ("Berlin", None, "Germany", "101##", "+49 30 ### #####"),
    ("Munich", None, "Germany", "803##", "+49 89 ### #####"),
    ("Paris", None, "France", "750##", "+33 1 ## ## ## ##"),
    ("Amsterdam", None, "Netherlands", "10## @@", "+31 20 ### ####"),
    ("Dublin", None, "Ireland", "D02 @###", "+353 1 ### ####"),
    ("Bangalore", "Karnataka", "India", "560###", "+91 80 #### ####"),
    ("Sydney", "NSW", "Australia", "2###", "+61 2 #### ####"),
    ("Singapore", None, "Singapore", "0#####", "+65 #### ####"),
    ("São Paulo", "SP", "Brazil", "01###-###", "+55 11 #####-####"),
    ("Tel Aviv", None, "Israel", "61#####", "+972 3 ### ####"),
    ("Stockholm", None, "Sweden", "111 ##", "+46 8 ### ### ##"),
)
# Most customers and prospects are in the US, as in the real product.
LOCATION_WEIGHTS = (14, 14, 8, 8, 7, 6, 5, 5, 4, 7, 2, 4, 2, 3, 2, 2, 3, 2, 2, 2, 1, 1)

STREETS = ("Market St", "Main Street", "Mission St", "Broadway", "High Street", "Elm Street", "King Street")


@cache
def _compiled(pattern: str) -> tuple[str, str, int]:
    slots = "".join(c for c in pattern if c in "#@")
    return pattern.replace("#", "{}").replace("@", "{}"), slots, slots.count("#")


def fill(pattern: str, rng: random.Random) -> str:
    """Expand '#' to a digit and '@' to an uppercase letter (all digits drawn at once: this is a hot path)."""
    template, slots, n = _compiled(pattern)
    if n == len(slots):
        return template.format(*f"{int(rng.random() * 10**n):0{n}d}")
    digits = iter(f"{int(rng.random() * 10**n):0{n}d}")
    return template.format(*(next(digits) if s == "#" else chr(65 + int(rng.random() * 26)) for s in slots))


# Letters that Unicode does not decompose into an ASCII base letter.
_TRANSLITERATE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d"})


@cache
def ascii_slug(text: str) -> str:
    """Lowercase ASCII letters and digits only, as mail systems and URLs spell names (José → jose)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def email_for(first: str, last: str, domain: str) -> str:
    return f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"
