"""Helpers shared by the test packages (factories, API clients, complaints, brokers).

Tests import from here, never from a ``conftest`` module or from another test module.
"""
