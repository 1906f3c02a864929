"""Risk scores: pure functions over frames, one method per module."""

from insights.risk.expected import expected_counts
from insights.risk.score import score
from insights.risk.smr import standardised_ratio

__all__ = ["expected_counts", "score", "standardised_ratio"]
