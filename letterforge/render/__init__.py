"""Typed model → document model: the Jinja sandbox and environment, what templates see, the
renderer and its error blame, Markdown and typography.
"""
