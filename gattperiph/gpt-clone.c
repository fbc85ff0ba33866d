/* gpt-clone.c: `gattperiph clone ADDRESS -o PROFILE.json`
 *
 * Acts as a central through BlueZ: scans for the device (for its
 * advertised data: Name, Appearance, UUIDs, ManufacturerData,
 * ServiceData), connects, waits for BlueZ to resolve its GATT database,
 * reads every readable characteristic and descriptor from the
 * GattService1/GattCharacteristic1/GattDescriptor1 objects BlueZ exports
 * (with the services' Includes and the characteristics' Flags; BlueZ
 * tells no descriptor flags, so descriptors are cloned readable), and
 * writes a profile that `gattperiph serve` turns into a stand-in.
 *
 * Left out: the GAP and GATT services (0x1800, 0x1801: BlueZ provides its
 * own and refuses them from applications), the descriptors BlueZ adds by
 * itself (CCC 0x2902, Extended Properties 0x2900), and a Device
 * Information service holding only a PnP ID, which is the one bluetoothd
 * adds to every database (--all-services keeps it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-commands.h"
#include "gpt-log.h"

#include <stdlib.h>
#include <string.h>

#define BLUEZ "org.bluez"
#define ADAPTER_IFACE "org.bluez.Adapter1"
#define DEVICE_IFACE "org.bluez.Device1"
#define SERVICE_IFACE "org.bluez.GattService1"
#define CHRC_IFACE "org.bluez.GattCharacteristic1"
#define DESC_IFACE "org.bluez.GattDescriptor1"
#define CALL_TIMEOUT_MS 30000

typedef struct
{
  GDBusObjectManager *manager;
  char               *device_path;
  guint               timeout_ms;
  gboolean            all_services;
  guint               n_services;
  guint               n_characteristics;
  guint               n_descriptors;
  guint               n_values;
  guint               n_includes;
  gboolean            told_descriptor_flags;
  guint               n_object_changes;  /* objects and interfaces the manager added */
} Clone;

#define SETTLE_MS 300
#define SCAN_WINDOW_MS 5000

/* ---- waiting ---------------------------------------------------------------- */

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @cond is true or @timeout_ms passed. */
static gboolean
wait_until (gboolean (*cond) (Clone *clone),
            Clone     *clone,
            guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, on_deadline, &expired);
  gboolean ok;

  while (!(ok = cond (clone)) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return ok;
}

static GDBusProxy *
get_proxy (Clone      *clone,
           const char *path,
           const char *iface)
{
  return G_DBUS_PROXY (g_dbus_object_manager_get_interface (clone->manager, path, iface));
}

static gboolean
device_bool (Clone      *clone,
             const char *name)
{
  g_autoptr(GDBusProxy) device = get_proxy (clone, clone->device_path, DEVICE_IFACE);
  g_autoptr(GVariant) value = device != NULL ? g_dbus_proxy_get_cached_property (device, name) : NULL;

  return value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) && g_variant_get_boolean (value);
}

static gboolean
device_known (Clone *clone)
{
  g_autoptr(GDBusProxy) device = get_proxy (clone, clone->device_path, DEVICE_IFACE);

  return device != NULL;
}

static gboolean
device_named (Clone *clone)
{
  g_autoptr(GDBusProxy) device = get_proxy (clone, clone->device_path, DEVICE_IFACE);
  g_autoptr(GVariant) name = device != NULL ? g_dbus_proxy_get_cached_property (device, "Name") : NULL;

  return name != NULL;
}

static gboolean
services_resolved (Clone *clone)
{
  return device_bool (clone, "ServicesResolved");
}

static GList *children (Clone *clone, const char *iface, const char *parent_property, const char *parent);

static void
on_object_change (Clone *clone)
{
  clone->n_object_changes++;
}

/* bluetoothd may announce ServicesResolved before the InterfacesAdded of
 * the services it resolved reach us (seen on 5.82 when it answers another
 * call meanwhile): once it is set, wait for the device's first service, then
 * until no object has come for SETTLE_MS. */
