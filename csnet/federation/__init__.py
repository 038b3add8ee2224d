"""Federation: peering by invitation, signed requests between nodes, peer keys and rotation.

Peers are reached only through an injected `PeerTransport` (see transport.py); this package never
imports a web framework or an HTTP client.
"""
