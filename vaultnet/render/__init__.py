"""Pages from the network: Jinja sandbox, template context, filters, the digest."""
