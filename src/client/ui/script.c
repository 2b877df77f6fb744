/* ui/script — KONTOR_UI_SCRIPT=FILE: keys from a file instead of the keyboard, as tig's
 * TIG_SCRIPT, so tests drive the real screens. A line is keys: literal characters and
 * names from the key table (<Enter> <Esc> <Down> <Up> <PgDn> <PgUp> <Tab> <Backspace>
 * <Space> <Lt> ...). Three lines are commands of the script itself: `:dump PATH` writes
 * the screen as text, `:sleep MS` waits, `:quit` ends. The end of the file ends the run. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

/* Keys of the current line not yet handed out. */
static char pending[4096];
static size_t pend_pos, pend_len;

static int next_from_pending(void)
{
	while (pend_pos < pend_len) {
		const char *p = pending + pend_pos;
		size_t left = pend_len - pend_pos;
		if (*p == '<') {
			const char *gt = memchr(p, '>', left);
			if (gt) {
				int k = ui_key_by_name(p, (size_t)(gt - p) + 1);
				if (k >= 0) {
					pend_pos += (size_t)(gt - p) + 1;
					return k;
				}
			}
		}
		wchar_t wc;
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = mbrtowc(&wc, p, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			pend_pos++;
			continue;
		}
		pend_pos += n;
		return (int)wc;
	}
	return -1;
}

int ui_script_next(struct ui *u)
{
	int k = next_from_pending();
	if (k >= 0)
		return k;
	char line[sizeof pending];
	while (fgets(line, sizeof line, u->script)) {
		size_t n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n == 0)
			continue;
		if (strncmp(line, ":dump ", 6) == 0) {
			ui_draw(u);
			if (ui_dump(line + 6) != K_OK)
				ui_say(u, "script: cannot write %s", line + 6);
			continue;
		}
		if (strncmp(line, ":sleep ", 7) == 0) {
			napms(atoi(line + 7));
			continue;
		}
		if (strcmp(line, ":quit") == 0) {
			u->quit = 1;
			return -1;
		}
		memcpy(pending, line, n);
		pend_len = n;
		pend_pos = 0;
		if ((k = next_from_pending()) >= 0)
			return k;
	}
	u->quit = 1;
	return -1;
}
