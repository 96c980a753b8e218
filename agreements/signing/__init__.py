"""Signing agreements: links, signatures, declines; see services.py."""
