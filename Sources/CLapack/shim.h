// The C interface robustfit uses: LAPACKE for factorisations and solves, CBLAS for the
// level-3 kernels. On Debian both come from OpenBLAS through the alternatives system
// (liblapacke-dev, libopenblas-dev).
#ifndef ROBUSTFIT_CLAPACK_SHIM_H
#define ROBUSTFIT_CLAPACK_SHIM_H
#include <lapacke.h>
#include <cblas.h>
#endif
