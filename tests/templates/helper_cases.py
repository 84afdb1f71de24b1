"""Pinpoint's 44 helpers: every example the user guide documents (inventory §6.5), then edge cases.

Pinpoint's helpers behaved like Handlebars.java's, so these expectations come from the guide and Handlebars.java
(commons-lang) semantics, not from node. `documented=True` marks the guide's own examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Match:
    pattern: str

    def matches(self, text: str) -> bool:
        return re.fullmatch(self.pattern, text) is not None


@dataclass(frozen=True)
class Fails:
    """Rendering raises TemplateError with this text in its message."""

    message: str


@dataclass(frozen=True)
class HelperCase:
    helper: str
    template: str
    expected: str | Match | Fails
    context: dict[str, Any] = field(default_factory=dict)
    documented: bool = False
    html: bool = False


U = {"User": {"UserAttributes": {"FirstName": ["Ann"], "FavoriteColors": ["red", "blue", "yellow"], "Age": ["41"]}}}
FIFTEEN_PLUS = {"xs": [str(i) for i in range(20)]}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
C = HelperCase

CASES: list[HelperCase] = [  # the math helpers are in helper_cases_math.py
    # each (built-in; Pinpoint renders at most 15 items)
    C(
        "each",
        "{{#each User.UserAttributes.FavoriteColors}}<li>{{this}}</li>{{else}}You have no favorite colors.{{/each}}",
        "<li>red</li><li>blue</li><li>yellow</li>",
        U,
        documented=True,
    ),
    C(
        "each",
        "{{#each value}}Value at position {{@index}} is {{this}}. {{else}}Condition is false.{{/each}}",
        "Value at position 0 is a. Value at position 1 is b. ",
        {"value": ["a", "b"]},
        documented=True,
    ),
    C(
        "each",
        "{{#each value}}x{{else}}Condition is false.{{/each}}",
        "Condition is false.",
        {"value": []},
        documented=True,
    ),
    C("each", "{{#each xs}}{{this}},{{/each}}", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,", FIFTEEN_PLUS),
    C("each", "{{#each xs}}{{#if @last}}{{@index}}{{/if}}{{/each}}", "14", FIFTEEN_PLUS),
    C("each", "{{#each o}}{{@key}}{{/each}}", "abcdefghijklmno", {"o": {c: 1 for c in "abcdefghijklmnopqrst"}}),
    C("each", "{{#each missing}}x{{else}}none{{/each}}", "none"),
    # if (built-in block; inline it takes yes=/no= like the other conditional helpers)
    C(
        "if",
        "{{#if value}}Value is not undefined{{else}}Value is undefined{{/if}}",
        "Value is undefined",
        documented=True,
    ),
    C(
        "if",
        "{{#if User.UserAttributes.FirstName.[0]}}Hello {{User.UserAttributes.FirstName.[0]}},"
        "{{else}}Hello Customer,{{/if}}",
        "Hello Ann,",
        U,
        documented=True,
    ),
    C(
        "if",
        "{{#if User.UserAttributes.LastName.[0]}}x{{else}}Hello Customer,{{/if}}",
        "Hello Customer,",
        U,
        documented=True,
    ),
    C("if", "{{if v yes='y' no='n'}}", "y", {"v": "text"}),
    C("if", "{{if v yes='y' no='n'}}", "n", {"v": 0}),
    C("if", "{{if v}}", "true", {"v": ["a"]}),
    C("if", "{{if v includeZero=true yes='y' no='n'}}", "y", {"v": 0}),
    # and
    C("and", "{{and a b c d yes='y' no='n'}}", "y", {"a": 1, "b": "x", "c": True, "d": ["z"]}, documented=True),
    C("and", "{{#and a b}}both{{else}}not both{{/and}}", "not both", {"a": 1, "b": 0}, documented=True),
    C("and", "{{and a b}}", "false", {"a": "x"}),
    C("and", "{{and a b}}", "true", {"a": "x", "b": "y"}),
    C("and", "{{and a}}", Fails("and was given 1 argument")),
    C("and", "{{and a b yes='<ok>'}}", "&lt;ok&gt;", {"a": 1, "b": 1}, html=True),
    # eq
    C("eq", "{{eq a b yes='y' no='n'}}", "y", {"a": "red", "b": "red"}, documented=True),
    C(
        "eq",
        '{{#eq User.UserAttributes.FavoriteColors.[0] "red"}}red fan{{else}}other{{/eq}}',
        "red fan",
        U,
        documented=True,
    ),
    C("eq", "{{eq 5 5.0}}", "true"),
    C("eq", '{{eq a "41"}} {{eq a 41}}', "true true", {"a": ["41"]}),
    C("eq", "{{eq a b}}", "false", {"a": "Red", "b": "red"}),
    C("eq", '{{eq missing null}} {{eq missing ""}}', "true false"),
    # gt / gte / lt / lte
    C("gt", "{{gt a b yes='y' no='n'}}", "y", {"a": 5, "b": 3}, documented=True),
    C("gt", "{{#gt User.UserAttributes.Age 21}}adult{{else}}minor{{/gt}}", "adult", U, documented=True),
    C("gt", "{{gt 3 3}}", "false"),
    C("gt", '{{gt "b" "a"}}', "true"),
    C("gt", "{{gt missing 1}}", "false"),
    C("gt", '{{gt "abc" 1}}', "false"),
    C("gte", "{{gte a b yes='y' no='n'}}", "y", {"a": 3, "b": 3}, documented=True),
    C("gte", "{{#gte a 18}}ok{{else}}too young{{/gte}}", "too young", {"a": ["17"]}, documented=True),
    C("gte", "{{gte 2.5 2.49}}", "true"),
    C("gte", "{{gte missing missing}}", "false"),
    C("gte", '{{gte "b" "b"}}', "true"),
    C("lt", "{{lt a b yes='y' no='n'}}", "y", {"a": 1, "b": 2}, documented=True),
    C("lt", "{{#lt a 10}}low{{else}}high{{/lt}}", "high", {"a": 10}, documented=True),
    C("lt", '{{lt "10" 9}}', "false"),
    C("lt", "{{lt -1 0}}", "true"),
    C("lt", "{{lt 1 missing yes='y' no='n'}}", "n"),
    C("lte", "{{lte a b yes='y' no='n'}}", "y", {"a": 2, "b": 2}, documented=True),
    C("lte", "{{#lte a 0}}none{{else}}some{{/lte}}", "some", {"a": 3}, documented=True),
    C("lte", '{{lte 1 "x"}}', "false"),
    C("lte", "{{lte true true}}", "true"),
    C("lte", '{{lte "9" "10"}}', "false"),
    # neq
    C("neq", "{{neq a b yes='y' no='n'}}", "y", {"a": "red", "b": "blue"}, documented=True),
    C("neq", '{{#neq a "gold"}}upgrade{{else}}thanks{{/neq}}', "thanks", {"a": ["gold"]}, documented=True),
    C("neq", "{{neq 1 1}}", "false"),
    C("neq", "{{neq missing 0}}", "true"),
    C("neq", "{{neq a 41}}", "false", {"a": ["41"]}),
    # not
    C("not", "{{not value yes='y' no='n'}}", "y", {"value": False}, documented=True),
    C("not", '{{#not (eq X "red")}}not red{{else}}red{{/not}}', "not red", {"X": "blue"}, documented=True),
    C("not", '{{not 0}} {{not ""}} {{not empty}}', "true true true", {"empty": []}),
    C("not", '{{not "0"}}', "false"),
    C("not", "{{#not a}}empty{{else}}set{{/not}}", "set", {"a": ["x"]}),
    # or
    C("or", "{{or a b c d yes='y' no='n'}}", "y", {"c": 1}, documented=True),
    C("or", "{{#or a b}}one{{else}}neither{{/or}}", "neither", {"a": 0, "b": ""}, documented=True),
    C("or", "{{or a b}}", "false"),
    C("or", "{{or a}}", Fails("or was given 1 argument")),
    C("or", "{{or a b c}}", "true", {"c": [0]}),
    # abbreviate
    C("abbreviate", "{{abbreviate value 6}}", "Ale...", {"value": "Alejandro"}, documented=True),
    C("abbreviate", '{{abbreviate "Handlebars rocks" 13}}', "Handlebars...", documented=True),
    C("abbreviate", '{{abbreviate "short" 10}}', "short"),
    C("abbreviate", '{{abbreviate "abcdef" 4}}', "a..."),
    C("abbreviate", '{{abbreviate "abcdef" 3}}', Fails("at least 4")),
    C("abbreviate", '{{abbreviate "abcdef" -2}}', Fails("at least 4")),
    C("abbreviate", "[{{abbreviate missing 6}}]", "[]"),
    # capitalize
    C("capitalize", "{{capitalize value}}", "My First Post", {"value": "my first post"}, documented=True),
    C("capitalize", '{{capitalize "hELLO wORLD"}}', "HELLO WORLD"),
    C("capitalize", '{{capitalize "hELLO wORLD" fully=true}}', "Hello World"),
    C("capitalize", '{{capitalize "  two  spaces"}}', "  Two  Spaces"),
    C("capitalize", '{{capitalize "élan vital"}}', "Élan Vital"),
    # capitalizeFirst
    C("capitalizeFirst", '{{capitalizeFirst (lower "JANE")}}', "Jane", documented=True),
    C("capitalizeFirst", '{{capitalizeFirst "handlebars.java"}}', "Handlebars.java", documented=True),
    C("capitalizeFirst", '{{capitalizeFirst "hello world"}}', "Hello world"),
    C("capitalizeFirst", '[{{capitalizeFirst ""}}]', "[]"),
    C("capitalizeFirst", "{{capitalizeFirst User.UserAttributes.FirstName}}", "Ann", U),
    # center
    C("center", "[{{center value size=19}}]", "[  Handlebars.java  ]", {"value": "Handlebars.java"}, documented=True),
    C("center", '{{center "ab" size=7 pad="*"}}', "**ab***"),
    C("center", '{{center "ab" size=7 pad="xy"}}', "xyabxyx"),
    C("center", '{{center "abcdef" size=3}}', "abcdef"),
    C("center", '{{center "ab"}}', Fails("needs a size")),
    C("center", '{{center "ab" size=99999999}}', Fails("larger than a message can be")),
    # cut
    C("cut", "{{cut value}}", "Stringwithspaces", {"value": "String with spaces"}, documented=True),
    C("cut", '{{cut value "-"}}', "555123", {"value": "555-1-23"}, documented=True),
    C("cut", '{{cut "aaa" "aa"}}', "a"),
    C("cut", '{{cut "abc" ""}}', "abc"),
    C("cut", "[{{cut missing}}]", "[]"),
    # dateFormat
    C("dateFormat", "{{dateFormat d}}", "Jun 19, 2012", {"d": "2012-06-19T15:04:05Z"}, documented=True),
    C(
        "dateFormat",
        '{{dateFormat d "full"}}',
        "Tuesday, June 19, 2012",
        {"d": "2012-06-19T15:04:05Z"},
        documented=True,
    ),
    C("dateFormat", '{{dateFormat d "long"}}', "June 19, 2012", {"d": "2012-06-19T15:04:05Z"}, documented=True),
    C("dateFormat", '{{dateFormat d "short"}}', "6/19/12", {"d": "2012-06-19T15:04:05Z"}, documented=True),
    C(
        "dateFormat",
        '{{dateFormat d outputFormat="yyyy-MM-dd HH:mm" tz=America/Los_Angeles}}',
        "2012-06-19 08:04",
        {"d": "2012-06-19T15:04:05Z"},
        documented=True,
    ),
    C(
        "dateFormat",
        '{{dateFormat d inputFormat="dd/MM/yyyy" outputFormat="full" locale=fr_FR}}',
        "mardi 19 juin 2012",
        {"d": "19/06/2012"},
        documented=True,
    ),
    C(
        "dateFormat",
        '{{dateFormat d outputFormat="EEEE, MMMM d, yyyy h:mm a z" tz="Europe/Paris"}}',
        "Tuesday, June 19, 2012 5:04 PM CEST",
        {"d": "2012-06-19T15:04:05Z"},
    ),
    C("dateFormat", '{{dateFormat d outputFormat="EEE d MMM yy" locale=de_DE}}', "Di. 19 Juni 12", {"d": "2012-06-19"}),
    C(
        "dateFormat",
        "{{dateFormat d \"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\" tz=Asia/Kolkata}}",
        "2012-06-19T20:34:05.000+05:30",
        {"d": "2012-06-19T15:04:05Z"},
    ),
    C(
        "dateFormat",
        '{{dateFormat d "medium" tz=Demographic.Timezone}}',
        "Jan 1, 2024",
        {"d": "2024-01-01T07:00:00Z", "Demographic": {"Timezone": "Asia/Tokyo"}},
    ),
    C(
        "dateFormat",
        '{{dateFormat d "medium" tz=Demographic.Timezone}}',
        "Dec 31, 2023",
        {"d": "2024-01-01T07:00:00Z", "Demographic": {"Timezone": "America/Los_Angeles"}},
    ),
    C("dateFormat", '{{dateFormat d "yyyy-MM-dd"}}', "2023-11-14", {"d": 1700000000000}),
    C("dateFormat", "{{dateFormat d}}", Fails("could not read 'next tuesday'"), {"d": "next tuesday"}),
    C("dateFormat", "[{{dateFormat missing}}]", "[]"),
    C("dateFormat", '{{dateFormat d "medium" locale=xx_QQ}}', Fails("unknown locale"), {"d": "2012-06-19"}),
    C("dateFormat", '{{dateFormat d "HH:mm" tz=Not/AZone}}', "15:04", {"d": "2012-06-19T15:04:05Z"}),
    # inflect
    C("inflect", '{{inflect count "item" "items"}}', "items", {"count": 2}, documented=True),
    C("inflect", '{{inflect count "item" "items" includeCount=true}}', "1 item", {"count": 1}, documented=True),
    C("inflect", '{{inflect 0 "string" "strings"}}', "strings"),
    C("inflect", '{{inflect 2 "string" "strings" true}}', "2 strings"),
    C("inflect", '{{inflect n "point" "points" includeCount=true}}', "12 points", {"n": ["12"]}),
    C("inflect", '[{{inflect missing "a" "b"}}]', "[]"),
    # join
    C("join", '{{join value " // "}}', "a // b // c", {"value": ["a", "b", "c"]}, documented=True),
    C(
        "join",
        '{{join value ", " prefix="(" suffix=")"}}',
        "(red, blue, yellow)",
        {"value": ["red", "blue", "yellow"]},
        documented=True,
    ),
    C("join", '{{join "a" "b" "c" "-"}}', "a-b-c"),
    C("join", '[{{join missing ", "}}]', "[]"),
    C("join", '{{join nums "+"}}', "1+2.5+3", {"nums": [1, 2.5, 3.0]}),
    C("join", "{{join value 5}}", Fails("separator"), {"value": ["a"]}),
    # ljust
    C("ljust", "[{{ljust value size=20}}]", "[Handlebars.java     ]", {"value": "Handlebars.java"}, documented=True),
    C("ljust", '{{ljust "7" size=3 pad="0"}}', "700"),
    C("ljust", '{{ljust "abcdef" size=3}}', "abcdef"),
    C("ljust", '{{ljust "a" size="4" pad="-="}}', "a-=-"),
    # lower
    C("lower", "{{lower value}}", "still mad at yoko", {"value": "Still MAD At Yoko"}, documented=True),
    C("lower", '{{lower "ÀÉÎ"}}', "àéî"),
    C("lower", "{{lower User.UserAttributes.FirstName}}", "ann", U),
    C("lower", "[{{lower missing}}]", "[]"),
    # now
    C("now", '{{now "medium" tz=America/Los_Angeles}}', Match(r"[A-Z][a-z]{2} \d{1,2}, \d{4}"), documented=True),
    C("now", "{{now}}", Match(r"[A-Z][a-z]{2} \d{1,2}, \d{4}"), documented=True),
    C("now", "{{now \"yyyy-MM-dd'T'HH:mm\" tz=UTC}}", Match(r"\d{4}-\d\d-\d\dT\d\d:\d\d")),
    C("now", '{{now "EEEE" locale=es_ES}}', Match(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo)")),
    C("now", '{{now "Z" tz="GMT+05:30"}}', "+0530"),
    # ordinalize
    C("ordinalize", "{{ordinalize 22}}", "22nd", documented=True),
    C("ordinalize", "{{ordinalize 1}} {{ordinalize 2}} {{ordinalize 3}} {{ordinalize 4}}", "1st 2nd 3rd 4th"),
    C("ordinalize", "{{ordinalize 11}} {{ordinalize 12}} {{ordinalize 13}} {{ordinalize 111}}", "11th 12th 13th 111th"),
    C("ordinalize", "{{ordinalize 21}} {{ordinalize 101}} {{ordinalize 1002}}", "21st 101st 1002nd"),
    C("ordinalize", "{{ordinalize rank}}", "3rd", {"rank": ["3"]}),
    C("ordinalize", '{{ordinalize "first"}}', "first"),
    # replace
    C("replace", '{{replace value "..." "rocks"}}', "Handlebars rocks", {"value": "Handlebars ..."}, documented=True),
    C("replace", '{{replace "a.b.c" "." "-"}}', "a-b-c"),
    C("replace", '{{replace "1+1" "+" " plus "}}', "1 plus 1"),
    C("replace", '{{replace "abc" "x" "y"}}', "abc"),
    C("replace", '{{replace "ab" "" "-"}}', "-a-b-"),
    # rjust
    C("rjust", "[{{rjust value size=20}}]", "[     Handlebars.java]", {"value": "Handlebars.java"}, documented=True),
    C("rjust", '{{rjust "42" size=5 pad="0"}}', "00042"),
    C("rjust", '{{rjust "42" size=1}}', "42"),
    C("rjust", '{{rjust "42"}}', Fails("needs a size")),
    # slugify
    C("slugify", "{{slugify value}}", "joel-is-a-slug", {"value": "Joel is a slug"}, documented=True),
    C("slugify", '{{slugify "  Hello, World!  "}}', "hello-world"),
    C("slugify", '{{slugify "Summer Sale 2024 -- 50% off"}}', "summer-sale-2024-50-off"),
    C("slugify", '{{slugify "Crème brûlée"}}', "crème-brûlée"),
    # stripTags
    C("stripTags", "{{stripTags value}}", "Hello world!", {"value": "<p>Hello <b>world</b>!</p>"}, documented=True),
    C("stripTags", "{{stripTags \"<a\nhref='x'>link</a>\"}}", "link"),
    C("stripTags", '{{stripTags "1 < 2"}}', "1 &lt; 2", html=True),
    C("stripTags", '{{stripTags "no tags"}}', "no tags"),
    # substring
    C("substring", "{{substring value 4 9}}", "Angel", {"value": "Los Angeles"}, documented=True),
    C("substring", '{{substring "Handlebars.java" 11}}', "java", documented=True),
    C("substring", '{{substring "Handlebars.java" 0 10}}', "Handlebars", documented=True),
    C("substring", '[{{substring "abc" 5}}]', "[]"),
    C("substring", '{{substring "abc" 1 99}}', "bc"),
    C("substring", '{{substring "abc" "x"}}', Fails("needs a number")),
    # upper
    C("upper", "{{upper value}}", "HELLO", {"value": "Hello"}, documented=True),
    C("upper", '{{upper "straße"}}', "STRASSE"),
    C("upper", "{{upper User.UserAttributes.FavoriteColors}}", "RED,BLUE,YELLOW", U),
    C("upper", "{{upper 12.5}}", "12.5"),
    # yesno
    C("yesno", "{{yesno value}}", "yes", {"value": True}, documented=True),
    C("yesno", "{{yesno value}}", "no", {"value": False}, documented=True),
    C("yesno", "{{yesno value}}", "maybe", {"value": None}, documented=True),
    C("yesno", '{{yesno value yes="Yes" no="No" maybe="Maybe"}}', "Maybe", documented=True),
    C("yesno", '{{yesno value yes="Yes" no="No"}}', "Yes", {"value": ["true"]}),
    C("yesno", '{{yesno "FALSE"}}', "no"),
    C("yesno", "{{yesno 0}}", "no"),
]
