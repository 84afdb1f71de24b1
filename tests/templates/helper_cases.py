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

CASES: list[HelperCase] = [
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
    # add
    C("add", "{{add 5 2.3}}", "7.3", documented=True),
    C("add", "{{add a b}}", "0.3", {"a": 0.1, "b": 0.2}),
    C("add", "{{add points 10}}", "51", {"points": ["41"]}),
    C("add", "{{add -1 1}}", "0"),
    C("add", '{{add "x" 1}}', Fails("add needs a number")),
    C("add", "[{{add missing 1}}]", "[]"),
    # ceiling
    C("ceiling", "{{ceiling 5.23}}", "6", documented=True),
    C("ceiling", "{{ceiling -5.23}}", "-5"),
    C("ceiling", "{{ceiling 5}}", "5"),
    C("ceiling", '{{ceiling "1e2"}}', "100"),
    # decode64
    C("decode64", '{{decode64 "SGVsbG8gV29ybGQ="}}', "Hello World", documented=True),
    C("decode64", '{{decode64 "SGVsbG8"}}', "Hello"),
    C("decode64", '{{decode64 "w6lsw6hu"}}', "élèn"),
    C("decode64", '{{decode64 "***"}}', Fails("not base64")),
    # divide
    C("divide", "{{divide 5 2.3}}", "2.17391304", documented=True),
    C("divide", "{{divide 10 4}}", "2.5"),
    C("divide", "{{divide 6 3}}", "2"),
    C("divide", "{{divide 1 3}}", "0.33333333"),
    C("divide", "{{divide 2 3}}", "0.66666667"),
    C("divide", "{{divide 1 0}}", Fails("divide by zero")),
    # encode64
    C("encode64", '{{encode64 "Hello World"}}', "SGVsbG8gV29ybGQ=", documented=True),
    C("encode64", '{{encode64 "éa"}}', "w6lh"),
    C("encode64", '[{{encode64 ""}}]', "[]"),
    C("encode64", "{{encode64 id}}", "ZXAtMQ==", {"id": "ep-1"}),
    # floor
    C("floor", "{{floor 5.23}}", "5", documented=True),
    C("floor", "{{floor -5.23}}", "-6"),
    C("floor", '{{floor "7.99"}}', "7"),
    C("floor", "{{floor 3}}", "3"),
    # md5
    C("md5", '{{md5 "Hello World"}}', "b10a8db164e0754105b7a99be72e3fe5", documented=True),
    C("md5", '{{md5 ""}}', "d41d8cd98f00b204e9800998ecf8427e"),
    C("md5", "{{md5 Address}}", "5d60d4e28066df254d5452f92c910092", {"Address": "a@b.c"}),
    C("md5", '{{md5 "é"}}', "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
    # modulo
    C("modulo", "{{modulo 7 2}}", "1", documented=True),
    C("modulo", "{{modulo -7 2}}", "-1"),
    C("modulo", "{{modulo 7.5 2}}", "1.5"),
    C("modulo", "{{modulo 7 0}}", Fails("divide by zero")),
    # multiply
    C("multiply", "{{multiply 5 2.3}}", "11.5", documented=True),
    C("multiply", "{{multiply 0.1 3}}", "0.3"),
    C("multiply", "{{multiply price qty}}", "59.97", {"price": 19.99, "qty": ["3"]}),
    C("multiply", "{{multiply -2 3}}", "-6"),
    # round
    C("round", "{{round 19.21}}", "19", documented=True),
    C("round", "{{round 2.5}}", "3"),
    C("round", "{{round -2.5}}", "-2"),
    C("round", "{{round 19.5}} {{round 19.49}}", "20 19"),
    # sha256
    C(
        "sha256",
        '{{sha256 "Hello World"}}',
        "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e",
        documented=True,
    ),
    C("sha256", '{{sha256 ""}}', "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    C("sha256", "{{sha256 n}}", "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b", {"n": 1}),
    C("sha256", "{{sha256 missing}}", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    # sha512
    C(
        "sha512",
        '{{sha512 "Hello World"}}',
        "2c74fd17edafd80e8447b0d46741ee243b7eb74dd2149a0ab1b9246fb30382f27e853d8585719e0e67cbda0daa8f51671064615d645ae27acb15bfb1447f459b",
        documented=True,
    ),
    C(
        "sha512",
        '{{sha512 ""}}',
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ),
    C("sha512", "{{#with u}}{{sha512 id}}{{/with}}", Match(r"[0-9a-f]{128}"), {"u": {"id": "x"}}),
    C(
        "sha512",
        "{{sha512 1}}",
        Match(
            "4dff4ea340f0a823f15d3f4f01ab62eae0e5da579ccb851f8db9dfe84c58b2b37b89903a740e1ee172da793a6e79d560e5f7f9bd058a12a280433ed6fa46510a"
        ),
    ),
    # subtract
    C("subtract", "{{subtract 5 2.3}}", "2.7", documented=True),
    C("subtract", "{{subtract 0.3 0.1}}", "0.2"),
    C("subtract", "{{subtract 1 5}}", "-4"),
    C("subtract", "{{subtract a b}}", "1", {"a": ["3"], "b": "2"}),
    # uuid
    C("uuid", "{{uuid}}", Match(UUID), documented=True),
    C("uuid", "{{uuid}}-{{uuid}}", Match(f"{UUID}-{UUID}")),
    C("uuid", "{{uuid 1}}", Fails("uuid was given 1 argument")),
    C("uuid", "{{#each xs}}{{uuid}} {{/each}}", Match(f"{UUID} {UUID} "), {"xs": [1, 2]}),
]
