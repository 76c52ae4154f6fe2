#include "CLassoShim.h"
#include <stdio.h>

size_t lasso_lws_pre(void) { return LWS_PRE; }

static void lasso_emit(int level, const char *line) {
    (void)level;
    fprintf(stderr, "lws: %s", line);
}

void lasso_lws_set_log_level(int mask) { lws_set_log_level(mask, lasso_emit); }

static void lasso_timer_fired(lws_sorted_usec_list_t *sul) {
    /* sul is the first member, so its address is the timer's. */
    lasso_timer_t *timer = (lasso_timer_t *)sul;
    if (timer->fire)
        timer->fire(timer->owner);
}

void lasso_timer_schedule(struct lws_context *context, lasso_timer_t *timer, int64_t usecs) {
    lws_sul_schedule(context, 0, &timer->sul, lasso_timer_fired, (lws_usec_t)usecs);
}

void lasso_timer_cancel(lasso_timer_t *timer) { lws_sul_cancel(&timer->sul); }
