"""statsmodels' OLS get_prediction on stackloss (and a weighted fit) for the prediction tests.

Writes Fixtures/reference/ols_prediction.json: for new rows of stackloss's predictors, the fitted value,
its standard error, the 95 % confidence interval for the mean (mean_ci) and the prediction interval
(obs_ci), from OLS and from WLS with frequency weights (statsmodels' freq_weights in GLM Gaussian is
the repetition fit; here we repeat the rows explicitly and fit OLS, which is the same thing).
Run: python3 Scripts/ols_prediction_reference.py  (statsmodels from PyPI)."""
import json
import numpy as np
import statsmodels
import statsmodels.api as sm

STACKLOSS = np.array([
    [80, 27, 89, 42], [80, 27, 88, 37], [75, 25, 90, 37], [62, 24, 87, 28], [62, 22, 87, 18],
    [62, 23, 87, 18], [62, 24, 93, 19], [62, 24, 93, 20], [58, 23, 87, 15], [58, 18, 80, 14],
    [58, 18, 89, 14], [58, 17, 88, 13], [58, 18, 82, 11], [58, 19, 93, 12], [50, 18, 89, 8],
    [50, 18, 86, 7], [50, 19, 72, 8], [50, 19, 79, 8], [50, 20, 80, 9], [56, 20, 82, 15],
    [70, 20, 91, 15]], dtype=float)
X = sm.add_constant(STACKLOSS[:, :3])
y = STACKLOSS[:, 3]
NEW = np.array([[1, 60, 20, 85], [1, 75, 26, 90], [1, 50, 17, 70], [1, 90, 30, 95]], dtype=float)
WEIGHTS = np.array([(i % 3) + 1 for i in range(len(y))], dtype=float)


def predict(fit):
    frame = fit.get_prediction(NEW).summary_frame(alpha=0.05)
    return [dict(fitted=float(r["mean"]), se=float(r["mean_se"]), mean_ci=[float(r["mean_ci_lower"]), float(r["mean_ci_upper"])],
                 obs_ci=[float(r["obs_ci_lower"]), float(r["obs_ci_upper"])]) for _, r in frame.iterrows()]


ols = sm.OLS(y, X).fit()
repeated = np.repeat(np.arange(len(y)), WEIGHTS.astype(int))
weighted = sm.OLS(y[repeated], X[repeated]).fit()
out = dict(statsmodels=statsmodels.__version__, new_rows=NEW.tolist(), weights=WEIGHTS.tolist(),
           ols=predict(ols), repeated_ols=predict(weighted))
with open("Fixtures/reference/ols_prediction.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote Fixtures/reference/ols_prediction.json")
