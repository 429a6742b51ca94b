// FaceDetection: module under construction.
