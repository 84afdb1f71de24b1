"""The executors of the flow activities (Wait, ConditionalSplit, MultiCondition, RandomSplit, Holdout); importing
this package registers them with campaigns.journeys.engine.step.executor."""

from __future__ import annotations

from campaigns.journeys.engine.activities import chance, splits, wait

__all__ = ["chance", "splits", "wait"]
