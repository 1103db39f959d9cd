"""ctypes bindings of robustfit's C ABI (Sources/RobustfitC): the distributed fit's driver and worker calls."""
import ctypes
import os

PASS_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int32, ctypes.c_void_p, ctypes.POINTER(ctypes.c_double), ctypes.c_int64, ctypes.c_int32,
    ctypes.c_int64, ctypes.POINTER(ctypes.POINTER(ctypes.c_double)), ctypes.POINTER(ctypes.c_int64))

_loaded = {}


def library_path(path=None):
    """The shared library: `path`, $ROBUSTFIT_LIBRARY, or the release build next to this checkout."""
    if path:
        return os.path.abspath(path)
    if os.environ.get("ROBUSTFIT_LIBRARY"):
        return os.path.abspath(os.environ["ROBUSTFIT_LIBRARY"])
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.abspath(os.path.join(here, "..", "..", ".build", "release", "librobustfit_c.so"))


def load(path=None):
    """The library with its signatures declared (once per process)."""
    path = library_path(path)
    if path in _loaded:
        return _loaded[path]
    lib = ctypes.CDLL(path)
    d, i32, i64, p = ctypes.c_double, ctypes.c_int32, ctypes.c_int64, ctypes.c_void_p
    dp = ctypes.POINTER(ctypes.c_double)
    lib.rf_fit_create.restype = p
    lib.rf_fit_create.argtypes = [ctypes.c_char_p, d, d, d, i32, i32, i32, d, i32, ctypes.c_char_p, i64]
    lib.rf_fit_set_summary.restype = None
    lib.rf_fit_set_summary.argtypes = [p, i32, d]
    lib.rf_fit_run.restype = i32
    lib.rf_fit_run.argtypes = [p, PASS_CALLBACK, p, ctypes.c_char_p, i64]
    lib.rf_fit_result_json.restype = i64
    lib.rf_fit_result_json.argtypes = [p, ctypes.c_char_p, i64]
    lib.rf_fit_free.restype = None
    lib.rf_fit_free.argtypes = [p]
    lib.rf_batch_capacity.restype = i64
    lib.rf_batch_capacity.argtypes = [dp, i64, i64]
    lib.rf_batch_pass.restype = i64
    lib.rf_batch_pass.argtypes = [dp, i64, ctypes.POINTER(dp), i32, dp, dp, i64, dp, i64, ctypes.c_char_p, i64]
    _loaded[path] = lib
    return lib
