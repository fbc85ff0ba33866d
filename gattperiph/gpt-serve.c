/* gpt-serve.c: `gattperiph serve PROFILE.json`
 *
 * Loads the profile, serves every characteristic as its "behavior" says,
 * registers the application, the advertisement and the agent (when the
 * profile has them) with BlueZ, and logs every request until SIGINT or
 * SIGTERM, when it unregisters them all. --sandbox runs the same command
 * in the virtual Bluetooth sandbox of a source tree, with a central that
 * shows what it finds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-commands.h"
#include "gpt-behavior.h"
#include "gpt-log.h"

#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  GpProfile  *profile;
  GptLog     *log;
  GPtrArray  *behaviors;
  GpAdapter  *adapter;
  GMainLoop  *loop;
  gint        passkey;          /* for agent passkey requests; -1: refuse */
  guint       signals_seen;
} Serve;

static void
log_device (Serve      *serve,
            const char *event,
            GpDevice   *device,
            const char *message)
{
  GptEvent e = GPT_EVENT_INIT;

  e.event = event;
  e.central = device != NULL ? gp_device_get_address (device) : NULL;
  e.message = message;
  gpt_log_emit (serve->log, &e);
}

static void
on_device_connected (GpAdapter *adapter,
                     GpDevice  *device,
                     gpointer   user_data)
{
  log_device (user_data, "connect", device, gp_device_get_alias (device));
}

static void
on_device_disconnected (GpAdapter *adapter,
                        GpDevice  *device,
                        gpointer   user_data)
{
  log_device (user_data, "disconnect", device, NULL);
}

static void
on_registration_changed (GObject             *object,
                         GpRegistrationState  state,
                         GpRegistrationReason reason,
                         gpointer             user_data)
{
  Serve *serve = user_data;
  g_autoptr(GEnumClass) states = g_type_class_ref (GP_TYPE_REGISTRATION_STATE);
  g_autoptr(GEnumClass) reasons = g_type_class_ref (GP_TYPE_REGISTRATION_REASON);
  const char *what = GP_IS_APPLICATION (object) ? "application"
                     : GP_IS_ADVERTISEMENT (object) ? "advertisement" : "agent";

  /* The requested changes are logged where they are made. */
  if (reason == GP_REGISTRATION_REASON_REQUESTED)
    return;
  gpt_log_message (serve->log, "registration", "%s %s (%s)", what,
                   g_enum_get_value (states, (gint) state)->value_nick,
                   g_enum_get_value (reasons, (gint) reason)->value_nick);
}

/* ---- the agent: accepts what needs no input, logs what it shows ------------ */

static gboolean
on_pairing_accept (GpAgent          *agent,
                   GpPairingRequest *request,
                   gpointer          user_data)
{
  Serve *serve = user_data;
  g_autofree char *message = NULL;

  if (gp_pairing_request_get_kind (request) == GP_PAIRING_KIND_REQUEST_CONFIRMATION)
    message = g_strdup_printf ("confirm passkey %06u: accepted", gp_pairing_request_get_passkey (request));
  else if (gp_pairing_request_get_kind (request) == GP_PAIRING_KIND_AUTHORIZE_SERVICE)
    message = g_strdup_printf ("service %s authorized", gp_pairing_request_get_uuid (request));
  else
    message = g_strdup ("accepted");
  log_device (serve, "pairing", gp_pairing_request_get_device (request), message);
  gp_pairing_request_accept (request);
  return TRUE;
}

static gboolean
on_request_passkey (GpAgent          *agent,
                    GpPairingRequest *request,
                    gpointer          user_data)
{
  Serve *serve = user_data;

  if (serve->passkey < 0)
    {
      log_device (serve, "pairing", gp_pairing_request_get_device (request),
                  "passkey asked: refused (give one with --passkey)");
      gp_pairing_request_reject (request);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("passkey asked: answered %06d", serve->passkey);

      log_device (serve, "pairing", gp_pairing_request_get_device (request), message);
      gp_pairing_request_return_passkey (request, (guint32) serve->passkey);
    }
  return TRUE;
}

