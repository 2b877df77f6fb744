/* fuzz_config — the TUI's config parser (ui/config.c) on arbitrary bytes: no crash, no
 * hang, errors name a FILE:LINE, the bindings stay within their bound and apply to the key
 * table. `source` and `set theme` are followed by parsing their own argument as a file, so
 * nesting and its depth limit are fuzzed too, with no file touched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/ui/ui.h"

static int include_self(void *arg, struct ui_config *cfg, const char *from, const char *name,
                        int theme, int depth, struct kerr *e)
{
	return ui_config_parse(cfg, "inc", name, strlen(name), theme, depth, include_self, arg, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_config cfg;
	struct kerr e = {0, ""};
	int theme_only = 0;
	if (size > 0 && data[0] == 'T') /* parse the rest as a theme */
		theme_only = 1, data++, size--;
	ui_config_init(&cfg);
	int rc = ui_config_parse(&cfg, "cfg", (const char *)data, size, theme_only, 0, include_self,
	                         NULL, &e);
	if (rc != K_OK && (!e.msg[0] || (!strstr(e.msg, "cfg") && !strstr(e.msg, "inc"))))
		abort();
	if (cfg.nbind < 0 || cfg.nbind > UI_CONFIG_MAX_BINDS)
		abort();
	for (int i = 0; i < SLOT_N; i++)
		if (cfg.color[i].fg < -1 || cfg.color[i].fg > 255 || cfg.color[i].bg < -1 ||
		    cfg.color[i].bg > 255)
			abort();
	ui_keymap_apply(&cfg);
	for (int i = 0; i < cfg.nbind; i++)
		if (ui_key_action(cfg.bind[i].view, cfg.bind[i].key) != cfg.bind[i].action)
			abort();
	ui_keymap_apply(NULL);
	ui_config_free(&cfg);
	return 0;
}
