"""Country names as identity providers give them ("United States", "Russia") to ISO 3166-1
alpha-2 codes, the form `policy.endpoints.denied_countries` is written in.

Okta's System Log names a sign-in's country in English (`client.geographicalContext.country`,
"United States" in the LogEvent reference), from a GeoIP database. A name resolves when it is
an ISO 3166-1 alpha-2 or alpha-3 code, or one of the standard's English names (short, official
or common name, as pycountry carries ISO 3166's data); or one of the English names the GeoIP
databases use where ISO's differs (`GEOIP_NAMES`, MaxMind GeoLite2's country names: "Russia",
"Turkey", "Ivory Coast"). Nothing is matched loosely: a fuzzy match can be wrong
("Republic of Korea" fuzzily finds North Korea), and a name that does not resolve stays
unresolved, so a check says it cannot tell rather than "not a denied country".
"""

from __future__ import annotations

import pycountry

# GeoIP English names (MaxMind GeoLite2 / GeoIP2 country locations, `en`) that are none of
# ISO 3166's names, and a few older spellings those databases used. Kosovo ("XK") is left
# out: it has no ISO 3166-1 code, so it stays unresolved.
GEOIP_NAMES = {
    "russia": "RU",
    "turkey": "TR",
    "dr congo": "CD",
    "congo republic": "CG",
    "ivory coast": "CI",
    "brunei": "BN",
    "palestine": "PS",
    "vatican city": "VA",
    "são tomé and príncipe": "ST",
    "saint helena": "SH",
    "falkland islands": "FK",
    "heard and mcdonald islands": "HM",
    "pitcairn islands": "PN",
    "st kitts and nevis": "KN",
    "st vincent and grenadines": "VC",
    "saint martin": "MF",
    "sint maarten": "SX",
    "bonaire, sint eustatius, and saba": "BQ",
    "u.s. virgin islands": "VI",
    "u.s. outlying islands": "UM",
    "republic of korea": "KR",
    "macedonia": "MK",
    "swaziland": "SZ",
    "cape verde": "CV",
    "east timor": "TL",
}


def iso_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a country name or code stands for; None when it cannot be
    told (see the module docstring)."""
    text = " ".join(name.split())
    if not text:
        return None
    if text.casefold() in GEOIP_NAMES:
        return GEOIP_NAMES[text.casefold()]
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(country.alpha_2)
