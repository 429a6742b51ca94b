// Gallery: module under construction.
