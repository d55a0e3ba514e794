/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "mqtt/rm-bridge.h"
#include "mqtt/rm-broker.h"
#include "mqtt/rm-commands.h"
#include "mqtt/rm-cursor.h"
#include "mqtt/rm-discovery.h"
#include "mqtt/rm-payload.h"
#include "mqtt/rm-rollerd.h"
#include "mqtt/rm-rollerd-calls.h"

/* Stored sessions published and not acknowledged yet, at most. */
#define MAX_IN_FLIGHT 100
/* The ack cursor is written once a second at most. */
#define CURSOR_SAVE_INTERVAL_MS 1000

/* A roller as the broker knows it. */
typedef struct {
	RmBridge *bridge;
	char *path;
	char *key;
	char *discovered;	/* the discovery published (key|name|model|...), NULL: none */
	GHashTable *last;	/* leaf -> payload last published (retained topics) */
	RmLiveValues live;
	gboolean live_pending;
	gint64 live_last_us;
	guint live_timer;
} Roller;

struct _RmBridge {
	RmConfig *cfg;
	RmCursor *cursor;
	RmBroker *broker;
	RmRollerd *rollerd;
	GHashTable *rollers;	/* path -> Roller */
	GHashTable *plan_sent;	/* leaf -> payload published this connection */
	GHashTable *retained_keys;	/* roller key of retained configs -> checked, this connection */
	gboolean catching_up;	/* from the query to the walk's end */
	gboolean catch_again;
	GPtrArray *walk;	/* the stored sessions being published, NULL: none */
	guint walk_next;
	guint walk_sent;
	RmCommands *commands;
};

/* A roller's retained topics. */
static const char *const state_leaves[] = {
	"state", "battery", "connected", "available", "stored_records", "storage_full",
	"session",
};

static void
roller_free(Roller *ro)
{
	g_clear_handle_id(&ro->live_timer, g_source_remove);
	g_hash_table_destroy(ro->last);
	g_free(ro->discovered);
	g_free(ro->key);
	g_free(ro->path);
	g_free(ro);
}

static int
publish(RmBridge *b, const char *topic, const char *payload, int qos, gboolean retain)
{
	return rm_broker_publish(b->broker, topic, payload, qos, retain);
}

static void
publish_retained(const char *topic, const char *payload, gpointer data)
{
	publish(data, topic, payload, 1, TRUE);
}

/* A retained roller topic, only when its payload changed. */
static void
publish_leaf(Roller *ro, const char *leaf, const char *payload)
{
	RmBridge *b = ro->bridge;
	g_autofree char *topic = NULL;

	if (g_strcmp0(g_hash_table_lookup(ro->last, leaf), payload) == 0)
		return;
	topic = rm_topic_roller(b->cfg, ro->key, leaf);
	if (publish(b, topic, payload, 1, TRUE) >= 0)
		g_hash_table_insert(ro->last, g_strdup(leaf), g_strdup(payload));
}

/* Empties the retained topics and discovery of roller @key. */
static void
withdraw_key(RmBridge *b, const char *key)
{
	RmRollerInfo info = { .key = key };

	rm_discovery_roller(b->cfg, &info, TRUE, publish_retained, b);
	for (gsize i = 0; i < G_N_ELEMENTS(state_leaves); i++) {
		g_autofree char *topic = rm_topic_roller(b->cfg, key, state_leaves[i]);

		publish(b, topic, "", 1, TRUE);
	}
}

static void
withdraw(Roller *ro)
{
	withdraw_key(ro->bridge, ro->key);
	g_clear_pointer(&ro->discovered, g_free);
	g_hash_table_remove_all(ro->last);
}

/*
 * The broker's retained configs of rollers rollerd no longer knows (one
 * forgotten while the broker was away) are emptied, once rollerd's
 * rollers are known.
 */
