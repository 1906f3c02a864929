"""Risk scores: pure functions over frames, one method per module."""

from insights.risk.censoring import count_interval
from insights.risk.did import Intervention, intervention_effects
from insights.risk.expected import expected_counts, reference_rates
from insights.risk.explain import (
    CompositeModel,
    composite_model,
    count_band,
    indicator_profile,
)
from insights.risk.funnel import funnel_flags, overdispersion_factor
from insights.risk.guard import check_model_inputs
from insights.risk.model_card import algoritmeregister_entry, model_card_markdown
from insights.risk.poisson_gamma import (
    GammaPrior,
    censored_loglik,
    fit_gamma_prior,
    gamma_posterior,
    poisson_gamma_eb,
)
from insights.risk.repeat import repeat_share
from insights.risk.score import SCORE_COLUMNS, score
from insights.risk.signal import SIGNALS, signal_category
from insights.risk.smr import standardised_ratio
from insights.risk.trend_test import MARKERS, trend_markers

__all__ = [
    "MARKERS",
    "SCORE_COLUMNS",
    "SIGNALS",
    "CompositeModel",
    "GammaPrior",
    "Intervention",
    "algoritmeregister_entry",
    "check_model_inputs",
    "composite_model",
    "count_band",
    "count_interval",
    "expected_counts",
    "censored_loglik",
    "fit_gamma_prior",
    "funnel_flags",
    "gamma_posterior",
    "indicator_profile",
    "intervention_effects",
    "model_card_markdown",
    "overdispersion_factor",
    "poisson_gamma_eb",
    "reference_rates",
    "repeat_share",
    "score",
    "signal_category",
    "standardised_ratio",
    "trend_markers",
]
