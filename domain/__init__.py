"""The domain of introductions: aggregates, rules, errors and the use cases."""