static void
sweep_retained(RmBridge *b)
{
	GHashTableIter it;
	gpointer key, checked;

	if (!rm_rollerd_is_listed(b->rollerd) || !rm_broker_is_connected(b->broker))
		return;
	g_hash_table_iter_init(&it, b->retained_keys);
	while (g_hash_table_iter_next(&it, &key, &checked)) {
		if (checked)
			continue;
		g_hash_table_iter_replace(&it, GINT_TO_POINTER(TRUE));
		if (rm_rollerd_find_roller(b->rollerd, key))
			continue;
		g_message("Roller %s is not known to rollerd: its entities are removed",
			  (char *)key);
		withdraw_key(b, key);
	}
}

static void
on_listed(gpointer data)
{
	sweep_retained(data);
}

static Roller *
roller_for(RmBridge *b, const char *path)
{
	Roller *ro = g_hash_table_lookup(b->rollers, path);

	if (!ro) {
		ro = g_new0(Roller, 1);
		ro->bridge = b;
		ro->path = g_strdup(path);
		ro->last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		g_hash_table_insert(b->rollers, ro->path, ro);
	}
	return ro;
}

static void
publish_roller(const RmRollerState *s, gpointer data)
{
	RmBridge *b = data;
	Roller *ro = roller_for(b, s->path);
	g_autofree char *key = rm_roller_key(s->serial, s->address);
	RmRollerInfo info = {
		.key = key, .name = s->name, .serial = s->serial, .address = s->address,
		.model = s->model, .firmware = s->firmware,
	};
	g_autofree char *sig = g_strjoin("|", key, s->name, s->model, s->firmware, NULL);
	char num[16];

	/* Published once rollerd has read its serial (at its first connection):
	 * entities keyed by the address would change key then. */
	if (!*s->serial)
		return;
	if (!ro->key)
		ro->key = g_strdup(key);
	if (!rm_broker_is_connected(b->broker))
		return;
	if (g_strcmp0(ro->discovered, sig) != 0) {
		rm_discovery_roller(b->cfg, &info, FALSE, publish_retained, b);
		g_free(ro->discovered);
		ro->discovered = g_steal_pointer(&sig);
	}
	publish_leaf(ro, "available", s->connected ? "online" : "offline");
	publish_leaf(ro, "connected", s->connected ? "ON" : "OFF");
	publish_leaf(ro, "state", s->state);
	if (s->battery <= 100) {
		g_snprintf(num, sizeof(num), "%u", s->battery);
		publish_leaf(ro, "battery", num);
	}
	g_snprintf(num, sizeof(num), "%u", s->stored_records);
	publish_leaf(ro, "stored_records", num);
	publish_leaf(ro, "storage_full", s->storage_full ? "ON" : "OFF");
}

static void
on_roller_removed(const char *path, gboolean forgotten, gpointer data)
{
	RmBridge *b = data;
	Roller *ro = g_hash_table_lookup(b->rollers, path);

	if (!ro || !ro->key)
		goto out;
	if (forgotten) {
		g_message("Roller %s was forgotten: its entities are removed", ro->key);
		withdraw(ro);
	} else {
		publish_leaf(ro, "available", "offline");
	}
out:
	g_hash_table_remove(b->rollers, path);
}

static void
publish_live(Roller *ro)
{
	g_autofree char *payload = rm_payload_live(&ro->live);
	g_autofree char *topic = rm_topic_roller(ro->bridge->cfg, ro->key, "live");

	ro->live_pending = FALSE;
	ro->live_last_us = g_get_monotonic_time();
	publish(ro->bridge, topic, payload, 0, FALSE);
}

static gboolean
live_timer_cb(gpointer data)
{
	Roller *ro = data;

	ro->live_timer = 0;
	if (ro->live_pending)
		publish_live(ro);
	return G_SOURCE_REMOVE;
}

