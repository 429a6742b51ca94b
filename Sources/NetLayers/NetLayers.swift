// NetLayers: module under construction.
