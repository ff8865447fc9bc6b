"""Admin for Lapor RT reports (being written)."""
