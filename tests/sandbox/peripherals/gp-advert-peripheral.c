/* gp-advert-peripheral.c: the libgattperiph peripheral of the sandbox
 * scenarios 2x (advertisements, connection events, pairing methods).
 *
 *   gp-advert-peripheral --mode MODE [options]
 *
 * Modes:
 *   fields-a  one advert: local name, a 16-bit and a 128-bit service UUID,
 *             Includes tx-power
 *   fields-b  one advert: local name, manufacturer data of two companies,
 *             service data, appearance (with fields-a: every field; 31 bytes
 *             do not hold them all in one advert)
 *   two       two adverts at once, "gp-adv-one" and "gp-adv-two"
 *   change    one advert "gp-before" (manufacturer data 0xffff: 01); when
 *             --trigger FILE appears it becomes "gp-after" (0xffff: 02)
 *             while it stays active
 *   events    one advert "gp-events"; logs the adapter's device-connected /
 *             device-disconnected signals
 *   pair      like events, plus a GpAgent with --capability registered as
 *             the default agent; logs every request it gets; --reject
 *             refuses them all, --passkey N answers RequestPasskey,
 *             --passkey-file FILE receives the passkey it is told to show,
 *             --passkey-from FILE: RequestPasskey is answered later, with
 *             the passkey FILE holds once it appears (what the central shows)
 *
 * Every mode also serves a GATT service c0de2000-... with a readable
 * characteristic c0de2001-... whose value is a JSON object with the events
 * seen so far: {"events": [{"event", "address", "connected"}], "agent":
 * [{"request", "address", "passkey"}]}. After a disconnection the adverts
 * start again (btvirt's controllers stop advertising once a central
 * connects).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gattperiph.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define U(n) "c0de" n "-7000-4000-8000-000000000000"

typedef struct
{
  GMainLoop       *loop;
  GpApplication   *app;
  GpAdapter       *adapter;
  GPtrArray       *adverts;
  GpAgent         *agent;
  GPtrArray       *events;    /* JSON objects (strings) */
  GPtrArray       *requests;  /* JSON objects (strings) */
  char            *mode;
  char            *trigger;
  char            *passkey_file;
  char            *passkey_from;
  gboolean         reject;
  guint32          passkey;
  gboolean         changed;
} Peripheral;

static GpAdvertisement *
advert (Peripheral *p,
        const char *name)
{
  GpAdvertisement *adv = gp_advertisement_new ();

  gp_advertisement_set_local_name (adv, name);
  g_ptr_array_add (p->adverts, adv);
  return adv;
}

static void
set_mfr (GpAdvertisement *adv,
         guint16          company,
         const char      *data,
         gsize            len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  gp_advertisement_set_manufacturer_data (adv, company, bytes);
}

static gboolean
build_adverts (Peripheral *p)
{
  GpAdvertisement *adv;

  if (g_strcmp0 (p->mode, "fields-a") == 0)
    {
      adv = advert (p, "gp-fields-a");
      gp_advertisement_set_service_uuids (adv, (const char *[]) { "180d", U ("2000"), NULL });
      gp_advertisement_set_includes (adv, GP_ADVERTISEMENT_INCLUDES_TX_POWER);
    }
  else if (g_strcmp0 (p->mode, "fields-b") == 0)
    {
      g_autoptr(GBytes) sd = g_bytes_new ("\x64", 1);

      adv = advert (p, "gp-fields-b");
      set_mfr (adv, 0xffff, "\x01\x02\x03", 3);
      set_mfr (adv, 0x0059, "\x04\x05", 2);
      gp_advertisement_set_service_data (adv, "180f", sd);
      gp_advertisement_set_appearance (adv, 0x0340);
    }
  else if (g_strcmp0 (p->mode, "two") == 0)
    {
      advert (p, "gp-adv-one");
      advert (p, "gp-adv-two");
    }
  else if (g_strcmp0 (p->mode, "change") == 0)
    {
      adv = advert (p, "gp-before");
      set_mfr (adv, 0xffff, "\x01", 1);
    }
  else if (g_strcmp0 (p->mode, "events") == 0 || g_strcmp0 (p->mode, "pair") == 0)
    {
      adv = advert (p, "gp-events");
      gp_advertisement_set_service_uuids (adv, (const char *[]) { U ("2000"), NULL });
    }
  else
    {
      g_printerr ("unknown mode %s\n", p->mode);
      return FALSE;
    }
  for (guint i = 0; i < p->adverts->len; i++)
    {
      g_autoptr(GError) error = NULL;

      adv = p->adverts->pdata[i];
      if (!gp_advertisement_check (adv, &error))
        {
          g_printerr ("advert %s: %s\n", gp_advertisement_get_local_name (adv), error->message);
          return FALSE;
        }
      g_print ("advert %s: %u bytes of advertising data\n",
               gp_advertisement_get_local_name (adv), gp_advertisement_get_data_length (adv));
    }
  return TRUE;
}

