/* heart-rate.c: a Bluetooth LE heart-rate monitor (the Heart Rate service,
 * 0x180D), the demo of libgattperiph.
 *
 * It exports the Heart Rate Measurement characteristic (0x2A37, read and
 * notify), whose value is [flags = 0x00, bpm as uint8], sends a new
 * measurement every --interval-ms while a central is subscribed, and
 * advertises as "Heart Monitor" (appearance 0x0340, Generic Heart Rate
 * Sensor).
 *
 *   heart-rate [--adapter hci0] [--interval-ms 1000] [--duration SECONDS]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gattperiph.h>
#include <glib-unix.h>
#include <math.h>

typedef struct
{
  GMainLoop        *loop;
  GpApplication    *app;
  GpCharacteristic *measurement;
  GpAdapter        *adapter;
  GpAdvertisement  *advertisement;
  guint             interval_ms;
  guint             timer;
  guint             tick;
  int               status;
} HeartRate;

static guint8
current_bpm (HeartRate *hr)
{
  /* A resting heart that speeds up and calms down again. */
  return (guint8) (72 + 10 * sin (hr->tick / 8.0));
}

static gboolean
on_tick (gpointer user_data)
{
  HeartRate *hr = user_data;
  guint8 value[2] = { 0x00, 0 };
  g_autoptr(GError) error = NULL;

  hr->tick++;
  value[1] = current_bpm (hr);
  /* Stored for reads, and sent to the subscribed centrals. */
  if (!gp_attribute_set_value_data (GP_ATTRIBUTE (hr->measurement), value, sizeof value, &error))
    g_printerr ("heart-rate: %s\n", error->message);
  else
    g_print ("heart-rate: notified %u bpm\n", value[1]);
  return G_SOURCE_CONTINUE;
}

static void
on_notifying (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  HeartRate *hr = user_data;

  if (gp_characteristic_get_notifying (hr->measurement))
    {
      g_print ("heart-rate: a central subscribed\n");
      if (hr->timer == 0)
        hr->timer = g_timeout_add (hr->interval_ms, on_tick, hr);
    }
  else
    {
      g_print ("heart-rate: no central subscribed\n");
      g_clear_handle_id (&hr->timer, g_source_remove);
    }
}

static void
on_advertising (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  HeartRate *hr = user_data;
  g_autoptr(GError) error = NULL;

  if (!gp_advertisement_start_finish (hr->advertisement, result, &error))
    {
      g_printerr ("heart-rate: %s\n", error->message);
      hr->status = 1;
      g_main_loop_quit (hr->loop);
      return;
    }
  g_print ("heart-rate: advertising as \"%s\"\n", gp_advertisement_get_local_name (hr->advertisement));
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HeartRate *hr = user_data;
  g_autoptr(GError) error = NULL;

  if (!gp_application_register_finish (hr->app, result, &error))
    {
      g_printerr ("heart-rate: %s\n", error->message);
      hr->status = 1;
      g_main_loop_quit (hr->loop);
      return;
    }
  g_print ("heart-rate: GATT application registered on %s\n",
           gp_adapter_get_interface_name (gp_application_get_adapter (hr->app)));

  /* Connectable, discoverable, advertising until stopped. */
  hr->advertisement = gp_advertisement_new ();
  gp_advertisement_set_local_name (hr->advertisement, "Heart Monitor");
  gp_advertisement_set_service_uuids (hr->advertisement, (const char *[]) { "180d", NULL });
  gp_advertisement_set_appearance (hr->advertisement, 0x0340);  /* Generic Heart Rate Sensor */
  gp_advertisement_start_async (hr->advertisement, hr->adapter, NULL, on_advertising, hr);
}

static void
on_adapter (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  HeartRate *hr = user_data;
  g_autoptr(GError) error = NULL;

  hr->adapter = gp_adapter_find_finish (result, &error);
  if (hr->adapter == NULL)
    {
      g_printerr ("heart-rate: %s\n", error->message);
      hr->status = 1;
      g_main_loop_quit (hr->loop);
      return;
    }
  gp_application_register_async (hr->app, hr->adapter, NULL, on_registered, hr);
}

