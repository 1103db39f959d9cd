// The digit kernel is header-only (include/CDigits.h, `static inline` for Swift to inline); a C target
// needs one source file.
#include "CDigits.h"
