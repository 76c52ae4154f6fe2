#ifndef CLASSO_SHIM_H
#define CLASSO_SHIM_H
#include <libwebsockets.h>
#include <openssl/ssl.h>

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

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): a GNU extension Swift's Glibc module
/// does not export.
int lasso_accept_nonblocking(int fd);

/// Names the calling thread (what top, perf and /proc show); a GNU extension too.
void lasso_name_thread(const char *name);

/// OpenSSL macros Swift cannot call.
/// Sends `name` as the TLS server name indication (SSL_set_tlsext_host_name).
int lasso_ssl_set_server_name(SSL *ssl, const char *name);
/// Allows partial writes and retries from a moved buffer, releases idle buffers, treats a peer
/// that closes without close_notify as end of stream, and requires TLS 1.2 or newer
/// (SSL_CTX_set_mode, SSL_CTX_set_options, SSL_CTX_set_min_proto_version).
void lasso_ssl_ctx_configure(SSL_CTX *ctx);

#endif