static gboolean
services_settled (Clone *clone)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (clone->timeout_ms, on_deadline, &expired);
  GList *services = NULL;

  while (!expired)
    {
      guint seen = clone->n_object_changes;
      gboolean quiet = FALSE;
      guint settle = g_timeout_add (SETTLE_MS, on_deadline, &quiet);

      while (!quiet && !expired && seen == clone->n_object_changes)
        g_main_context_iteration (NULL, TRUE);
      if (!quiet)
        g_source_remove (settle);
      if (!quiet)
        continue;
      services = children (clone, SERVICE_IFACE, "Device", clone->device_path);
      if (services != NULL)
        break;
    }
  if (!expired)
    g_source_remove (id);
  g_list_free_full (services, g_object_unref);
  return !expired;
}

static GVariant *
call (GDBusProxy  *proxy,
      const char  *method,
      GVariant    *parameters,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_dbus_proxy_call (proxy, method, parameters, G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL,
                     gpt_got_result, &result);
  return g_dbus_proxy_call_finish (proxy, gpt_wait (&result), error);
}

/* ---- finding and connecting ----------------------------------------------------- */

/* Scans (LE) until BlueZ lists the device, and a little longer for its
 * name (often in the scan response). */
static gboolean
discover (Clone       *clone,
          GDBusProxy  *adapter,
          GError     **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) local_error = NULL;
  GVariantBuilder filter;
  gboolean found;
  gint64 deadline;

  g_variant_builder_init (&filter, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&filter, "{sv}", "Transport", g_variant_new_string ("le"));
  reply = call (adapter, "SetDiscoveryFilter", g_variant_new ("(a{sv})", &filter), NULL);
  g_clear_pointer (&reply, g_variant_unref);
  g_printerr ("gattperiph: scanning for %s…\n", strrchr (clone->device_path, '/') + 1);
  /* Scan in windows of SCAN_WINDOW_MS, each a new StartDiscovery: with
   * duplicate filtering a controller reports a device once per scan, and
   * the kernel drops a report that comes before its discovery state is set
   * (seen with the sandbox's emulated controllers, which report at once);
   * bluetoothd does not restart an LE discovery by itself. */
  deadline = g_get_monotonic_time () + (gint64) clone->timeout_ms * 1000;
  do
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;

      reply = call (adapter, "StartDiscovery", NULL, &local_error);
      if (reply == NULL && !g_dbus_error_is_remote_error (local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "Scanning failed: ");
          return FALSE;
        }
      g_clear_error (&local_error);
      g_clear_pointer (&reply, g_variant_unref);
      found = wait_until (device_known, clone, (guint) CLAMP (left_ms, 1, SCAN_WINDOW_MS));
      if (found)
        wait_until (device_named, clone, 3000);
      reply = call (adapter, "StopDiscovery", NULL, NULL);
      g_clear_pointer (&reply, g_variant_unref);
    }
  while (!found && g_get_monotonic_time () < deadline);
  if (!found)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                   "No device %s found within %u s: is it advertising, and in range?",
                   strrchr (clone->device_path, '/') + 5, clone->timeout_ms / 1000);
      return FALSE;
    }
  return TRUE;
}

/* ---- the advertisement ------------------------------------------------------- */

static GBytes *
variant_bytes (GVariant *value)
{
  g_autoptr(GVariant) inner = g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT)
                                ? g_variant_get_variant (value) : g_variant_ref (value);

  if (!g_variant_is_of_type (inner, G_VARIANT_TYPE_BYTESTRING))
    return NULL;
  return g_variant_get_data_as_bytes (inner);
}

