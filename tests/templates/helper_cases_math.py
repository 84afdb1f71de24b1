"""Pinpoint's math and hashing helpers (add … sha512, uuid): the guide's examples, then edge cases."""

from __future__ import annotations

from tests.templates.helper_cases import UUID, Fails, HelperCase, Match

C = HelperCase

MATH_CASES: list[HelperCase] = [
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
