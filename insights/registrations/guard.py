"""Refuse direct identifiers before anything is computed.

A record file may carry a pseudonymised household key, dates, an event kind and a location; it may
not carry a BSN, a name, a full address or a date of birth. Columns are judged by name and, for the
BSN and addresses, by a sample of their values. Errors name the file and column, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from geo.errors import InputFileError

__all__ = ["IdentifierRefused", "check_no_identifiers", "is_bsn"]

_NAME_COLUMNS = {
    "naam", "voornaam", "voornamen", "achternaam", "geslachtsnaam", "tussenvoegsel", "voorletters", "roepnaam",
    "name", "firstname", "lastname", "surname", "fullname", "givenname", "familyname", "volledigenaam",
}
_ADDRESS_COLUMNS = {
    "adres", "straat", "straatnaam", "huisnummer", "huisnr", "huisletter", "huisnummertoevoeging", "toevoeging",
    "address", "street", "streetname", "housenumber", "woonadres", "postadres",
}
_BIRTH_COLUMNS = {
    "geboortedatum", "gebdatum", "geboortedag", "dateofbirth", "birthdate", "birthday", "dob", "geboorte",
}
_BSN_COLUMNS = {"bsn", "burgerservicenummer", "sofinummer", "sofi", "bsnnummer"}
_DIGITS = re.compile(r"\d{8,9}")
_STREET_NUMBER = re.compile(r"[^\W\d_][\w'. -]*\s\d+\s?[a-zA-Z]?(\s?-\s?\w+)?(,.*)?")
_POSTCODE_NUMBER = re.compile(r"\d{4}\s?[A-Za-z]{2}\s*[ ,-]?\s*\d+.*")


class IdentifierRefused(InputFileError):
    """A record file holds a column that directly identifies a person; nothing was computed."""


def is_bsn(text: str) -> bool:
    """True when ``text`` is a 9-digit number (8 digits: with its leading zero dropped) passing the 11-proef.

    11-proef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not 0).
    """
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return False
    digits = [int(c) for c in text.zfill(9)]
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total != 0 and total % 11 == 0


def _canonical(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _share(values: Sequence[str], test) -> float:
    filled = [v for v in values if v and v.strip()]
    return sum(1 for v in filled if test(v.strip())) / len(filled) if filled else 0.0


def check_no_identifiers(path: Path, sample: Mapping[str, Sequence[str]]) -> None:
    """Raise :class:`IdentifierRefused` for the first column that looks like a direct identifier.

    Parameters
    ----------
    path : the record file (named in the error).
    sample : column name → a sample of its values as text (e.g. the first 10,000 rows).

    Notes
    -----
    By name: BSN, name, address and date-of-birth columns (Dutch and English spellings). By value:
    at least half of the filled sample values pass the BSN 11-proef (a random 9-digit key passes
    about 1 in 11), or look like "street number" or "postcode number" addresses. A PC6 without house
    number is a location, not an address, and is allowed.
    """
    for column, values in sample.items():
        name = _canonical(column)
        if name in _BSN_COLUMNS:
            raise IdentifierRefused(path, "a BSN column is a direct identifier and is refused", row=1, column=column)
        if name in _NAME_COLUMNS or name.endswith(("achternaam", "voornaam")):
            raise IdentifierRefused(path, "a name column is a direct identifier and is refused", row=1, column=column)
        if name in _ADDRESS_COLUMNS:
            raise IdentifierRefused(path, "an address column is a direct identifier and is refused (give a point, "
                                          "a PC6 or a wijk code)", row=1, column=column)
        if name in _BIRTH_COLUMNS or name.startswith("geboorte"):
            raise IdentifierRefused(path, "a date of birth is a direct identifier and is refused", row=1, column=column)
        if _share(values, is_bsn) >= 0.5:
            raise IdentifierRefused(path, "values look like BSNs (nine digits passing the 11-proef); direct "
                                          "identifiers are refused", column=column)
        if _share(values, lambda v: bool(_STREET_NUMBER.fullmatch(v) or _POSTCODE_NUMBER.fullmatch(v))) >= 0.5:
            raise IdentifierRefused(path, "values look like full addresses; direct identifiers are refused "
                                          "(give a point, a PC6 or a wijk code)", column=column)
