"""CSV for Dutch Excel (``f=csv-nl``): the same rows as ``f=csv``, with ';', a decimal comma and a BOM."""

from __future__ import annotations

import io

import pandas as pd
import pytest


@pytest.mark.parametrize(("actor", "url"), [
    ("policy", "/v1/cijfers?gemeente=GM0193&periode=2024"),
    ("steward", "/v1/onderdrukking?gemeente=GM0150"),
])
def test_excel_dialect_holds_the_same_rows_as_the_plain_csv(client, keys, actor, url):
    h = keys.headers(actor)
    plain = client.get(url + "&f=csv", headers=h)
    excel = client.get(url + "&f=csv-nl", headers=h)
    assert plain.status_code == excel.status_code == 200
    assert excel.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in excel.content
    assert excel.headers["content-type"].startswith("text/csv")
    assert excel.headers["content-disposition"].endswith('-excel.csv"')
    header = excel.content[3:].split(b"\r\n")[0].decode()
    assert ";" in header and "," not in header
    expected = pd.read_csv(io.BytesIO(plain.content))
    got = pd.read_csv(io.BytesIO(excel.content), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected)
    # read with decimal="," the numbers equal the plain CSV's: a value written with "." would stay text
    assert any(b"," in field for line in excel.content.split(b"\r\n")[1:] for field in line.split(b";")) \
        or not any(expected[c].dtype == float and (expected[c].dropna() % 1 != 0).any() for c in expected.columns)


def test_an_unknown_format_is_400(client, keys):
    r = client.get("/v1/cijfers?f=xlsx", headers=keys.headers("policy"))
    assert r.status_code == 400
