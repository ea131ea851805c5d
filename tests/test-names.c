/* test-names.c — channel types by prefix, channel name rules, socket ids (pusher-protocol.md §5)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-names.h"

typedef struct
{
  const char      *name;
  CrierChannelType type;
  const char      *type_name;
} TypeCase;

/* Longest prefixes first; the full prefix, never an unanchored "cache-" (§5.1). */
static const TypeCase type_cases[] = {
  { "private-encrypted-cache-x", CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_ENCRYPTED | CRIER_CHANNEL_CACHE, "encrypted-cache" },
  { "private-encrypted-x", CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_ENCRYPTED, "encrypted" },
  { "private-cache-x", CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_CACHE, "private-cache" },
  { "private-x", CRIER_CHANNEL_PRIVATE, "private" },
  { "private-", CRIER_CHANNEL_PRIVATE, "private" },
  { "presence-cache-x", CRIER_CHANNEL_PRESENCE | CRIER_CHANNEL_CACHE, "presence-cache" },
  { "presence-x", CRIER_CHANNEL_PRESENCE, "presence" },
  { "cache-x", CRIER_CHANNEL_CACHE, "cache" },
  { "#server-to-user-1", CRIER_CHANNEL_SERVER_TO_USER, "server-to-user" },
  { "foo-cache-x", CRIER_CHANNEL_PUBLIC, "public" },
  { "foo-private-x", CRIER_CHANNEL_PUBLIC, "public" },
  { "privatex", CRIER_CHANNEL_PUBLIC, "public" },
  { "presencex", CRIER_CHANNEL_PUBLIC, "public" },
  { "cachex", CRIER_CHANNEL_PUBLIC, "public" },
  { "Private-x", CRIER_CHANNEL_PUBLIC, "public" },
  { "private-encryptedx", CRIER_CHANNEL_PRIVATE, "private" },
  { "presence-encrypted-x", CRIER_CHANNEL_PRESENCE, "presence" },
  { "orders", CRIER_CHANNEL_PUBLIC, "public" },
};

static void
test_type (gconstpointer data)
{
  const TypeCase  *c = data;
  CrierChannelType type = crier_channel_type_from_name (c->name);

  g_assert_cmphex (type, ==, c->type);
  g_assert_cmpstr (crier_channel_type_to_string (type), ==, c->type_name);
}

static void
test_needs_auth (void)
{
  g_assert_true (crier_channel_type_needs_auth (crier_channel_type_from_name ("private-a")));
  g_assert_true (crier_channel_type_needs_auth (crier_channel_type_from_name ("private-encrypted-a")));
  g_assert_true (crier_channel_type_needs_auth (crier_channel_type_from_name ("private-cache-a")));
  g_assert_true (crier_channel_type_needs_auth (crier_channel_type_from_name ("presence-a")));
  g_assert_true (crier_channel_type_needs_auth (crier_channel_type_from_name ("presence-cache-a")));
  g_assert_false (crier_channel_type_needs_auth (crier_channel_type_from_name ("a")));
  g_assert_false (crier_channel_type_needs_auth (crier_channel_type_from_name ("cache-a")));
  g_assert_false (crier_channel_type_needs_auth (crier_channel_type_from_name ("#server-to-user-1")));
}

typedef struct
{
  const char *name;
  unsigned    max_length;
  const char *message; /* NULL: valid */
} NameCase;

static const NameCase valid_cases[] = {
  { "a", 164, NULL },
  { "orders", 164, NULL },
  { "private-App.Models.User.1", 164, NULL },
  { "-_=@,.;", 164, NULL },
  { "ABCxyz0189", 164, NULL },
  { "presence-chat;room=1@a,b", 164, NULL },
  { "#server-to-user-1", 164, NULL },
  { "#server-to-user-a.b_c-d=e@f,g;h", 164, NULL },
  { "abc", 3, NULL },
};

static const NameCase invalid_cases[] = {
  { "", 164, "Invalid channel name ''" },
  { "foo bar", 164, "Invalid channel name 'foo bar'" },
  { "foo/bar", 164, "Invalid channel name 'foo/bar'" },
  { "foo:bar", 164, "Invalid channel name 'foo:bar'" },
  { "foo*", 164, "Invalid channel name 'foo*'" },
  { "caf\xc3\xa9", 164, "Invalid channel name 'caf\xc3\xa9'" },
  { "tab\there", 164, "Invalid channel name 'tab\there'" },
  { "#foo", 164, "Invalid channel name '#foo'" },
  { "private-a#b", 164, "Invalid channel name 'private-a#b'" },
  { "#server-to-user-", 164, "Invalid channel name '#server-to-user-'" },
  { "#server-to-user-a#b", 164, "Invalid channel name '#server-to-user-a#b'" },
  { "#server-to-user-a b", 164, "Invalid channel name '#server-to-user-a b'" },
  { "#Server-to-user-1", 164, "Invalid channel name '#Server-to-user-1'" },
  { "abcd", 3, "Channel name too long (max 3 characters)" },
};

