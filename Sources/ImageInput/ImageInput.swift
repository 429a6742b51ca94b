// ImageInput: module under construction.
