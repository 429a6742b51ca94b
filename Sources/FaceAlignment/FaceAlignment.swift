// FaceAlignment: module under construction.
