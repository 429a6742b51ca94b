// WeightStore: module under construction.
