"""Origin, ethnicity and nationality variables are refused as model inputs."""

import pytest

from insights.errors import ForbiddenModelInput
from insights.risk.guard import check_model_inputs


@pytest.mark.parametrize("name", [
    "herkomst", "Migratieachtergrond", "etniciteit", "nationaliteit", "geboorteland_moeder",
    "Marokko_19", "Turkije_22", "Suriname_21", "NederlandseAntillenEnAruba_20", "WestersTotaal_17",
    "NietWestersTotaal_18", "OverigNietWesters_23", "GeborenInNederlandMetEenNederlandseHerkomst",
    "EuropaExclusiefNederland_18", "BuitenEuropa_19", "pct_allochtonen", "country of birth", "ethnicity",
])
def test_origin_variable_is_refused(name):
    with pytest.raises(ForbiddenModelInput, match=f"refused as model input: '{name}'.*origin, ethnicity"):
        check_model_inputs(["schulden_per_1000", name])


@pytest.mark.parametrize("name", [
    "schulden_per_1000", "echtscheidingen_per_1000", "meldingen", "huishoudens", "inwoners",
    "AantalInwoners_5", "Bevolkingsdichtheid_34", "Woningvoorraad_35", "GemiddeldInkomenPerInwoner",
    "OppervlakteWater_124", "HuishoudensMetKinderen",
])
def test_ordinary_variables_pass(name):
    assert check_model_inputs([name]) == [name]


def test_message_names_every_refused_variable():
    with pytest.raises(ForbiddenModelInput, match="'Marokko_19' .*'Turkije_22'"):
        check_model_inputs(["Marokko_19", "inwoners", "Turkije_22"])