/* ---- the info characteristic ----------------------------------------- */

static char *
json_list (GPtrArray *items)
{
  g_autoptr(GString) s = g_string_new ("[");

  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", (char *) items->pdata[i]);
  g_string_append_c (s, ']');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
on_info_read (GpAttribute *attr,
              GpRequest   *request,
              gpointer     data)
{
  Peripheral *p = data;
  g_autofree char *events = json_list (p->events);
  g_autofree char *requests = json_list (p->requests);
  g_autofree char *json = g_strdup_printf ("{\"events\": %s, \"agent\": %s}", events, requests);
  g_autoptr(GBytes) value = g_bytes_new (json, strlen (json));

  gp_request_return_value (request, value);
  return TRUE;
}

static void
build_app (Peripheral *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GpService) svc = gp_service_new (U ("2000"), TRUE, &error);
  g_autoptr(GpCharacteristic) info = NULL;

  g_assert_no_error (error);
  info = gp_characteristic_new (U ("2001"), GP_CHARACTERISTIC_FLAGS_READ, &error);
  g_assert_no_error (error);
  g_signal_connect (info, "read-request", G_CALLBACK (on_info_read), p);
  gp_service_add_characteristic (svc, info, &error);
  g_assert_no_error (error);
  p->app = gp_application_new ("/org/gattperiph/advert");
  gp_application_add_service (p->app, svc, &error);
  g_assert_no_error (error);
}

/* ---- advertising ------------------------------------------------------ */

static void
on_advertising (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Peripheral *p = data;
  GpAdvertisement *adv = GP_ADVERTISEMENT (source);
  g_autoptr(GError) error = NULL;

  if (!gp_advertisement_start_finish (adv, result, &error))
    {
      g_printerr ("advertising %s: %s\n", gp_advertisement_get_local_name (adv), error->message);
      g_main_loop_quit (p->loop);
      return;
    }
  g_print ("advertising %s\n", gp_advertisement_get_local_name (adv));
}

static void
start_adverts (Peripheral *p)
{
  for (guint i = 0; i < p->adverts->len; i++)
    gp_advertisement_start_async (p->adverts->pdata[i], p->adapter, NULL, on_advertising, p);
}

static void
readvertise_stopped (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Peripheral *p = data;

  gp_advertisement_stop_finish (GP_ADVERTISEMENT (source), result, NULL);
  gp_advertisement_start_async (GP_ADVERTISEMENT (source), p->adapter, NULL, on_advertising, p);
}

static void
readvertise (Peripheral *p)
{
  for (guint i = 0; i < p->adverts->len; i++)
    {
      GpAdvertisement *adv = p->adverts->pdata[i];

      if (gp_advertisement_get_registered (adv))
        gp_advertisement_stop_async (adv, NULL, readvertise_stopped, p);
      else
        gp_advertisement_start_async (adv, p->adapter, NULL, on_advertising, p);
    }
}

