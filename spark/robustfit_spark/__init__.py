"""robustfit's estimators on Apache Spark: `fit(df, y="y", x=[...], loss="huber")` (Docs/scaling.md)."""
from .fit import FitError, fit

__all__ = ["fit", "FitError"]
