// LogisticHead: module under construction.