static gboolean
on_quit (gpointer user_data)
{
  HeartRate *hr = user_data;

  g_main_loop_quit (hr->loop);
  return G_SOURCE_REMOVE;
}

static GpApplication *
build_profile (HeartRate  *hr,
               GError    **error)
{
  g_autoptr(GpApplication) app = gp_application_new ("/org/gattperiph/example/heartrate");
  g_autoptr(GpService) service = NULL;
  g_autoptr(GpCharacteristic) location = NULL;
  g_autoptr(GpDescriptor) description = NULL;
  const guint8 chest = 1;     /* Body Sensor Location: chest */
  const guint8 initial[2] = { 0x00, 72 };

  service = gp_service_new ("180d", TRUE, error);
  if (service == NULL)
    return NULL;

  hr->measurement = gp_characteristic_new ("2a37",
                                           GP_CHARACTERISTIC_FLAGS_READ |
                                           GP_CHARACTERISTIC_FLAGS_NOTIFY,
                                           error);
  if (hr->measurement == NULL ||
      !gp_attribute_set_value_data (GP_ATTRIBUTE (hr->measurement), initial, sizeof initial, error))
    return NULL;
  description = gp_descriptor_new_user_description ("Heart rate in beats per minute", error);
  if (description == NULL ||
      !gp_characteristic_add_descriptor (hr->measurement, description, error) ||
      !gp_service_add_characteristic (service, hr->measurement, error))
    return NULL;

  location = gp_characteristic_new ("2a38", GP_CHARACTERISTIC_FLAGS_READ, error);
  if (location == NULL ||
      !gp_attribute_set_value_data (GP_ATTRIBUTE (location), &chest, 1, error) ||
      !gp_service_add_characteristic (service, location, error))
    return NULL;

  if (!gp_application_add_service (app, service, error))
    return NULL;

  g_signal_connect (hr->measurement, "notify::notifying", G_CALLBACK (on_notifying), hr);
  return g_steal_pointer (&app);
}

int
main (int argc, char *argv[])
{
  HeartRate hr = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *adapter = NULL;
  int interval_ms = 1000;
  int duration = 0;
  GOptionEntry entries[] = {
    { "adapter", 'a', 0, G_OPTION_ARG_STRING, &adapter,
      "Adapter to use (hci0, an address; default: the first powered one)", "NAME" },
    { "interval-ms", 'i', 0, G_OPTION_ARG_INT, &interval_ms,
      "Milliseconds between measurements (default 1000)", "MS" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration,
      "Exit after this many seconds (default: run until interrupted)", "SECONDS" },
    { NULL }
  };

  context = g_option_context_new ("- a Bluetooth LE heart-rate monitor");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("heart-rate: %s\n", error->message);
      return 2;
    }
  if (interval_ms < 10 || interval_ms > 60000)
    {
      g_printerr ("heart-rate: --interval-ms must be between 10 and 60000\n");
      return 2;
    }
  hr.interval_ms = (guint) interval_ms;

  hr.app = build_profile (&hr, &error);
  if (hr.app == NULL)
    {
      g_printerr ("heart-rate: %s\n", error->message);
      return 1;
    }

  hr.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit, &hr);
  g_unix_signal_add (SIGTERM, on_quit, &hr);
  if (duration > 0)
    g_timeout_add_seconds ((guint) duration, on_quit, &hr);

  gp_adapter_find_async (NULL, adapter, NULL, on_adapter, &hr);
  g_main_loop_run (hr.loop);

  g_clear_handle_id (&hr.timer, g_source_remove);
  g_clear_object (&hr.advertisement);
  g_clear_object (&hr.measurement);
  g_clear_object (&hr.app);
  g_clear_object (&hr.adapter);
  g_main_loop_unref (hr.loop);
  return hr.status;
}
