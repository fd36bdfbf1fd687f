"""Tests for crm_desktop, laid out like the package."""
