"""Readers and writers for contact files, and the import pipeline."""
