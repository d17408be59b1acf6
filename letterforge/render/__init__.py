"""Typed model → document model: the Jinja sandbox, the renderer and its error blame, Markdown and
typography.
"""
