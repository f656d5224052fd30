"""Unattended operation: one pass (`once`), the daemon, and the lock that keeps passes apart."""
