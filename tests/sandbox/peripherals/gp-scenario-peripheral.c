/* gp-scenario-peripheral.c: the libgattperiph peripheral of the sandbox
 * scenarios. One profile covers every scenario; a central drives it by
 * writing commands to the control characteristic and reads its state from
 * the status characteristic (JSON).
 *
 *   gp-scenario-peripheral [--name gp-scenario]
 *
 * UUIDs are c0deXXXX-7000-4000-8000-000000000000 (U(n) below). U(0011)
 * reads where the application, advertisement and agent registrations stand
 * (JSON; registration-changed counts and times, for scenarios 50-55).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gattperiph.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define U(n) "c0de" n "-7000-4000-8000-000000000000"

/* What registration-changed told about one of the three registered
 * objects (scenarios 50-59: restarts, hotplug, untrusted callers). */
typedef struct
{
  GpRegistrationState  state;
  GpRegistrationReason reason;
  guint                registered;      /* transitions to REGISTERED */
  guint                lost;            /* transitions to LOST */
  gint64               registered_at;   /* g_get_monotonic_time() (CLOCK_MONOTONIC), µs */
  gint64               lost_at;
} Registration;

typedef struct
{
  GMainLoop        *loop;
  Registration      reg_app;
  Registration      reg_adv;
  Registration      reg_agent;
  GpApplication    *app;
  GpAdvertisement  *adv;
  GpAgent          *agent;
  GpCharacteristic *notify;
  GpCharacteristic *notify_fd;
  GpCharacteristic *indicate;
  GpCharacteristic *flood_target;
  guint32           counter;
  guint             burst_left;
  guint             indications_left;
  guint             indications_confirmed;
  guint             indications_failed;
  guint             sends_failed;
  guint             flood_source;
  gint64            flood_until;
  guint64           flood_sets;
  guint             peak_rss_kb;
  guint             connected;   /* centrals connected to the adapter */
  GBytes           *status;      /* the text a Read Blob sequence continues */
} Peripheral;

static guint
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? (guint) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static GBytes *
counter_bytes (guint32 n)
{
  guint8 v[4] = { n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >> 24 };
  return g_bytes_new (v, sizeof v);
}

/* ---- reads ---------------------------------------------------------- */

static gboolean
answer_deferred (gpointer data)
{
  g_autoptr(GpRequest) request = data;
  g_autoptr(GBytes) value = g_bytes_new_static ("deferred by 200 ms", 18);

  gp_request_return_value (request, value);
  return G_SOURCE_REMOVE;
}

static gboolean
on_deferred_read (GpAttribute *attr,
                  GpRequest   *request,
                  gpointer     data)
{
  g_timeout_add (200, answer_deferred, g_object_ref (request));
  return TRUE;
}

static gboolean
on_error_read (GpAttribute *attr,
               GpRequest   *request,
               gpointer     data)
{
  gp_request_return_att_error (request, 0x85);
  return TRUE;
}

static gboolean
on_rejected_write (GpAttribute *attr,
                   GpRequest   *request,
                   gpointer     data)
{
  gp_request_return_att_error (request, 0x86);
  return TRUE;
}

static const char *
nick (GType       type,
      int         value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  return v != NULL ? v->value_nick : "?";
}

static char *
registration_json (const Registration *r)
{
  return g_strdup_printf ("{\"state\": \"%s\", \"reason\": \"%s\", \"n\": %u, "
                          "\"lost\": %u, \"at\": %" G_GINT64_FORMAT ", "
                          "\"lost_at\": %" G_GINT64_FORMAT "}",
                          nick (GP_TYPE_REGISTRATION_STATE, r->state),
                          nick (GP_TYPE_REGISTRATION_REASON, r->reason),
                          r->registered, r->lost, r->registered_at, r->lost_at);
}

static void
on_registration_changed (GObject              *object,
                         GpRegistrationState   state,
                         GpRegistrationReason  reason,
                         gpointer              data)
{
  Registration *r = data;

  r->state = state;
  r->reason = reason;
  if (state == GP_REGISTRATION_STATE_REGISTERED)
    {
      r->registered++;
      r->registered_at = g_get_monotonic_time ();
    }
  else if (state == GP_REGISTRATION_STATE_LOST)
    {
      r->lost++;
      r->lost_at = g_get_monotonic_time ();
    }
  g_print ("registration: %s %s (%s) at %.3f\n", G_OBJECT_TYPE_NAME (object),
           nick (GP_TYPE_REGISTRATION_STATE, state), nick (GP_TYPE_REGISTRATION_REASON, reason),
           g_get_monotonic_time () / 1e6);
}

