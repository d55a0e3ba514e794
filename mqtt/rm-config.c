/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "common/rd-error.h"
#include "mqtt/rm-config.h"

/* A password longer than this is a wrong file, not a password. */
#define PASSWORD_MAX 1024

static const struct {
	const char *name;
	RmCommand bit;
} command_names[] = {
	{ "sync", RM_COMMAND_SYNC },
	{ "identify", RM_COMMAND_IDENTIFY },
	{ "start", RM_COMMAND_START },
	{ "stop", RM_COMMAND_STOP },
};

gboolean
rm_config_is_loopback(const RmConfig *cfg)
{
	g_autoptr(GInetAddress) address = g_inet_address_new_from_string(cfg->host);

	if (address)
		return g_inet_address_get_is_loopback(address);
	return g_ascii_strcasecmp(cfg->host, "localhost") == 0 ||
	       g_str_has_suffix(cfg->host, ".localhost");
}

RmCommand
rm_command_from_name(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(command_names); i++)
		if (g_strcmp0(name, command_names[i].name) == 0)
			return command_names[i].bit;
	return 0;
}

static gboolean
bad_value(const char *path, const char *group, const char *key, const char *why,
	  GError **error)
{
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS, "%s: [%s] %s: %s", path, group,
		    key, why);
	return FALSE;
}

static gboolean
get_string(GKeyFile *kf, const char *path, const char *group, const char *key, char **out,
	   GError **error)
{
	g_autofree char *v = NULL;

	if (!g_key_file_has_key(kf, group, key, NULL))
		return TRUE;
	v = g_key_file_get_string(kf, group, key, NULL);
	if (!v)
		return bad_value(path, group, key, "not a string", error);
	g_strstrip(v);
	g_free(*out);
	/* An empty value means "not set", as for an absent key. */
	*out = *v ? g_steal_pointer(&v) : NULL;
	return TRUE;
}

static gboolean
get_uint(GKeyFile *kf, const char *path, const char *group, const char *key, guint min,
	 guint max, guint *out, GError **error)
{
	g_autofree char *v = NULL;
	guint64 n;

	if (!g_key_file_has_key(kf, group, key, NULL))
		return TRUE;
	v = g_strstrip(g_key_file_get_value(kf, group, key, NULL));
	if (!g_ascii_string_to_unsigned(v, 10, min, max, &n, NULL)) {
		g_autofree char *why = g_strdup_printf("\"%s\" is not a whole number in %u..%u",
						       v, min, max);
		return bad_value(path, group, key, why, error);
	}
	*out = (guint)n;
	return TRUE;
}

static gboolean
get_seconds_ms(GKeyFile *kf, const char *path, const char *group, const char *key,
	       double min, double max, guint *out_ms, GError **error)
{
	g_autofree char *v = NULL;
	char *end = NULL;
	double d;

	if (!g_key_file_has_key(kf, group, key, NULL))
		return TRUE;
	v = g_strstrip(g_key_file_get_value(kf, group, key, NULL));
	d = g_ascii_strtod(v, &end);
	if (!*v || *end || !(d >= min && d <= max)) {
		g_autofree char *why = g_strdup_printf("\"%s\" is not a number of seconds in "
						       "%g..%g", v, min, max);
		return bad_value(path, group, key, why, error);
	}
	*out_ms = (guint)(d * 1000 + 0.5);
	return TRUE;
}

