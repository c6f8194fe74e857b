"""Plugins, found by name through entry points (never imported statically)."""