static GpAdvertisement *
advertisement_of (GDBusProxy *device)
{
  g_autoptr(GpAdvertisement) ad = gp_advertisement_new ();
  g_autoptr(GVariant) name = g_dbus_proxy_get_cached_property (device, "Name");
  g_autoptr(GVariant) appearance = g_dbus_proxy_get_cached_property (device, "Appearance");
  g_autoptr(GVariant) uuids = g_dbus_proxy_get_cached_property (device, "UUIDs");
  g_autoptr(GVariant) manufacturer = g_dbus_proxy_get_cached_property (device, "ManufacturerData");
  g_autoptr(GVariant) service_data = g_dbus_proxy_get_cached_property (device, "ServiceData");

  if (name != NULL)
    gp_advertisement_set_local_name (ad, g_variant_get_string (name, NULL));
  if (appearance != NULL)
    gp_advertisement_set_appearance (ad, g_variant_get_uint16 (appearance));
  if (uuids != NULL)
    {
      g_autofree const char **list = g_variant_get_strv (uuids, NULL);

      if (list[0] != NULL)
        gp_advertisement_set_service_uuids (ad, list);
    }
  if (manufacturer != NULL)
    {
      GVariantIter iter;
      guint16 company;
      GVariant *value;

      g_variant_iter_init (&iter, manufacturer);
      while (g_variant_iter_next (&iter, "{qv}", &company, &value))
        {
          g_autoptr(GBytes) bytes = variant_bytes (value);

          if (bytes != NULL)
            gp_advertisement_set_manufacturer_data (ad, company, bytes);
          g_variant_unref (value);
        }
    }
  if (service_data != NULL)
    {
      GVariantIter iter;
      const char *uuid;
      GVariant *value;

      g_variant_iter_init (&iter, service_data);
      while (g_variant_iter_next (&iter, "{&sv}", &uuid, &value))
        {
          g_autoptr(GBytes) bytes = variant_bytes (value);

          if (bytes != NULL)
            gp_advertisement_set_service_data (ad, uuid, bytes);
          g_variant_unref (value);
        }
    }
  return g_steal_pointer (&ad);
}

/* ---- the GATT database ------------------------------------------------------------- */

/* BlueZ names client objects by handle: .../service000c/char000d/desc000f */
static guint
handle_of (const char *path)
{
  const char *last = strrchr (path, '/');
  gsize len = last != NULL ? strlen (last) : 0;

  return len > 4 ? (guint) strtoul (last + len - 4, NULL, 16) : 0;
}

static gint
compare_handles (gconstpointer a,
                 gconstpointer b)
{
  guint ha = handle_of (g_dbus_object_get_object_path (G_DBUS_OBJECT (a)));
  guint hb = handle_of (g_dbus_object_get_object_path (G_DBUS_OBJECT (b)));

  return ha < hb ? -1 : ha > hb;
}

/* The objects with @iface whose @parent_property is @parent, by handle. */
static GList *
children (Clone      *clone,
          const char *iface,
          const char *parent_property,
          const char *parent)
{
  GList *objects = g_dbus_object_manager_get_objects (clone->manager);
  GList *out = NULL;

  for (GList *l = objects; l != NULL; l = l->next)
    {
      g_autoptr(GDBusProxy) proxy = G_DBUS_PROXY (g_dbus_object_get_interface (l->data, iface));
      g_autoptr(GVariant) owner = proxy != NULL ? g_dbus_proxy_get_cached_property (proxy, parent_property) : NULL;

      if (owner != NULL && g_strcmp0 (g_variant_get_string (owner, NULL), parent) == 0)
        out = g_list_prepend (out, g_object_ref (l->data));
    }
  g_list_free_full (objects, g_object_unref);
  return g_list_sort (out, compare_handles);
}

static char *
proxy_uuid (GDBusProxy *proxy)
{
  g_autoptr(GVariant) uuid = g_dbus_proxy_get_cached_property (proxy, "UUID");

  return uuid != NULL ? g_variant_dup_string (uuid, NULL) : NULL;
}

/* ReadValue, or NULL (with a note on stderr) if the peripheral refuses. */
static GBytes *
read_value (Clone      *clone,
            GDBusProxy *proxy,
            const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (proxy, "ReadValue", g_variant_new_parsed ("(@a{sv} {},)"), &error);
  g_autoptr(GVariant) value = NULL;

  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_printerr ("gattperiph: reading %s %s failed (%s): cloned without its value\n",
                  what, g_dbus_proxy_get_object_path (proxy), error->message);
      return NULL;
    }
  value = g_variant_get_child_value (reply, 0);
  clone->n_values++;
  return g_variant_get_data_as_bytes (value);
}

