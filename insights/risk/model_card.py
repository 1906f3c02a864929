"""Responsible-use texts per release: a model card (Markdown) and an Algoritmeregister entry (dict).

Pure functions: a summary dict in, text or a dict out. The release writer puts them in the release
folder. The summary carries release facts (all keys optional):

``release`` (str, version), ``periods`` (list of years), ``indicators`` (list of names),
``levels`` (list), ``n_areas`` (int), ``n_cells`` / ``n_hidden`` (int), ``reference``
("regio"/"nederland"), ``prior`` ("pooled"/"gemeente"), ``rules_version`` (str),
``organisation`` (str), ``contact`` (str), ``synthetic`` (bool: demo counts),
``signals`` (dict text → count), ``national`` (bool: the scores also compare with Nederland),
``priors`` (list of dicts, :data:`insights.risk.score.PRIOR_COLUMNS`:
the fitted priors, from ``score(...).attrs["priors"]``), ``fdr`` (:func:`insights.risk.signal.posterior_fdr`) and
``effects`` (what :func:`insights.effects.effect_tables` ran: keys
``trend``, ``repeat``, ``profiles``, ``effects``; a method the build did not run is not claimed).
"""

from __future__ import annotations

from typing import Any

from geo.codes import AREA_LEVELS
from insights.indicators import INDICATORS
from insights.risk.signal import HIGHER, LOWER, PROTECTED, UNCLEAR

__all__ = ["algoritmeregister_entry", "model_card_markdown"]

NAME = "helpende-data: signalen per wijk over huiselijk geweld en kindermishandeling"
GOAL = (
    "Wijkteams en beleidsmedewerkers van de regionale aanpak huiselijk geweld en kindermishandeling "
    "laten zien in welke wijken en gemeenten meldingen bij Veilig Thuis, problematische schulden en "
    "echtscheidingen duidelijk hoger of lager zijn dan op grond van de omvang van het gebied te "
    "verwachten is, met hoe zeker dat is; en volgen of effecten van de aanpak over de jaren zichtbaar worden."
)
NOT_PREVALENCE = (
    "Meldingen zijn geen prevalentie: een melding bij Veilig Thuis zegt iets over wie er meldt en "
    "wanneer, niet hoeveel geweld er in een wijk is. Meer meldingen kan ook betekenen dat de aanpak werkt."
)
NOT_A_VERDICT = (
    "Een signaal is een aanleiding voor een gesprek, geen oordeel over een huishouden of een persoon. "
    "De cijfers gaan over gebieden; er worden geen personen of huishoudens gescoord."
)


def _facts(summary: dict[str, Any]) -> dict[str, str]:
    indicators = summary.get("indicators") or list(INDICATORS)
    labels = [INDICATORS[n].label if n in INDICATORS else str(n) for n in indicators]
    periods = summary.get("periods") or []
    return {
        "release": str(summary.get("release", "onbekend")),
        "periods": ", ".join(str(p) for p in periods) or "onbekend",
        "indicators": "; ".join(labels),
        "levels": ", ".join(summary.get("levels") or [level.value for level in AREA_LEVELS]),
        "reference": {"regio": "de eigen veiligheidsregio", "nederland": "Nederland"}.get(
            str(summary.get("reference", "regio")), str(summary.get("reference"))),
        "prior": {"pooled": "alle gebieden van hetzelfde niveau", "gemeente": "de eigen gemeente"}.get(
            str(summary.get("prior", "pooled")), str(summary.get("prior"))),
        "rules_version": str(summary.get("rules_version", "onbekend")),
        "organisation": str(summary.get("organisation", "de regionale aanpak (in te vullen)")),
        "contact": str(summary.get("contact", "in te vullen")),
    }


def _national_line(summary: dict[str, Any]) -> str:
    """The limit of the regional reference, and whether this release also compares with Nederland."""
    regional = ("- Het verwachte aantal volgt uit het cijfer van de eigen veiligheidsregio; regio's verschillen "
                "onderling, dus\n  \"hoger dan verwacht\" betekent hoger dan elders in dezelfde regio, niet hoger "
                "dan in Nederland.")
    if summary.get("national"):
        return regional + ("\n- Daarom staat bij elke score ook de vergelijking met Nederland (relatieve kans, "
                           "95%-interval en signaal\n  tegen het landelijke cijfer van deze release).")
    return regional + ("\n- Een landelijke vergelijking ontbreekt: deze release beschermt en publiceert alleen de "
                       "eigen regio('s),\n  dus er is geen landelijk cijfer uit af te leiden (de som van de eigen "
                       "regio's is niet landelijk).\n  De landelijke release bevat die vergelijking wel.")


def _pct(value: object) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "onbekend"
    return "geen signalen" if v != v else f"{100 * v:.1f}%".replace(".", ",")


