"""Travel documents: this node's stolen, lost and revoked document register (register.py, its
CSV import in csv_import.py) and the document check (check.py) that reads a machine-readable
zone or a number and looks it up here and, by PSI hit/no-hit, on the peers (docs/documents.md)."""
