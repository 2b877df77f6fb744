/* ktranslate: a tiny LibreTranslate-compatible service for the shell tests. POST /translate
 * with {"q", "source", "target", "format"} answers {"translatedText", "detectedLanguage":
 * {"confidence", "language"}} from a fixed dictionary (a few German and Chinese phrases
 * into English); text it does not know comes back as it was, detected as the target.
 * GET /count answers how many /translate requests came (so a test proves a cache).
 * Plain HTTP/1.1 on loopback, one request per connection, single-threaded, bounded.
 *
 *   ktranslate [--listen 127.0.0.1:0] [--fail]
 *
 * --fail answers every translation with 500 {"error": ...}. Prints "ktranslate: listening
 * on 127.0.0.1:PORT" on stderr once bound; exits 0 on SIGTERM or SIGINT. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define REQ_MAX (64 * 1024)

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	stop = s;
}

static const struct {
	const char *from, *lang, *to;
} dict[] = {
    {"Hallo Welt", "de", "Hello world"},
    {"Guten Morgen, wir liefern am Montag.", "de", "Good morning, we deliver on Monday."},
    {"Der Preis ist zu hoch", "de", "The price is too high"},
    {"你好", "zh", "Hello"},
    {"价格是多少？", "zh", "What is the price?"},
};

static void answer(int fd, int status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                 status,
	                 status == 200   ? "OK"
	                 : status == 404 ? "Not Found"
	                                 : "Error",
	                 strlen(body));
	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		return;
}

static unsigned long count;
static int fail;

static void serve(int fd)
{
	static char buf[REQ_MAX + 1];
	size_t len = 0;
	char *end = NULL;
	size_t want = 0;
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	for (;;) {
		if (len == REQ_MAX) {
			answer(fd, 413, "{\"error\":\"too large\"}");
			return;
		}
		ssize_t r = read(fd, buf + len, REQ_MAX - len);
		if (r <= 0)
			return;
		len += (size_t)r;
		buf[len] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");
			want = (size_t)(end - buf) + 4 +
			       (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
			if (want > REQ_MAX) {
				answer(fd, 413, "{\"error\":\"too large\"}");
				return;
			}
		}
		if (end && len >= want)
			break;
	}
	if (strncmp(buf, "GET /count ", 11) == 0) {
		char b[64];
		snprintf(b, sizeof b, "{\"count\":%lu}", count);
		answer(fd, 200, b);
		return;
	}
	if (strncmp(buf, "POST /translate ", 16) != 0) {
		answer(fd, 404, "{\"error\":\"Not Found\"}");
		return;
	}
	count++;
	if (fail) {
		answer(fd, 500, "{\"error\":\"the test service is told to fail\"}");
		return;
	}
	cJSON *j = cJSON_ParseWithLength(end + 4, want - (size_t)(end + 4 - buf));
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(j, "q");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "target");
	if (!cJSON_IsString(q) || !cJSON_IsString(t)) {
		cJSON_Delete(j);
		answer(fd, 400, "{\"error\":\"Invalid request: missing q or target parameter\"}");
		return;
	}
	const char *out = q->valuestring, *lang = t->valuestring;
	for (size_t i = 0; i < sizeof dict / sizeof dict[0]; i++)
		if (strcmp(dict[i].from, q->valuestring) == 0 && strcmp(t->valuestring, "en") == 0)
			out = dict[i].to, lang = dict[i].lang;
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "translatedText", out);
	cJSON *d = cJSON_AddObjectToObject(a, "detectedLanguage");
	cJSON_AddNumberToObject(d, "confidence", 90);
	cJSON_AddStringToObject(d, "language", lang);
	char *s = cJSON_PrintUnformatted(a);
	answer(fd, 200, s);
	free(s);
	cJSON_Delete(a);
	cJSON_Delete(j);
}

int main(int argc, char **argv)
{
	const char *listen_at = "127.0.0.1:0";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen_at = argv[++i];
		else if (strcmp(argv[i], "--fail") == 0)
			fail = 1;
		else {
			fprintf(stderr, "usage: ktranslate [--listen 127.0.0.1:PORT] [--fail]\n");
			return 2;
		}
	}
	const char *colon = strrchr(listen_at, ':');
	if (!colon || strncmp(listen_at, "127.0.0.1:", 10) != 0) {
		fprintf(stderr, "ktranslate: --listen must be 127.0.0.1:PORT\n");
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(colon + 1));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0) {
		fprintf(stderr, "ktranslate: %s: %s\n", listen_at, strerror(errno));
		return 1;
	}
	socklen_t al = sizeof a;
	getsockname(ls, (struct sockaddr *)&a, &al);
	fprintf(stderr, "ktranslate: listening on 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
	while (!stop) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		serve(fd);
		close(fd);
	}
	close(ls);
	return 0;
}
