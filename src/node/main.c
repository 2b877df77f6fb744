/* kontord — the marketplace node. This skeleton answers --version and --help; the server,
 * its store and the API arrive with the kontord issue. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: kontord [--db FILE] COMMAND ...\n\n"
	      "kontord is the marketplace node kontor clients sync with over HTTPS.\n\n"
	      "Commands (see kontord(8)):\n"
	      "  init      make the node key and database\n"
	      "  serve     serve the API over HTTPS\n"
	      "  seed      fill the database with deterministic demo data\n"
	      "  admin     deposits, attestations, rulings, carriers\n\n"
	      "Only --version and --help work in this build.\n",
	      f);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("kontord %s\n", KONTOR_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	}
	if (argc > 1)
		fprintf(stderr, "kontord: '%s' is not available in this build\n", argv[1]);
	usage(stderr);
	return 2;
}
