"""Figures drawn from tables: runs, sweeps, comparisons, calibrations and sensitivity
analyses; any output folder redrawn (`folders`); the HTML report and animations. Figures
read saved tables and manifests, never experiment objects, so a folder can be redrawn.
"""
