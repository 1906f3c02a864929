"""Problem details speak Dutch, title and detail (issue 15): what a caller reads when something is wrong."""

from __future__ import annotations

import pytest

ITEM = "/v1/collections/wijken/items/WK019310"


@pytest.mark.parametrize(("method", "url", "actor", "status", "words"), [
    ("GET", ITEM, None, 401, "geen inloggegevens"),
    ("GET", ITEM, "bad", 401, "onbekende API-sleutel"),
    ("GET", "/v1/collections/wijken/items/WK015001", "wijkteam_zwolle", 403, "valt buiten de gebieden"),
    ("GET", "/v1/cijfers", "wijkteam_zwolle", 403, "mag dit endpoint niet gebruiken"),
    ("GET", "/v1/collections/wijken/items/WK999999", "policy", 404, "bestaat niet in deze release"),
    ("GET", "/v1/collections/straten/items", "policy", 404, "collectie 'straten' bestaat niet"),
    ("GET", "/v1/collections/wijken/items?limit=0", "policy", 400, "moet minstens 1 zijn"),
    ("GET", "/v1/collections/wijken/items?limit=x", "policy", 400, "moet een geheel getal zijn"),
    ("GET", "/v1/collections/wijken/items?bbox=1,2", "policy", 400, "verwacht 4 of 6 getallen"),
    ("GET", "/v1/collections/wijken/items?periode=1999", "policy", 404, "zit niet in deze release"),
    ("GET", ITEM + "?foo=1", "policy", 400, "onbekende queryparameter"),
    ("GET", "/v1/cijfers?gemeente=Zwolle", "policy", 400, "komt niet overeen met het patroon"),
    ("DELETE", ITEM, "policy", 405, "methode DELETE is hier niet toegestaan"),
    ("GET", "/v1/bestaat-niet", "policy", 404, "deze URL bestaat niet"),
])
def test_problem_title_and_detail_are_dutch(client, keys, method, url, actor, status, words):
    headers = {"X-API-Key": "hd_nope"} if actor == "bad" else keys.headers(actor) if actor else {}
    r = client.request(method, url, headers=headers)
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert words in body["detail"], body
    assert body["title"] in {"Ongeldige invoer", "Niet geauthenticeerd", "Geen toegang", "Niet gevonden",
                             "Methode niet toegestaan"}
