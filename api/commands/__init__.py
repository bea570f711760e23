"""Command groups of the `introductions` CLI; each module has register(app)."""
