"""The network on a given day: people, follow-up rules, edges (pure)."""
