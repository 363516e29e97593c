"""Helpers for the book "How a Transformer Learns"."""

__version__ = "0.1.0"
