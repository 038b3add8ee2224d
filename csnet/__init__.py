"""csnet: the node software of the Peer-to-Peer Practitioner Network against migrant smuggling."""

__version__ = "0.1.0"
