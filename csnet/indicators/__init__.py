"""Indicators: typed, canonical identifiers (phones, wallets, documents, vessels …) and their
extraction from free text. One interface, one registry (docs/indicators.md)."""