static void
test_valid (gconstpointer data)
{
  const NameCase *c = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_channel_name_is_valid (c->name, c->max_length, &error));
  g_assert_no_error (error);
}

static void
test_invalid (gconstpointer data)
{
  const NameCase *c = data;
  g_autoptr (GError) error = NULL;

  g_assert_false (crier_channel_name_is_valid (c->name, c->max_length, &error));
  g_assert_error (error, CRIER_PROTOCOL_ERROR, 0);
  g_assert_cmpstr (error->message, ==, c->message);
  /* Without a GError too. */
  g_assert_false (crier_channel_name_is_valid (c->name, c->max_length, NULL));
}

/* 164 characters, prefix included, is Pusher's limit (§5.2). */
static void
test_length_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name164 = g_strnfill (164, 'a');
  g_autofree char *name165 = g_strnfill (165, 'a');
  g_autofree char *private164 = g_strconcat ("private-", name164 + 8, NULL);

  g_assert_cmpuint (strlen (private164), ==, 164);
  g_assert_true (crier_channel_name_is_valid (name164, 164, NULL));
  g_assert_true (crier_channel_name_is_valid (private164, 164, NULL));
  g_assert_false (crier_channel_name_is_valid (name165, 164, &error));
  g_assert_error (error, CRIER_PROTOCOL_ERROR, 0);
  g_assert_cmpstr (error->message, ==, "Channel name too long (max 164 characters)");
}

/* A NULL name is a client's missing channel, not a programming error. */
static void
test_null (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (crier_channel_name_is_valid (NULL, 164, &error));
  g_assert_error (error, CRIER_PROTOCOL_ERROR, 0);
}

typedef struct
{
  const char *socket_id;
  gboolean    valid;
} SocketCase;

/* `^\d+\.\d+$`, the form the SDKs insist on (§3). */
static const SocketCase socket_cases[] = {
  { "1234.1234", TRUE },
  { "208836.27464492", TRUE },
  { "1.2", TRUE },
  { "0.0", TRUE },
  { "", FALSE },
  { "1234", FALSE },
  { ".1234", FALSE },
  { "1234.", FALSE },
  { "1.2.3", FALSE },
  { "a.b", FALSE },
  { "1a.2", FALSE },
  { "1.2a", FALSE },
  { "-1.2", FALSE },
  { "1.-2", FALSE },
  { "+1.2", FALSE },
  { " 1.2", FALSE },
  { "1.2 ", FALSE },
  { "1.2\n", FALSE },
  { "1..2", FALSE },
};

static void
test_socket_id (gconstpointer data)
{
  const SocketCase *c = data;

  g_assert_cmpint (crier_socket_id_is_valid (c->socket_id), ==, c->valid);
}

static void
test_socket_id_null (void)
{
  g_assert_false (crier_socket_id_is_valid (NULL));
}

static char *
case_path (const char *prefix,
           guint       index,
           const char *name)
{
  g_autofree char *shown = g_strescape (name, NULL);

  /* Paths must stay readable and unique: index, then the escaped name. */
  g_strdelimit (shown, "/ ", '_');
  return g_strdup_printf ("%s/%02u-%s", prefix, index, shown);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    {
      g_autofree char *path = case_path ("/core/names/type", i, type_cases[i].name);

      g_test_add_data_func (path, &type_cases[i], test_type);
    }
  g_test_add_func ("/core/names/type/needs-auth", test_needs_auth);
  for (guint i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      g_autofree char *path = case_path ("/core/names/valid", i, valid_cases[i].name);

      g_test_add_data_func (path, &valid_cases[i], test_valid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path = case_path ("/core/names/invalid", i, invalid_cases[i].name);

      g_test_add_data_func (path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/core/names/length-limit", test_length_limit);
  g_test_add_func ("/core/names/null", test_null);
  for (guint i = 0; i < G_N_ELEMENTS (socket_cases); i++)
    {
      g_autofree char *path = case_path ("/core/names/socket-id", i, socket_cases[i].socket_id);

      g_test_add_data_func (path, &socket_cases[i], test_socket_id);
    }
  g_test_add_func ("/core/names/socket-id/null", test_socket_id_null);

  return g_test_run ();
}
