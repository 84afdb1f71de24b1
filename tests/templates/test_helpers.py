"""Pinpoint's 44 helpers: documented examples render as documented, plus at least three edge cases each."""

from __future__ import annotations

import collections

import pytest

from templates.rendering import PINPOINT_HELPERS, TemplateError, compile_template
from tests.templates.helper_cases import CASES as TEXT_CASES
from tests.templates.helper_cases import Fails, HelperCase, Match
from tests.templates.helper_cases_math import MATH_CASES

CASES = TEXT_CASES + MATH_CASES

# Inventory §6.5: built-in each/if, the conditional, string, and math & encoding helpers (if appears twice).
DOCUMENTED_HELPERS = [
    *("each", "if"),
    *("and", "eq", "gt", "gte", "if", "lt", "lte", "neq", "not", "or"),
    *("abbreviate", "capitalize", "capitalizeFirst", "center", "cut", "dateFormat", "inflect", "join", "ljust"),
    *("lower", "now", "ordinalize", "replace", "rjust", "slugify", "stripTags", "substring", "upper", "yesno"),
    *("add", "ceiling", "decode64", "divide", "encode64", "floor", "md5", "modulo", "multiply", "round"),
    *("sha256", "sha512", "subtract", "uuid"),
]


def test_there_are_44_helpers_and_the_engine_has_them_all() -> None:
    assert len(set(DOCUMENTED_HELPERS)) == 44
    assert set(PINPOINT_HELPERS) == set(DOCUMENTED_HELPERS)


def test_every_helper_has_documented_examples_and_three_edge_cases() -> None:
    cases = collections.Counter(c.helper for c in CASES)
    documented = collections.Counter(c.helper for c in CASES if c.documented)
    assert not [h for h in DOCUMENTED_HELPERS if not documented[h]], "a helper has no documented example"
    assert not [h for h in DOCUMENTED_HELPERS if cases[h] - documented[h] < 3], "a helper has fewer than 3 edge cases"
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", CASES, ids=[f"{c.helper}-{i}" for i, c in enumerate(CASES)])
def test_helper_case(case: HelperCase) -> None:
    if isinstance(case.expected, Fails):
        with pytest.raises(TemplateError) as raised:
            compile_template(case.template, html=case.html).render(case.context)
        assert case.expected.message in raised.value.message
        assert raised.value.line == 1
        return
    output = compile_template(case.template, html=case.html).render(case.context)
    if isinstance(case.expected, Match):
        assert case.expected.matches(output), output
    else:
        assert output == case.expected
