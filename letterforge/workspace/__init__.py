"""Files → typed model: where things are, YAML with line marks, the models and their validation,
each language's conventions, images, and the loader that resolves ids and tag queries.
"""
