"""The vCard and LinkedIn CSV edge: bytes in, records out, and back to vCard."""