/* At most LiveInterval apart, the last values always sent (trailing edge). */
static void
on_live(const char *path, const RmLiveValues *v, gpointer data)
{
	RmBridge *b = data;
	Roller *ro = g_hash_table_lookup(b->rollers, path);
	gint64 interval_us = (gint64)(G_USEC_PER_SEC / b->cfg->live_max_hz);
	gint64 wait_us;

	if (!ro || !ro->key || !rm_broker_is_connected(b->broker))
		return;
	ro->live = *v;
	ro->live_pending = TRUE;
	if (ro->live_timer)
		return;
	wait_us = ro->live_last_us + interval_us - g_get_monotonic_time();
	if (wait_us <= 0)
		publish_live(ro);
	else
		ro->live_timer = g_timeout_add((guint)(wait_us / 1000) + 1, live_timer_cb, ro);
}

static void
on_alert(const char *path, const char *kind, const char *message, gpointer data)
{
	RmBridge *b = data;
	Roller *ro = g_hash_table_lookup(b->rollers, path);
	g_autofree char *payload = NULL;
	g_autofree char *topic = NULL;

	if (!ro || !ro->key)
		return;
	payload = rm_payload_event(kind, message, NULL, g_get_real_time() / G_USEC_PER_SEC);
	topic = rm_topic_roller(b->cfg, ro->key, "alert");
	publish(b, topic, payload, 1, FALSE);
}

static void
plan_ready(GVariant *rows, const GError *error, gpointer data)
{
	RmBridge *b = data;
	GVariantIter it;
	GVariant *row;

	if (error) {
		g_warning("Cannot read the treatment plan: %s", error->message);
		return;
	}
	if (!rm_broker_is_connected(b->broker))
		return;
	g_variant_iter_init(&it, rows);
	while ((row = g_variant_iter_next_value(&it))) {
		g_autofree char *leaf = NULL;
		g_autofree char *payload = rm_payload_plan(row, &leaf);
		const char *person = "", *area = "";

		if (payload) {
			g_autofree char *topic = rm_topic_room(b->cfg, leaf);

			const char *before = g_hash_table_lookup(b->plan_sent, leaf);

			if (!before) {
				g_variant_lookup(row, "person_name", "&s", &person);
				g_variant_lookup(row, "area", "&s", &area);
				rm_discovery_plan(b->cfg, leaf, person, area, publish_retained, b);
			}
			if (g_strcmp0(before, payload) != 0 && publish(b, topic, payload, 1, TRUE) >= 0)
				g_hash_table_insert(b->plan_sent, g_steal_pointer(&leaf),
						    g_steal_pointer(&payload));
		}
		g_variant_unref(row);
	}
}

static void
on_reminder(const char *person, const char *kind, const char *message, gpointer data)
{
	RmBridge *b = data;
	g_autofree char *payload = rm_payload_event(kind, message, person,
						    g_get_real_time() / G_USEC_PER_SEC);
	g_autofree char *topic = rm_topic_room(b->cfg, "reminder");

	publish(b, topic, payload, 1, FALSE);
	rm_rollerd_get_plan(b->rollerd, plan_ready, b);
}

static void catch_up(RmBridge *b);

/*
 * Whether the journal still holds the session the cursor stands on, with
 * the same start.  AUTOINCREMENT never gives an id twice in one journal,
 * and a Restore counts on from the replaced journal's ids, but the
 * restored journal lacks the sessions made since its backup, and one
 * copied in place takes ids at or below the cursor again: then, or when
 * that session was deleted (the cases look alike from here), the cursor
 * counted another journal.
 */
static gboolean
journal_counted(RmBridge *b, GPtrArray *summaries)
{
	guint64 acked = rm_cursor_get_acked(b->cursor);
	gint64 want, start = 0;

	if (acked == 0)
		return TRUE;
	for (guint i = 0; i < summaries->len; i++) {
		guint64 id = 0;

		if (!g_variant_lookup(summaries->pdata[i], "id", "t", &id) || id != acked)
			continue;
		if (!rm_cursor_get_acked_start(b->cursor, &want))
			return TRUE;
		g_variant_lookup(summaries->pdata[i], "start", "x", &start);
		return start == want;
	}
	return FALSE;
}