/* The "Flags" of a characteristic or descriptor as @flags_type (0 if it
 * has none), leaving out (with a note) those a server cannot declare. */
static guint
flags_of (GDBusProxy *proxy,
          GType       flags_type)
{
  g_autoptr(GVariant) flags = g_dbus_proxy_get_cached_property (proxy, "Flags");
  g_autoptr(GFlagsClass) klass = g_type_class_ref (flags_type);
  guint out = 0;
  g_autofree const char **names = flags != NULL ? g_variant_get_strv (flags, NULL) : NULL;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      GFlagsValue *v = g_flags_get_value_by_nick (klass, names[i]);

      if (v != NULL)
        out |= v->value;
      else
        g_printerr ("gattperiph: %s: flag “%s” left out (not one a GATT server can declare)\n",
                    g_dbus_proxy_get_object_path (proxy), names[i]);
    }
  return out;
}

static gboolean
clone_descriptor (Clone             *clone,
                  GpCharacteristic  *characteristic,
                  GDBusObject       *object,
                  GError           **error)
{
  g_autoptr(GDBusProxy) proxy = G_DBUS_PROXY (g_dbus_object_get_interface (object, DESC_IFACE));
  g_autofree char *uuid = proxy_uuid (proxy);
  g_autoptr(GVariant) has_flags = g_dbus_proxy_get_cached_property (proxy, "Flags");
  g_autoptr(GpDescriptor) descriptor = NULL;
  g_autoptr(GBytes) value = NULL;
  GpDescriptorFlags flags = GP_DESCRIPTOR_FLAGS_READ;

  /* BlueZ adds these itself from the characteristic's flags. */
  if (uuid == NULL || g_str_has_prefix (uuid, "00002902-") || g_str_has_prefix (uuid, "00002900-"))
    return TRUE;
  /* GattDescriptor1 has no Flags on the client side (5.66 to 5.82 at
   * least): such descriptors are cloned readable, their value read. */
  if (has_flags != NULL)
    flags = flags_of (proxy, GP_TYPE_DESCRIPTOR_FLAGS);
  else if (!clone->told_descriptor_flags)
    {
      g_printerr ("gattperiph: this BlueZ does not tell the flags of descriptors: they are "
                  "cloned as \"read\" (edit the profile for writable ones)\n");
      clone->told_descriptor_flags = TRUE;
    }
  if (flags == 0)
    flags = GP_DESCRIPTOR_FLAGS_READ;
  descriptor = gp_descriptor_new (uuid, flags, error);
  if (descriptor == NULL)
    return FALSE;
  if (flags & GP_DESCRIPTOR_FLAGS_READ)
    value = read_value (clone, proxy, "descriptor");
  if (value != NULL && !gp_attribute_set_value (GP_ATTRIBUTE (descriptor), value, error))
    return FALSE;
  clone->n_descriptors++;
  return gp_characteristic_add_descriptor (characteristic, descriptor, error);
}

static gboolean
clone_characteristic (Clone        *clone,
                      GpService    *service,
                      GDBusObject  *object,
                      GError      **error)
{
  g_autoptr(GDBusProxy) proxy = G_DBUS_PROXY (g_dbus_object_get_interface (object, CHRC_IFACE));
  g_autofree char *uuid = proxy_uuid (proxy);
  GpCharacteristicFlags flags = flags_of (proxy, GP_TYPE_CHARACTERISTIC_FLAGS);
  g_autoptr(GpCharacteristic) characteristic = NULL;
  g_autolist(GDBusObject) descriptors =
    children (clone, DESC_IFACE, "Characteristic", g_dbus_object_get_object_path (object));

  if (flags == 0)
    flags = GP_CHARACTERISTIC_FLAGS_READ;   /* BlueZ refuses a characteristic without flags */
  characteristic = gp_characteristic_new (uuid, flags, error);
  if (characteristic == NULL)
    return FALSE;
  if (flags & GP_CHARACTERISTIC_FLAGS_READ)
    {
      g_autoptr(GBytes) value = read_value (clone, proxy, "characteristic");

      if (value != NULL && !gp_attribute_set_value (GP_ATTRIBUTE (characteristic), value, error))
        return FALSE;
    }
  for (GList *d = descriptors; d != NULL; d = d->next)
    if (!clone_descriptor (clone, characteristic, d->data, error))
      return FALSE;
  clone->n_characteristics++;
  return gp_service_add_characteristic (service, characteristic, error);
}

