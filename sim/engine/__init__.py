"""The two drivers and what they produce: the one step both take (`phases`), the ensemble
engine (many runs as arrays), the Mesa agents and model (one inspectable run), a run's
record (`trajectory`) and its tables (`results`). No files are written here.
"""
