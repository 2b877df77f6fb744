/* test_config — the TUI's config parser (ui/config.c): set, bind, color, source, node,
 * comments and quotes, the FILE:LINE errors, the size limits, key names, the key table
 * with bindings applied, the shipped themes, and that kontor.conf(5) names every colour
 * slot and action. Run from the source tree's root (tests/run.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/client/ui/ui.h"

static struct ui_config cfg;

static int setup(void **state)
{
	ui_config_init(&cfg);
	return 0;
}

static int teardown(void **state)
{
	ui_config_free(&cfg);
	ui_keymap_apply(NULL);
	return 0;
}

static int parse(const char *text, struct kerr *e)
{
	return ui_config_parse(&cfg, "cfg", text, strlen(text), 0, 0, NULL, NULL, e);
}

static void parse_ok(const char *text)
{
	struct kerr e = {0, ""};
	if (parse(text, &e) != K_OK)
		fail_msg("'%s': %s", text, e.msg);
}

static void parse_bad(const char *text, const char *msg_part)
{
	struct kerr e = {0, ""};
	int rc = parse(text, &e);
	if (rc == K_OK)
		fail_msg("'%s' was accepted", text);
	if (!strstr(e.msg, msg_part))
		fail_msg("'%s': '%s' not in '%s'", text, msg_part, e.msg);
}

static void test_empty_and_comments_change_nothing(void **state)
{
	parse_ok("");
	parse_ok("\n\n   \n# a comment\n\t# another\n");
	assert_int_equal(cfg.nbind, 0);
	assert_string_equal(cfg.theme, "");
	for (int i = 0; i < SLOT_N; i++) {
		assert_int_equal(cfg.color[i].fg, ui_slots[i].dflt.fg);
		assert_int_equal(cfg.color[i].bg, ui_slots[i].dflt.bg);
	}
}

static void test_set_theme_and_translate_url_are_stored(void **state)
{
	parse_ok(
	    "set theme mono\nset translate-url https://tr.example.com/v1 # trailing comment\r\n");
	assert_string_equal(cfg.theme, "mono");
	assert_string_equal(cfg.translate_url, "https://tr.example.com/v1");
	parse_ok("set theme \"my theme\"");
	assert_string_equal(cfg.theme, "my theme");
}

static void test_set_refusals_name_file_and_line(void **state)
{
	parse_bad("\n\nset colour red\n", "cfg:3: unknown setting 'colour'");
	parse_bad("set theme\n", "cfg:1: set needs NAME VALUE");
	parse_bad("set translate-url ftp://x\n", "cfg:1: translate-url must be");
	parse_bad("frobnicate 1\n", "cfg:1: unknown command 'frobnicate'");
	parse_bad("set theme \"open\n", "cfg:1: a quote is not closed");
}

static void test_bind_adds_and_replaces(void **state)
{
	parse_ok("bind search J move-down\nbind any <C-x> help\nbind search J move-up\n"
	         "bind any q none\n");
	assert_int_equal(cfg.nbind, 3); /* the second J replaced the first */
	assert_string_equal(cfg.bind[0].view, "search");
	assert_int_equal(cfg.bind[0].key, 'J');
	assert_int_equal(cfg.bind[0].action, ACT_UP);
	assert_int_equal(cfg.bind[1].key, UI_CTRL('x'));
	assert_int_equal(cfg.bind[1].action, ACT_HELP);
	assert_int_equal(cfg.bind[2].action, ACT_NONE);
}

static void test_bind_refusals(void **state)
{
	parse_bad("bind nowhere J move-down", "cfg:1: unknown view 'nowhere'");
	parse_bad("bind search JK move-down", "cfg:1: unknown key 'JK'");
	parse_bad("bind search <Nope> move-down", "unknown key '<Nope>'");
	parse_bad("bind search J movedown", "cfg:1: unknown action 'movedown'");
	parse_bad("bind search J", "cfg:1: bind needs VIEW KEY ACTION");
}

static void test_too_many_bindings_are_refused(void **state)
{
	struct kbuf b = KBUF_INIT;
	/* distinct keys: CJK characters from U+4E00 on */
	for (int i = 0; i <= UI_CONFIG_MAX_BINDS; i++) {
		char label[8];
		ui_key_label(0x4e00 + i, label, sizeof label);
		kbuf_printf(&b, "bind any %s move-down\n", label);
	}
	struct kerr e = {0, ""};
	int rc = ui_config_parse(&cfg, "cfg", b.data, b.len, 0, 0, NULL, NULL, &e);
	assert_int_equal(rc, K_EINVAL);
	assert_non_null(strstr(e.msg, "cfg:257: more than 256 bind lines"));
	kbuf_free(&b);
}

