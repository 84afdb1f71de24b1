"""Core Handlebars syntax cases: each must render byte-identical with our engine and with handlebars.js 4.7.10.

The cases use only handlebars.js's own helpers (if, unless, each, with, lookup), because node has no Pinpoint
helpers; Pinpoint's helpers have their own documented cases in helper_cases.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    template: str
    context: Any = field(default_factory=dict)
    html: bool = True


ENDPOINT = {
    "Address": "ann@example.com",
    "ChannelType": "EMAIL",
    "Id": "ep-1",
    "EndpointId": "ep-1",
    "OptOut": "NONE",
    "Attributes": {"Interests": ["hiking", "jazz"], "Plan": ["gold"], "Empty": []},
    "Metrics": {"Visits": 12, "Score": 4.5, "Balance": 2.0, "Zero": 0},
    "Demographic": {"Timezone": "America/Los_Angeles", "Locale": "en_US"},
    "Location": {"City": "Los Angeles", "Country": "US", "Latitude": 34.1},
    "User": {
        "UserId": "u-1",
        "UserAttributes": {"FirstName": ["Ann"], "Last Name": ["O'Neil", "Smith"], "Colors": ["red", "blue"]},
    },
}

CASES: list[Case] = [
    # Paths, lists and numbers as JavaScript prints them
    Case("plain path", "Hi {{User.UserAttributes.FirstName}}!", ENDPOINT),
    Case("list attribute joins with commas", "{{User.UserAttributes.Colors}}", ENDPOINT),
    Case("index into a list", "{{User.UserAttributes.Colors.[1]}}", ENDPOINT),
    Case("bracketed name with a space", "{{User.UserAttributes.[Last Name].[0]}}", ENDPOINT),
    Case("bracketed name, html off", "{{User.UserAttributes.[Last Name]}}", ENDPOINT, html=False),
    Case("numbers", "{{Metrics.Visits}} {{Metrics.Score}} {{Metrics.Balance}} {{Metrics.Zero}}", ENDPOINT),
    Case(
        "float formatting",
        "{{a}}|{{b}}|{{c}}|{{d}}|{{e}}|{{f}}",
        {"a": 0.1, "b": 1e21, "c": 1e-7, "d": 123.456, "e": -0.0, "f": 1e20},
    ),
    Case("booleans and null", "{{t}}|{{f}}|{{n}}|{{missing}}", {"t": True, "f": False, "n": None}),
    Case("nested list and object", "{{x}}", {"x": [1, [2, 3], None, True, {"a": 1}, 2.5]}),
    Case("object prints as [object Object]", "{{Location}}", ENDPOINT),
    Case("missing deep path", "[{{User.Nope.Deeper.Still}}]", ENDPOINT),
    Case("path through a string", "{{s.length}} {{s.[0]}} {{xs.length}}", {"s": "héllo", "xs": [1, 2, 3]}),
    Case("numeric path segment", "{{items.0.name}}", {"items": [{"name": "first"}]}),
    Case("this and dot", "{{#with User}}{{this.UserId}}|{{./UserId}}{{/with}}", ENDPOINT),
    Case(
        "prototype names are not reachable",
        "[{{x.constructor}}{{x.__proto__}}{{xs.constructor}}{{s.toString}}]",
        {"x": {}, "xs": [], "s": "a"},
    ),
    Case(
        "literal as a path", '{{"a b"}}|{{1.50}}|{{true}}|{{null}}', {"a b": "S", "1.5": "N", "true": "T", "null": "Z"}
    ),
    # Escaping
    Case("escapes the seven characters", "{{v}}", {"v": '<a href="x">Tom & Jerry\'s `=`</a>'}),
    Case("triple stash does not escape", "{{{v}}}", {"v": "<b>bold</b> & co"}),
    Case("ampersand does not escape", "{{& v}}", {"v": "<i>x</i>"}),
    Case("no escaping when html is off", "{{v}}", {"v": "<b>5 > 3 & 'x'</b>"}, html=False),
    Case("escaped list", "{{v}}", {"v": ["<a>", "&"]}),
    Case("backslash escapes a mustache", "\\{{name}} is {{name}}", {"name": "Ann"}),
    Case("double backslash keeps one", "C:\\\\{{dir}}", {"dir": "tmp"}),
    # if / else if / else / unless
    Case("if true", "{{#if User.UserId}}known{{else}}anonymous{{/if}}", ENDPOINT),
    Case(
        "if falsy values",
        "{{#if a}}A{{/if}}{{#if b}}B{{/if}}{{#if c}}C{{/if}}{{#if d}}D{{/if}}{{#if e}}E{{/if}}",
        {"a": 0, "b": "", "c": [], "d": False, "e": {}},
    ),
    Case("if includeZero", "{{#if Metrics.Zero includeZero=true}}zero counts{{else}}no{{/if}}", ENDPOINT),
    Case("else if chain", "{{#if a}}a{{else if b}}b{{else if c}}c{{else}}none{{/if}}", {"c": 1}),
    Case("else if falls through", "{{#if a}}a{{else if b}}b{{else}}none{{/if}}", {}),
    Case("caret else", "{{#if a}}yes{{^}}no{{/if}}", {"a": 0}),
    Case("unless", "{{#unless OptOut}}subscribed{{else}}opted out{{/unless}}", {"OptOut": "ALL"}),
    Case("inverse section", "{{^items}}no items{{/items}}", {"items": []}),
    Case("if on empty attribute list", "{{#if Attributes.Empty}}has{{else}}empty{{/if}}", ENDPOINT),
    # each
    Case("each over a list", "<ul>{{#each User.UserAttributes.Colors}}<li>{{this}}</li>{{/each}}</ul>", ENDPOINT),
    Case(
        "each with index first last",
        "{{#each xs}}{{@index}}:{{this}}{{#if @first}}(first){{/if}}{{#if @last}}(last){{/if}} {{/each}}",
        {"xs": ["a", "b", "c"]},
    ),
    Case("each else", "{{#each xs}}{{this}}{{else}}You have no favorite colors.{{/each}}", {"xs": []}),
    Case("each over an object with @key", "{{#each Metrics}}{{@key}}={{this}};{{/each}}", ENDPOINT),
    Case(
        "object key order is JavaScript's",
        "{{#each o}}{{@key}},{{/each}}",
        {"o": {"b": 1, "2": 1, "a": 1, "1": 1, "01": 1}},
    ),
    Case("each block params", "{{#each xs as |color i|}}{{i}}={{color}} {{/each}}", {"xs": ["red", "blue"]}),
    Case("each object block params", "{{#each o as |value key|}}{{key}}:{{value}} {{/each}}", {"o": {"x": 1, "y": 2}}),
    Case(
        "nested each with parent index",
        "{{#each rows}}{{#each this}}{{@../index}}.{{@index}} {{/each}}{{/each}}",
        {"rows": [[1, 2], [3]]},
    ),
    Case(
        "each with ../ and @root",
        "{{#each items}}{{name}} for {{../User.UserId}} ({{@root.Address}}) {{/each}}",
        {**ENDPOINT, "items": [{"name": "A"}, {"name": "B"}]},
    ),
    Case("each over a string renders else", "{{#each s}}{{this}}{{else}}none{{/each}}", {"s": "abc"}),
    Case(
        "each item null uses an empty object", "{{#each xs}}{{#if true}}[{{this}}]{{/if}}{{/each}}", {"xs": [None, 1]}
    ),
    Case("section over a list", "{{#items}}<{{name}}>{{/items}}", {"items": [{"name": "a"}, {"name": "b"}]}),
    Case("section over an object", "{{#User}}{{UserId}}{{/User}}", ENDPOINT),
    Case("section over zero and empty string", "{{#z}}[{{this}}]{{/z}}{{#s}}({{this}}){{/s}}", {"z": 0, "s": ""}),
    # with, lookup, subexpressions, hash
    Case("with", "{{#with Location}}{{City}}, {{Country}}{{/with}}", ENDPOINT),
    Case("with else", "{{#with Nope}}x{{else}}no location{{/with}}", ENDPOINT),
    Case("with block param", "{{#with User as |u|}}{{u.UserId}} {{u.UserAttributes.FirstName}}{{/with}}", ENDPOINT),
    Case("with ../", "{{#with Location}}{{City}} / {{../Address}}{{/with}}", ENDPOINT),
    Case("lookup by key", '{{lookup Metrics "Visits"}} {{lookup User.UserAttributes.Colors 0}}', ENDPOINT),
    Case(
        "lookup with a path key",
        "{{#each keys}}{{lookup ../Metrics this}} {{/each}}",
        {**ENDPOINT, "keys": ["Visits", "Score"]},
    ),
    Case("subexpression in with", '{{#with (lookup User.UserAttributes "Last Name")}}{{this}}{{/with}}', ENDPOINT),
    Case("subexpression in if", '{{#if (lookup Metrics "Zero")}}yes{{else}}no{{/if}}', ENDPOINT),
    Case("nested subexpressions", '{{lookup (lookup User "UserAttributes") "FirstName"}}', ENDPOINT),
    # whitespace control and standalone lines
    Case("standalone each lines", "<ul>\n  {{#each xs}}\n  <li>{{this}}</li>\n  {{/each}}\n</ul>\n", {"xs": [1, 2]}),
    Case("standalone if/else lines", "Hello\n{{#if a}}\n  yes\n{{else}}\n  no\n{{/if}}\nBye\n", {"a": 0}),
    Case("standalone else if lines", "{{#if a}}\n  a\n{{else if b}}\n  b\n{{else}}\n  c\n{{/if}}\n", {"b": 1}),
    Case("crlf standalone", "{{#if a}}\r\nX\r\n{{/if}}\r\nY", {"a": 1}),
    Case("tilde strips around", "A   {{~x~}}   B {{~#if t~}}  C  {{~/if~}}  D", {"x": "-", "t": True}),
    Case("tilde with else", "{{#if a~}}  yes  {{~else~}}  no  {{~/if}}", {"a": 0}),
    Case("not standalone when text on the line", "a {{#if t}}\nb\n{{/if}} c", {"t": True}),
    Case("standalone comment", "line 1\n  {{! a comment }}\nline 2", {}),
    Case("long comment with mustaches", "a{{!-- {{x}} and }} inside --}}b", {"x": 1}),
    Case("tilde comment", "a  {{~! note ~}}  b", {}),
    # partials
    Case(
        "inline partial",
        '{{#*inline "fullName"}}{{User.UserAttributes.FirstName}}{{/inline}}Hi {{> fullName}}!',
        ENDPOINT,
    ),
    Case("inline partial defined after use", '{{> sig}}{{#*inline "sig"}}-- {{Address}}{{/inline}}', ENDPOINT),
    Case(
        "partial with context and hash",
        '{{#*inline "p"}}{{City}} {{extra}}{{/inline}}{{> p Location extra="!"}}',
        ENDPOINT,
    ),
    Case(
        "partial inside each",
        '{{#*inline "li"}}<li>{{this}}</li>{{/inline}}{{#each xs}}{{> li}}{{/each}}',
        {"xs": ["a", "b"]},
    ),
    Case("standalone partial indents its lines", 'a\n  {{> p}}\nb{{#*inline "p"}}x\ny\n{{/inline}}', {}),
    Case("partial block falls back", "{{#> missing}}fallback {{x}}{{/missing}}", {"x": 1}),
    Case(
        "partial block with @partial-block",
        '{{#*inline "frame"}}[{{> @partial-block}}]{{/inline}}{{#> frame}}inside{{/frame}}',
        {},
    ),
    Case(
        "dynamic partial",
        '{{#*inline "a"}}A{{/inline}}{{#*inline "b"}}B{{/inline}}{{> (lookup . "which")}}',
        {"which": "b"},
    ),
    # raw blocks and odd corners
    Case("raw block keeps mustaches", "{{{{raw}}}} {{not parsed}} {{{{/raw}}}}", {"raw": True}),
    Case(
        "context changes only on new objects",
        "{{#each xs}}{{../n}}-{{#with this}}{{../../n}}{{/with}}{{/each}}",
        {"xs": [{"a": 1}], "n": "N"},
    ),
    Case("block param shadows @data", "{{#each xs as |index|}}{{@index}}{{/each}}", {"xs": ["a", "b"]}),
    Case("unicode text", "{{greeting}}, {{name}} ✓ — ünïcödé", {"greeting": "Olá", "name": "Zoë 😀"}),
    Case(
        "email body",
        "<html><body>\n<p>Hi {{User.UserAttributes.FirstName}},</p>\n{{#if Attributes.Plan}}\n"
        "<p>Your plan: {{Attributes.Plan}}</p>\n{{/if}}\n<ul>\n{{#each Attributes.Interests}}\n"
        "  <li>{{@index}}. {{this}}</li>\n{{/each}}\n</ul>\n</body></html>\n",
        ENDPOINT,
    ),
]

# Templates handlebars.js refuses; ours must refuse them too, with a line and column.
ERROR_CASES: list[Case] = [
    Case("unclosed block", "Hello\n{{#if a}}\n  x\n"),
    Case("mismatched close", "{{#each xs}}{{/with}}"),
    Case("close without open", "a {{/if}}"),
    Case("else outside a block", "{{else}}"),
    Case("number as a path segment", "{{foo.1}}"),
    Case("hash without a value", "{{lookup a b=}}"),
    Case("this in the middle of a path", "{{a.this.b}}"),
    Case("unclosed mustache", "{{name"),
    Case("unclosed long comment", "{{!-- never closed }}"),
    Case("triple closed by double", "{{{name}}"),
    Case("two partial contexts", '{{#*inline "p"}}x{{/inline}}{{> p a b}}'),
    Case("else if after an inverse", "{{^a}}x{{else if b}}y{{/a}}"),
]
