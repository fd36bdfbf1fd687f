"""Tests for the services."""