static void test_color_names_numbers_and_attributes(void **state)
{
	parse_ok("color cursor black cyan\n"
	         "color status color16 colour250 bold reverse\n"
	         "colour error bright-white 160 underline\n"
	         "color title brightyellow default italic dim\n");
	assert_int_equal(cfg.color[SLOT_CURSOR].fg, COLOR_BLACK);
	assert_int_equal(cfg.color[SLOT_CURSOR].bg, COLOR_CYAN);
	assert_int_equal(cfg.color[SLOT_CURSOR].attr, A_NORMAL);
	assert_int_equal(cfg.color[SLOT_STATUS].fg, 16);
	assert_int_equal(cfg.color[SLOT_STATUS].bg, 250);
	assert_true(cfg.color[SLOT_STATUS].attr == (A_BOLD | A_REVERSE));
	assert_int_equal(cfg.color[SLOT_ERROR].fg, 15);
	assert_int_equal(cfg.color[SLOT_ERROR].bg, 160);
	assert_int_equal(cfg.color[SLOT_TITLE].fg, 11);
	assert_int_equal(cfg.color[SLOT_TITLE].bg, UI_COLOR_DEFAULT);
}

static void test_color_refusals(void **state)
{
	parse_bad("color nothing red blue", "cfg:1: unknown colour slot 'nothing'");
	parse_bad("color cursor pink blue", "cfg:1: unknown colour 'pink'");
	parse_bad("color cursor red color256", "unknown colour 'color256'");
	parse_bad("color cursor red bright-pink", "unknown colour 'bright-pink'");
	parse_bad("color cursor red 12345", "unknown colour '12345'");
	parse_bad("color cursor red blue shiny", "cfg:1: bad attribute 'shiny'");
	parse_bad("color cursor red", "cfg:1: color needs SLOT FG BG");
}

static void test_a_theme_holds_only_colors(void **state)
{
	struct kerr e = {0, ""};
	const char *t = "# a theme\ncolor cursor red blue\nbind any J move-down\n";
	int rc = ui_config_parse(&cfg, "themes/x", t, strlen(t), 1, 1, NULL, NULL, &e);
	assert_int_equal(rc, K_EINVAL);
	assert_non_null(strstr(e.msg, "themes/x:3: a theme holds only color lines"));
	assert_int_equal(cfg.color[SLOT_CURSOR].fg, COLOR_RED); /* lines before it stand */
}

static void test_node_lines_are_noted_and_ignored(void **state)
{
	parse_ok("node main https://node.example.com:8443 ca=/etc/ca.pem\n");
	assert_non_null(strstr(kbuf_str(&cfg.notes), "cfg:1: node line ignored"));
	parse_bad("node main", "cfg:1: node needs NAME URL");
	parse_bad("node main https://x cert=y", "node needs NAME URL");
}

struct inc_log {
	int calls;
	char last[64];
	int theme, depth;
};

static int inc_record(void *arg, struct ui_config *c, const char *from, const char *name, int theme,
                      int depth, struct kerr *e)
{
	struct inc_log *l = arg;
	l->calls++;
	snprintf(l->last, sizeof l->last, "%s", name);
	l->theme = theme;
	l->depth = depth;
	if (strcmp(name, "broken") == 0) /* as a bad line inside it would */
		return kerr_set(e, K_EINVAL, "broken:2: unknown colour 'pink'");
	if (strcmp(name, "missing") == 0)
		return kerr_set(e, K_ENOTFOUND, "missing: No such file or directory");
	return K_OK;
}

static int inc_loop(void *arg, struct ui_config *c, const char *from, const char *name, int theme,
                    int depth, struct kerr *e)
{
	const char *t = "source again\n";
	return ui_config_parse(c, name, t, strlen(t), 0, depth, inc_loop, arg, e);
}

static void test_source_and_theme_go_through_include(void **state)
{
	struct inc_log l = {0};
	struct kerr e = {0, ""};
	const char *t = "source keys.conf\nset theme dark\n";
	assert_int_equal(ui_config_parse(&cfg, "cfg", t, strlen(t), 0, 0, inc_record, &l, &e),
	                 K_OK);
	assert_int_equal(l.calls, 2);
	assert_string_equal(l.last, "dark");
	assert_int_equal(l.theme, 1);
	assert_int_equal(l.depth, 1);
	t = "\nsource broken\n";
	assert_int_equal(ui_config_parse(&cfg, "cfg", t, strlen(t), 0, 0, inc_record, &l, &e),
	                 K_EINVAL);
	assert_string_equal(e.msg, "broken:2: unknown colour 'pink' (from cfg:2)");
	t = "set theme missing\n";
	assert_int_equal(ui_config_parse(&cfg, "cfg", t, strlen(t), 0, 0, inc_record, &l, &e),
	                 K_EINVAL);
	assert_string_equal(e.msg, "cfg:1: missing: No such file or directory");
}

