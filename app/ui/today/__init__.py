"""The Today tab: what is due, one click from done."""
