"""Use cases: one function per user action, each taking the caller's session."""