static void test_source_loops_stop_at_the_depth_limit(void **state)
{
	struct kerr e = {0, ""};
	const char *t = "source again\n";
	int rc = ui_config_parse(&cfg, "cfg", t, strlen(t), 0, 0, inc_loop, NULL, &e);
	assert_int_equal(rc, K_EINVAL);
	assert_non_null(strstr(e.msg, "nested more than 8 deep"));
}

static void test_limits(void **state)
{
	struct kerr e = {0, ""};
	size_t big = UI_CONFIG_MAX_BYTES + 1;
	char *buf = xmalloc(big);
	memset(buf, '\n', big);
	assert_int_equal(ui_config_parse(&cfg, "cfg", buf, big, 0, 0, NULL, NULL, &e), K_ETOOBIG);
	assert_int_equal(
	    ui_config_parse(&cfg, "cfg", buf, UI_CONFIG_MAX_LINES + 1, 0, 0, NULL, NULL, &e),
	    K_ETOOBIG);
	assert_non_null(strstr(e.msg, "cfg:10001: more than 10000 lines"));
	memset(buf, 'x', UI_CONFIG_MAX_LINE + 1);
	assert_int_equal(
	    ui_config_parse(&cfg, "cfg", buf, UI_CONFIG_MAX_LINE + 1, 0, 0, NULL, NULL, &e),
	    K_EINVAL);
	assert_non_null(strstr(e.msg, "cfg:1: line longer than 4096 bytes"));
	free(buf);
	assert_int_equal(ui_config_parse(&cfg, "cfg", "set\0theme x", 11, 0, 0, NULL, NULL, &e),
	                 K_EINVAL);
	assert_non_null(strstr(e.msg, "cfg:1: a NUL byte"));
	parse_bad("bind a b c d e f g h i j k l m n o p q r", "cfg:1: too many words");
}

static void test_key_names(void **state)
{
	assert_int_equal(ui_key_parse("J", 1), 'J');
	assert_int_equal(ui_key_parse("<Enter>", 7), '\n');
	assert_int_equal(ui_key_parse("<PgDn>", 6), UI_FKEY(KEY_NPAGE));
	assert_int_equal(ui_key_parse("<Space>", 7), ' ');
	assert_int_equal(ui_key_parse("<C-x>", 5), UI_CTRL('x'));
	assert_int_equal(ui_key_parse("<F5>", 4), UI_FKEY(KEY_F(5)));
	assert_int_equal(ui_key_parse("<F12>", 5), UI_FKEY(KEY_F(12)));
	assert_int_equal(ui_key_parse("\xc3\xa9", 2), 0xe9);       /* é */
	assert_int_equal(ui_key_parse("\xe8\xa1\x8c", 3), 0x884c); /* 行 */
	assert_int_equal(ui_key_parse("<F13>", 5), -1);
	assert_int_equal(ui_key_parse("ab", 2), -1);
	assert_int_equal(ui_key_parse(" ", 1), -1);
	assert_int_equal(ui_key_parse("\x01", 1), -1);
	assert_int_equal(ui_key_parse("\xc0\xaf", 2), -1);     /* overlong */
	assert_int_equal(ui_key_parse("\xed\xa0\x80", 3), -1); /* a surrogate */
	assert_int_equal(ui_key_parse("", 0), -1);
	char l[16];
	ui_key_label(UI_CTRL('x'), l, sizeof l);
	assert_string_equal(l, "<C-x>");
	ui_key_label(UI_FKEY(KEY_NPAGE), l, sizeof l);
	assert_string_equal(l, "<PgDn>");
	ui_key_label(0x884c, l, sizeof l);
	assert_string_equal(l, "\xe8\xa1\x8c");
	ui_key_label(UI_FKEY(KEY_F(7)), l, sizeof l);
	assert_string_equal(l, "<F7>");
}

static void test_keymap_applies_bindings(void **state)
{
	assert_int_equal(ui_key_action("search", 'J'), ACT_NONE);
	parse_ok("bind search J move-down\nbind any j none\nbind any <C-x> help\n"
	         "bind chat <Enter> back\n");
	ui_keymap_apply(&cfg);
	assert_int_equal(ui_key_action("search", 'J'), ACT_DOWN);
	assert_int_equal(ui_key_action("chat", 'J'), ACT_NONE); /* only in search */
	assert_int_equal(ui_key_action("search", 'j'), ACT_NONE);
	assert_int_equal(ui_key_action("messages", UI_CTRL('x')), ACT_HELP);
	assert_int_equal(ui_key_action("chat", '\r'), ACT_BACK);
	assert_int_equal(ui_key_action("search", '\n'), ACT_OPEN);
	/* the table in force lists J next to search's other keys, with the action's text */
	int seen = 0, after_search = 0;
	const char *prev = "";
	for (const struct ui_keydef *k = ui_keymap; k->view; k++) {
		if (k->key == 'J' && strcmp(k->view, "search") == 0) {
			seen = 1;
			assert_string_equal(k->label, "J");
			assert_string_equal(k->name, "move-down");
			assert_string_equal(k->desc, "next row (scroll down in text)");
			after_search = strcmp(prev, "search") == 0;
		}
		prev = k->view;
	}
	assert_true(seen);
	assert_true(after_search);
	ui_keymap_apply(NULL);
	assert_ptr_equal(ui_keymap, ui_keys);
	assert_int_equal(ui_key_action("search", 'J'), ACT_NONE);
	assert_int_equal(ui_key_action("search", 'j'), ACT_DOWN);
}

