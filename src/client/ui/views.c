/* views — the table of tabs and views, and the seam: a view reaches another only through
 * this table (ui_open, ui_reload, the ops). A new screen is one file with its ops and one
 * line here (and its ACT_TAB_* / VIEW_* in ui.h, its keys in keys.c). */
#include "ui.h"

#include "kontor/text.h"

const struct ui_tab_def ui_tabs[TAB_N] = {
    [TAB_SEARCH] = {"Search", VIEW_RESULTS},
    [TAB_CHAT] = {"Chat", VIEW_CHATS},
    [TAB_ORDERS] = {"Orders", VIEW_ORDERS},
    [TAB_CONTRACTS] = {"Contracts", VIEW_CONTRACTS},
    [TAB_SHIPMENTS] = {"Shipments", VIEW_SHIPMENTS},
    [TAB_INBOX] = {"Inbox", VIEW_INBOX},
    [TAB_LISTINGS] = {"Listings", VIEW_MYLISTINGS},
    [TAB_RFQS] = {"RFQs", VIEW_RFQS},
};

static void title_tab(struct ui *u, struct kbuf *out)
{
	if (u->help == 2) {
		kbuf_puts(out, ":");
		text_sanitize(out, kbuf_str(&u->output_cmd), u->output_cmd.len, 0);
		return;
	}
	kbuf_puts(out, u->help ? "Help" : ui_tabs[u->tab].name);
}