static gboolean
watch_trigger (gpointer data)
{
  Peripheral *p = data;
  GpAdvertisement *adv;

  if (p->changed || !g_file_test (p->trigger, G_FILE_TEST_EXISTS))
    return G_SOURCE_CONTINUE;
  adv = p->adverts->pdata[0];
  if (!gp_advertisement_get_registered (adv))
    return G_SOURCE_CONTINUE;
  p->changed = TRUE;
  /* Changed while active: the library sends the changes itself. */
  gp_advertisement_set_local_name (adv, "gp-after");
  set_mfr (adv, 0xffff, "\x02", 1);
  g_print ("changed: gp-after, 0xffff: 02 (active: %s)\n",
           gp_advertisement_get_registered (adv) ? "yes" : "no");
  return G_SOURCE_REMOVE;
}

static void
on_update_failed (GpAdvertisement *adv,
                  GError          *error,
                  gpointer         data)
{
  g_printerr ("update-failed: %s\n", error != NULL ? error->message : "?");
}

/* ---- connection events -------------------------------------------------- */

static void
record_event (Peripheral *p,
              const char *what,
              GpDevice   *device)
{
  g_ptr_array_add (p->events,
                   g_strdup_printf ("{\"event\": \"%s\", \"address\": \"%s\", \"connected\": %s}",
                                    what, gp_device_get_address (device),
                                    gp_device_get_connected (device) ? "true" : "false"));
  g_print ("%s: %s (Device1.Connected=%s, %s)\n", what, gp_device_get_address (device),
           gp_device_get_connected (device) ? "true" : "false",
           gp_device_get_object_path (device));
}

static void
on_device_connected (GpAdapter *adapter,
                     GpDevice  *device,
                     gpointer   data)
{
  record_event (data, "device-connected", device);
}

static void
on_device_disconnected (GpAdapter *adapter,
                        GpDevice  *device,
                        gpointer   data)
{
  record_event (data, "device-disconnected", device);
  readvertise (data);
}

/* ---- pairing agent -------------------------------------------------------- */

static const char *
kind_name (GpPairingKind kind)
{
  switch (kind)
    {
    case GP_PAIRING_KIND_REQUEST_PIN_CODE: return "RequestPinCode";
    case GP_PAIRING_KIND_DISPLAY_PIN_CODE: return "DisplayPinCode";
    case GP_PAIRING_KIND_REQUEST_PASSKEY: return "RequestPasskey";
    case GP_PAIRING_KIND_REQUEST_CONFIRMATION: return "RequestConfirmation";
    case GP_PAIRING_KIND_REQUEST_AUTHORIZATION: return "RequestAuthorization";
    case GP_PAIRING_KIND_AUTHORIZE_SERVICE: return "AuthorizeService";
    default: return "?";
    }
}

static void
record_request (Peripheral *p,
                const char *what,
                GpDevice   *device,
                guint32     passkey)
{
  const char *address = device != NULL ? gp_device_get_address (device) : "";

  g_ptr_array_add (p->requests,
                   g_strdup_printf ("{\"request\": \"%s\", \"address\": \"%s\", \"passkey\": %u}",
                                    what, address, passkey));
  g_print ("agent: %s from %s passkey %06u\n", what, address, passkey);
}

typedef struct
{
  Peripheral       *p;
  GpPairingRequest *request;
  guint             tries;
} PasskeyWait;

/* Answers a kept RequestPasskey once the central's passkey is "typed". */
static gboolean
poll_passkey (gpointer data)
{
  PasskeyWait *w = data;
  g_autofree char *text = NULL;

  if (gp_pairing_request_get_answered (w->request) || gp_pairing_request_get_cancelled (w->request))
    goto done;
  if (!g_file_get_contents (w->p->passkey_from, &text, NULL, NULL))
    {
      if (++w->tries < 150)
        return G_SOURCE_CONTINUE;
      g_print ("agent: nothing to type, rejecting\n");
      gp_pairing_request_reject (w->request);
      goto done;
    }
  g_print ("agent: typing %06u\n", (guint) g_ascii_strtoull (text, NULL, 10));
  record_request (w->p, "typed", gp_pairing_request_get_device (w->request),
                  (guint32) g_ascii_strtoull (text, NULL, 10));
  gp_pairing_request_return_passkey (w->request, (guint32) g_ascii_strtoull (text, NULL, 10));
done:
  g_object_unref (w->request);
  g_free (w);
  return G_SOURCE_REMOVE;
}