/* The registration characteristic: where the application, advertisement
 * and agent stand, as JSON (short keys: values stay under 512 bytes). */
static gboolean
on_registration_read (GpAttribute *attr,
                      GpRequest   *request,
                      gpointer     data)
{
  Peripheral *p = data;
  g_autofree char *reg_app = registration_json (&p->reg_app);
  g_autofree char *reg_adv = registration_json (&p->reg_adv);
  g_autofree char *reg_agent = registration_json (&p->reg_agent);
  char *json = g_strdup_printf ("{\"app\": %s, \"adv\": %s, \"agent\": %s, \"pid\": %d, "
                                "\"now\": %" G_GINT64_FORMAT ", \"rss_kb\": %u}",
                                reg_app, reg_adv, reg_agent, (int) getpid (),
                                g_get_monotonic_time (), rss_kb ());
  g_autoptr(GBytes) value = g_bytes_new_take (json, strlen (json));

  gp_request_return_value (request, value);
  return TRUE;
}

static gboolean
on_status_read (GpAttribute *attr,
                GpRequest   *request,
                gpointer     data)
{
  Peripheral *p = data;
  g_autofree char *json = NULL;

  /* A value longer than the MTU is read in pieces (Read Blob at growing
   * offsets): the pieces come from the text the first one was cut from,
   * else a counter changing between two pieces would mix two texts. */
  if (gp_request_get_offset (request) > 0 && p->status != NULL)
    {
      gp_request_return_value (request, p->status);
      return TRUE;
    }
  p->peak_rss_kb = MAX (p->peak_rss_kb, rss_kb ());
  json = g_strdup_printf ("{\"notifying\": %s, \"notifying_fd\": %s, \"indicating\": %s, "
                          "\"counter\": %u, \"burst_left\": %u, "
                          "\"confirmed\": %u, \"indications_failed\": %u, \"sends_failed\": %u, "
                          "\"coalesced\": %" G_GUINT64_FORMAT ", \"flood_sets\": %" G_GUINT64_FORMAT ", "
                          "\"flooding\": %s, \"rss_kb\": %u, \"peak_rss_kb\": %u}",
                          gp_characteristic_get_notifying (p->notify) ? "true" : "false",
                          gp_characteristic_get_notifying (p->notify_fd) ? "true" : "false",
                          gp_characteristic_get_notifying (p->indicate) ? "true" : "false",
                          p->counter, p->burst_left,
                          p->indications_confirmed, p->indications_failed, p->sends_failed,
                          gp_characteristic_get_coalesced (p->notify) +
                          gp_characteristic_get_coalesced (p->notify_fd),
                          p->flood_sets, p->flood_source != 0 ? "true" : "false",
                          rss_kb (), p->peak_rss_kb);
  g_clear_pointer (&p->status, g_bytes_unref);
  p->status = g_bytes_new_take (g_steal_pointer (&json), strlen (json));
  gp_request_return_value (request, p->status);
  return TRUE;
}

/* ---- notifications -------------------------------------------------- */

static void send_next_burst (Peripheral *p, GpCharacteristic *target);

static void
burst_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;

  if (!gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error))
    {
      g_printerr ("burst: %s\n", error->message);
      p->sends_failed++;
      p->burst_left = 0;
      return;
    }
  send_next_burst (p, GP_CHARACTERISTIC (source));
}

/* Every value delivered, in order: each send waits for the previous one. */
static void
send_next_burst (Peripheral       *p,
                 GpCharacteristic *target)
{
  g_autoptr(GBytes) value = NULL;

  if (p->burst_left == 0)
    return;
  p->burst_left--;
  value = counter_bytes (p->counter++);
  gp_characteristic_send_value_async (target, value, NULL, burst_sent, p);
}

/* As fast as the main loop goes: set_value() coalesces under pressure. */
static gboolean
flood_step (gpointer data)
{
  Peripheral *p = data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GBytes) value = counter_bytes (p->counter++);
      gp_attribute_set_value (GP_ATTRIBUTE (p->flood_target), value, NULL);
      p->flood_sets++;
    }
  p->peak_rss_kb = MAX (p->peak_rss_kb, rss_kb ());
  if (g_get_monotonic_time () < p->flood_until && gp_characteristic_get_notifying (p->flood_target))
    return G_SOURCE_CONTINUE;
  g_print ("flood: done, %" G_GUINT64_FORMAT " values set, %" G_GUINT64_FORMAT " coalesced\n",
           p->flood_sets, gp_characteristic_get_coalesced (p->flood_target));
  p->flood_source = 0;
  return G_SOURCE_REMOVE;
}

