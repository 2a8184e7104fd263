"""The progress report: session history as a page with charts."""
