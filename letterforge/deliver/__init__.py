"""Delivery: the letters a build wrote, as email drafts and as sent mail."""