static void send_next_indication (Peripheral *p);

static void
indication_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;

  /* Completes when bluetoothd calls Confirm: the central confirmed. */
  if (gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error))
    p->indications_confirmed++;
  else
    {
      g_printerr ("indication: %s\n", error->message);
      p->indications_failed++;
    }
  send_next_indication (p);
}

static void
send_next_indication (Peripheral *p)
{
  g_autoptr(GBytes) value = NULL;

  if (p->indications_left == 0)
    return;
  p->indications_left--;
  value = counter_bytes (p->counter++);
  gp_characteristic_send_value_async (p->indicate, value, NULL, indication_done, p);
}

/* Commands: "burst N", "burst-fd N", "flood S", "flood-fd S",
 * "indicate N", "reset". */
static gboolean
on_control_write (GpAttribute *attr,
                  GpRequest   *request,
                  gpointer     data)
{
  Peripheral *p = data;
  GBytes *value = gp_request_get_value (request);
  g_autofree char *cmd = g_strndup (g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  g_auto(GStrv) words = g_strsplit (g_strstrip (cmd), " ", 2);
  guint n = words[0] != NULL && words[1] != NULL ? (guint) g_ascii_strtoull (words[1], NULL, 10) : 0;

  g_print ("control: %s\n", cmd);
  if (g_strcmp0 (words[0], "burst") == 0 || g_strcmp0 (words[0], "burst-fd") == 0)
    {
      p->counter = 0;
      p->burst_left = n;
      send_next_burst (p, strcmp (words[0], "burst") == 0 ? p->notify : p->notify_fd);
    }
  else if (g_strcmp0 (words[0], "flood") == 0 || g_strcmp0 (words[0], "flood-fd") == 0)
    {
      p->flood_target = strcmp (words[0], "flood") == 0 ? p->notify : p->notify_fd;
      p->flood_until = g_get_monotonic_time () + (gint64) n * G_USEC_PER_SEC;
      p->flood_sets = 0;
      if (p->flood_source == 0)
        p->flood_source = g_idle_add (flood_step, p);
    }
  else if (g_strcmp0 (words[0], "indicate") == 0)
    {
      p->indications_left = n;
      send_next_indication (p);
    }
  else
    {
      gp_request_return_error_literal (request, GP_ERROR_NOT_SUPPORTED, "unknown command");
      return TRUE;
    }
  gp_request_return_success (request);
  return TRUE;
}

/* ---- the profile ------------------------------------------------------ */

static GpCharacteristic *
chrc (GpService             *service,
      const char            *uuid,
      GpCharacteristicFlags  flags,
      const char            *value)
{
  g_autoptr(GError) error = NULL;
  GpCharacteristic *c = gp_characteristic_new (uuid, flags, &error);

  g_assert_no_error (error);
  if (value != NULL)
    gp_attribute_set_value_data (GP_ATTRIBUTE (c), (const guint8 *) value, strlen (value), &error);
  gp_service_add_characteristic (service, c, &error);
  g_assert_no_error (error);
  g_object_unref (c);   /* the service holds it */
  return c;
}

static void
build (Peripheral *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpService) main_svc = gp_service_new (U ("0000"), TRUE, &error);
  g_autoptr(GpService) secondary = gp_service_new (U ("0100"), FALSE, &error);
  g_autoptr(GpService) third = gp_service_new (U ("0200"), TRUE, &error);
  const GpCharacteristicFlags R = GP_CHARACTERISTIC_FLAGS_READ, W = GP_CHARACTERISTIC_FLAGS_WRITE;
  GpCharacteristic *c;
  guint8 pattern[300];

  g_assert_no_error (error);
  p->app = gp_application_new ("/org/gattperiph/scenario");

  chrc (main_svc, U ("0001"), R, "hello from libgattperiph");
  c = chrc (main_svc, U ("0002"), R, NULL);
  for (guint i = 0; i < sizeof pattern; i++)
    pattern[i] = (guint8) (i * 7 + 3);
  gp_attribute_set_value_data (GP_ATTRIBUTE (c), pattern, sizeof pattern, NULL);
  c = chrc (main_svc, U ("0003"), R, NULL);
  g_signal_connect (c, "read-request", G_CALLBACK (on_deferred_read), p);
  c = chrc (main_svc, U ("0004"), R, NULL);
  g_signal_connect (c, "read-request", G_CALLBACK (on_error_read), p);
  chrc (main_svc, U ("0005"), R | W, "initial");
  chrc (main_svc, U ("0006"), R | GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE, "initial");
  chrc (main_svc, U ("0007"), R | W, "long write target");
  c = chrc (main_svc, U ("0008"), W, NULL);
  g_signal_connect (c, "write-request", G_CALLBACK (on_rejected_write), p);
  /* The signal path (PropertiesChanged, the default), which scenarios 13,
   * 14, 19, 40 and 50 test; U(0010) is the same over an AcquireNotify
   * socket. */
  p->notify = chrc (main_svc, U ("0009"), R | GP_CHARACTERISTIC_FLAGS_NOTIFY, NULL);
  gp_characteristic_set_acquire_notify (p->notify, FALSE);
  c = chrc (main_svc, U ("000a"), W, NULL);
  g_signal_connect (c, "write-request", G_CALLBACK (on_control_write), p);
  c = chrc (main_svc, U ("000b"), R, NULL);
  g_signal_connect (c, "read-request", G_CALLBACK (on_status_read), p);
  p->indicate = chrc (main_svc, U ("000c"), GP_CHARACTERISTIC_FLAGS_INDICATE, NULL);
  c = chrc (main_svc, U ("000d"), R, "has descriptors");
  {
    g_autoptr(GpDescriptor) user = gp_descriptor_new_user_description ("Described characteristic", &error);
    g_autoptr(GpDescriptor) custom = gp_descriptor_new (U ("000e"), GP_DESCRIPTOR_FLAGS_READ |
                                                        GP_DESCRIPTOR_FLAGS_WRITE, &error);
    gp_attribute_set_value_data (GP_ATTRIBUTE (custom), (const guint8 *) "descriptor value", 16, &error);
    gp_characteristic_add_descriptor (c, user, &error);
    gp_characteristic_add_descriptor (c, custom, &error);
    g_assert_no_error (error);
  }
  chrc (main_svc, U ("000f"), GP_CHARACTERISTIC_FLAGS_ENCRYPT_READ, "secret after pairing");
  p->notify_fd = chrc (main_svc, U ("0010"), R | GP_CHARACTERISTIC_FLAGS_NOTIFY, NULL);
  gp_characteristic_set_acquire_notify (p->notify_fd, TRUE);
  c = chrc (main_svc, U ("0011"), R, NULL);
  g_signal_connect (c, "read-request", G_CALLBACK (on_registration_read), p);

  chrc (secondary, U ("0101"), R, "in the secondary service");
  chrc (third, U ("0201"), R, "in the including service");
  gp_service_add_include (third, secondary, &error);

  gp_application_add_service (p->app, main_svc, &error);
  gp_application_add_service (p->app, secondary, &error);
  gp_application_add_service (p->app, third, &error);
  g_assert_no_error (error);
}