/* The walk over the stored sessions is done (or cut short by a lost connection). */
static void
catch_up_done(RmBridge *b)
{
	if (b->walk_sent)
		g_message("Published %u stored session%s, up to id %" G_GUINT64_FORMAT, b->walk_sent,
			  b->walk_sent == 1 ? "" : "s", rm_cursor_get_sent(b->cursor));
	if (b->walk_sent)
		rm_rollerd_get_plan(b->rollerd, plan_ready, b);
	g_clear_pointer(&b->walk, g_ptr_array_unref);
	b->walk_sent = 0;
	b->catching_up = FALSE;
	if (b->catch_again) {
		b->catch_again = FALSE;
		catch_up(b);
	}
}

/*
 * Publishes the walk's next sessions while fewer than MAX_IN_FLIGHT wait
 * for their PUBACK; each PUBACK brings the next.  Message ids are 16 bits
 * and shared with every other publish: a whole journal queued at once
 * would give two sessions in flight the same id.
 */
static void
walk_on(RmBridge *b)
{
	while (b->walk_next < b->walk->len &&
	       rm_cursor_get_in_flight(b->cursor) < MAX_IN_FLIGHT) {
		GVariant *row = b->walk->pdata[b->walk_next++];
		guint64 id = 0;
		gint64 start = 0;
		g_autofree char *key = NULL;
		g_autofree char *payload = rm_payload_session(row, &id, &key);
		g_autofree char *topic = NULL;
		int mid;

		if (!payload || id <= rm_cursor_get_sent(b->cursor))
			continue;
		topic = rm_topic_roller(b->cfg, key, "session");
		mid = publish(b, topic, payload, 1, TRUE);
		if (mid < 0) {
			b->walk_next = b->walk->len;	/* the next connection starts over */
			break;
		}
		g_variant_lookup(row, "start", "x", &start);
		rm_cursor_sent(b->cursor, id, start, mid);
		b->walk_sent++;
	}
	if (b->walk_next >= b->walk->len)
		catch_up_done(b);
}

static void
sessions_ready(GPtrArray *summaries, const GError *error, gpointer data)
{
	RmBridge *b = data;

	if (error) {
		b->catching_up = FALSE;
		/* Not on D-Bus yet: rollerd's arrival starts another look. */
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
			g_warning("Cannot read the stored sessions: %s", error->message);
		return;
	}
	if (!journal_counted(b, summaries)) {
		g_message("The journal no longer holds session %" G_GUINT64_FORMAT
			  " as published (restored from a backup, or the session deleted): "
			  "publishing every session again", rm_cursor_get_acked(b->cursor));
		rm_cursor_rewind(b->cursor);
		b->catching_up = b->catch_again = FALSE;
		catch_up(b);
		return;
	}
	b->walk = g_ptr_array_ref(summaries);
	b->walk_next = 0;
	b->walk_sent = 0;
	if (!rm_broker_is_connected(b->broker))
		b->walk_next = b->walk->len;
	walk_on(b);
}

static void
catch_up(RmBridge *b)
{
	if (!rm_broker_is_connected(b->broker))
		return;
	if (b->catching_up) {
		b->catch_again = TRUE;
		return;
	}
	b->catching_up = TRUE;
	/* From the acknowledged session on, to see that it is still there. */
	rm_rollerd_query_sessions_after(b->rollerd, MAX(rm_cursor_get_acked(b->cursor), 1) - 1,
					sessions_ready, b);
}

static void
on_sessions_changed(gpointer data)
{
	catch_up(data);
}

static void
on_message(const char *topic, const void *payload, gsize len, gboolean retained,
	   gpointer data)
{
	RmBridge *b = data;
	g_autofree char *key = NULL;

	/* The room's discovery configs: what the broker kept, or our own coming back. */
	if (rm_discovery_parse_topic(b->cfg, topic, &key)) {
		if (key && retained && len > 0 && !g_hash_table_contains(b->retained_keys, key)) {
			g_hash_table_insert(b->retained_keys, g_steal_pointer(&key),
					    GINT_TO_POINTER(FALSE));
			sweep_retained(b);
		}
		return;
	}

	rm_commands_handle(b->commands, topic, payload, len, retained);
}