def _label(name: str) -> str:
    return INDICATORS[name].label if name in INDICATORS else str(name)


def _prior_lines(priors: list[dict[str, Any]]) -> str:
    """What the fitted priors say, per indicator: under-dispersion and the hidden-cell weight."""
    if not priors:
        return ""
    capped = sorted({p["indicator"] for p in priors if p.get("shape_at_bound")})
    lines = []
    if capped:
        lines.append(
            "- Onderspreiding: bij " + "; ".join(_label(n) for n in capped) + " verschillen de gebieden (op minstens "
            "één niveau of in één jaar) niet meer dan toeval verklaart. De spreiding tussen gebieden is daar "
            "vastgehouden op de ondergrens (variatiecoëfficiënt 5%); de gebieden worden dan sterk naar het "
            "gemiddelde getrokken. Voor hermeldingen (een aandeel van de meldingen) is dat te verwachten.")
    weights = [float(p.get("hidden_weight", 0.0)) for p in priors if p.get("level") == "wijk"]
    if weights:
        lines.append(
            f"- Geschat gewicht q voor 'verborgen ter bescherming' bij wijken: {min(weights):.2f} tot "
            f"{max(weights):.2f}".replace(".", ",") + " (per jaar en indicator).")
    return "\n".join(lines) + "\n"


def _effect_methods(effects: dict[str, Any]) -> str:
    """Method lines for what the build ran (trends, repeat shares, profiles, effects); nothing else."""
    lines = []
    trend = effects.get("trend")
    if trend:
        periods = ", ".join(str(p) for p in trend.get("periods", []))
        lines.append(
            f"- Trends ({periods}): {trend.get('model', '')}; jaarlijkse verandering in % met 95%-interval en een "
            "marker (stijgend, dalend, geen duidelijke verandering, onvoldoende gegevens) uit de score-toets "
            "(p < 0,05). De variatie van jaar tot jaar boven Poisson (overdispersie) is per niveau en indicator "
            "uit de gegevens geschat: "
            + "; ".join(f"{d['level']} {d['indicator']} {d['alpha']:.4f}".replace(".", ",")
                        for d in trend.get("dispersion", [])) + ".")
        check = trend.get("check") or {}
        if check:
            lines.append(
                f"- Controle van de trendmarker in deze build ({check['series']} gesimuleerde reeksen van vijf jaar "
                f"met de omvang van de {check['sizes']}, variatie van jaar tot jaar SD {check['year_sd']}, "
                f"afgerond en verborgen zoals gepubliceerd; seed {check['seed']}): zonder verandering krijgt "
                f"{_pct(check['false_positive'])} een marker; bij +10% per jaar ziet de toets "
                f"{_pct(check['power_10pct'])} als stijgend.")
        markers = trend.get("markers") or {}
        if markers:
            lines.append("- Markers in deze release: " + ", ".join(f"{k} {v}" for k, v in markers.items()) + ".")
    repeat = effects.get("repeat")
    if repeat:
        lines.append(
            f"- Hermeldingen: aandeel van de meldingen per {', '.join(repeat['levels'])}, empirisch Bayes "
            f"beta-binomiaal met 90%- en 95%-interval, vanaf {repeat['min_reports']} gepubliceerde meldingen "
            f"({repeat['ok']} van {repeat['rows']} gebieden × perioden); signaal uit de kans dat het aandeel hoger "
            "is dan dat van de eigen regio.")
    profiles = effects.get("profiles")
    if profiles:
        lines.append(
            "- Gebiedsprofiel per wijk en gemeente: per indicator het cijfer met interval tegen de regio, "
            "verhouding (RR), signaal, trechterpositie, trendmarker en aandeel hermeldingen. Samengestelde uitleg "
            f"(samenhang, geen oorzaak): {profiles.get('composite', 'niet berekend')}.")
    did = effects.get("effects")
    if did:
        lines.append(
            f"- Effecten van interventies ({', '.join(did['interventions'])}): {did['model']}; rate ratio met "
            "95%-interval, toets op gelijke trends vóór de start, en een oordeel in gewone taal met kanttekeningen "
            f"({did['estimated']} van {did['rows']} schattingen konden worden gemaakt).")
    if not lines:
        return "- Trends, hermeldingen en effecten zijn in deze release niet berekend.\n"
    return "\n".join(lines) + "\n"


