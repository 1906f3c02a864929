"""Risk scores: pure functions over frames, one method per module."""

from insights.risk.censoring import count_interval
from insights.risk.expected import expected_counts, reference_rates
from insights.risk.funnel import funnel_flags, overdispersion_factor
from insights.risk.poisson_gamma import GammaPrior, fit_gamma_prior, gamma_posterior, poisson_gamma_eb
from insights.risk.score import SCORE_COLUMNS, score
from insights.risk.signal import SIGNALS, signal_category
from insights.risk.smr import standardised_ratio

__all__ = [
    "GammaPrior",
    "SCORE_COLUMNS",
    "SIGNALS",
    "count_interval",
    "expected_counts",
    "fit_gamma_prior",
    "funnel_flags",
    "gamma_posterior",
    "overdispersion_factor",
    "poisson_gamma_eb",
    "reference_rates",
    "score",
    "signal_category",
    "standardised_ratio",
]
