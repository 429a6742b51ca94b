// PairMetrics: module under construction.