/* bluetoothd's own Device Information service: only a PnP ID. */
static gboolean
is_bluez_device_information (Clone       *clone,
                             const char  *uuid,
                             GList       *characteristics)
{
  g_autoptr(GDBusProxy) only = NULL;
  g_autofree char *only_uuid = NULL;

  if (!g_str_has_prefix (uuid, "0000180a-") || characteristics == NULL || characteristics->next != NULL)
    return FALSE;
  only = G_DBUS_PROXY (g_dbus_object_get_interface (characteristics->data, CHRC_IFACE));
  only_uuid = proxy_uuid (only);
  return g_str_has_prefix (only_uuid, "00002a50-");
}

static GpApplication *
application_of (Clone   *clone,
                GError **error)
{
  g_autoptr(GpApplication) app = gp_application_new ("/org/gattperiph/clone");
  g_autolist(GDBusObject) services = children (clone, SERVICE_IFACE, "Device", clone->device_path);
  g_autoptr(GHashTable) by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_object_unref);   /* by handle */
  g_autoptr(GHashTable) added = g_hash_table_new (NULL, NULL);
  gboolean told_includes = FALSE;

  for (GList *s = services; s != NULL; s = s->next)
    {
      const char *path = g_dbus_object_get_object_path (s->data);
      g_autoptr(GDBusProxy) proxy = G_DBUS_PROXY (g_dbus_object_get_interface (s->data, SERVICE_IFACE));
      g_autofree char *uuid = proxy_uuid (proxy);
      g_autoptr(GVariant) primary = g_dbus_proxy_get_cached_property (proxy, "Primary");
      g_autolist(GDBusObject) characteristics = children (clone, CHRC_IFACE, "Service", path);
      g_autoptr(GpService) service = NULL;

      if (uuid == NULL || g_str_has_prefix (uuid, "00001800-") || g_str_has_prefix (uuid, "00001801-"))
        continue;
      if (!clone->all_services && is_bluez_device_information (clone, uuid, characteristics))
        continue;
      service = gp_service_new (uuid, primary == NULL || g_variant_get_boolean (primary), error);
      if (service == NULL)
        return NULL;
      for (GList *c = characteristics; c != NULL; c = c->next)
        if (!clone_characteristic (clone, service, c->data, error))
          return NULL;
      g_hash_table_insert (by_path, g_strdup (path), g_object_ref (service));
      g_ptr_array_add (order, g_steal_pointer (&service));
      clone->n_services++;
    }

  /* Included services: GattService1.Includes, the services' paths. */
  for (GList *s = services; s != NULL; s = s->next)
    {
      g_autoptr(GDBusProxy) proxy = G_DBUS_PROXY (g_dbus_object_get_interface (s->data, SERVICE_IFACE));
      g_autoptr(GVariant) includes = g_dbus_proxy_get_cached_property (proxy, "Includes");
      GpService *service = g_hash_table_lookup (by_path, g_dbus_object_get_object_path (s->data));
      g_autofree const char **paths = NULL;

      if (service == NULL)
        continue;
      if (includes == NULL || !g_variant_is_of_type (includes, G_VARIANT_TYPE_OBJECT_PATH_ARRAY))
        {
          if (!told_includes)
            g_printerr ("gattperiph: this BlueZ does not tell the included services "
                        "(no GattService1.Includes): none are cloned\n");
          told_includes = TRUE;
          continue;
        }
      paths = g_variant_get_objv (includes, NULL);
      for (guint i = 0; paths[i] != NULL; i++)
        {
          GpService *included = g_hash_table_lookup (by_path, paths[i]);

          if (included == NULL)
            {
              g_printerr ("gattperiph: %s includes %s, which is not cloned: include left out\n",
                          g_dbus_object_get_object_path (s->data), paths[i]);
              continue;
            }
          if (!gp_service_add_include (service, included, error))
            return NULL;
          clone->n_includes++;
        }
    }

  /* By handle, but an included service before the services including it,
   * as BlueZ needs (includes never loop: gp_service_add_include refuses). */
  while (order->len > 0)
    for (guint i = 0; i < order->len; i++)
      {
        GpService *service = g_ptr_array_index (order, i);
        g_autoptr(GList) includes = gp_service_get_includes (service);
        gboolean ready = TRUE;

        for (GList *l = includes; l != NULL && ready; l = l->next)
          ready = g_hash_table_contains (added, l->data);
        if (!ready)
          continue;
        if (!gp_application_add_service (app, service, error))
          return NULL;
        g_hash_table_add (added, service);   /* the application holds it */
        g_ptr_array_remove_index (order, i);
        break;
      }
  return g_steal_pointer (&app);
}

