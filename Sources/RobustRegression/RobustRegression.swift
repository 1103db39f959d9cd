// RobustRegression: robust linear regression by IRLS, up to Barron's adaptive loss.
