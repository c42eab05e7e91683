"""Contacts in (LinkedIn, vCard); exports (ics, JSON, CSV, vCard), reminders out."""