static gboolean
read_password(const char *path, const char *file, char **out, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	char *nl;
	GStatBuf st;

	/* Group read is for the documented root:rollerd-mqtt 0640, the bridge's own group. */
	if (g_stat(file, &st) == 0 &&
	    ((st.st_mode & 0007) || ((st.st_mode & 0070) && st.st_gid != getegid()))) {
		g_autofree char *why = g_strdup_printf(
			"%s is open to %s (mode %04o): chmod 0600, or 0640 with the bridge's "
			"group", file, (st.st_mode & 0007) ? "every user" : "another group",
			(unsigned)(st.st_mode & 07777));

		return bad_value(path, "Broker", "PasswordFile", why, error);
	}
	if (!g_file_get_contents(file, &text, &len, error)) {
		g_prefix_error(error, "%s: [Broker] PasswordFile: ", path);
		return FALSE;
	}
	nl = memchr(text, '\n', len);
	if (nl)
		*nl = '\0';
	if (strlen(text) > PASSWORD_MAX || !g_utf8_validate(text, -1, NULL) || !*text)
		return bad_value(path, "Broker", "PasswordFile",
				 "the file must hold one line of UTF-8 text, the password", error);
	*out = g_steal_pointer(&text);
	return TRUE;
}

static gboolean
get_commands(GKeyFile *kf, const char *path, guint *out, GError **error)
{
	g_auto(GStrv) names = NULL;
	guint bits = 0;

	if (!g_key_file_has_key(kf, "Bridge", "Commands", NULL))
		return TRUE;
	names = g_key_file_get_string_list(kf, "Bridge", "Commands", NULL, NULL);
	for (guint i = 0; names && names[i]; i++) {
		const char *name = g_strstrip(names[i]);
		RmCommand bit = rm_command_from_name(name);

		if (!*name)
			continue;
		if (!bit) {
			g_autofree char *why = g_strdup_printf("unknown command \"%s\" (sync, "
							       "identify, start, stop)", name);
			return bad_value(path, "Bridge", "Commands", why, error);
		}
		bits |= bit;
	}
	*out = bits;
	return TRUE;
}

static gboolean
get_bool(GKeyFile *kf, const char *path, const char *group, const char *key, gboolean *out,
	 GError **error)
{
	g_autoptr(GError) local = NULL;
	gboolean v;

	if (!g_key_file_has_key(kf, group, key, NULL))
		return TRUE;
	v = g_key_file_get_boolean(kf, group, key, &local);
	if (local)
		return bad_value(path, group, key, "not true or false", error);
	*out = v;
	return TRUE;
}

static gboolean
topic_level_ok(const char *s)
{
	return s && *s && !strpbrk(s, "/+#") && g_utf8_validate(s, -1, NULL);
}

static void
set_defaults(RmConfig *cfg)
{
	char host[256] = "";

	if (gethostname(host, sizeof(host) - 1) != 0 || !*host)
		g_strlcpy(host, "localhost", sizeof(host));
	cfg->host = g_strdup("localhost");
	cfg->port = 1883;
	cfg->keepalive_s = 30;
	cfg->reconnect_min_ms = 1000;
	cfg->reconnect_max_ms = 60000;
	cfg->connect_timeout_ms = 10000;
	cfg->prefix = g_strdup("rollerd");
	cfg->room = g_strdup(host);
	cfg->client_id = g_strdup_printf("rollerd-mqtt-%s", host);
	cfg->discovery_prefix = g_strdup("homeassistant");
	cfg->discovery = TRUE;
	cfg->commands = RM_COMMAND_SYNC | RM_COMMAND_IDENTIFY;
	cfg->live_max_hz = 1;
}

