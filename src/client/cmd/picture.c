/* picture — images on demand for the CLI (and the TUI's image view, which shares the fetch):
 * never during a sync, only when a person asks for a listing's or a supplier's pictures. */
#include "picture.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../net/http.h"
#include "../net/sync.h"
#include "../store/store.h"
#include "../ui/ui.h"
#include "kontor/imagehash.h"
#include "kontor/text.h"

#define IMAGE_BYTES_MAX (10u << 20) /* a scaled image bigger than this is no scaled image */

void cmd_picture_conf(struct picture_conf *out)
{
	out->cache_limit = (uint64_t)IMGCACHE_MB_DEFAULT << 20;
	out->allow = PIC_ALLOW_SYMBOLS;
	struct ui_config *cfg = xcalloc(1, sizeof *cfg);
	struct kerr e = {0};
	ui_config_init(cfg);
	if (ui_config_load(cfg, &e) == K_OK) {
		if (cfg->image_cache_mb > 0)
			out->cache_limit = (uint64_t)cfg->image_cache_mb << 20;
		out->allow = (enum picture_allow)cfg->image_protocol;
	}
	ui_config_free(cfg);
	free(cfg);
}

static int is_blob(const char *s)
{
	return strlen(s) == KCRYPTO_HASH_B64_LEN &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	           KCRYPTO_HASH_B64_LEN;
}

int cmd_picture_get(struct ctx *c, struct ksync **k, const struct picture_conf *conf,
                    const char *blob_id, unsigned width, uint32_t max_w, uint32_t max_h,
                    struct kimg_rgb *img, uint64_t *fetched, struct kerr *e)
{
	*fetched = 0;
	char key[IMGCACHE_KEY_MAX + 1];
	imgcache_key(blob_id, width, key);
	struct kbuf data = KBUF_INIT;
	int rc = imgcache_get(c->home, key, IMAGE_BYTES_MAX, &data, NULL);
	int cached = rc == K_OK;
	if (!cached) {
		rc = *k ? K_OK : cmd_public_open(c, k, e);
		struct knet_counters before, after;
		if (!rc) {
			knet_counters(ksync_net(*k), &before);
			rc = knet_download_scaled(ksync_net(*k), blob_id, width, IMAGE_BYTES_MAX,
			                          &data, e);
			knet_counters(ksync_net(*k), &after);
			*fetched = (after.bytes_up - before.bytes_up) +
			           (after.bytes_down - before.bytes_down);
		}
	}
	/* What the node sent is outside bytes: decoded (fuzzed decoders, bounded) before it is
	 * kept; a bad one is neither kept nor drawn. */
	struct kimg_limits lim = {IMAGE_BYTES_MAX, 0};
	if (!rc)
		rc = kimg_decode_rgb(data.data ? data.data : "", data.len,
		                     "the image from the node", &lim, max_w, max_h, img, e);
	if (!rc && !cached) {
		struct kerr ce = {0};
		if (imgcache_put(c->home, key, data.data, data.len, conf->cache_limit, &ce) != K_OK)
			cmd_note(c, "%s (shown, not kept)", ce.msg);
	}
	kbuf_free(&data);
	return rc;
}

int cmd_picture_sizes(struct ctx *c, const char *type, const char *id, const char *prop,
                      int64_t *sizes, size_t n, struct kerr *e)
{
	for (size_t i = 0; i < n; i++)
		sizes[i] = -1;
	struct ksync *k = NULL;
	int rc = cmd_public_open(c, &k, e);
	if (rc)
		return rc;
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	cJSON *using = cJSON_AddArrayToObject(req, "using");
	cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
	cJSON *calls = cJSON_AddArrayToObject(req, "methodCalls");
	cJSON *call = cJSON_CreateArray(), *args = cJSON_CreateObject();
	char method[32];
	snprintf(method, sizeof method, "%s/get", type);
	cJSON_AddItemToArray(call, cJSON_CreateString(method));
	const char *ids[1] = {id}, *props[1] = {prop};
	cJSON_AddItemToObject(args, "ids", cJSON_CreateStringArray(ids, 1));
	cJSON_AddItemToObject(args, "properties", cJSON_CreateStringArray(props, 1));
	cJSON_AddItemToArray(call, args);
	cJSON_AddItemToArray(call, cJSON_CreateString("s"));
	cJSON_AddItemToArray(calls, call);
	rc = knet_api(ksync_net(k), req, &resp, e);
	cJSON_Delete(req);
	const cJSON *mr = resp ? cJSON_GetObjectItemCaseSensitive(resp, "methodResponses") : NULL;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetArrayItem(mr, 0), 1), "list");
	const cJSON *got = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, 0), prop), *v;
	size_t i = 0;
	cJSON_ArrayForEach(v, got)
	{
		if (i < n && cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15)
			sizes[i] = (int64_t)v->valuedouble;
		i++;
	}
	cJSON_Delete(resp);
	ksync_close(&k);
	return rc;
}

