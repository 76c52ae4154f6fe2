#include "CLassoShim.h"

size_t lasso_lws_pre(void) { return LWS_PRE; }