static void
on_advertising (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;

  if (!gp_advertisement_start_finish (p->adv, result, &error))
    {
      g_printerr ("advertising: %s\n", error->message);
      g_main_loop_quit (p->loop);
      return;
    }
  g_print ("advertising\n");
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;

  if (!gp_application_register_finish (p->app, result, &error))
    {
      g_printerr ("register: %s\n", error->message);
      g_main_loop_quit (p->loop);
      return;
    }
  g_print ("registered\n");
  gp_advertisement_start_async (p->adv, gp_application_get_adapter (p->app), NULL, on_advertising, p);
}

/* btvirt's controllers stop advertising for good once a central connects:
 * start the advertisement again now and then for the next central. */
static void
readvertise_stopped (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Peripheral *p = data;

  gp_advertisement_stop_finish (p->adv, result, NULL);
  gp_advertisement_start_async (p->adv, gp_application_get_adapter (p->app), NULL, on_advertising, p);
}

/* Not while a central is connected: a call bluetoothd answers while its
 * client is finishing a central's discovery makes it send that central's
 * ServicesResolved before the characteristics' InterfacesAdded (gdbus's
 * g_dbus_flush() order), and bleak then lists no characteristic (seen in
 * scenarios 19 and 41). */
static gboolean
readvertise (gpointer data)
{
  Peripheral *p = data;

  if (p->connected == 0 && gp_advertisement_get_registered (p->adv))
    gp_advertisement_stop_async (p->adv, NULL, readvertise_stopped, p);
  return G_SOURCE_CONTINUE;
}

