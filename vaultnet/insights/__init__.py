"""Insights from a finished network: introductions, companies, ladder, reciprocity."""
