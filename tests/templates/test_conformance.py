"""Core Handlebars syntax renders byte for byte like handlebars.js 4.7.10, run by node during the test."""

from __future__ import annotations

import random
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


def _random_template(rng: random.Random, depth: int = 0) -> str:
    """A random well-formed template mixing blocks, else-chains, ~ and standalone lines."""

    def tilde() -> str:
        return "~" if rng.random() < 0.2 else ""

    def space() -> str:
        return rng.choice(["", "", " ", "\n", "  \n", "\n  ", " \t ", "\r\n", "\n\n"])

    leaves = [
        "x",
        "{{a}}",
        "{{{a}}}",
        "{{this}}",
        "{{@index}}",
        "{{@key}}",
        "{{../a}}",
        "{{@root.a}}",
        "{{! c }}",
        "{{!-- c --}}",
        "{{> p}}",
        "{{o.a}}",
        "{{xs.[1]}}",
        '{{lookup o "a"}}',
        "{{n}}",
        "{{@first}}",
        "{{.}}",
    ]
    out = ""
    for _ in range(rng.randint(0, 4)):
        out += space()
        if depth < 3 and rng.random() < 0.4:
            kind = rng.choice(["if", "unless", "each", "with", "section", "inverse"])
            value = rng.choice(["t", "f", "xs", "o", "n", "z", "e", "s"])
            params = " as |v k|" if kind == "each" and rng.random() < 0.3 else ""
            if kind in ("section", "inverse"):
                name, opening = value, "{{" + tilde() + ("#" if kind == "section" else "^") + value + "}}"
            else:
                name, opening = kind, "{{" + tilde() + f"#{kind} {value}{params}" + tilde() + "}}"
            body = _random_template(rng, depth + 1)
            if kind != "section" and rng.random() < 0.4:
                alternative = "{{" + tilde() + "else" + tilde() + "}}" + _random_template(rng, depth + 1)
                if kind == "if" and rng.random() < 0.4:
                    chained = "{{" + tilde() + f"else if {rng.choice(['t', 'f'])}" + tilde() + "}}"
                    alternative = chained + _random_template(rng, depth + 1) + alternative
                body += alternative
            out += opening + body + "{{" + tilde() + f"/{name}" + tilde() + "}}"
        else:
            leaf = rng.choice(leaves)
            out += leaf.replace("{{", "{{" + tilde(), 1).replace("}}", tilde() + "}}", 1)
        out += space()
    return out


def test_random_templates_render_like_handlebars_js() -> None:
    rng = random.Random(20261123)
    context = {
        "a": "<A&>",
        "t": True,
        "f": False,
        "xs": [1, "two", None, 2.5],
        "o": {"a": 5, "b": [1]},
        "n": None,
        "z": 0,
        "e": [],
        "s": "str",
    }
    templates = [_random_template(rng) + '{{#*inline "p"}}\n  P{{a}}\n{{/inline}}' for _ in range(500)]
    expected = handlebars_js([{"template": t, "context": context, "html": True} for t in templates])
    for template, reference in zip(templates, expected, strict=True):
        if "error" in reference:
            with pytest.raises(TemplateError):
                compile_template(template, html=True).render(context)
        else:
            assert compile_template(template, html=True).render(context) == reference["output"], template