static void
on_device_connected (Peripheral *p)
{
  p->connected++;
}

static void
on_device_disconnected (Peripheral *p)
{
  if (p->connected > 0)
    p->connected--;
}

static void
on_adapter (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GpAdapter) adapter = gp_adapter_find_finish (result, &error);

  if (adapter == NULL)
    {
      g_printerr ("adapter: %s\n", error->message);
      g_main_loop_quit (p->loop);
      return;
    }
  g_signal_connect_swapped (adapter, "device-connected", G_CALLBACK (on_device_connected), p);
  g_signal_connect_swapped (adapter, "device-disconnected", G_CALLBACK (on_device_disconnected), p);
  gp_application_register_async (p->app, adapter, NULL, on_registered, p);
}

static void
on_agent (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!gp_agent_register_finish (GP_AGENT (source), result, &error))
    g_printerr ("agent: %s\n", error->message);
  else
    g_print ("agent registered (default, NoInputNoOutput)\n");
}

static gboolean
on_quit (gpointer data)
{
  g_main_loop_quit (((Peripheral *) data)->loop);
  return G_SOURCE_REMOVE;
}

static void
on_notifying (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  g_print ("%s notifying: %s\n", gp_attribute_get_uuid (GP_ATTRIBUTE (object)),
           gp_characteristic_get_notifying (GP_CHARACTERISTIC (object)) ? "yes" : "no");
}

int
main (int argc, char *argv[])
{
  Peripheral p = { 0 };
  g_autofree char *name = NULL;
  g_autofree char *adapter = g_strdup (g_getenv ("GP_SANDBOX_PERIPHERAL_ADAPTER"));
  gboolean agent = FALSE;
  int readvertise_s = 0;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Advertised name", "NAME" },
    { "readvertise", 0, 0, G_OPTION_ARG_INT, &readvertise_s,
      "Start advertising again every S seconds", "S" },
    { "agent", 0, 0, G_OPTION_ARG_NONE, &agent,
      "Register a NoInputNoOutput pairing agent (Just Works) as the default", NULL },
    { "adapter", 0, 0, G_OPTION_ARG_STRING, &adapter,
      "Adapter (default: $GP_SANDBOX_PERIPHERAL_ADAPTER, else the first)", "hciN" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);

  build (&p);
  g_signal_connect (p.notify, "notify::notifying", G_CALLBACK (on_notifying), NULL);
  g_signal_connect (p.notify_fd, "notify::notifying", G_CALLBACK (on_notifying), NULL);
  g_signal_connect (p.indicate, "notify::notifying", G_CALLBACK (on_notifying), NULL);

  g_signal_connect (p.app, "registration-changed", G_CALLBACK (on_registration_changed), &p.reg_app);

  p.adv = gp_advertisement_new ();
  g_signal_connect (p.adv, "registration-changed", G_CALLBACK (on_registration_changed), &p.reg_adv);
  gp_advertisement_set_local_name (p.adv, name != NULL ? name : "gp-scenario");
  gp_advertisement_set_service_uuids (p.adv, (const char *[]) { U ("0000"), NULL });

  p.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit, &p);
  g_unix_signal_add (SIGINT, on_quit, &p);
  if (readvertise_s > 0)
    g_timeout_add_seconds ((guint) readvertise_s, readvertise, &p);
  if (agent)
    {
      /* With its defaults, GpAgent accepts Just Works pairing. */
      p.agent = gp_agent_new (GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);
      g_signal_connect (p.agent, "registration-changed", G_CALLBACK (on_registration_changed), &p.reg_agent);
      gp_agent_register_async (p.agent, TRUE, NULL, on_agent, &p);
    }
  gp_adapter_find_async (NULL, adapter, NULL, on_adapter, &p);
  g_main_loop_run (p.loop);

  g_clear_handle_id (&p.flood_source, g_source_remove);
  g_clear_object (&p.adv);
  g_clear_object (&p.agent);
  g_clear_object (&p.app);
  g_clear_pointer (&p.status, g_bytes_unref);
  g_main_loop_unref (p.loop);
  return 0;
}
