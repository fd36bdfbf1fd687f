"""Tests for the file readers and writers."""
