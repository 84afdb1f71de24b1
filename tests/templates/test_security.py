"""Tenant-written templates are untrusted: no code runs, no Python object is reachable, and every render is
bounded in size, time and nesting."""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

import pytest

from templates.rendering import RenderLimitExceeded, TemplateError, compile_template

PACKAGE = Path(__file__).resolve().parents[2] / "templates" / "rendering"


class Secret:
    password = "hunter2"

    def __str__(self) -> str:
        return "secret-object"


def render(source: str, context: Any = None, *, html: bool = True) -> str:
    return compile_template(source, html=html).render(context if context is not None else {})


def test_the_exec_engine_injection_payload_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    payloads = [
        f"{{{{[a') or __import__('os').system('touch {marker}') or (u']}}}}",
        f"{{{{upper [a') or __import__('os').system('touch {marker}') or (u']}}}}",
        f"{{{{#each [x') + __import__('os').system('touch {marker}') + ('y]}}}}x{{{{/each}}}}",
        f"{{{{lookup . \"__import__('os').system('touch {marker}')\"}}}}",
    ]
    for payload in payloads:
        assert render(payload, {"a": 1}) == ""
    assert not marker.exists()


@pytest.mark.parametrize(
    "source",
    [
        "{{x.__class__}}",
        "{{[__globals__]}}",
        "{{x.__class__.__base__.__subclasses__}}",
        "{{x.__dict__}}{{x.__module__}}",
        '{{lookup x "__class__"}}',
        "{{#with x.__class__}}reached{{/with}}",
        "{{@root.__class__}}{{this.__init__.__globals__}}",
        "{{s.upper}}{{s.__len__}}{{xs.append}}{{xs.pop}}",
        "{{obj.password}}{{obj.__class__.password}}",
        '{{lookup obj "password"}}',
    ],
)
def test_python_attributes_are_unreachable(source: str) -> None:
    context = {"x": {"a": 1}, "s": "text", "xs": [1, 2], "obj": Secret()}
    assert render(source, context) == ""
    assert context["xs"] == [1, 2]


def test_a_python_object_only_prints_as_text() -> None:
    assert render("{{obj}}", {"obj": Secret()}) == "secret-object"


def test_a_loop_bomb_stops_quickly() -> None:
    nested = "{{#each @root.a}}" * 8 + "x" + "{{/each}}" * 8
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded) as raised:
        render(nested, {"a": list(range(1000))})
    assert time.monotonic() - started < 5
    assert "larger than" in raised.value.message or "longer than" in raised.value.message


def test_an_empty_loop_bomb_hits_the_time_limit() -> None:
    nested = "{{#each @root.a}}" * 9 + "{{/each}}" * 9
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded, match="longer than"):
        render(nested, {"a": list(range(15))})
    assert time.monotonic() - started < 5


def test_a_self_including_partial_is_stopped() -> None:
    with pytest.raises(RenderLimitExceeded, match="levels deep"):
        render('{{#*inline "p"}}x{{> p}}{{/inline}}{{> p}}')


def test_a_fanning_out_partial_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded):
        render('{{#*inline "p"}}{{> p}}{{> p}}{{/inline}}{{> p}}')
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "source",
    [
        "{{rjust x size=100000000}}",
        '{{replace big "a" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}',
        "{{#each xs}}" + "{{{../big}}}" * 200 + "{{/each}}",
        "{{{big}}}" * 300,
        '{{join many "' + "-" * 500 + '"}}',
        '{{#*inline "p"}}{{#each @root.xs}}{{#each @root.xs}}{{#each @root.xs}}\n{{/each}}{{/each}}{{/each}}'
        "{{/inline}}\n" + " " * 400 + "{{> p}}\n",
    ],
)
def test_output_is_bounded(source: str) -> None:
    with pytest.raises(RenderLimitExceeded, match="larger than"):
        render(source, {"x": "y", "big": "a" * 50_000, "xs": list(range(15)), "many": ["x"] * 3000})


def test_templates_are_bounded_in_size_and_nesting() -> None:
    with pytest.raises(TemplateError, match="limit is 500,000"):
        compile_template("x" * 500_001, html=False)
    with pytest.raises(TemplateError, match="nested more than"):
        compile_template("{{#if a}}" * 100 + "{{/if}}" * 100, html=False)
    with pytest.raises(TemplateError, match="nested more than"):
        compile_template("{{lookup " + "(lookup " * 100 + "a" + ")" * 100 + "}}", html=False)


def test_deeply_nested_data_is_refused_not_crashed() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(RenderLimitExceeded):
        render("{{d}}", {"d": deep})


def test_the_renderer_never_runs_code_or_reads_attributes() -> None:
    """No exec/eval/compile/__import__ anywhere in the engine, and no getattr in what runs at render time."""
    render_time = {"runtime.py", "expressions.py", "blocks.py", "partials.py", "program.py"}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"exec", "eval", "compile", "__import__"}, (
                    f"{path.name} calls {node.func.id}"
                )
                if path.name in render_time:
                    assert node.func.id not in {"getattr", "setattr", "vars"}, f"{path.name} calls {node.func.id}"
