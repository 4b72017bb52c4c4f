"""Reading and writing: output folders and tables, the scenario schema, event tables,
scenarios (load, validate, overlay), importers of coded event data, and the rule-based
extractor.
"""
