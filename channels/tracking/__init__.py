"""Engagement tracking: open pixel, click redirects and one-click unsubscribe on signed URLs."""