static void
on_display_passkey (GpAgent  *agent,
                    GpDevice *device,
                    guint     passkey,
                    guint     entered,
                    gpointer  user_data)
{
  g_autofree char *message = g_strdup_printf ("passkey %06u (type it on the central)", passkey);

  log_device (user_data, "pairing", device, message);
}

static void
setup_agent (Serve   *serve,
             GpAgent *agent)
{
  g_signal_connect (agent, "handle-request-confirmation", G_CALLBACK (on_pairing_accept), serve);
  g_signal_connect (agent, "handle-request-authorization", G_CALLBACK (on_pairing_accept), serve);
  g_signal_connect (agent, "handle-authorize-service", G_CALLBACK (on_pairing_accept), serve);
  g_signal_connect (agent, "handle-display-pin-code", G_CALLBACK (on_pairing_accept), serve);
  g_signal_connect (agent, "handle-request-passkey", G_CALLBACK (on_request_passkey), serve);
  g_signal_connect (agent, "display-passkey", G_CALLBACK (on_display_passkey), serve);
  g_signal_connect (agent, "registration-changed", G_CALLBACK (on_registration_changed), serve);
}

/* ---- behaviours ------------------------------------------------------------- */

static gboolean
add_behavior (Serve        *serve,
              GpAttribute  *attribute,
              JsonNode     *value_template,
              GError      **error)
{
  GptBehavior *behavior = gpt_behavior_new (serve->profile, attribute, value_template, serve->log, error);

  if (behavior == NULL)
    return FALSE;
  g_ptr_array_add (serve->behaviors, behavior);
  return TRUE;
}

static gboolean
setup_behaviors (Serve   *serve,
                 GError **error)
{
  GpApplication *app = gp_profile_get_application (serve->profile);
  g_autoptr(GList) services = gp_application_get_services (app);

  for (GList *s = services; s != NULL; s = s->next)
    {
      g_autoptr(GList) characteristics = gp_service_get_characteristics (s->data);

      for (GList *c = characteristics; c != NULL; c = c->next)
        {
          g_autoptr(GList) descriptors = gp_characteristic_get_descriptors (c->data);
          /* The value as the profile writes it, to log values its way. */
          JsonNode *value = gp_profile_get_member (serve->profile, c->data, "value");

          if (!add_behavior (serve, c->data, value, error))
            return FALSE;
          for (GList *d = descriptors; d != NULL; d = d->next)
            if (!add_behavior (serve, d->data, gp_profile_get_member (serve->profile, d->data, "value"), error))
              return FALSE;
        }
    }
  return TRUE;
}

/* ---- start and stop ------------------------------------------------------------ */