def model_card_markdown(summary: dict[str, Any]) -> str:
    """Model card of one release, in Dutch Markdown.

    Parameters
    ----------
    summary : release facts, see the module docstring; missing keys read "onbekend".

    Returns
    -------
    Markdown text with the sections Doel, Gegevens, Methode, Uitkomsten, Grenzen, Gebruik. The
    text never lists areas, let alone in order of score.
    """
    f = _facts(summary)
    synthetic = (
        "\n> **Let op:** de tellingen in deze release zijn synthetisch (demonstratie), niet echt.\n"
        if summary.get("synthetic") else ""
    )
    signals = summary.get("signals") or {}
    fdr = summary.get("fdr") or {}
    signal_lines = "".join(
        f"| {text} | {signals.get(text, '–')} |\n" for text in (HIGHER, UNCLEAR, LOWER, PROTECTED)
    )
    cells = ""
    if "n_cells" in summary:
        cells = f" Van de {summary['n_cells']} cellen zijn er {summary.get('n_hidden', 'onbekend')} verborgen."
    return f"""# Modelkaart — {NAME}

Release {f['release']} · perioden {f['periods']} · regels voor geheimhouding versie {f['rules_version']}
{synthetic}
## Doel
{GOAL}

{NOT_A_VERDICT}

## Gegevens
- Indicatoren: {f['indicators']}.
- Niveaus: {f['levels']}. Alleen gebiedscijfers; geen gegevens over personen of huishoudens.
- Alleen gepubliceerde, beschermde cijfers: kleine aantallen zijn verborgen, de rest is afgerond op 5.{cells}
- Geen gegevens over herkomst, etniciteit, nationaliteit of migratie: de code weigert zulke variabelen als invoer.

## Methode
- Verwacht aantal = noemer (huishoudens, inwoners of meldingen) × het cijfer van {f['reference']}.
- Verhouding waargenomen/verwacht (SMR) met exact Poisson-interval, verbreed voor afronding.
- Empirisch Bayes (Poisson–Gamma, Clayton & Kaldor 1987): de verhouding wordt naar het gemiddelde van
  {f['prior']} getrokken, sterker naarmate het gebied kleiner is. De prior is geschat met de
  negatief-binomiale aannemelijkheid.
- Verborgen en afgeronde aantallen tellen als interval (bijvoorbeeld "18 tot en met 22"), nooit als 0.
  Elke verborgen cel ("beschermd") wordt op dezelfde manier gelezen, want buitenstaanders kunnen niet zien
  waarom een cel verborgen is: óf onder de drempel (0 tot de drempel), óf met gewicht q verborgen om een
  andere cel te beschermen (vanaf de drempel, tot de bovengrens die uit de gepubliceerde cijfers volgt).
  q wordt per niveau, jaar en indicator geschat uit gepubliceerde cijfers: het totaal van een gemeente min
  haar gepubliceerde wijken is wat de verborgen wijken samen tellen.
- De prior wordt geschat met twee startpunten en een controle dat de helling in het optimum nul is; de
  onzekerheid in de spreiding tussen gebieden wordt in de intervallen meegenomen.
- Uitkomst per gebied: geschatte relatieve kans (RR) met 90%- en 95%-interval, kans dat RR > 1, en een
  trechtergrens (funnel plot, 95% en 99,8%; Spiegelhalter 2005). De correctie voor overdispersie wordt
  geschat op gepubliceerde cellen waarvan het verwachte aantal ruim boven de drempel ligt.
{_prior_lines(summary.get("priors") or [])}
- Hermeldingen zijn een deel van de meldingen: hun relatieve kans komt uit een beta-binomiaal model
  (aandeel van de meldingen, waarbij ook de afronding van het aantal meldingen meetelt).
{_effect_methods(summary.get("effects") or {})}
## Uitkomsten
Signaal per gebied, uit het 95%-interval van de relatieve kans (RR):

| signaal | aantal cellen |
| --- | --- |
{signal_lines}
"Duidelijk hoger" staat er alleen als het hele 95%-interval, zoals getoond (op twee decimalen), boven 1 ligt;
"duidelijk lager" alleen als het onder 1 ligt. Het signaal spreekt het getoonde interval dus nooit tegen.
Dan is de kans dat zo'n gebied toch niet hoger (of lager) is kleiner dan 2,5%.

Veel wijken tegelijk (meervoudig toetsen): bij duizenden wijken vallen er door toeval altijd een paar buiten
een grens. Daarom is de lat hoog gelegd. Over alle signalen van deze release samen is het verwachte aandeel
onterechte signalen (de *false discovery rate*, berekend uit de kansen per gebied) {_pct(fdr.get("hoger"))}
bij "duidelijk hoger" en {_pct(fdr.get("lager"))} bij "duidelijk lager"; door de regel is dat nooit meer dan
2,5%. Dat klopt alleen als het model klopt; de kalibratie is met simulaties gecontroleerd
(bench/bench_calibration.py). Er is geen ranglijst: gebieden worden nergens op score gesorteerd.

## Grenzen
- {NOT_PREVALENCE}
- Kleine wijken krijgen brede intervallen en worden naar het gemiddelde getrokken; "niet duidelijk anders"
  betekent vaak "te weinig gegevens om iets te zeggen", niet "geen probleem".
- Bij veel wijken valt een deel door toeval buiten de trechtergrenzen (ongeveer 5% buiten 95%).
- De samengestelde uitleg (regressie van meldingen op schulden en echtscheidingen) beschrijft samenhang
  tussen gebieden, geen oorzaak, en zegt niets over individuele huishoudens (ecologische drogreden).
- Noemers zijn gepubliceerde aantallen; hun afronding is genegeerd. Huishoudens en inwoners komen uit CBS
  Kerncijfers wijken en buurten 2024 en worden voor alle jaren gebruikt (eerdere jaren zijn niet meegeleverd).
{_national_line(summary)}

## Gebruik
- Bedoeld voor: gesprek in het wijkteam en beleid op gebiedsniveau, samen met wat professionals zelf zien.
- Niet bedoeld voor: selectie, controle of handhaving van personen of huishoudens, of het vergelijken van
  wijken in een ranglijst.
- Een mens beslist altijd; het model neemt geen besluiten en leert niet zelf bij.
- Contact: {f['contact']} ({f['organisation']}).
"""


