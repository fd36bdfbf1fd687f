"""Benchmarks of crm_desktop at scale, each beside the same query run raw."""