static gboolean
on_quit_signal (gpointer user_data)
{
  Serve *serve = user_data;

  if (++serve->signals_seen > 1)
    {
      /* A second Ctrl-C: leave without waiting for BlueZ. */
      g_printerr ("gattperiph: interrupted again, leaving at once\n");
      exit (GPT_EXIT_FAILED);
    }
  g_main_loop_quit (serve->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
start (Serve   *serve,
       GError **error)
{
  GpApplication *app = gp_profile_get_application (serve->profile);
  GpAdvertisement *ad = gp_profile_get_advertisement (serve->profile);
  GpAgent *agent = gp_profile_get_agent (serve->profile);
  g_autoptr(GAsyncResult) result = NULL;

  g_signal_connect (app, "registration-changed", G_CALLBACK (on_registration_changed), serve);
  gp_application_register_async (app, serve->adapter, NULL, gpt_got_result, &result);
  if (!gp_application_register_finish (app, gpt_wait (&result), error))
    {
      g_prefix_error (error, "Registering the GATT application with BlueZ failed: ");
      return FALSE;
    }
  gpt_log_message (serve->log, "registered", "GATT application %s on %s (%s)",
                   gp_application_get_object_path (app), gp_adapter_get_interface_name (serve->adapter),
                   gp_adapter_get_address (serve->adapter));

  if (agent != NULL)
    {
      g_autoptr(GEnumClass) capabilities = g_type_class_ref (GP_TYPE_AGENT_CAPABILITY);

      setup_agent (serve, agent);
      g_clear_object (&result);
      gp_agent_register_async (agent, TRUE, NULL, gpt_got_result, &result);
      if (!gp_agent_register_finish (agent, gpt_wait (&result), error))
        {
          g_prefix_error (error, "Registering the pairing agent failed: ");
          return FALSE;
        }
      gpt_log_message (serve->log, "agent", "pairing agent registered (%s)",
                       g_enum_get_value (capabilities, (gint) gp_agent_get_capability (agent))->value_nick);
    }

  if (ad != NULL)
    {
      g_signal_connect (ad, "registration-changed", G_CALLBACK (on_registration_changed), serve);
      g_clear_object (&result);
      gp_advertisement_start_async (ad, serve->adapter, NULL, gpt_got_result, &result);
      if (!gp_advertisement_start_finish (ad, gpt_wait (&result), error))
        {
          g_prefix_error (error, "Advertising failed: ");
          return FALSE;
        }
      if (gp_advertisement_get_local_name (ad) != NULL)
        gpt_log_message (serve->log, "advertising", "as \"%s\"", gp_advertisement_get_local_name (ad));
      else
        gpt_log_message (serve->log, "advertising", "%u bytes of advertising data",
                         gp_advertisement_get_data_length (ad));
    }
  return TRUE;
}

/* Unregisters what start() registered, whatever state it reached. */
static void
stop (Serve *serve)
{
  GpApplication *app = gp_profile_get_application (serve->profile);
  GpAdvertisement *ad = gp_profile_get_advertisement (serve->profile);
  GpAgent *agent = gp_profile_get_agent (serve->profile);
  g_autoptr(GError) error = NULL;

  if (ad != NULL && gp_advertisement_get_registration_state (ad) != GP_REGISTRATION_STATE_UNREGISTERED)
    {
      g_autoptr(GAsyncResult) result = NULL;

      gp_advertisement_set_auto_register (ad, FALSE);
      gp_advertisement_stop_async (ad, NULL, gpt_got_result, &result);
      if (!gp_advertisement_stop_finish (ad, gpt_wait (&result), &error))
        gpt_log_message (serve->log, "error", "stopping the advertisement: %s", error->message);
      g_clear_error (&error);
    }
  if (agent != NULL && gp_agent_get_registration_state (agent) != GP_REGISTRATION_STATE_UNREGISTERED)
    {
      g_autoptr(GAsyncResult) result = NULL;

      gp_agent_set_auto_register (agent, FALSE);
      gp_agent_unregister_async (agent, NULL, gpt_got_result, &result);
      if (!gp_agent_unregister_finish (agent, gpt_wait (&result), &error))
        gpt_log_message (serve->log, "error", "unregistering the agent: %s", error->message);
      g_clear_error (&error);
    }
  if (app != NULL && gp_application_get_registration_state (app) != GP_REGISTRATION_STATE_UNREGISTERED)
    {
      g_autoptr(GAsyncResult) result = NULL;

      gp_application_set_auto_register (app, FALSE);
      gp_application_unregister_async (app, NULL, gpt_got_result, &result);
      if (!gp_application_unregister_finish (app, gpt_wait (&result), &error))
        gpt_log_message (serve->log, "error", "unregistering the application: %s", error->message);
      g_clear_error (&error);
    }
}

/* ---- --sandbox ------------------------------------------------------------------- */

/* The source tree this gattperiph was built from, if it runs from its
 * build tree (or $GP_SOURCE_DIR). */
static char *
find_source_tree (void)
{
  const char *env = g_getenv ("GP_SOURCE_DIR");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL)
    return g_strdup (env);
#if defined(GPT_SOURCE_DIR) && defined(GPT_BUILD_DIR)
  if (exe != NULL && g_str_has_prefix (exe, GPT_BUILD_DIR "/"))
    return g_strdup (GPT_SOURCE_DIR);
#endif
  return NULL;
}

static int
run_in_sandbox (const char *profile_path,
                GpProfile  *profile,
                const char *bluez,
                int         duration,
                gboolean    json_log)
{
  g_autofree char *source = find_source_tree ();
  g_autofree char *sandbox = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *absolute = g_canonicalize_filename (profile_path, NULL);
  g_autofree char *profile_dir = g_path_get_dirname (absolute);
  g_autofree char *quoted_exe = NULL;
  g_autofree char *quoted_profile = NULL;
  g_autofree char *peripheral = NULL;
  g_autofree char *duration_text = g_strdup_printf ("%d", duration);
  GpAdvertisement *ad = gp_profile_get_advertisement (profile);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  if (source != NULL)
    sandbox = g_build_filename (source, "tests", "sandbox", "gp-sandbox", NULL);
  if (sandbox == NULL || exe == NULL || !g_file_test (sandbox, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("gattperiph: --sandbox runs the virtual Bluetooth sandbox of a libgattperiph "
                  "source tree (tests/sandbox/gp-sandbox), and this gattperiph is not the one of a "
                  "build tree: run build/gattperiph/gattperiph from a source checkout, or set "
                  "GP_SOURCE_DIR to one\n");
      return GPT_EXIT_FAILED;
    }
  if (ad == NULL)
    {
      g_printerr ("gattperiph: --sandbox needs a profile with an advertisement (the central finds the peripheral by it)\n");
      return GPT_EXIT_FAILED;
    }
  quoted_exe = g_shell_quote (exe);
  quoted_profile = g_shell_quote (absolute);
  peripheral = g_strdup_printf ("%s serve --adapter hci0%s %s", quoted_exe,
                                json_log ? " --json-log" : "", quoted_profile);

  g_ptr_array_add (args, sandbox);
  if (bluez != NULL)
    {
      g_ptr_array_add (args, (char *) "--bluez");
      g_ptr_array_add (args, (char *) bluez);
      g_ptr_array_add (args, (char *) "--host-path");
      g_ptr_array_add (args, profile_dir);
    }
  g_ptr_array_add (args, (char *) "peripheral");
  g_ptr_array_add (args, (char *) "--peripheral");
  g_ptr_array_add (args, peripheral);
  g_ptr_array_add (args, (char *) "--duration");
  g_ptr_array_add (args, duration_text);
  if (gp_advertisement_get_local_name (ad) != NULL)
    {
      g_ptr_array_add (args, (char *) "--name");
      g_ptr_array_add (args, (char *) gp_advertisement_get_local_name (ad));
    }
  g_ptr_array_add (args, NULL);
  g_setenv ("GP_SOURCE_DIR", source, TRUE);
  g_printerr ("gattperiph: starting the sandbox (a qemu guest with bluetoothd%s%s, this "
              "peripheral on hci0 and a bleak central on hci1 that prints what it finds)\n",
              bluez != NULL ? " " : "", bluez != NULL ? bluez : "");
  execv (sandbox, (char **) args->pdata);
  g_printerr ("gattperiph: cannot run %s: %s\n", sandbox, g_strerror (errno));
  return GPT_EXIT_FAILED;
}

/* ---- main ---------------------------------------------------------------------------- */

int
gpt_serve_main (int    argc,
                char **argv)
{
  g_autofree char *adapter_name = NULL;
  g_autofree char *bluez = NULL;
  gboolean json_log = FALSE;
  gboolean sandbox = FALSE;
  int passkey = -1;
  int duration = 20;
  GOptionEntry entries[] = {
    { "adapter", 'a', 0, G_OPTION_ARG_STRING, &adapter_name,
      "Adapter to serve on (hci0, an address; default: the first powered one)", "NAME" },
    { "json-log", 'j', 0, G_OPTION_ARG_NONE, &json_log,
      "Log one JSON object per line instead of text", NULL },
    { "passkey", 0, 0, G_OPTION_ARG_INT, &passkey,
      "Passkey the agent answers when BlueZ asks for one (default: refuse)", "NUMBER" },
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &sandbox,
      "Serve in the virtual Bluetooth sandbox (a qemu guest with a real bluetoothd) with a "
      "central that prints what it finds (from a source tree only)", NULL },
    { "bluez", 0, 0, G_OPTION_ARG_STRING, &bluez,
      "With --sandbox: the bluetoothd release (5.66 or 5.82; default: this machine's)", "VERSION" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &duration,
      "With --sandbox: seconds the central listens (default 20)", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    gpt_option_context ("serve", "PROFILE.json",
                        "Registers the profile's GATT application, advertisement and agent with "
                        "BlueZ, serves each characteristic as its \"behavior\" member says, and "
                        "logs every request (time, central, operation, characteristic, offset, "
                        "value as hex and typed) until Ctrl-C, which unregisters them.",
                        "Behaviours: docs/gattperiph.md or gattperiph(1).", entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GpProfile) profile = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GptLog) log = NULL;
  Serve serve = { 0 };
  int status = GPT_EXIT_OK;
  guint sigint, sigterm;

  if (!gpt_parse_options (context, &argc, &argv, 1))
    return GPT_EXIT_USAGE;
  if (passkey > 999999)
    {
      g_printerr ("gattperiph: --passkey must be from 0 to 999999\n");
      return GPT_EXIT_USAGE;
    }
  if (duration < 1)
    {
      g_printerr ("gattperiph: --duration must be at least 1\n");
      return GPT_EXIT_USAGE;
    }

  profile = gpt_load_profile (argv[1], &error);
  if (profile == NULL)
    {
      g_printerr ("gattperiph: %s: %s\n", argv[1], error->message);
      return GPT_EXIT_FAILED;
    }
  problems = gpt_check_behaviors (profile);
  if (problems->len > 0)
    {
      for (guint i = 0; i < problems->len; i++)
        g_printerr ("%s: %s\n", argv[1], (char *) problems->pdata[i]);
      return GPT_EXIT_FAILED;
    }
  if (gp_profile_get_application (profile) == NULL)
    {
      g_printerr ("gattperiph: %s: the profile has no GATT application\n", argv[1]);
      return GPT_EXIT_FAILED;
    }
  if (sandbox)
    return run_in_sandbox (argv[1], profile, bluez, duration, json_log);

  connection = gpt_bluez_connect (&error);
  if (connection == NULL)
    {
      g_printerr ("gattperiph: %s\n", error->message);
      return GPT_EXIT_FAILED;
    }

  log = gpt_log_new (stdout, json_log);
  serve.profile = profile;
  serve.log = log;
  serve.passkey = passkey;
  serve.behaviors = g_ptr_array_new_with_free_func ((GDestroyNotify) gpt_behavior_free);
  serve.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_quit_signal, &serve);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, &serve);

  serve.adapter = gpt_find_adapter (connection, adapter_name, &error);
  if (serve.adapter == NULL || !setup_behaviors (&serve, &error))
    {
      g_printerr ("gattperiph: %s\n", error->message);
      status = GPT_EXIT_FAILED;
      goto out;
    }
  g_signal_connect (serve.adapter, "device-connected", G_CALLBACK (on_device_connected), &serve);
  g_signal_connect (serve.adapter, "device-disconnected", G_CALLBACK (on_device_disconnected), &serve);

  if (!start (&serve, &error))
    {
      g_printerr ("gattperiph: %s\n", error->message);
      status = GPT_EXIT_FAILED;
    }
  else if (serve.signals_seen == 0)
    {
      gpt_log_message (log, "ready", "serving %s; Ctrl-C stops", argv[1]);
      g_main_loop_run (serve.loop);
    }
  stop (&serve);
  gpt_log_message (log, "stopped", "unregistered from BlueZ");

out:
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_pointer (&serve.behaviors, g_ptr_array_unref);
  if (serve.adapter != NULL)
    g_signal_handlers_disconnect_by_data (serve.adapter, &serve);
  g_clear_object (&serve.adapter);
  g_clear_pointer (&serve.loop, g_main_loop_unref);
  return status;
}