static gboolean
on_request (GpAgent          *agent,
            GpPairingRequest *request,
            gpointer          data)
{
  Peripheral *p = data;
  GpPairingKind kind = gp_pairing_request_get_kind (request);

  record_request (p, kind_name (kind), gp_pairing_request_get_device (request),
                  gp_pairing_request_get_passkey (request));
  if (p->reject)
    {
      g_print ("agent: rejecting\n");
      gp_pairing_request_reject (request);
    }
  else if (kind == GP_PAIRING_KIND_REQUEST_PASSKEY && p->passkey_from != NULL)
    {
      PasskeyWait *w = g_new0 (PasskeyWait, 1);

      w->p = p;
      w->request = g_object_ref (request);
      g_timeout_add (100, poll_passkey, w);
    }
  else if (kind == GP_PAIRING_KIND_REQUEST_PASSKEY)
    gp_pairing_request_return_passkey (request, p->passkey);
  else if (kind == GP_PAIRING_KIND_REQUEST_PIN_CODE)
    gp_pairing_request_return_pin_code (request, "0000");
  else
    gp_pairing_request_accept (request);
  return TRUE;
}

static void
on_display_passkey (GpAgent  *agent,
                    GpDevice *device,
                    guint     passkey,
                    guint     entered,
                    gpointer  data)
{
  Peripheral *p = data;

  record_request (p, "DisplayPasskey", device, passkey);
  if (p->passkey_file != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%06u\n", passkey);
      g_autoptr(GError) error = NULL;

      if (!g_file_set_contents (p->passkey_file, text, -1, &error))
        g_printerr ("passkey file: %s\n", error->message);
    }
}

static void
on_cancelled (GpAgent          *agent,
             GpPairingRequest *request,
             gpointer          data)
{
  record_request (data, "Cancel", gp_pairing_request_get_device (request), 0);
}

static void
on_agent (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;

  if (!gp_agent_register_finish (GP_AGENT (source), result, &error))
    {
      g_printerr ("agent: %s\n", error->message);
      g_main_loop_quit (p->loop);
      return;
    }
  g_print ("agent registered (default)\n");
  start_adverts (p);
}

static GpAgentCapability
parse_capability (const char *s)
{
  if (g_strcmp0 (s, "DisplayOnly") == 0)
    return GP_AGENT_CAPABILITY_DISPLAY_ONLY;
  if (g_strcmp0 (s, "DisplayYesNo") == 0)
    return GP_AGENT_CAPABILITY_DISPLAY_YES_NO;
  if (g_strcmp0 (s, "KeyboardOnly") == 0)
    return GP_AGENT_CAPABILITY_KEYBOARD_ONLY;
  if (g_strcmp0 (s, "KeyboardDisplay") == 0)
    return GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY;
  return GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT;
}

/* ---- start-up ------------------------------------------------------------ */

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
  if (p->agent != NULL)   /* advertise once the agent is in place */
    gp_agent_register_async (p->agent, TRUE, NULL, on_agent, p);
  else
    start_adverts (p);
}

static void
on_adapter (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Peripheral *p = data;
  g_autoptr(GError) error = NULL;

  p->adapter = gp_adapter_find_finish (result, &error);
  if (p->adapter == NULL)
    {
      g_printerr ("adapter: %s\n", error->message);
      g_main_loop_quit (p->loop);
      return;
    }
  g_print ("adapter %s %s\n", gp_adapter_get_interface_name (p->adapter),
           gp_adapter_get_address (p->adapter));
  g_signal_connect (p->adapter, "device-connected", G_CALLBACK (on_device_connected), p);
  g_signal_connect (p->adapter, "device-disconnected", G_CALLBACK (on_device_disconnected), p);
  gp_application_register_async (p->app, p->adapter, NULL, on_registered, p);
}

