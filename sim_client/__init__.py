"""Async client for the Identity Security Cloud beta SIM Integrations API."""

__version__ = "0.1.0"
