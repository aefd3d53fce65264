"""The Qt window. Thin: every change goes through app.services."""