const struct ui_view_ops ui_view_ops[VIEW_N] = {
    [VIEW_RESULTS] = {"search", 1, 3, -1,
                      "  no listings in the cache match (`kontor sync` fills the cache)",
                      ui_search_head, NULL, ui_results_row, ui_results_open, NULL, ui_search_shown,
                      ui_search_more, NULL, ui_search_free, .reload = ui_results_reload,
                      .typed = ui_search_typed, .start = ui_search_run,
                      .empty_row = ui_results_empty},
    [VIEW_LISTING] = {"listing", 0, 1, VIEW_RESULTS, "", NULL, ui_listing_title, NULL, NULL,
                      ui_listing_build, NULL, NULL, ui_listing_action, .reload = ui_listing_reload},
    [VIEW_CHATS] = {"chat", 1, 1, -1,
                    "  no conversations yet — `kontor chat send ACCOUNT TEXT`, or `kontor sync`",
                    NULL, ui_chats_title, ui_chats_row, ui_chats_open, NULL, ui_chats_load, NULL,
                    NULL, ui_chat_free, .reload = ui_chats_load, .start = ui_chats_load},
    [VIEW_MESSAGES] = {"messages", 0, 1, VIEW_CHATS, "", NULL, ui_messages_title, NULL, NULL,
                       ui_messages_build, NULL, NULL, ui_messages_action,
                       .reload = ui_messages_reload, .open_id = ui_messages_open,
                       .typed = ui_chat_send},
    [VIEW_ORDERS] = {"orders", 1, 2, -1,
                     "  No orders yet. Propose a contract with :contract propose --listing ID",
                     ui_orders_head, NULL, ui_orders_row, ui_orders_open, NULL, ui_trade_reload,
                     NULL, ui_wallet_key, ui_trade_free, .reload = ui_orders_load,
                     .empty_row = ui_orders_empty},
    [VIEW_CONTRACTS] = {"contracts", 1, 2, -1,
                        "  No contracts yet. Propose one with :contract propose --listing ID",
                        ui_contracts_head, NULL, ui_contracts_row, ui_contracts_open, NULL,
                        ui_trade_reload, NULL, .reload = ui_contracts_load,
                        .empty_row = ui_contracts_empty},
    [VIEW_SHIPMENTS] = {"shipments", 1, 2, -1,
                        "  No shipments yet. A seller ships a paid order with s in its order",
                        ui_shipments_head, NULL, ui_shipments_row, ui_shipments_open, NULL,
                        ui_trade_reload, NULL},
    [VIEW_ORDER] = {"order", 0, 2, VIEW_ORDERS, "", ui_order_head, NULL, NULL, NULL, ui_order_build,
                    ui_trade_reload, NULL, ui_order_action, .reload = ui_order_reload,
                    .open_id = ui_order_open_id},
    [VIEW_CONTRACT] = {"contract", 0, 2, VIEW_CONTRACTS, "", ui_contract_head, NULL, NULL, NULL,
                       ui_contract_build, ui_trade_reload, NULL, ui_contract_action,
                       .reload = ui_contract_reload, .open_id = ui_contract_open_id},
    [VIEW_SHIPMENT] = {"shipment", 0, 1, VIEW_SHIPMENTS, "", NULL, ui_shipment_title, NULL, NULL,
                       ui_shipment_build, ui_trade_reload, NULL, .reload = ui_shipment_reload},
    [VIEW_MYLISTINGS] = {"mylistings", 1, 2, -1,
                         "  No listings yet. Add one with :listing add --title T --price P ...",
                         ui_mylistings_head, NULL, ui_mylistings_row, ui_mylistings_open, NULL,
                         ui_mylistings_shown, NULL, ui_mylistings_action, ui_mylistings_free},
    [VIEW_MYLISTING] = {"mylisting", 0, 1, VIEW_MYLISTINGS, "", NULL, ui_mylisting_title, NULL,
                        NULL, ui_mylisting_build, ui_mylistings_shown, NULL, ui_mylistings_action},
    [VIEW_RFQS] = {"rfqs", 1, 2, -1, "  No open RFQs in the cache (:sync fetches new ones)",
                   ui_rfqs_head, NULL, ui_rfqs_row, ui_rfqs_open, NULL, ui_rfqs_shown, NULL,
                   ui_rfqs_action, ui_rfqs_free},
    [VIEW_RFQ] = {"rfq", 0, 1, VIEW_RFQS, "", NULL, ui_rfq_title, NULL, NULL, ui_rfq_build,
                  ui_rfqs_shown, NULL, ui_rfqs_action, .open_id = ui_rfq_open_id},
    [VIEW_INBOX] = {"inbox", 1, 2, -1, "  Nothing waits for you (as of the last sync).",
                    ui_inbox_head, NULL, ui_inbox_row, ui_inbox_open, NULL, ui_inbox_shown, NULL,
                    ui_wallet_key, ui_inbox_free, .reload = ui_inbox_load, .start = ui_inbox_first},
    [VIEW_WALLET] = {"wallet", 0, 1, VIEW_ORDERS, "", NULL, ui_wallet_title, NULL, NULL,
                     ui_wallet_build, ui_wallet_shown, ui_wallet_more, ui_wallet_action,
                     ui_wallet_free, .reload = ui_wallet_shown, .open_id = ui_wallet_open_id},
    [VIEW_COUNTER] = {"counter", 1, 2, VIEW_CONTRACT, "", ui_counter_head, NULL, ui_counter_row,
                      ui_counter_open, NULL, NULL, NULL, NULL, ui_counter_free,
                      .open_id = ui_counter_start},
    [VIEW_EVENTPICK] = {"event", 1, 2, VIEW_ORDER, "", ui_eventpick_head, NULL, ui_eventpick_row,
                        ui_eventpick_open, NULL, NULL, NULL, NULL, ui_eventpick_free,
                        .open_id = ui_eventpick_start},
    [VIEW_HELP] = {"help", 0, 1, -1, "", NULL, title_tab, NULL, NULL, ui_help_build, NULL, NULL},
};

int ui_open(struct ui *u, int view, const char *id)
{
	const struct ui_view_ops *ops = &ui_view_ops[view];
	return ops->open_id ? ops->open_id(u, id) : 0;
}

void ui_reload(struct ui *u, int first, int last)
{
	for (int i = first; i <= last; i++)
		if (ui_view_ops[i].reload)
			ui_view_ops[i].reload(u);
}
