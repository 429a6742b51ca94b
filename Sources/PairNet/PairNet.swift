// PairNet: module under construction.
