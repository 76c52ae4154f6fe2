#ifndef CLASSO_SHIM_H
#define CLASSO_SHIM_H
#include <libwebsockets.h>

/// Bytes libwebsockets needs in front of every buffer passed to lws_write (LWS_PRE is a macro).
size_t lasso_lws_pre(void);

#endif
