// ModelImport: module under construction.
