"""The webhook engine: follows the event log, records one delivery per delivered event
and matching endpoint, and sends them (Standard Webhooks) with retries."""
