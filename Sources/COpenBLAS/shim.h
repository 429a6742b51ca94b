// OpenBLAS access for pairmatch: CBLAS plus the few LAPACK routines OpenBLAS ships.
#ifndef PAIRMATCH_COPENBLAS_SHIM_H
#define PAIRMATCH_COPENBLAS_SHIM_H
#include <cblas.h>

/* LAPACK (Fortran ABI) routines exported by libopenblas; no lapacke.h needed. */
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, int *info);

/// Row-major single-precision GEMM without transposes or with: C = alpha*op(A)*op(B) + beta*C.
static inline void pm_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta,
                            float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/// Solves the symmetric positive-definite system A·X = B (column-major, lower triangle), in place.
/// Returns LAPACK's info: 0 on success, > 0 when A is not positive definite.
static inline int pm_dposv(int n, int nrhs, double *a, int lda, double *b, int ldb) {
    int info = 0;
    char uplo = 'L';
    dposv_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info);
    return info;
}

static inline void pm_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int pm_blas_get_threads(void) { return openblas_get_num_threads(); }
#endif
