#define _GNU_SOURCE
#include "CLassoShim.h"
#include <stdio.h>
#include <sys/socket.h>
#include <pthread.h>

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

int lasso_ssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

void lasso_ssl_ctx_configure(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                              | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

int lasso_accept_nonblocking(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

void lasso_name_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