/* ---- main ------------------------------------------------------------------------- */

static gboolean
is_address (const char *text)
{
  if (strlen (text) != 17)
    return FALSE;
  for (guint i = 0; i < 17; i++)
    if (i % 3 == 2 ? text[i] != ':' : !g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

int
gpt_clone_main (int    argc,
                char **argv)
{
  g_autofree char *adapter_name = NULL;
  g_autofree char *output = NULL;
  gboolean all_services = FALSE;
  int timeout = 30;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Profile to write (required)", "PROFILE.json" },
    { "adapter", 'a', 0, G_OPTION_ARG_STRING, &adapter_name,
      "Adapter to connect from (hci1, an address; default: the first powered one)", "NAME" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
      "Seconds to find the device and for BlueZ to resolve its services (default 30)", "SECONDS" },
    { "all-services", 0, 0, G_OPTION_ARG_NONE, &all_services,
      "Keep a Device Information service that holds only a PnP ID (bluetoothd adds its own)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    gpt_option_context ("clone", "ADDRESS",
                        "Connects to the peripheral ADDRESS as a central through BlueZ, reads its "
                        "GATT database (services, characteristics, descriptors, readable values) and "
                        "its advertised data, and writes a profile that \"gattperiph serve\" turns into "
                        "a stand-in for it.",
                        "The GAP (0x1800) and GATT (0x1801) services and the descriptors BlueZ adds "
                        "itself (0x2902, 0x2900) are left out.", entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GpAdapter) adapter = NULL;
  g_autoptr(GDBusProxy) adapter_proxy = NULL;
  g_autoptr(GDBusProxy) device = NULL;
  g_autoptr(GpApplication) app = NULL;
  g_autoptr(GpAdvertisement) ad = NULL;
  g_autoptr(GpProfile) profile = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *address = NULL;
  gboolean was_connected = TRUE;   /* until known: nothing to disconnect */
  Clone clone = { 0 };
  int status = GPT_EXIT_FAILED;

  if (!gpt_parse_options (context, &argc, &argv, 1))
    return GPT_EXIT_USAGE;
  if (output == NULL)
    {
      g_printerr ("gattperiph: clone: -o PROFILE.json is required\n");
      return GPT_EXIT_USAGE;
    }
  if (!is_address (argv[1]))
    {
      g_printerr ("gattperiph: clone: “%s” is not a Bluetooth address (AA:BB:CC:DD:EE:FF)\n", argv[1]);
      return GPT_EXIT_USAGE;
    }
  if (timeout < 1)
    {
      g_printerr ("gattperiph: --timeout must be at least 1\n");
      return GPT_EXIT_USAGE;
    }
  address = g_ascii_strup (argv[1], -1);
  clone.timeout_ms = (guint) timeout * 1000;
  clone.all_services = all_services;

  connection = gpt_bluez_connect (&error);
  if (connection == NULL || (adapter = gpt_find_adapter (connection, adapter_name, &error)) == NULL)
    goto fail;
  clone.manager = g_dbus_object_manager_client_new_sync (connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                         BLUEZ, "/", NULL, NULL, NULL, NULL, &error);
  if (clone.manager == NULL)
    goto fail;
  g_signal_connect_swapped (clone.manager, "object-added", G_CALLBACK (on_object_change), &clone);
  g_signal_connect_swapped (clone.manager, "interface-added", G_CALLBACK (on_object_change), &clone);
  g_strdelimit (address, ":", '_');
  clone.device_path = g_strdup_printf ("%s/dev_%s", gp_adapter_get_object_path (adapter), address);
  adapter_proxy = get_proxy (&clone, gp_adapter_get_object_path (adapter), ADAPTER_IFACE);

  was_connected = device_bool (&clone, "Connected");
  if (!was_connected && !discover (&clone, adapter_proxy, &error))
    goto fail;
  device = get_proxy (&clone, clone.device_path, DEVICE_IFACE);
  /* The advertised data, before connecting adds the GATT services' UUIDs. */
  ad = advertisement_of (device);

  if (!services_resolved (&clone))
    {
      g_printerr ("gattperiph: connecting to %s…\n", argv[1]);
      reply = call (device, "Connect", NULL, &error);
      if (reply == NULL)
        {
          g_dbus_error_strip_remote_error (error);
          g_prefix_error (&error, "Connecting to %s failed: ", argv[1]);
          goto fail;
        }
      /* BlueZ 5.66 may never set Connected with two adapters on one
       * bluetoothd; ServicesResolved is what matters. */
      if (!wait_until (services_resolved, &clone, clone.timeout_ms))
        {
          g_set_error (&error, GP_ERROR, GP_ERROR_FAILED,
                       "BlueZ did not resolve the services of %s within %d s", argv[1], timeout);
          goto fail;
        }
    }
  if (!services_settled (&clone))
    {
      g_set_error (&error, GP_ERROR, GP_ERROR_FAILED,
                   "BlueZ resolved no GATT service of %s within %d s", argv[1], timeout);
      goto fail;
    }

  app = application_of (&clone, &error);
  if (app == NULL)
    goto fail;
  if (!gp_advertisement_check (ad, &error))
    {
      g_printerr ("gattperiph: warning: the advertised data does not fit one advertisement as the "
                  "library builds it (%s): edit the profile's advertisement\n", error->message);
      g_clear_error (&error);
    }

  profile = gp_profile_new ();
  gp_profile_set_application (profile, app);
  gp_profile_set_advertisement (profile, ad);
  if (!gp_profile_save_to_file (profile, output, &error))
    goto fail;
  g_print ("%s: %u services, %u included services, %u characteristics, %u descriptors, "
           "%u values read from %s%s%s%s\n",
           output, clone.n_services, clone.n_includes, clone.n_characteristics, clone.n_descriptors,
           clone.n_values,
           argv[1], gp_advertisement_get_local_name (ad) != NULL ? " (\"" : "",
           gp_advertisement_get_local_name (ad) != NULL ? gp_advertisement_get_local_name (ad) : "",
           gp_advertisement_get_local_name (ad) != NULL ? "\")" : "");
  status = GPT_EXIT_OK;

fail:
  if (error != NULL)
    g_printerr ("gattperiph: %s\n", error->message);
  if (device != NULL && !was_connected)
    {
      g_autoptr(GVariant) bye = call (device, "Disconnect", NULL, NULL);
    }
  if (clone.manager != NULL)
    g_signal_handlers_disconnect_by_data (clone.manager, &clone);
  g_clear_object (&clone.manager);
  g_free (clone.device_path);
  return status;
}
