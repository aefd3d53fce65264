"""The employers tab."""
