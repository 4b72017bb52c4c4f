"""The two drivers and what they produce: the ensemble engine (many runs as arrays), the
Mesa agents and model (one inspectable run), a run's tables, and a run folder.
"""
