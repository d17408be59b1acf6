"""The linter behind ``letterforge check``: its rules, the template scan and the drift between
languages.
"""
