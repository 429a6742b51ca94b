// HDF5 access for pairmatch. HDF5's type and flag constants are macros Swift cannot import;
// they are re-exposed here as static-inline functions.
#ifndef PAIRMATCH_CHDF5_SHIM_H
#define PAIRMATCH_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t pm_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t pm_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t pm_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t pm_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t pm_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t pm_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t pm_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t pm_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t pm_h5s_all(void) { return H5S_ALL; }
static inline unsigned pm_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned pm_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned pm_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline size_t pm_h5t_variable(void) { return H5T_VARIABLE; }

/// Turns off HDF5's automatic error-stack printing on stderr; callers raise their own errors.
static inline void pm_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Initialises the library (idempotent) so the type globals above are valid.
static inline int pm_h5_open(void) { return (int)H5open(); }

/// The kind of object at `name` below `loc`: 0 = group, 1 = dataset, 2 = other, -1 = error.
static inline int pm_h5_object_kind(hid_t loc, const char *name) {
    H5O_info_t info;
    if (H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    if (info.type == H5O_TYPE_GROUP) return 0;
    if (info.type == H5O_TYPE_DATASET) return 1;
    return 2;
}
#endif