static gboolean
load_keys(RmConfig *cfg, GKeyFile *kf, const char *path, GError **error)
{
	g_autofree char *password_file = NULL;
	guint live_ms = 0;

	if (!get_string(kf, path, "Broker", "Host", &cfg->host, error) ||
	    !get_uint(kf, path, "Broker", "Port", 1, 65535, &cfg->port, error) ||
	    !get_string(kf, path, "Broker", "ClientId", &cfg->client_id, error) ||
	    !get_string(kf, path, "Broker", "Username", &cfg->username, error) ||
	    !get_string(kf, path, "Broker", "PasswordFile", &password_file, error) ||
	    !get_string(kf, path, "Broker", "CAFile", &cfg->ca_file, error) ||
	    !get_string(kf, path, "Broker", "CertFile", &cfg->cert_file, error) ||
	    !get_string(kf, path, "Broker", "KeyFile", &cfg->key_file, error) ||
	    !get_uint(kf, path, "Broker", "KeepAlive", 5, 3600, &cfg->keepalive_s, error) ||
	    !get_seconds_ms(kf, path, "Broker", "ReconnectMin", 0.1, 3600,
			    &cfg->reconnect_min_ms, error) ||
	    !get_seconds_ms(kf, path, "Broker", "ReconnectMax", 0.1, 3600,
			    &cfg->reconnect_max_ms, error) ||
	    !get_seconds_ms(kf, path, "Broker", "ConnectTimeout", 1, 600,
			    &cfg->connect_timeout_ms, error) ||
	    !get_string(kf, path, "Topics", "Prefix", &cfg->prefix, error) ||
	    !get_string(kf, path, "Topics", "Room", &cfg->room, error) ||
	    !get_string(kf, path, "Topics", "DiscoveryPrefix", &cfg->discovery_prefix, error) ||
	    !get_bool(kf, path, "Topics", "Discovery", &cfg->discovery, error) ||
	    !get_commands(kf, path, &cfg->commands, error) ||
	    !get_seconds_ms(kf, path, "Bridge", "LiveInterval", 0.05, 3600, &live_ms, error) ||
	    !get_string(kf, path, "Bridge", "StateDirectory", &cfg->state_dir, error))
		return FALSE;
	if (live_ms)
		cfg->live_max_hz = 1000.0 / live_ms;
	if (cfg->reconnect_max_ms < cfg->reconnect_min_ms)
		return bad_value(path, "Broker", "ReconnectMax", "less than ReconnectMin", error);
	if (!cfg->prefix || !cfg->room || !cfg->discovery_prefix || !cfg->host ||
	    !cfg->client_id)
		return bad_value(path, "Topics", "Prefix, Room, DiscoveryPrefix, Host, ClientId",
				 "may not be empty", error);
	if (!topic_level_ok(cfg->room))
		return bad_value(path, "Topics", "Room", "may not hold '/', '+' or '#'", error);
	if (strpbrk(cfg->prefix, "+#") || strpbrk(cfg->discovery_prefix, "+#"))
		return bad_value(path, "Topics", "Prefix", "may not hold '+' or '#'", error);
	if ((cfg->cert_file == NULL) != (cfg->key_file == NULL))
		return bad_value(path, "Broker", "CertFile", "needs KeyFile, and the other way "
				 "round", error);
	if ((cfg->cert_file || cfg->key_file) && !cfg->ca_file)
		return bad_value(path, "Broker", "CertFile", "needs CAFile", error);
	if (password_file && !cfg->username)
		return bad_value(path, "Broker", "PasswordFile", "needs Username", error);
	if (password_file && !read_password(path, password_file, &cfg->password, error))
		return FALSE;
	return TRUE;
}

RmConfig *
rm_config_load(const char *path, GError **error)
{
	g_autoptr(RmConfig) cfg = g_new0(RmConfig, 1);
	g_autoptr(GKeyFile) kf = g_key_file_new();

	set_defaults(cfg);
	if (!path)
		return g_steal_pointer(&cfg);
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, error)) {
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	if (!load_keys(cfg, kf, path, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

void
rm_config_free(RmConfig *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->host);
	g_free(cfg->client_id);
	g_free(cfg->username);
	if (cfg->password)
		memset(cfg->password, 0, strlen(cfg->password));
	g_free(cfg->password);
	g_free(cfg->ca_file);
	g_free(cfg->cert_file);
	g_free(cfg->key_file);
	g_free(cfg->prefix);
	g_free(cfg->room);
	g_free(cfg->discovery_prefix);
	g_free(cfg->state_dir);
	g_free(cfg);
}
