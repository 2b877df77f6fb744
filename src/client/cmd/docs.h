/* docs — `order docs`: the trade papers of an order (src/client/papers/), and the seller's
 * unsigned amendment (--set) they are made with. Its table entry lives with the other
 * order commands (order.c). */
#ifndef KONTOR_CMD_DOCS_H
#define KONTOR_CMD_DOCS_H

#include "cmd.h"

#define CMD_DOCS_USAGE                                                                             \
	"ID [--type invoice|proforma|packing-list|origin] [--format pdf|ubl|text]\n"               \
	"        [-o FILE | --dir DIR] [--force] [--paper a4|letter] [--lang en|de|es|fr|zh|vi]\n" \
	"        [--date YYYY-MM-DD] [--set KEY=VALUE]..."
#define CMD_DOCS_SPEC "type= format= output= force paper= lang= date= set=* dir="
extern const char cmd_docs_help[];
int cmd_order_docs(struct ctx *c, const struct args *a, struct kerr *e);

#endif