static gboolean
on_quit (gpointer data)
{
  g_main_loop_quit (((Peripheral *) data)->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  Peripheral p = { 0 };
  g_autofree char *adapter = g_strdup (g_getenv ("GP_SANDBOX_PERIPHERAL_ADAPTER"));
  g_autofree char *capability = NULL;
  int passkey = 123456;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &p.mode, "fields-a, fields-b, two, change, events, pair", "MODE" },
    { "trigger", 0, 0, G_OPTION_ARG_FILENAME, &p.trigger, "change: change the advert when FILE exists", "FILE" },
    { "capability", 0, 0, G_OPTION_ARG_STRING, &capability, "pair: the agent's IO capability", "CAP" },
    { "reject", 0, 0, G_OPTION_ARG_NONE, &p.reject, "pair: reject every request", NULL },
    { "passkey", 0, 0, G_OPTION_ARG_INT, &passkey, "pair: what RequestPasskey answers", "N" },
    { "passkey-file", 0, 0, G_OPTION_ARG_FILENAME, &p.passkey_file, "pair: write a displayed passkey here", "FILE" },
    { "passkey-from", 0, 0, G_OPTION_ARG_FILENAME, &p.passkey_from,
      "pair: answer RequestPasskey with what FILE holds once it exists", "FILE" },
    { "adapter", 0, 0, G_OPTION_ARG_STRING, &adapter, "Adapter (default: $GP_SANDBOX_PERIPHERAL_ADAPTER)", "hciN" },
    { NULL }
  };
  int rc = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  p.passkey = (guint32) passkey;
  p.adverts = g_ptr_array_new_with_free_func (g_object_unref);
  p.events = g_ptr_array_new_with_free_func (g_free);
  p.requests = g_ptr_array_new_with_free_func (g_free);
  if (p.mode == NULL || !build_adverts (&p))
    {
      rc = 2;
      goto out;
    }
  for (guint i = 0; i < p.adverts->len; i++)
    g_signal_connect (p.adverts->pdata[i], "update-failed", G_CALLBACK (on_update_failed), &p);
  build_app (&p);

  p.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit, &p);
  g_unix_signal_add (SIGINT, on_quit, &p);
  if (g_strcmp0 (p.mode, "change") == 0 && p.trigger != NULL)
    {
      g_unlink (p.trigger);   /* a left-over one would change it at once */
      g_timeout_add (100, watch_trigger, &p);
    }
  if (g_strcmp0 (p.mode, "pair") == 0)
    {
      if (p.passkey_from != NULL)
        g_unlink (p.passkey_from);
      p.agent = gp_agent_new (parse_capability (capability));
      g_print ("agent capability %s%s\n", capability ? capability : "NoInputNoOutput",
               p.reject ? ", rejecting" : "");
      g_signal_connect (p.agent, "handle-request-pin-code", G_CALLBACK (on_request), &p);
      g_signal_connect (p.agent, "handle-display-pin-code", G_CALLBACK (on_request), &p);
      g_signal_connect (p.agent, "handle-request-passkey", G_CALLBACK (on_request), &p);
      g_signal_connect (p.agent, "handle-request-confirmation", G_CALLBACK (on_request), &p);
      g_signal_connect (p.agent, "handle-request-authorization", G_CALLBACK (on_request), &p);
      g_signal_connect (p.agent, "handle-authorize-service", G_CALLBACK (on_request), &p);
      g_signal_connect (p.agent, "display-passkey", G_CALLBACK (on_display_passkey), &p);
      g_signal_connect (p.agent, "cancelled", G_CALLBACK (on_cancelled), &p);
    }
  gp_adapter_find_async (NULL, adapter, NULL, on_adapter, &p);
  g_main_loop_run (p.loop);
  g_main_loop_unref (p.loop);

out:
  g_clear_object (&p.agent);
  g_ptr_array_unref (p.adverts);
  g_clear_object (&p.app);
  g_clear_object (&p.adapter);
  g_ptr_array_unref (p.events);
  g_ptr_array_unref (p.requests);
  g_free (p.mode);
  g_free (p.trigger);
  g_free (p.passkey_file);
  g_free (p.passkey_from);
  return rc;
}
