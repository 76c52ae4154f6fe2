#ifndef CLASSO_SHIM_H
#define CLASSO_SHIM_H
#include <libwebsockets.h>

/// Bytes libwebsockets needs in front of every buffer passed to lws_write (LWS_PRE is a macro).
size_t lasso_lws_pre(void);

/// Sets the libwebsockets log mask and sends every line that passes it to stderr with an
/// "lws:" prefix (the lwsl_* macros are variadic and cannot be called from Swift).
void lasso_lws_set_log_level(int mask);

/// Timer storage for one event loop: an lws sorted-usec-list entry plus the owner it reports to.
/// libwebsockets calls back with the entry's address only, so the owner travels beside it.
typedef struct lasso_timer {
    lws_sorted_usec_list_t sul;
    void *owner;
    void (*fire)(void *owner);
} lasso_timer_t;

/// Schedules (or reschedules) `timer` to fire once, `usecs` microseconds from now.
/// Only call on the thread that services `context`.
void lasso_timer_schedule(struct lws_context *context, lasso_timer_t *timer, int64_t usecs);

/// Cancels a scheduled timer; harmless if it is not scheduled.
void lasso_timer_cancel(lasso_timer_t *timer);

#endif
