"""Interview prep: informational interviews from the request to the report back."""