static void
on_connected(gpointer data)
{
	RmBridge *b = data;
	g_autofree char *status = rm_topic_status(b->cfg);
	g_autofree char *commands = g_strdup_printf("%s/%s/roller/+/cmd/+", b->cfg->prefix,
						    b->cfg->room);
	g_autofree char *discovery = rm_discovery_pattern(b->cfg);

	publish(b, status, "online", 1, TRUE);
	rm_discovery_bridge(b->cfg, publish_retained, b);
	rm_rollerd_foreach_roller(b->rollerd, publish_roller, b);
	if (b->cfg->commands)
		rm_broker_subscribe(b->broker, commands, 1);
	/* Its retained messages come back: the configs of rollers published before. */
	if (discovery)
		rm_broker_subscribe(b->broker, discovery, 1);
	catch_up(b);
	rm_rollerd_get_plan(b->rollerd, plan_ready, b);
}

static void
on_disconnected(gpointer data)
{
	RmBridge *b = data;
	GHashTableIter it;
	gpointer value;

	/* What was in flight goes out again; the retained state is republished. */
	rm_cursor_reset(b->cursor);
	if (b->walk) {
		b->walk_next = b->walk->len;
		catch_up_done(b);
	}
	g_hash_table_remove_all(b->plan_sent);
	g_hash_table_remove_all(b->retained_keys);
	g_hash_table_iter_init(&it, b->rollers);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		Roller *ro = value;

		g_hash_table_remove_all(ro->last);
		g_clear_pointer(&ro->discovered, g_free);
	}
}

static void
on_published(int mid, gpointer data)
{
	RmBridge *b = data;

	rm_cursor_acked(b->cursor, mid);
	if (b->walk)
		walk_on(b);
}

RmBridge *
rm_bridge_new(RmConfig *cfg, GBusType bus_type, GError **error)
{
	static const RmBrokerCallbacks broker_cb = {
		.connected = on_connected,
		.disconnected = on_disconnected,
		.published = on_published,
		.message = on_message,
	};
	static const RmRollerdCallbacks rollerd_cb = {
		.listed = on_listed,
		.roller_changed = publish_roller,
		.roller_removed = on_roller_removed,
		.live = on_live,
		.alert = on_alert,
		.reminder = on_reminder,
		.sessions_changed = on_sessions_changed,
	};
	g_autoptr(RmCursor) cursor = rm_cursor_new(cfg->state_dir, CURSOR_SAVE_INTERVAL_MS, error);
	RmBridge *b;

	if (!cursor)
		return NULL;
	b = g_new0(RmBridge, 1);
	b->cfg = cfg;
	b->cursor = g_steal_pointer(&cursor);
	b->rollers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					   (GDestroyNotify)roller_free);
	b->plan_sent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	b->retained_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b->broker = rm_broker_new(cfg, &broker_cb, b);
	b->rollerd = rm_rollerd_new(bus_type, &rollerd_cb, b);
	b->commands = rm_commands_new(cfg, b->rollerd);
	g_message("Publishing under %s/%s/ from session id %" G_GUINT64_FORMAT " on", cfg->prefix,
		  cfg->room, rm_cursor_get_acked(b->cursor) + 1);
	rm_broker_start(b->broker);
	return b;
}

void
rm_bridge_free(RmBridge *b)
{
	g_autofree char *status = NULL;

	if (!b)
		return;
	status = rm_topic_status(b->cfg);
	/* A clean DISCONNECT sends no will: say so ourselves. */
	publish(b, status, "offline", 0, TRUE);
	rm_rollerd_free(b->rollerd);
	rm_commands_free(b->commands);
	g_clear_pointer(&b->walk, g_ptr_array_unref);
	g_hash_table_destroy(b->rollers);
	g_hash_table_destroy(b->plan_sent);
	g_hash_table_destroy(b->retained_keys);
	rm_broker_free(b->broker);
	rm_cursor_free(b->cursor);
	rm_config_free(b->cfg);
	g_free(b);
}
