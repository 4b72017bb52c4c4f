"""Pictures and pages: plots of runs, sweeps and comparisons, the HTML report, animations
and the teaching page.
"""
