"""Certificates: numbering (and, later, documents and credentials)."""
