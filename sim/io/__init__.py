"""Reading and writing: files and folders written whole (`files`), tables, the scenario
schema, event tables, scenarios (load, validate, overlay), importers of coded event data,
and the rule-based extractor.
"""
