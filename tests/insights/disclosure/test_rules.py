from pathlib import Path

import pytest

from insights.disclosure import parse_rules
from insights.errors import RulesError

ROOT = Path(__file__).resolve().parents[3]


def test_bundled_rules_file_parses_with_default_protection_range():
    rules = parse_rules((ROOT / "rules" / "disclosure.toml").read_text(encoding="utf-8"), "disclosure.toml")
    assert rules.protection.contains_zero and rules.protection.contains_threshold
    assert rules.for_indicator("meldingen").rounding_base == 5
    assert rules.for_indicator("echtscheidingen").min_denominator == 100


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('version = "x"\n[indicators.onbekend]\nmin_count = 5\n', "unknown indicator"),
        ('version = "x"\n[indicators.hermeldingen]\npart_of = "onbekend"\n', "part_of: unknown indicator"),
        ('version = "x"\n[indicators.meldingen]\npart_of = "meldingen"\n', "cannot be part of itself"),
        ('version = "x"\n[indicators.meldingen]\npart_of = "hermeldingen"\n'
         '[indicators.hermeldingen]\npart_of = "meldingen"\n', "circular"),
        ('version = "x"\n[defaults]\nmin_count = 3\nrounding_base = 5\n', "could round to 0"),
        # 10 rounds to 9 with base 3: the build could not publish a count of 10 (check_publishable refuses)
        ('version = "x"\n[defaults]\nmin_count = 10\nrounding_base = 3\n', "rounds the threshold 10 down to 9"),
        ('version = "x"\n[protection]\ncontains_zero = false\ncontains_threshold = false\n', "at least one"),
        ('version = "x"\n[protection]\nwidth = 3\n', "protection.width"),
        ('version = "x"\n[defaults]\npart_of = "meldingen"\n', "belongs in an indicator section"),
        ("version = \n", "not valid TOML"),
    ],
)
def test_invalid_rules_name_the_problem(text, match):
    with pytest.raises(RulesError, match=match):
        parse_rules(text, "proef.toml")


def test_indicator_section_inherits_defaults_but_not_links():
    rules = parse_rules(
        'version = "x"\n[defaults]\nmin_count = 15\nrounding_base = 5\n'
        '[indicators.hermeldingen]\npart_of = "meldingen"\n'
    )
    assert rules.for_indicator("hermeldingen").min_count == 15
    assert rules.for_indicator("hermeldingen").part_of == "meldingen"
    assert rules.for_indicator("meldingen").part_of is None


@pytest.mark.parametrize(("base", "below", "above"), [(1, 0, 0), (5, 2, 2), (10, 5, 4)])
def test_rounding_interval_follows_halves_up(base, below, above):
    rules = parse_rules(f'version = "x"\n[defaults]\nmin_count = 10\nrounding_base = {base}\n')
    rule = rules.for_indicator("schulden")
    assert (rule.rounding_below, rule.rounding_above) == (below, above)


@pytest.mark.parametrize(("min_count", "base"), [(10, 5), (15, 10), (10, 4), (10, 1), (12, 3)])
def test_rounding_bases_a_build_can_honour_are_accepted(min_count, base):
    rule = parse_rules(f'version = "x"\n[defaults]\nmin_count = {min_count}\nrounding_base = {base}\n').defaults
    assert (rule.min_count, rule.rounding_base) == (min_count, base)