def algoritmeregister_entry(summary: dict[str, Any]) -> dict[str, Any]:
    """Entry in the shape of the Dutch Algoritmeregister publication standard.

    Parameters
    ----------
    summary : release facts, see the module docstring.

    Returns
    -------
    Dict with the keys ``name``, ``organisation``, ``goal_and_impact``, ``proportionality``,
    ``human_intervention``, ``risks``, ``legal_basis``, ``impact_assessments``, ``source_data``,
    ``methods_and_models``, ``self_learning`` (always ``"nee"``), ``publication_category``,
    ``status``, ``contact``, ``release``; all values Dutch text (or lists of text). Fields that only
    the organisation can fill in say so ("in te vullen door de organisatie").
    """
    f = _facts(summary)
    return {
        "name": NAME,
        "organisation": f["organisation"],
        "goal_and_impact": f"{GOAL} {NOT_A_VERDICT}",
        "proportionality": (
            "Alleen geaggregeerde, beschermde gebiedscijfers (drempel, afronding, secundaire "
            "onderdrukking); geen persoonsgegevens, geen scores van huishoudens, geen ranglijsten. "
            "Onzekerheid wordt altijd getoond. Alternatief zonder model (ruwe cijfers) misleidt bij kleine aantallen."
        ),
        "human_intervention": (
            "Het algoritme neemt geen besluiten. Signalen zijn aanleiding voor een gesprek in het wijkteam "
            "of voor beleid; professionals wegen ze met eigen kennis. Stewards beoordelen elke release."
        ),
        "risks": [
            NOT_PREVALENCE,
            "Stigmatisering van wijken: daarom geen ranglijsten, alleen categorieën met onzekerheid.",
            "Schijnzekerheid bij kleine aantallen: daarom empirisch Bayes, intervallen en 'beschermd'.",
            "Indirecte discriminatie: herkomst-, etniciteits- en nationaliteitsvariabelen worden door de code "
            "geweigerd.",
            "Ecologische drogreden: uitkomsten gelden voor gebieden, niet voor personen.",
        ],
        "legal_basis": (
            "In te vullen door de organisatie (bijvoorbeeld Wmo 2015 en Jeugdwet voor de taak; AVG art. 89 "
            "voor statistiek op geaggregeerde gegevens)."
        ),
        "impact_assessments": [
            "DPIA: in te vullen door de organisatie",
            "IAMA (Impact Assessment Mensenrechten en Algoritmes): in te vullen door de organisatie",
        ],
        "source_data": [
            f"Indicatoren: {f['indicators']}",
            "Noemers: particuliere huishoudens en inwoners (CBS Kerncijfers wijken en buurten)",
            f"Alleen gepubliceerde cijfers na geheimhouding (regels versie {f['rules_version']})",
        ],
        "methods_and_models": (
            "Verwachte aantallen uit de noemer en het cijfer van "
            f"{f['reference']}; Poisson–Gamma empirisch Bayes (Clayton & Kaldor 1987) met interval-gecensureerde "
            "aannemelijkheid voor verborgen en afgeronde aantallen; trechtergrenzen met overdispersiecorrectie "
            "(Spiegelhalter 2005). "
            + _effect_methods(summary.get("effects") or {}).replace("\n", " ").replace("- ", "")
        ),
        "self_learning": "nee",
        "publication_category": "overige algoritmes (geen impactvol besluit over personen)",
        "status": "in gebruik" if not summary.get("synthetic") else "in ontwikkeling (synthetische gegevens)",
        "contact": f["contact"],
        "release": f["release"],
        "periods": summary.get("periods") or [],
    }
