"""Pure computation of the KPI engine: the formula language, metric queries, evaluation and analysis."""
