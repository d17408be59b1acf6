"""The build: its run, the manifest, the worker processes and the review page."""
