"""Outreach: personal campaigns, one message per person."""
