"""The ground floor: errors, the parameter registry, the event taxonomy and schedule, the
pure kernels, measures, random streams and the agents' policy. Nothing here knows of
files, Mesa or plots.
"""