/* The terminal's width and height in cells (COLUMNS/LINES, the tty, else 80 × 24) and its
 * colours as terminfo says (-1 when TERM is unknown). */
static void term_size(int *cols, int *rows, int *colors)
{
	*cols = 80;
	*rows = 24;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
	const char *v;
	if ((v = getenv("COLUMNS")) && atoi(v) > 0)
		*cols = atoi(v);
	if ((v = getenv("LINES")) && atoi(v) > 0)
		*rows = atoi(v);
	*colors = picture_term_colors();
}

int cmd_show_images(struct ctx *c, const char *what, const struct kstrv *images, const char *type,
                    const char *id, const char *prop, struct kerr *e)
{
	FILE *f = c->out;
	if (!images->n) {
		cmd_note(c, "%s has no images", what);
		return K_OK;
	}
	struct picture_conf conf;
	cmd_picture_conf(&conf);
	int cols, rows, colors;
	term_size(&cols, &rows, &colors);
	struct picture_caps caps;
	picture_caps_detect(colors, conf.allow, &caps);
	if (caps.mode == PIC_NONE) {
		/* Nothing crosses the link but the sizes the node knows. */
		int64_t *sizes = xcalloc(images->n, sizeof *sizes);
		struct kerr se = {0};
		int src = cmd_picture_sizes(c, type, id, prop, sizes, images->n, &se);
		fprintf(f, "This terminal cannot show images (%s): not fetched.\n", caps.why);
		struct ksync *k = NULL;
		if (cmd_public_open(c, &k, NULL) != K_OK)
			k = NULL;
		for (size_t i = 0; i < images->n; i++) {
			const char *im = images->v[i];
			char sz[32] = "size unknown";
			if (sizes[i] >= 0)
				ui_bytes((uint64_t)sizes[i], sz, sizeof sz);
			if (!is_blob(im)) {
				fprintf(f, "image %zu/%zu: on another site, ", i + 1, images->n);
				text_fprintf(f, "%s", im);
				fputc('\n', f);
				continue;
			}
			struct kbuf url = KBUF_INIT;
			fprintf(f, "image %zu/%zu: %s; fetch it with:\n", i + 1, images->n, sz);
			if (k && knet_download_url(ksync_net(k), im, &url, NULL) == K_OK)
				fprintf(f, "  curl -o image%zu %s\n", i + 1, kbuf_str(&url));
			kbuf_free(&url);
		}
		if (src)
			cmd_note(c, "the node could not be asked for the sizes: %s", se.msg);
		ksync_close(&k);
		free(sizes);
		return K_OK;
	}
	int draw_rows = rows > 4 ? rows - 3 : 1;
	unsigned width = picture_fetch_width(cols, caps.mode);
	struct ksync *k = NULL;
	uint64_t total = 0;
	int rc = K_OK, failed = 0;
	for (size_t i = 0; i < images->n; i++) {
		const char *im = images->v[i];
		if (!is_blob(im)) {
			fprintf(f, "image %zu/%zu of %s: on another site (not fetched): ", i + 1,
			        images->n, what);
			text_fprintf(f, "%s", im);
			fputc('\n', f);
			continue;
		}
		struct kimg_rgb img;
		uint64_t fetched = 0;
		struct kerr ie = {0};
		rc = cmd_picture_get(c, &k, &conf, im, width, (uint32_t)cols * 8,
		                     (uint32_t)draw_rows * 16, &img, &fetched, &ie);
		total += fetched;
		if (rc == K_ENET || rc == K_EVERIFY) {
			*e = ie;
			break;
		}
		if (rc) {
			fprintf(f, "image %zu/%zu of %s: not shown: %s\n", i + 1, images->n, what,
			        ie.msg);
			failed++;
			rc = K_OK;
			continue;
		}
		struct kbuf out = KBUF_INIT;
		picture_print(&img, cols, draw_rows, &caps, &out);
		fwrite(out.data, 1, out.len, f);
		char fb[32];
		ui_bytes(fetched, fb, sizeof fb);
		fprintf(f, "image %zu/%zu of %s · %u×%u as drawn (%s original %u×%u) · %s\n", i + 1,
		        images->n, what, img.width, img.height, kimg_format_name(img.format),
		        img.src_width, img.src_height, fetched ? fb : "from the image cache");
		kbuf_free(&out);
		kimg_rgb_free(&img);
	}
	ksync_close(&k);
	if (!rc) {
		char tb[32];
		ui_bytes(total, tb, sizeof tb);
		cmd_note(c, "%s fetched for these images", tb);
	}
	if (!rc && failed)
		rc = kerr_set(e, K_EFAIL, "%d image%s of %s could not be shown", failed,
		              failed == 1 ? "" : "s", what);
	return rc;
}
