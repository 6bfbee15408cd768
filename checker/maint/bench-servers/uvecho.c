/*
 * uvecho.c - a TCP echo server on libuv, the "what you would use in
 * production" of `make bench` (built only where libuv1-dev is installed).
 * The usual libuv shape: a read buffer from the allocator for each read,
 * uv_try_write for what the socket takes now, uv_write (which frees the
 * buffer when done) for the rest.  One process, one thread, epoll inside.
 *
 * Usage: uvecho [-p port]    (127.0.0.1, default port 6666; SIGTERM or
 *                            SIGINT: exit 0)
 * Notes: README.md "Benchmarks"
 */
#include <err.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

struct wreq {
	uv_write_t req;
	char *base;
};

static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sigterm, sigint;

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(suggested);
	buf->len = buf->base != NULL ? suggested : 0;
}

static void
on_close(uv_handle_t *h)
{
	free(h);
}

static void
on_written(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;

	if (status < 0 && !uv_is_closing((uv_handle_t *)req->handle))
		uv_close((uv_handle_t *)req->handle, on_close);
	free(w->base);
	free(w);
}

static void
on_read(uv_stream_t *client, ssize_t n, const uv_buf_t *buf)
{
	struct wreq *w;
	uv_buf_t rest;
	int k;

	if (n < 0) {			/* UV_EOF, or a reset */
		free(buf->base);
		uv_close((uv_handle_t *)client, on_close);
		return;
	}
	if (n == 0) {
		free(buf->base);
		return;
	}
	rest = uv_buf_init(buf->base, (unsigned)n);
	if ((k = uv_try_write(client, &rest, 1)) > 0) {
		rest.base += k;
		rest.len -= (size_t)k;
	}
	if (rest.len == 0) {
		free(buf->base);
		return;
	}
	if ((w = malloc(sizeof *w)) == NULL) {
		free(buf->base);
		uv_close((uv_handle_t *)client, on_close);
		return;
	}
	w->base = buf->base;
	if (uv_write(&w->req, client, &rest, 1, on_written) < 0)
		on_written(&w->req, -1);
}

static void
on_connection(uv_stream_t *srv, int status)
{
	uv_tcp_t *client;

	if (status < 0 || (client = malloc(sizeof *client)) == NULL)
		return;
	uv_tcp_init(loop, client);
	if (uv_accept(srv, (uv_stream_t *)client) == 0)
		uv_read_start((uv_stream_t *)client, on_alloc, on_read);
	else
		uv_close((uv_handle_t *)client, on_close);
}

static void
on_signal(uv_signal_t *h, int sig)
{
	(void)h;
	(void)sig;
	uv_stop(loop);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in addr;
	int port = 6666, c, e;

	while ((c = getopt(argc, argv, "p:")) != -1) {
		if (c != 'p')
			errx(2, "usage: uvecho [-p port]");
		port = atoi(optarg);
	}
	loop = uv_default_loop();
	uv_tcp_init(loop, &server);
	uv_ip4_addr("127.0.0.1", port, &addr);
	if ((e = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0)) != 0)
		errx(1, "bind 127.0.0.1:%d: %s", port, uv_strerror(e));
	if ((e = uv_listen((uv_stream_t *)&server, SOMAXCONN, on_connection)) != 0)
		errx(1, "listen: %s", uv_strerror(e));
	uv_signal_init(loop, &sigterm);
	uv_signal_start(&sigterm, on_signal, SIGTERM);
	uv_signal_init(loop, &sigint);
	uv_signal_start(&sigint, on_signal, SIGINT);
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;		/* the kernel closes the rest */
}
