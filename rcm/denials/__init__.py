"""Denial risk: training data as at submission, a calibrated model, honest metrics, explanations, appeals.

Sits above the stages: reads the store (or a synthetic history from rcm.payer_sim) and never the other way.
"""
