"""The renderer's interface: compiling once, precise errors, the variables a template reads, missing values."""

from __future__ import annotations

import pytest

from templates.rendering import RenderLimitExceeded, TemplateError, compile_template


def test_it_compiles_each_source_once_per_escaping_mode() -> None:
    source = "Hi {{name}} {{upper name}}"
    assert compile_template(source, html=True) is compile_template(source, html=True)
    assert compile_template(source, html=False) is not compile_template(source, html=True)


def test_html_templates_escape_like_handlebars_and_text_templates_do_not() -> None:
    context = {"name": "<Tom & 'Jerry'>"}
    assert compile_template("{{name}}", html=True).render(context) == "&lt;Tom &amp; &#x27;Jerry&#x27;&gt;"
    assert compile_template("{{name}}", html=False).render(context) == "<Tom & 'Jerry'>"
    assert compile_template("{{{name}}}", html=True).render(context) == "<Tom & 'Jerry'>"
    assert compile_template("{{upper name}}", html=True).render(context) == "&lt;TOM &amp; &#x27;JERRY&#x27;&gt;"


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("Hello\n  {{#if a}}\nx", 2, 3, "never closed; add {{/if}}"),
        ("{{#each xs}}\n{{/with}}", 2, 1, "{{/with}} does not close {{#each}}"),
        ("ok\n{{name", 2, 1, "never closed with }}"),
        ("{{upper}} {{frobnicate name}}", 1, 11, 'unknown helper "frobnicate"'),
        ("{{abbreviate name}}", 1, 1, "abbreviate was given 1 argument: {{abbreviate value 10}}"),
        ("{{each items}}", 1, 1, "each is a block helper"),
        ("{{#if a b}}x{{/if}}", 1, 1, "#if needs exactly one value"),
        ("{{> footer}}", 1, 1, 'the partial "footer" is not defined'),
        ('{{#* shout "x"}}{{/shout}}', 1, 1, "only the inline decorator"),
        ("a\n\n   {{a.this}}", 3, 6, "invalid path a.this"),
        ("{{x ^y}}", 1, 5, "unexpected character '^'"),
    ],
)
def test_syntax_errors_say_what_and_where(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        compile_template(source, html=True)
    assert message in raised.value.message
    assert (raised.value.line, raised.value.column) == (line, column)
    assert str(raised.value).endswith(f"(line {line}, column {column})")


def test_runtime_errors_point_at_the_helper() -> None:
    template = compile_template("Total:\n  {{divide total count}}", html=False)
    with pytest.raises(TemplateError) as raised:
        template.render({"total": 10, "count": 0})
    assert (raised.value.message, raised.value.line, raised.value.column) == ("divide: cannot divide by zero", 2, 3)


def test_limits_are_template_errors() -> None:
    assert issubclass(RenderLimitExceeded, TemplateError)


def test_variables_are_the_paths_the_template_reads() -> None:
    template = compile_template(
        "{{User.UserAttributes.FirstName.[0]}} {{User.UserAttributes.[Last Name]}} {{upper Location.City}}"
        "{{#if Attributes.VIP}}{{#with Location}}{{Country}} {{../Address}}{{/with}}{{/if}}"
        "{{#with User as |u|}}{{u.UserId}}{{/with}}"
        "{{#each Attributes.Items}}{{name}}{{@index}}{{/each}}"
        "{{dateFormat CreationDate tz=America/Los_Angeles}} {{now tz=Demographic.Timezone}} {{@root.Metrics.x}}",
        html=True,
    )
    assert template.variables == {
        "User.UserAttributes.FirstName",
        "User.UserAttributes.[Last Name]",
        "Location.City",
        "Attributes.VIP",
        "Location",
        "Location.Country",
        "Address",
        "User",
        "User.UserId",
        "Attributes.Items",
        "CreationDate",
        "Demographic.Timezone",
        "Metrics.x",
    }


def test_missing_reports_printed_variables_that_had_no_value() -> None:
    template = compile_template(
        "Hi {{User.UserAttributes.FirstName}} {{upper Attributes.Plan}} {{Location.City}}"
        "{{#if Attributes.Coupon}}{{Attributes.Coupon}}{{/if}}{{lookup Attributes 'Nope'}}",
        html=True,
    )
    missing: list[str] = []
    output = template.render(
        {"User": {"UserAttributes": {"FirstName": []}}, "Location": {"City": "Oslo"}}, missing=missing.append
    )
    assert output == "Hi   Oslo"
    assert missing == ["User.UserAttributes.FirstName", "Attributes.Plan"]
    assert set(missing) <= template.variables


def test_lists_and_numbers_print_as_javascript_prints_them() -> None:
    template = compile_template("{{a}} {{b}} {{c}} {{d}} {{e}}", html=False)
    assert template.render({"a": ["red", "blue"], "b": 2.0, "c": 0.1, "d": 1e21, "e": [1, None, [2, 3]]}) == (
        "red,blue 2 0.1 1e+21 1,,2,3"
    )


def test_each_renders_at_most_fifteen_items_like_pinpoint() -> None:
    template = compile_template("{{#each xs}}{{this}}{{#if @last}}!{{/if}} {{/each}}", html=False)
    output = template.render({"xs": list(range(40))})
    assert output.split() == [str(i) for i in range(14)] + ["14!"]


def test_a_template_renders_the_same_for_many_recipients() -> None:
    template = compile_template("{{#each xs}}{{@index}}{{/each}}|{{name}}", html=True)
    assert [template.render({"xs": [1] * n, "name": f"n{n}"}) for n in range(3)] == ["|n0", "0|n1", "01|n2"]
