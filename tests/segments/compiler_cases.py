"""The endpoints the segment compiler tests seed, and (definition, expected member ids) cases over them."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

ENDPOINTS = [
    # id, channel, address, attrs, user attrs, metrics, platform, country, lat, lon, days since active, status, opt-out
    (
        "e1",
        "EMAIL",
        "a@x.test",
        {"Interests": ["golf", "tennis"], "Signup": ["2026-01-15T10:00:00Z"]},
        {"Plan": ["pro"], "real_user": ["true"]},
        {"spend": 120.0, "visits": 3},
        "ios",
        "KR",
        37.6,
        127.0,
        0.5,
        "ACTIVE",
        "NONE",
    ),
    (
        "e2",
        "SMS",
        "+821000000002",
        {"Interests": ["chess"], "Signup": ["2025-06-01"]},
        {"Plan": ["free"]},
        {"spend": 10.0},
        "android",
        "KR",
        35.2,
        129.1,
        10,
        "ACTIVE",
        "NONE",
    ),
    (
        "e3",
        "GCM",
        "tok3",
        {"Interests": ["golfing"], "Signup": ["not a date"]},
        {"Plan": ["pro"]},
        {"spend": 99.5, "visits": 40},
        "android",
        "US",
        47.6,
        -122.3,
        None,
        "ACTIVE",
        "ALL",
    ),
    ("e4", "EMAIL", "d@x.test", {}, {}, {}, "", "JP", None, None, 40, "INACTIVE", "NONE"),
    (
        "e5",
        "EMAIL",
        "bounced@x.test",
        {"Interests": ["golf"]},
        {"Plan": ["pro"]},
        {"spend": 500},
        "ios",
        "KR",
        37.5,
        127.1,
        1,
        "ACTIVE",
        "NONE",
    ),
]


def dims(**dimensions: object) -> dict:
    return {"Dimensions": dimensions}


CASES = [
    (dims(Attributes={"Interests": {"AttributeType": "INCLUSIVE", "Values": ["golf", "chess"]}}), ["e1", "e2", "e5"]),
    (dims(Attributes={"Interests": {"AttributeType": "EXCLUSIVE", "Values": ["golf"]}}), ["e2", "e3", "e4"]),
    (dims(Attributes={"Interests": {"AttributeType": "CONTAINS", "Values": ["olf"]}}), ["e1", "e3", "e5"]),
    (dims(Attributes={"Signup": {"AttributeType": "BEFORE", "Values": ["2026-01-01T00:00:00Z"]}}), ["e2"]),
    (dims(Attributes={"Signup": {"AttributeType": "AFTER", "Values": ["2026-01-01T00:00:00Z"]}}), ["e1"]),
    (dims(Attributes={"Signup": {"AttributeType": "ON", "Values": ["2026-01-15T00:00:00Z"]}}), ["e1"]),
    (
        dims(
            Attributes={
                "Signup": {"AttributeType": "BETWEEN", "Values": ["2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z"]}
            }
        ),
        ["e2"],
    ),
    (dims(UserAttributes={"Plan": {"AttributeType": "INCLUSIVE", "Values": ["pro"]}}), ["e1", "e3", "e5"]),
    (dims(Metrics={"spend": {"ComparisonOperator": "GREATER_THAN", "Value": 99.5}}), ["e1", "e5"]),
    (dims(Metrics={"spend": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 99.5}}), ["e1", "e3", "e5"]),
    (dims(Metrics={"spend": {"ComparisonOperator": "LESS_THAN", "Value": 99.5}}), ["e2"]),
    (dims(Metrics={"spend": {"ComparisonOperator": "LESS_THAN_OR_EQUAL", "Value": 10}}), ["e2"]),
    (dims(Metrics={"visits": {"ComparisonOperator": "EQUAL", "Value": 3}}), ["e1"]),
    (dims(Demographic={"Platform": {"DimensionType": "INCLUSIVE", "Values": ["ios"]}}), ["e1", "e5"]),
    (dims(Demographic={"Channel": {"DimensionType": "EXCLUSIVE", "Values": ["EMAIL"]}}), ["e2", "e3"]),
    (dims(Location={"Country": {"DimensionType": "INCLUSIVE", "Values": ["KR", "JP"]}}), ["e1", "e2", "e4", "e5"]),
    (
        dims(Location={"GPSPoint": {"Coordinates": {"Latitude": 37.56, "Longitude": 126.97}, "RangeInKilometers": 30}}),
        ["e1", "e5"],
    ),
    (dims(Behavior={"Recency": {"RecencyType": "ACTIVE", "Duration": "DAY_7"}}), ["e1", "e5"]),
    (dims(Behavior={"Recency": {"RecencyType": "INACTIVE", "Duration": "DAY_30"}}), ["e3", "e4"]),
    (dims(Events=[{"EventType": "purchase", "Operator": "AT_LEAST", "Count": 2, "WithinDays": 30}]), ["e2"]),
    (
        dims(Events=[{"EventType": "purchase", "Operator": "AT_MOST", "Count": 0, "WithinDays": 30}]),
        ["e1", "e3", "e4", "e5"],
    ),
    (dims(Events=[{"EventType": "purchase", "Count": 1, "WithinDays": 60, "Attributes": {"sku": ["B2"]}}]), ["e1"]),
    (
        dims(
            Events=[
                {
                    "EventType": "purchase",
                    "Count": 2,
                    "WithinDays": 30,
                    "Metrics": {"price": {"ComparisonOperator": "GREATER_THAN", "Value": 10}},
                }
            ]
        ),
        ["e2"],
    ),
    # Several criteria in one Dimensions object: all must hold.
    (
        dims(
            Demographic={"Channel": {"Values": ["EMAIL"]}},
            UserAttributes={"Plan": {"Values": ["pro"]}},
            Metrics={"spend": {"ComparisonOperator": "GREATER_THAN", "Value": 100}},
        ),
        ["e1", "e5"],
    ),
    (
        {
            "SegmentGroups": {
                "Include": "ALL",
                "Groups": [
                    {
                        "Type": "ANY",
                        "Dimensions": [
                            {"Location": {"Country": {"Values": ["US"]}}},
                            {"Metrics": {"visits": {"ComparisonOperator": "EQUAL", "Value": 3}}},
                        ],
                    }
                ],
            }
        },
        ["e1", "e3"],
    ),
    (
        {
            "SegmentGroups": {
                "Include": "ALL",
                "Groups": [{"Type": "NONE", "Dimensions": [{"Location": {"Country": {"Values": ["KR"]}}}]}],
            }
        },
        ["e3", "e4"],
    ),
    (
        {
            "SegmentGroups": {
                "Include": "ANY",
                "Groups": [
                    {"Type": "ALL", "Dimensions": [{"Location": {"Country": {"Values": ["JP"]}}}]},
                    {"Type": "ALL", "Dimensions": [{"Demographic": {"Platform": {"Values": ["android"]}}}]},
                ],
            }
        },
        ["e2", "e3", "e4"],
    ),
    ({}, ["e1", "e2", "e3", "e4", "e5"]),
]
