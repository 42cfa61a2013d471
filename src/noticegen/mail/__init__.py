"""Certified-mail packets and batches."""
