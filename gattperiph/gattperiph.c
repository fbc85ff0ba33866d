/* gattperiph: a virtual Bluetooth LE peripheral on the command line
 *
 *   gattperiph serve PROFILE.json       serve and advertise a profile, log every request
 *   gattperiph validate PROFILE.json    print every problem of a profile
 *   gattperiph clone ADDRESS -o FILE    read a real peripheral into a profile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-commands.h"
#include "gpt-behavior.h"

#include <locale.h>
#include <string.h>

static const struct {
  const char *name;
  int       (*main) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "serve", gpt_serve_main, "serve and advertise a profile, logging every request" },
  { "validate", gpt_validate_main, "check a profile and print every problem with its JSON path" },
  { "clone", gpt_clone_main, "connect to a peripheral and write its database and advertisement as a profile" },
};

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage:\n"
           "  gattperiph COMMAND [OPTION…]\n\n"
           "A virtual Bluetooth LE peripheral (GATT server) on BlueZ, described as a JSON profile.\n\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n\"gattperiph COMMAND --help\" describes a command's options; "
           "\"man gattperiph\" the profiles' behaviours.\n");
}

GOptionContext *
gpt_option_context (const char   *command,
                    const char   *parameter,
                    const char   *summary,
                    const char   *description,
                    GOptionEntry *entries)
{
  g_autofree char *prgname = g_strdup_printf ("gattperiph %s", command);
  GOptionContext *context = g_option_context_new (parameter);

  g_set_prgname (prgname);

  g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  return context;
}

/* Parses the options; @n_args positional arguments must remain (after the
 * command name). Prints the error and returns FALSE otherwise. */
gboolean
gpt_parse_options (GOptionContext   *context,
                   int              *argc,
                   char           ***argv,
                   int               n_args)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("gattperiph: %s\n", error->message);
      return FALSE;
    }
  if (*argc - 1 != n_args)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("gattperiph: %s\n%s", *argc - 1 < n_args ? "missing argument" : "too many arguments", help);
      return FALSE;
    }
  return TRUE;
}

/* Spins the default main context until @result is set by gpt_got_result():
 * a command-line program's way to run one async call at a time (the
 * context keeps dispatching, so BlueZ's calls back to us are answered). */
GAsyncResult *
gpt_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

void
gpt_got_result (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The system bus, once BlueZ is known to be there and to answer us: a
 * message that says what to do when it is not. */
GDBusConnection *
gpt_bluez_connect (GError **error)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean has_owner = FALSE;

  connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &local_error);
  if (connection == NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_READY,
                   "Cannot connect to the D-Bus system bus (%s): is dbus running?", local_error->message);
      return NULL;
    }
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.bluez"), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &local_error);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (!has_owner)
    {
      g_set_error_literal (error, GP_ERROR, GP_ERROR_NOT_READY,
                           "BlueZ is not running (nobody owns org.bluez on the system bus): "
                           "start it (sudo systemctl start bluetooth) or install it (apt install bluez)");
      return NULL;
    }
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (connection, "org.bluez", "/",
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &local_error);
  if (reply == NULL)
    {
      if (g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
        g_set_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                     "The D-Bus policy does not let this user talk to BlueZ (%s): run as a user "
                     "the policy allows (e.g. in the \"bluetooth\" group, or root), or install a "
                     "policy for this user (see docs/running-as-a-service.md)", local_error->message);
      else
        g_set_error (error, GP_ERROR, GP_ERROR_NOT_READY, "BlueZ does not answer: %s",
                     local_error->message);
      return NULL;
    }
  return g_steal_pointer (&connection);
}

/* The adapter @name (hci0, an address, a path; NULL: the first powered
 * one), powered on. */
GpAdapter *
gpt_find_adapter (GDBusConnection  *connection,
                  const char       *name,
                  GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GpAdapter) adapter = NULL;

  gp_adapter_find_async (connection, name, NULL, gpt_got_result, &result);
  adapter = gp_adapter_find_finish (gpt_wait (&result), error);
  if (adapter == NULL)
    return NULL;
  if (!gp_adapter_get_powered (adapter))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_READY,
                   "The Bluetooth adapter %s is powered off: turn it on "
                   "(bluetoothctl power on; check rfkill list)",
                   gp_adapter_get_interface_name (adapter));
      return NULL;
    }
  return g_steal_pointer (&adapter);
}

GpProfile *
gpt_load_profile (const char  *path,
                  GError     **error)
{
  g_autoptr(GpProfile) profile = gp_profile_new ();

  if (!gp_profile_load_from_file (profile, path, error))
    return NULL;
  return g_steal_pointer (&profile);
}

/* The problems of every characteristic's "behavior" member, as
 * "services[i].characteristics[j].behavior...: message". */
GPtrArray *
gpt_check_behaviors (GpProfile *profile)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  GpApplication *app = gp_profile_get_application (profile);
  g_autoptr(GList) services = app != NULL ? gp_application_get_services (app) : NULL;
  guint i = 0;

  for (GList *s = services; s != NULL; s = s->next, i++)
    {
      g_autoptr(GList) characteristics = gp_service_get_characteristics (s->data);
      guint j = 0;

      for (GList *c = characteristics; c != NULL; c = c->next, j++)
        {
          g_autofree char *path = g_strdup_printf ("services[%u].characteristics[%u].behavior", i, j);

          gpt_behavior_check (profile, c->data, path, problems);
        }
    }
  return problems;
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      usage (stderr);
      return GPT_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return GPT_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("gattperiph %d.%d.%d\n", GP_MAJOR_VERSION, GP_MINOR_VERSION, GP_MICRO_VERSION);
      return GPT_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].main (argc - 1, argv + 1);
  g_printerr ("gattperiph: unknown command “%s”\n\n", argv[1]);
  usage (stderr);
  return GPT_EXIT_USAGE;
}
