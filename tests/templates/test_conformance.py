"""Core Handlebars syntax renders byte for byte like handlebars.js 4.7.10, run by node during the test."""

from __future__ import annotations

from typing import Any

import pytest

from templates.rendering import TemplateError, compile_template
from tests.templates.conftest import handlebars_js
from tests.templates.core_cases import CASES, ERROR_CASES, Case


def _payload(cases: list[Case]) -> list[dict[str, Any]]:
    return [{"template": c.template, "context": c.context, "html": c.html} for c in cases]


@pytest.fixture(scope="module")
def reference() -> list[dict[str, str]]:
    return handlebars_js(_payload(CASES))


@pytest.fixture(scope="module")
def reference_errors() -> list[dict[str, str]]:
    return handlebars_js(_payload(ERROR_CASES))


def test_the_corpus_covers_at_least_sixty_templates() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c in CASES])
def test_it_renders_like_handlebars_js(reference: list[dict[str, str]], index: int) -> None:
    case, expected = CASES[index], reference[index]
    assert "error" not in expected, f"handlebars.js could not render this case: {expected.get('error')}"
    assert compile_template(case.template, html=case.html).render(case.context) == expected["output"]


@pytest.mark.parametrize("index", range(len(ERROR_CASES)), ids=[c.name for c in ERROR_CASES])
def test_it_refuses_what_handlebars_js_refuses(reference_errors: list[dict[str, str]], index: int) -> None:
    case = ERROR_CASES[index]
    assert "error" in reference_errors[index], "handlebars.js accepted this template"
    with pytest.raises(TemplateError) as raised:
        compile_template(case.template, html=case.html).render(case.context)
    assert raised.value.line is not None and raised.value.column is not None


def test_it_joins_adjacent_numbers_where_handlebars_js_adds_them() -> None:
    """A deliberate difference: without escaping, handlebars.js 4.7 concatenates a program's first values with
    JavaScript's `+`, so two numbers in a row are summed ({{a}}{{b}} with 5 and 5 prints 10). We print 55."""
    template, context = "{{a}}{{b}}", {"a": 5, "b": 5}
    assert handlebars_js([{"template": template, "context": context, "html": False}]) == [{"output": "10"}]
    assert compile_template(template, html=False).render(context) == "55"
    assert handlebars_js([{"template": template, "context": context, "html": True}]) == [{"output": "55"}]