static void test_shipped_themes_parse(void **state)
{
	static const char *const names[] = {"default", "dark", "light", "mono", "high-contrast"};
	setenv("KONTOR_THEMES", "/nonexistent:themes", 1);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[4096];
		struct kerr e = {0, ""};
		if (ui_theme_find(names[i], path, sizeof path, &e) != K_OK)
			fail_msg("theme %s: %s", names[i], e.msg);
		assert_string_equal(path + strlen(path) - strlen(names[i]), names[i]);
		struct kbuf b = KBUF_INIT;
		assert_int_equal(kbuf_read_file(path, UI_CONFIG_MAX_BYTES, &b, &e), K_OK);
		ui_config_init(&cfg);
		if (ui_config_parse(&cfg, path, b.data, b.len, 1, 1, NULL, NULL, &e) != K_OK)
			fail_msg("%s", e.msg);
		kbuf_free(&b);
	}
	/* the default theme is the built-in look, slot for slot */
	char path[4096];
	struct kerr e = {0, ""};
	struct kbuf b = KBUF_INIT;
	assert_int_equal(ui_theme_find("default", path, sizeof path, &e), K_OK);
	assert_int_equal(kbuf_read_file(path, UI_CONFIG_MAX_BYTES, &b, &e), K_OK);
	struct ui_config zero;
	ui_config_init(&zero);
	for (int i = 0; i < SLOT_N; i++)
		zero.color[i].fg = zero.color[i].bg = 99, zero.color[i].attr = A_BLINK;
	assert_int_equal(ui_config_parse(&zero, path, b.data, b.len, 1, 1, NULL, NULL, &e), K_OK);
	for (int i = 0; i < SLOT_N; i++) {
		assert_int_equal(zero.color[i].fg, ui_slots[i].dflt.fg);
		assert_int_equal(zero.color[i].bg, ui_slots[i].dflt.bg);
		assert_true(zero.color[i].attr == ui_slots[i].dflt.attr);
	}
	ui_config_free(&zero);
	kbuf_free(&b);
	assert_int_equal(ui_theme_find("no-such-theme", path, sizeof path, &e), K_ENOTFOUND);
	assert_int_equal(ui_theme_find("..", path, sizeof path, &e), K_EINVAL);
	unsetenv("KONTOR_THEMES");
}

static void test_man_page_names_every_slot_and_action(void **state)
{
	struct kbuf man = KBUF_INIT;
	struct kerr e = {0, ""};
	assert_int_equal(kbuf_read_file("man/kontor.conf.5", 1 << 20, &man, &e), K_OK);
	for (int i = 0; i < SLOT_N; i++) {
		char want[64];
		struct kbuf esc = KBUF_INIT;
		for (const char *p = ui_slots[i].name; *p; p++)
			*p == '-' ? kbuf_puts(&esc, "\\-") : kbuf_putc(&esc, *p);
		snprintf(want, sizeof want, ".B %s\n", kbuf_str(&esc));
		if (!strstr(kbuf_str(&man), want))
			fail_msg("kontor.conf.5 does not describe slot %s", ui_slots[i].name);
		kbuf_free(&esc);
	}
	for (const struct ui_keydef *k = ui_keys; k->view; k++) {
		char want[64];
		struct kbuf esc = KBUF_INIT;
		for (const char *p = k->name; *p; p++)
			*p == '-' ? kbuf_puts(&esc, "\\-") : kbuf_putc(&esc, *p);
		snprintf(want, sizeof want, ".B %s\n", kbuf_str(&esc));
		if (!strstr(kbuf_str(&man), want))
			fail_msg("kontor.conf.5 does not describe action %s", k->name);
		kbuf_free(&esc);
	}
	kbuf_free(&man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_and_comments_change_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_set_theme_and_translate_url_are_stored, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_set_refusals_name_file_and_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_adds_and_replaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_bindings_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_color_names_numbers_and_attributes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_color_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_theme_holds_only_colors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_node_lines_are_noted_and_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_source_and_theme_go_through_include, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_source_loops_stop_at_the_depth_limit, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keymap_applies_bindings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shipped_themes_parse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_man_page_names_every_slot_and_action, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
