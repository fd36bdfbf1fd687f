"""Passwords, roles and permissions, and the audit trail."""
