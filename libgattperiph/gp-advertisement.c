/* gp-advertisement.c: an LE advertisement registered with BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-advertisement-private.h"
#include "gp-advertising-data-private.h"
#include "gp-dbus-util-private.h"
#include "gp-registration-private.h"

#include <string.h>

/**
 * GpAdvertisement:
 *
 * An LE advertisement: what a peripheral broadcasts so that centrals find
 * it (`org.bluez.LEAdvertisement1`, registered with
 * `org.bluez.LEAdvertisingManager1`).
 *
 * ```c
 * g_autoptr(GpAdvertisement) adv = gp_advertisement_new ();
 * gp_advertisement_set_local_name (adv, "Heart Monitor");
 * gp_advertisement_set_service_uuids (adv, (const char *[]) { "180d", NULL });
 * gp_advertisement_set_appearance (adv, 0x0340);
 * gp_advertisement_start_async (adv, NULL, NULL, on_started, NULL);
 * ```
 *
 * An advertisement is connectable (%GP_ADVERTISEMENT_TYPE_PERIPHERAL)
 * and discoverable by default, and runs until it is stopped (no timeout).
 * Several advertisements can run at once (BlueZ 5.66 and a kernel offer
 * five on most controllers); each needs its own object path, which
 * gp_advertisement_new() picks.
 *
 * Every property can change while the advertisement runs: changes made in
 * one main loop iteration are checked together and sent to BlueZ when the
 * main loop is next idle, as one `PropertiesChanged` signal per property
 * (BlueZ 5.66 applies them at once). Where BlueZ 5.66 would not apply a
 * change correctly (removing the appearance, changing the discoverable
 * timeout, the secondary channel or the type, removing intervals or TX
 * power), the library registers the advertisement again. A change that
 * cannot work (data that does not fit, a conflict) is not sent: the
 * advertisement stays on air as it was and
 * [signal@Advertisement::update-failed] says why. Call
 * [method@Advertisement.check] to check a change at once.
 *
 * An advertisement runs until it is stopped: if bluetoothd exits or the
 * adapter goes away, it registers itself again when they come back, like
 * an application (see [property@Advertisement:registration-state] and
 * [property@Advertisement:auto-register]). Only bluetoothd may call the
 * exported advertisement, its properties included.
 *
 * Before BlueZ sees it, the library computes the advertising data as
 * bluetoothd builds it, and refuses data that does not fit the
 * controller's limit with an error naming the fields, the limit and where
 * it comes from, and the number of bytes over (BlueZ itself only says
 * "Failed to parse advertisement."). The limit is `MaxAdvLen` of the
 * advertising manager's `SupportedCapabilities` (251 bytes on controllers
 * with extended advertising and bluetoothd 5.69 or later), or the 31 bytes
 * of legacy advertising where bluetoothd does not publish it (BlueZ 5.66
 * without `-E`).
 *
 * [property@Advertisement:min-interval], [property@Advertisement:max-interval]
 * and [property@Advertisement:tx-power] are experimental in BlueZ 5.66:
 * bluetoothd ignores them unless it runs with `-E`. The library tells
 * (BlueZ hides `SupportedCapabilities` without `-E`) and refuses to start
 * such an advertisement with %GP_ERROR_NOT_SUPPORTED rather than pretend.
 *
 * Since: 0.1
 */

struct _GpAdvertisement
{
  GObject                  parent_instance;

  GDBusConnection         *connection;
  char                    *object_path;
  GpAdapter               *adapter;

  /* Content */
  GpAdvertisementType      type;
  char                   **service_uuids;
  char                   **solicit_uuids;
  char                    *local_name;
  int                      appearance;
  GpAdvertisementIncludes  includes;
  gboolean                 discoverable;
  guint                    discoverable_timeout;
  guint                    duration;
  guint                    timeout;
  GpSecondaryChannel       secondary_channel;
  guint                    min_interval;
  guint                    max_interval;
  int                      tx_power;
  GPtrArray               *manufacturer_data;   /* GpAdvertisingDataEntry */
  GPtrArray               *service_data;        /* GpAdvertisingDataEntry */
  GPtrArray               *data;                /* GpAdvertisingDataEntry */

  /* What LEAdvertisingManager1 said at the last start */
  gboolean                 have_manager_info;
  gboolean                 extended;            /* SupportedSecondaryChannels shown */
  gboolean                 experimental;        /* SupportedCapabilities shown (-E) */
  guint                    max_adv_len;         /* its MaxAdvLen; 0: not shown */
  guint                    max_scan_rsp_len;    /* its MaxScnRspLen; 0: not shown */
  char                   **supported_includes;
  char                   **supported_channels;
  guint                    active_instances;
  guint                    free_instances;

  /* Registration */
  GpRegistration          *registration;        /* the lifecycle with BlueZ */
  GMainContext            *context;             /* thread-default at creation */
  guint                    export_id;
  GpCallerGate            *gate;                /* only bluetoothd may call */
  GVariant                *sent;                /* a{sv} BlueZ has */
  GSource                 *apply_idle;
  gboolean                 reregistering;       /* to apply a change */
};

G_DEFINE_FINAL_TYPE (GpAdvertisement, gp_advertisement, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_PATH,
  PROP_ADAPTER,
  PROP_REGISTERED,
  PROP_ADVERTISEMENT_TYPE,
  PROP_SERVICE_UUIDS,
  PROP_SOLICIT_UUIDS,
  PROP_LOCAL_NAME,
  PROP_APPEARANCE,
  PROP_INCLUDES,
  PROP_DISCOVERABLE,
  PROP_DISCOVERABLE_TIMEOUT,
  PROP_DURATION,
  PROP_TIMEOUT,
  PROP_SECONDARY_CHANNEL,
  PROP_MIN_INTERVAL,
  PROP_MAX_INTERVAL,
  PROP_TX_POWER,
  PROP_REGISTRATION_STATE,
  PROP_AUTO_REGISTER,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static const GpRegistrationVTable registration_vtable;

enum {
  SIGNAL_RELEASED,
  SIGNAL_UPDATE_FAILED,
  SIGNAL_REGISTRATION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The order bluetoothd 5.66 parses properties in (advertising.c parsers[]). */
static const char * const property_order[] = {
  "Type", "ServiceUUIDs", "SolicitUUIDs", "ManufacturerData", "ServiceData",
  "Includes", "LocalName", "Appearance", "Duration", "Timeout", "Data",
  "Discoverable", "DiscoverableTimeout", "SecondaryChannel", "MinInterval",
  "MaxInterval", "TxPower", NULL
};

static const char * const include_names[] = { "tx-power", "appearance", "local-name" };
static const char * const channel_names[] = { NULL, "1M", "2M", "Coded" };

static void schedule_apply (GpAdvertisement *self);
static void register_advertisement (GpAdvertisement *self, GTask *task);

/* ------------------------------------------------------------------ */
/* D-Bus properties                                                     */

static gboolean
has_intervals (GpAdvertisement *self)
{
  return self->min_interval != 0 || self->max_interval != 0;
}

static GVariant *
uuid_list_variant (char **uuids)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; uuids != NULL && uuids[i] != NULL; i++)
    {
      guint size;
      g_autofree char *u = gp_advertising_data_uuid_for_bluez (uuids[i], &size);
      g_variant_builder_add (&b, "s", u != NULL ? u : uuids[i]);
    }
  return g_variant_builder_end (&b);
}

static GVariant *
bytes_variant (GBytes *bytes)
{
  return g_variant_new_variant (gp_bytes_to_variant (bytes));
}

/* The LEAdvertisement1 properties to export: only the ones that are set
 * (bluetoothd treats absent and present differently). */
static GVariant *
build_properties (GpAdvertisement *self)
{
  GVariantBuilder b;
  gboolean peripheral = self->type == GP_ADVERTISEMENT_TYPE_PERIPHERAL;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "Type",
                         g_variant_new_string (peripheral ? "peripheral" : "broadcast"));
  if (self->service_uuids != NULL && self->service_uuids[0] != NULL)
    g_variant_builder_add (&b, "{sv}", "ServiceUUIDs", uuid_list_variant (self->service_uuids));
  if (self->solicit_uuids != NULL && self->solicit_uuids[0] != NULL)
    g_variant_builder_add (&b, "{sv}", "SolicitUUIDs", uuid_list_variant (self->solicit_uuids));
  if (self->manufacturer_data->len > 0)
    {
      GVariantBuilder m;

      g_variant_builder_init (&m, G_VARIANT_TYPE ("a{qv}"));
      for (guint i = 0; i < self->manufacturer_data->len; i++)
        {
          GpAdvertisingDataEntry *e = g_ptr_array_index (self->manufacturer_data, i);
          g_variant_builder_add (&m, "{q@v}", (guint16) e->key, bytes_variant (e->data));
        }
      g_variant_builder_add (&b, "{sv}", "ManufacturerData", g_variant_builder_end (&m));
    }
  if (self->service_data->len > 0)
    {
      GVariantBuilder m;

      g_variant_builder_init (&m, G_VARIANT_TYPE ("a{sv}"));
      for (guint i = 0; i < self->service_data->len; i++)
        {
          GpAdvertisingDataEntry *e = g_ptr_array_index (self->service_data, i);
          guint size;
          g_autofree char *u = gp_advertising_data_uuid_for_bluez (e->uuid, &size);
          g_variant_builder_add (&m, "{s@v}", u != NULL ? u : e->uuid, bytes_variant (e->data));
        }
      g_variant_builder_add (&b, "{sv}", "ServiceData", g_variant_builder_end (&m));
    }
  if (self->includes != 0)
    {
      GVariantBuilder m;

      g_variant_builder_init (&m, G_VARIANT_TYPE_STRING_ARRAY);
      for (guint i = 0; i < G_N_ELEMENTS (include_names); i++)
        if (self->includes & (1u << i))
          g_variant_builder_add (&m, "s", include_names[i]);
      g_variant_builder_add (&b, "{sv}", "Includes", g_variant_builder_end (&m));
    }
  if (self->local_name != NULL && self->local_name[0] != '\0')
    g_variant_builder_add (&b, "{sv}", "LocalName", g_variant_new_string (self->local_name));
  if (self->appearance != GP_ADVERTISEMENT_APPEARANCE_NONE)
    g_variant_builder_add (&b, "{sv}", "Appearance", g_variant_new_uint16 (self->appearance));
  if (self->duration != 0)
    g_variant_builder_add (&b, "{sv}", "Duration", g_variant_new_uint16 (self->duration));
  if (self->timeout != 0)
    g_variant_builder_add (&b, "{sv}", "Timeout", g_variant_new_uint16 (self->timeout));
  if (self->data->len > 0)
    {
      GVariantBuilder m;

      g_variant_builder_init (&m, G_VARIANT_TYPE ("a{yv}"));
      for (guint i = 0; i < self->data->len; i++)
        {
          GpAdvertisingDataEntry *e = g_ptr_array_index (self->data, i);
          g_variant_builder_add (&m, "{y@v}", (guint8) e->key, bytes_variant (e->data));
        }
      g_variant_builder_add (&b, "{sv}", "Data", g_variant_builder_end (&m));
    }
  if (peripheral)
    {
      g_variant_builder_add (&b, "{sv}", "Discoverable", g_variant_new_boolean (self->discoverable));
      /* 5.66 clears the flags at once for a timeout of 0: never send it. */
      if (self->discoverable && self->discoverable_timeout > 0)
        g_variant_builder_add (&b, "{sv}", "DiscoverableTimeout",
                               g_variant_new_uint16 (self->discoverable_timeout));
    }
  if (self->secondary_channel != GP_SECONDARY_CHANNEL_NONE)
    g_variant_builder_add (&b, "{sv}", "SecondaryChannel",
                           g_variant_new_string (channel_names[self->secondary_channel]));
  if (has_intervals (self))
    {
      guint min = self->min_interval != 0 ? self->min_interval : self->max_interval;
      guint max = self->max_interval != 0 ? self->max_interval : self->min_interval;

      g_variant_builder_add (&b, "{sv}", "MinInterval", g_variant_new_uint32 (min));
      g_variant_builder_add (&b, "{sv}", "MaxInterval", g_variant_new_uint32 (max));
    }
  if (self->tx_power != GP_ADVERTISEMENT_TX_POWER_NONE)
    g_variant_builder_add (&b, "{sv}", "TxPower", g_variant_new_int16 (self->tx_power));

  return g_variant_ref_sink (g_variant_builder_end (&b));
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */

/* What the advertisement says, for the checks of gp-advertising-data.c. */
static void
get_advertising_data (GpAdvertisement   *self,
                      GpAdvertisingData *ad)
{
  *ad = (GpAdvertisingData) {
    .peripheral = self->type == GP_ADVERTISEMENT_TYPE_PERIPHERAL,
    .discoverable = self->discoverable,
    .extended = self->extended,
    .secondary = self->secondary_channel != GP_SECONDARY_CHANNEL_NONE,
    .max_adv_len = self->max_adv_len,
    .max_scan_rsp_len = self->max_scan_rsp_len,
    .service_uuids = (const char * const *) self->service_uuids,
    .solicit_uuids = (const char * const *) self->solicit_uuids,
    .local_name = self->local_name,
    .has_appearance = self->appearance != GP_ADVERTISEMENT_APPEARANCE_NONE,
    .includes = self->includes,
    .discoverable_timeout = self->discoverable_timeout,
    .timeout = self->timeout,
    .min_interval = self->min_interval,
    .max_interval = self->max_interval,
    .tx_power = self->tx_power,
    .manufacturer_data = self->manufacturer_data,
    .service_data = self->service_data,
    .data = self->data,
  };
}

static gboolean
check_content (GpAdvertisement  *self,
               GError          **error)
{
  GpAdvertisingData ad;

  get_advertising_data (self, &ad);
  return gp_advertising_data_check (&ad, self->object_path, error);
}

static gboolean
check_manager (GpAdvertisement  *self,
               GError          **error)
{
  if (!self->have_manager_info)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (include_names); i++)
    if ((self->includes & (1u << i)) && self->supported_includes != NULL &&
        !g_strv_contains ((const char * const *) self->supported_includes, include_names[i]))
      {
        g_set_error (error, GP_ERROR, GP_ERROR_NOT_SUPPORTED,
                     "Includes %s is not supported by this adapter (BlueZ would drop it "
                     "silently)", include_names[i]);
        return FALSE;
      }
  if (self->secondary_channel != GP_SECONDARY_CHANNEL_NONE &&
      (self->supported_channels == NULL ||
       !g_strv_contains ((const char * const *) self->supported_channels,
                         channel_names[self->secondary_channel])))
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_SUPPORTED,
                   "Secondary channel %s is not supported by this adapter (it needs a "
                   "controller and kernel with extended advertising)",
                   channel_names[self->secondary_channel]);
      return FALSE;
    }
  if ((has_intervals (self) || self->tx_power != GP_ADVERTISEMENT_TX_POWER_NONE) &&
      !self->experimental)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_SUPPORTED,
                   "%s: bluetoothd 5.66 ignores MinInterval, MaxInterval and TxPower unless "
                   "it runs with -E (experimental; stable from BlueZ 5.77). Start bluetoothd "
                   "with -E, or unset them",
                   has_intervals (self) ? "min-interval/max-interval" : "tx-power");
      return FALSE;
    }
  return TRUE;
}

/**
 * gp_advertisement_check:
 * @self: a #GpAdvertisement
 * @error: return location for a #GError
 *
 * Checks the advertisement as [method@Advertisement.start_async] does
 * before BlueZ sees it: UUIDs, conflicts (a local name and
 * `Includes: local-name`, an appearance and `Includes: appearance`),
 * AD types BlueZ refuses in Data, ranges, and whether the advertising
 * data fits. Before the advertisement has been started, the data must fit
 * in the 31 bytes of legacy advertising; once it has been started, in the
 * limit the adapter's advertising manager published then (`MaxAdvLen` and
 * `MaxScnRspLen` of `SupportedCapabilities`), and the check also covers
 * what the adapter supports (includes, secondary channels, and whether
 * bluetoothd runs with `-E` for intervals and TX power).
 *
 * Returns: %TRUE if BlueZ should take the advertisement; %FALSE with
 *   @error set (%GP_ERROR_INVALID_VALUE_LENGTH for data that does not fit,
 *   naming the fields, the limit in force and where it comes from, and
 *   the number of bytes over;
 *   %GP_ERROR_INVALID_ARGUMENTS; %GP_ERROR_NOT_SUPPORTED)
 *
 * Since: 0.1
 */
gboolean
gp_advertisement_check (GpAdvertisement  *self,
                        GError          **error)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_content (self, error) && check_manager (self, error);
}

/**
 * gp_advertisement_get_data_length:
 * @self: a #GpAdvertisement
 *
 * How many bytes of advertising data bluetoothd makes of the
 * advertisement's fields (not counting what the kernel adds: Flags
 * managed by the kernel, TX power). The local name goes in the scan
 * response and is not counted, except where the advertisement is sent as
 * extended advertising PDUs (a connectable advertisement with a secondary
 * channel, or with more than 31 bytes on an adapter with extended
 * advertising): it has no scan response, and the name is counted.
 *
 * Returns: the length in bytes
 *
 * Since: 0.1
 */
guint
gp_advertisement_get_data_length (GpAdvertisement *self)
{
  GpAdvertisingData ad;

  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), 0);

  get_advertising_data (self, &ad);
  return gp_advertising_data_get_length (&ad);
}

/* ------------------------------------------------------------------ */
/* The exported object                                                  */

static gboolean
is_registered (GpAdvertisement *self)
{
  return self->registration != NULL && gp_registration_get_registered (self->registration);
}

static void
unexport (GpAdvertisement *self)
{
  if (self->export_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->export_id);
      self->export_id = 0;
    }
  if (self->gate != NULL)
    gp_caller_gate_detach (self->gate);
}

static void
properties_call (GpAdvertisement       *self,
                 GDBusMethodInvocation *invocation,
                 const char            *method_name,
                 GVariant              *parameters)
{
  g_autoptr(GVariant) all = build_properties (self);
  const char *name = NULL;

  if (strcmp (method_name, "GetAll") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", all));
      return;
    }
  g_variant_get_child (parameters, 1, "&s", &name);
  if (strcmp (method_name, "Get") == 0)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (all, name, NULL);

      /* GetAll leaves out properties that are not set. */
      if (value == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "Property “%s” is not set", name);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
      return;
    }
  /* bluetoothd writes back the TX power the controller chose (extended
   * advertising): accepted, the requested value stays. */
  if (strcmp (method_name, "Set") == 0 && strcmp (name, "TxPower") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                                         "Property %s cannot be set from D-Bus", name);
}

static void
object_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  GpAdvertisement *self = user_data;

  /* Every method, and Properties too: only bluetoothd. */
  if (!gp_registration_check_caller (self->registration, invocation))
    return;

  if (strcmp (interface_name, "org.freedesktop.DBus.Properties") == 0)
    {
      properties_call (self, invocation, method_name, parameters);
      return;
    }
  if (strcmp (method_name, "Release") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_debug ("BlueZ released advertisement %s", self->object_path);
      /* A re-registration in flight unregistered it itself. */
      if (!self->reregistering)
        gp_registration_released (self->registration);
      return;
    }

  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                         "Unknown method %s", method_name);
}

/* Properties calls come to object_method_call, which checks the caller. */
static const GDBusInterfaceVTable object_vtable = {
  object_method_call,
  NULL,
  NULL,
  { 0 }
};

static gboolean
export (GpAdvertisement  *self,
        GError          **error)
{
  /* Properties calls included (GDBus answers a Set of a read-only one
   * itself), only bluetoothd gets through. */
  if (self->gate == NULL)
    self->gate = gp_caller_gate_new (self->object_path);
  gp_caller_gate_attach (self->gate, self->connection, gp_registration_get_owner (self->registration));
  if (self->export_id != 0)
    return TRUE;
  self->export_id = g_dbus_connection_register_object (self->connection, self->object_path,
                                                       GP_BLUEZ_INTERFACE_INFO (leadvertisement1),
                                                       &object_vtable, self, NULL, error);
  if (self->export_id == 0)
    gp_caller_gate_detach (self->gate);
  return self->export_id != 0;
}

/* ------------------------------------------------------------------ */
/* Changes while active                                                 */

static void
emit_changed (GpAdvertisement *self,
              const char      *name,
              GVariant        *value)
{
  GVariantBuilder changed, invalidated;

  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_init (&invalidated, G_VARIANT_TYPE_STRING_ARRAY);
  if (value != NULL)
    g_variant_builder_add (&changed, "{sv}", name, value);
  else
    g_variant_builder_add (&invalidated, "s", name);
  g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}as)", "org.bluez.LEAdvertisement1",
                                                &changed, &invalidated),
                                 NULL);
}

static gboolean
includes_appearance (GVariant *props)
{
  g_autofree const char **inc = NULL;

  if (!g_variant_lookup (props, "Includes", "^a&s", &inc))
    return FALSE;
  return g_strv_contains (inc, "appearance");
}

static gboolean
changed (GVariant   *old,
         GVariant   *new,
         const char *name)
{
  g_autoptr(GVariant) a = g_variant_lookup_value (old, name, NULL);
  g_autoptr(GVariant) b = g_variant_lookup_value (new, name, NULL);

  if (a == NULL || b == NULL)
    return a != b;
  return !g_variant_equal (a, b);
}

static gboolean
present (GVariant   *props,
         const char *name)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (props, name, NULL);
  return v != NULL;
}

/* Changes bluetoothd 5.66 does not apply correctly through
 * PropertiesChanged (advertising.c properties_changed() only re-runs one
 * parser and refreshes): the appearance stays in its data once added; the
 * Limited flag and the conflicts are only set up at registration; a
 * removed interval or TX power is not refreshed. */
static gboolean
needs_reregister (GVariant *old,
                  GVariant *new)
{
  if (changed (old, new, "Type") || changed (old, new, "DiscoverableTimeout") ||
      changed (old, new, "SecondaryChannel"))
    return TRUE;
  if (present (new, "DiscoverableTimeout") && changed (old, new, "Discoverable"))
    return TRUE;
  if (present (old, "Appearance") && !present (new, "Appearance"))
    return TRUE;
  if (includes_appearance (old) && !includes_appearance (new))
    return TRUE;
  if (present (new, "SecondaryChannel") && changed (old, new, "LocalName"))
    return TRUE;
  for (guint i = 0; i < 3; i++)
    {
      const char *name = (const char *[]) { "MinInterval", "MaxInterval", "TxPower" }[i];
      if (present (old, name) && !present (new, name))
        return TRUE;
    }
  return FALSE;
}

static void
reregister_unregistered (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GpAdvertisement) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_debug ("Unregistering advertisement %s to re-register it: %s",
             self->object_path, error->message);
  if (!is_registered (self) || !self->reregistering)
    return;
  register_advertisement (self, NULL);
}

static gboolean
apply_changes (gpointer user_data)
{
  GpAdvertisement *self = user_data;
  g_autoptr(GVariant) now = NULL;
  g_autoptr(GError) error = NULL;

  gp_source_clear (&self->apply_idle);
  if (!is_registered (self) || self->reregistering || self->sent == NULL)
    return G_SOURCE_REMOVE;

  now = build_properties (self);
  if (g_variant_equal (now, self->sent))
    return G_SOURCE_REMOVE;

  if (!gp_advertisement_check (self, &error))
    {
      g_prefix_error (&error, "Change not sent to BlueZ (advertisement %s stays as it was): ",
                      self->object_path);
      g_signal_emit (self, signals[SIGNAL_UPDATE_FAILED], 0, error);
      return G_SOURCE_REMOVE;
    }

  if (needs_reregister (self->sent, now))
    {
      g_debug ("Re-registering advertisement %s to apply a change", self->object_path);
      self->reregistering = TRUE;
      g_dbus_connection_call (self->connection, gp_registration_get_owner (self->registration),
                              gp_registration_get_adapter_path (self->registration),
                              "org.bluez.LEAdvertisingManager1", "UnregisterAdvertisement",
                              g_variant_new ("(o)", self->object_path), NULL,
                              G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                              reregister_unregistered, g_object_ref (self));
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; property_order[i] != NULL; i++)
    if (changed (self->sent, now, property_order[i]))
      {
        g_autoptr(GVariant) v = g_variant_lookup_value (now, property_order[i], NULL);
        emit_changed (self, property_order[i], v);
      }
  g_clear_pointer (&self->sent, g_variant_unref);
  self->sent = g_steal_pointer (&now);
  return G_SOURCE_REMOVE;
}

static void
schedule_apply (GpAdvertisement *self)
{
  /* Registered, or being registered (BlueZ may be reading us). */
  if (self->sent == NULL || self->apply_idle != NULL)
    return;
  self->apply_idle = gp_idle_source_attach (self->context, G_PRIORITY_DEFAULT_IDLE,
                                            apply_changes, self);
}

/* A property of the content changed. */
static void
content_changed (GpAdvertisement *self,
                 GParamSpec      *pspec)
{
  if (pspec != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
  schedule_apply (self);
}

/* ------------------------------------------------------------------ */
/* Registration                                                         */

static char *
largest_fields (GpAdvertisement *self)
{
  GpAdvertisingData ad;
  g_autofree char *fields = NULL;

  get_advertising_data (self, &ad);
  fields = gp_advertising_data_describe (&ad);
  /* The controller's MaxAdvLen is published from 5.66 (with -E), but
   * bluetoothd builds longer data only from 5.69, and sends it as
   * extended advertising by itself only from 5.76. */
  if (gp_advertising_data_get_length (&ad) > GP_ADVERTISING_DATA_MAX_LEN &&
      self->max_adv_len > GP_ADVERTISING_DATA_MAX_LEN)
    return g_strdup_printf ("%s; the controller takes %u bytes, but bluetoothd before BlueZ "
                            "5.69 builds at most %u, and before 5.76 sends more only with a "
                            "secondary channel", fields, self->max_adv_len,
                            GP_ADVERTISING_DATA_MAX_LEN);
  return g_steal_pointer (&fields);
}

/* Makes BlueZ's answer to RegisterAdvertisement one a user can act on. */
GError *
gp_advertisement_explain_error (GpAdvertisement *self,
                                GError          *error)
{
  const char *adapter = self->adapter != NULL ? gp_adapter_get_interface_name (self->adapter)
                                               : "the adapter";
  g_autofree char *remote = g_dbus_error_get_remote_error (error);
  g_autofree char *fields = largest_fields (self);
  GError *ret;

  error = gp_dbus_error_from_bluez (error);
  if (g_error_matches (error, GP_ERROR, GP_ERROR_NOT_PERMITTED))
    ret = g_error_new (GP_ERROR, GP_ERROR_NOT_PERMITTED,
                       "No advertising instance is free on %s (BlueZ: “%s”): %u advertisements "
                       "are active there, from this and other programs. Stop one "
                       "(gp_advertisement_stop_async(), or unregister another program's) "
                       "and start again", adapter, error->message, self->active_instances);
  else if (g_error_matches (error, GP_ERROR, GP_ERROR_FAILED) &&
           strstr (error->message, "parse") != NULL)
    ret = g_error_new (GP_ERROR, GP_ERROR_FAILED,
                       "BlueZ could not take advertisement %s on %s (“%s”) although it passed "
                       "this library's checks: most likely the data is too long for this "
                       "controller (%s), or this bluetoothd refuses one of the fields. Remove "
                       "the largest field and try again; journalctl -u bluetooth says which "
                       "property failed", self->object_path, adapter, error->message, fields);
  else if (g_error_matches (error, GP_ERROR, GP_ERROR_FAILED))
    ret = g_error_new (GP_ERROR, GP_ERROR_FAILED,
                       "The kernel or controller refused advertisement %s on %s (BlueZ: “%s”): "
                       "the data may be too long for this controller (%s), or the secondary "
                       "channel, intervals or TX power are not supported. btmon shows the "
                       "controller's answer", self->object_path, adapter, error->message, fields);
  else if (g_error_matches (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS))
    ret = g_error_new (GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                       "An advertisement with object path %s is already registered on %s from "
                       "this D-Bus connection: give each advertisement its own path",
                       self->object_path, adapter);
  else if (remote != NULL && g_str_has_prefix (remote, "org.freedesktop.DBus.Error.Unknown"))
    ret = g_error_new (GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                       "Adapter %s has no LE advertising manager (BlueZ: “%s”): it is not an LE "
                       "adapter, or it is gone", adapter, error->message);
  else
    {
      ret = g_error_copy (error);
      g_prefix_error (&ret, "BlueZ refused advertisement %s on %s: ", self->object_path, adapter);
    }
  g_error_free (error);
  return ret;
}

static void
register_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpAdvertisement *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        error = gp_advertisement_explain_error (self, error);
      g_task_return_error (task, error);
      return;
    }
  /* Changes made while BlueZ read us. */
  schedule_apply (self);
  g_task_return_boolean (task, TRUE);
}

static void
reregister_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GpAdvertisement) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (!self->reregistering)
    {
      g_clear_error (&error);
      return;
    }
  self->reregistering = FALSE;
  if (reply == NULL)
    {
      g_autoptr(GError) explained = gp_advertisement_explain_error (self, error);

      g_prefix_error (&explained, "Re-registering to apply a change failed: ");
      gp_registration_give_up (self->registration, GP_REGISTRATION_REASON_FAILED);
      g_signal_emit (self, signals[SIGNAL_UPDATE_FAILED], 0, explained);
      return;
    }
  schedule_apply (self);
}

/* Sends RegisterAdvertisement; @task is the start task, or NULL when
 * re-registering an active advertisement. */
static void
register_advertisement (GpAdvertisement *self,
                        GTask           *task)
{
  GVariant *options = g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);

  g_clear_pointer (&self->sent, g_variant_unref);
  self->sent = build_properties (self);
  g_dbus_connection_call (self->connection, gp_registration_get_owner (self->registration),
                          gp_registration_get_adapter_path (self->registration),
                          "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement",
                          g_variant_new ("(o@a{sv})", self->object_path, options),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, GP_REGISTER_TIMEOUT_MSEC,
                          task != NULL ? g_task_get_cancellable (task) : NULL,
                          task != NULL ? register_done : reregister_done,
                          task != NULL ? (gpointer) g_object_ref (task) : (gpointer) g_object_ref (self));
}

/* The adapter's and its advertising manager's properties, asked for at
 * the same time (one round trip to bluetoothd, not two), then checked in
 * that order. */
typedef struct
{
  guint     pending;
  GVariant *adapter;   /* Adapter1's GetAll reply, or NULL */
  GVariant *manager;   /* LEAdvertisingManager1's */
  GError   *adapter_error;
  GError   *manager_error;
} StartData;

static void
start_data_free (gpointer data)
{
  StartData *sd = data;

  g_clear_pointer (&sd->adapter, g_variant_unref);
  g_clear_pointer (&sd->manager, g_variant_unref);
  g_clear_error (&sd->adapter_error);
  g_clear_error (&sd->manager_error);
  g_free (sd);
}

/* Both answers are in: the adapter must be there and powered, the
 * advertisement fit what the manager supports; then export and register. */
static void
start_checked (GTask *task)
{
  GpAdvertisement *self = g_task_get_source_object (task);
  StartData *sd = g_task_get_task_data (task);
  g_autoptr(GVariant) adapter = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GVariant) caps = NULL;
  GError *error = NULL;
  gboolean powered = FALSE;
  guint8 active = 0, free_instances = 0;

  if (sd->adapter_error != NULL)
    {
      error = gp_dbus_error_from_bluez (g_steal_pointer (&sd->adapter_error));
      if (!g_error_matches (error, GP_ERROR, GP_ERROR_NOT_READY))
        {
          GError *e = g_error_new (GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                                   "Adapter %s is gone (%s)",
                                   gp_adapter_get_object_path (self->adapter), error->message);
          g_error_free (error);
          error = e;
        }
      g_task_return_error (task, error);
      return;
    }
  adapter = g_variant_get_child_value (sd->adapter, 0);
  g_variant_lookup (adapter, "Powered", "b", &powered);
  if (!powered)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_READY,
                               "Adapter %s is powered off: power it on "
                               "(gp_adapter_set_powered_async(), or bluetoothctl power on) "
                               "and start the advertisement again",
                               gp_adapter_get_interface_name (self->adapter));
      return;
    }

  if (sd->manager_error != NULL)
    {
      error = gp_dbus_error_from_bluez (g_steal_pointer (&sd->manager_error));
      if (!g_error_matches (error, GP_ERROR, GP_ERROR_NOT_READY))
        {
          GError *e = g_error_new (GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                                   "Adapter %s has no LE advertising manager (%s): it is not an "
                                   "LE adapter, it is gone, or bluetoothd is still setting it up",
                                   gp_adapter_get_interface_name (self->adapter), error->message);
          g_error_free (error);
          error = e;
        }
      g_task_return_error (task, error);
      return;
    }

  all = g_variant_get_child_value (sd->manager, 0);
  g_variant_lookup (all, "ActiveInstances", "y", &active);
  g_variant_lookup (all, "SupportedInstances", "y", &free_instances);
  self->active_instances = active;
  self->free_instances = free_instances;
  g_clear_pointer (&self->supported_includes, g_strfreev);
  g_clear_pointer (&self->supported_channels, g_strfreev);
  g_variant_lookup (all, "SupportedIncludes", "^as", &self->supported_includes);
  self->extended = g_variant_lookup (all, "SupportedSecondaryChannels", "^as",
                                     &self->supported_channels);
  caps = g_variant_lookup_value (all, "SupportedCapabilities", G_VARIANT_TYPE_VARDICT);
  self->experimental = caps != NULL;
  /* The controller's limits, as the kernel reports them (31 bytes without
   * extended advertising); bluetoothd builds the data for them from 5.69. */
  self->max_adv_len = 0;
  self->max_scan_rsp_len = 0;
  if (caps != NULL)
    {
      guint8 len;

      if (g_variant_lookup (caps, "MaxAdvLen", "y", &len))
        self->max_adv_len = len;
      if (g_variant_lookup (caps, "MaxScnRspLen", "y", &len))
        self->max_scan_rsp_len = len;
    }
  self->have_manager_info = TRUE;

  if (!gp_advertisement_check (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!export (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  register_advertisement (self, task);
}

static void
start_got_properties (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data,
                      gboolean      of_adapter)
{
  g_autoptr(GTask) task = user_data;
  StartData *sd = g_task_get_task_data (task);
  GVariant *reply;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (of_adapter)
    {
      sd->adapter = reply;
      sd->adapter_error = error;
    }
  else
    {
      sd->manager = reply;
      sd->manager_error = error;
    }
  if (--sd->pending == 0)
    start_checked (task);
}

static void
start_got_adapter_props (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  start_got_properties (source, result, user_data, TRUE);
}

static void
start_got_manager (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  start_got_properties (source, result, user_data, FALSE);
}

/* What GpRegistration calls: check against the adapter, export and
 * register on @target. */
static void
registration_register_async (GObject             *object,
                             GpBluezTarget       *target,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GpAdvertisement *self = GP_ADVERTISEMENT (object);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  StartData *sd = g_new0 (StartData, 1);

  if (self->connection == NULL)
    {
      self->connection = g_object_ref (target->connection);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTION]);
    }
  if (g_set_object (&self->adapter, target->adapter))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ADAPTER]);

  sd->pending = 2;
  g_task_set_task_data (task, sd, start_data_free);
  g_dbus_connection_call (self->connection, target->owner,
                          gp_adapter_get_object_path (self->adapter),
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "org.bluez.Adapter1"),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          cancellable, start_got_adapter_props, g_object_ref (task));
  g_dbus_connection_call (self->connection, target->owner,
                          gp_adapter_get_object_path (self->adapter),
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "org.bluez.LEAdvertisingManager1"),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          cancellable, start_got_manager, g_object_ref (task));
}

static gboolean
registration_register_finish (GObject       *object,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* BlueZ does not have the advertisement (any more). */
static void
registration_dropped (GObject              *object,
                      GpRegistrationReason  reason)
{
  GpAdvertisement *self = GP_ADVERTISEMENT (object);

  unexport (self);
  gp_source_clear (&self->apply_idle);
  g_clear_pointer (&self->sent, g_variant_unref);
  self->reregistering = FALSE;
}

static void
registration_released (GObject *object)
{
  g_signal_emit (object, signals[SIGNAL_RELEASED], 0);
}

static const GpRegistrationVTable registration_vtable = {
  .what = "Advertisement",
  .manager_interface = "org.bluez.LEAdvertisingManager1",
  .unregister_method = "UnregisterAdvertisement",
  .on_adapter = TRUE,
  .register_async = registration_register_async,
  .register_finish = registration_register_finish,
  .dropped = registration_dropped,
  .released = registration_released,
};

/**
 * gp_advertisement_start_async:
 * @self: a #GpAdvertisement
 * @adapter: (nullable): the adapter to advertise on, or %NULL for the
 *   first powered adapter
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Checks the advertisement (see [method@Advertisement.check]), exports it
 * and registers it with BlueZ (`RegisterAdvertisement`). BlueZ reads the
 * advertisement during the call, so the main context must keep running.
 *
 * Errors, each with a message that says what to do:
 * %GP_ERROR_ALREADY_EXISTS if it is registered, %GP_ERROR_IN_PROGRESS while
 * it starts, %GP_ERROR_INVALID_VALUE_LENGTH for data that does not fit
 * (naming the fields and the bytes over), %GP_ERROR_INVALID_ARGUMENTS,
 * %GP_ERROR_NOT_SUPPORTED for what the adapter or bluetoothd does not
 * support (intervals and TX power without `bluetoothd -E`),
 * %GP_ERROR_NOT_READY if the adapter is powered off or BlueZ is not
 * running, %GP_ERROR_NOT_AVAILABLE without an LE adapter,
 * %GP_ERROR_NOT_PERMITTED when every advertising instance is taken, and
 * %GP_ERROR_FAILED when bluetoothd or the kernel refuses the data.
 *
 * Since: 0.1
 */
void
gp_advertisement_start_async (GpAdvertisement     *self,
                              GpAdapter           *adapter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GpAdvertisingData ad;
  GError *error = NULL;

  g_return_if_fail (GP_IS_ADVERTISEMENT (self));
  g_return_if_fail (adapter == NULL || GP_IS_ADAPTER (adapter));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_advertisement_start_async);

  /* Whether the data fits is checked once the adapter's limits are known
   * (manager_props_cb()). */
  get_advertising_data (self, &ad);
  if (!gp_advertising_data_check_fields (&ad, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (adapter != NULL && self->connection != NULL &&
      gp_adapter_get_connection (adapter) != self->connection)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                               "The adapter is on another D-Bus connection than advertisement %s",
                               self->object_path);
      return;
    }

  gp_registration_register (self->registration, task, self->connection, adapter,
                            self->object_path);
}

/**
 * gp_advertisement_start_finish:
 * @self: a #GpAdvertisement
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Advertisement.start_async].
 *
 * Returns: %TRUE if the advertisement is on air
 *
 * Since: 0.1
 */
gboolean
gp_advertisement_start_finish (GpAdvertisement  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_advertisement_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gp_advertisement_stop_async:
 * @self: a #GpAdvertisement
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Stops the advertisement (`UnregisterAdvertisement`) and stops exporting
 * it. BlueZ does not call Release for this: [signal@Advertisement::released]
 * is not emitted. The advertisement can be started again.
 *
 * If BlueZ lost the advertisement (%GP_REGISTRATION_STATE_LOST), it stops
 * the advertisement from registering itself again, and succeeds. It fails
 * with %GP_ERROR_DOES_NOT_EXIST if the advertisement is not registered, and
 * %GP_ERROR_IN_PROGRESS while [method@Advertisement.start_async] runs.
 *
 * Since: 0.1
 */
void
gp_advertisement_stop_async (GpAdvertisement     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GP_IS_ADVERTISEMENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_advertisement_stop_async);

  self->reregistering = FALSE;
  gp_registration_unregister (self->registration, task);
}

/**
 * gp_advertisement_stop_finish:
 * @self: a #GpAdvertisement
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Advertisement.stop_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_advertisement_stop_finish (GpAdvertisement  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_advertisement_stop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
gp_advertisement_dispose (GObject *object)
{
  GpAdvertisement *self = GP_ADVERTISEMENT (object);

  /* Unregisters from BlueZ if registered; nothing calls back. */
  g_clear_pointer (&self->registration, gp_registration_free);
  gp_source_clear (&self->apply_idle);
  if (self->connection != NULL)
    unexport (self);

  G_OBJECT_CLASS (gp_advertisement_parent_class)->dispose (object);
}

static void
gp_advertisement_finalize (GObject *object)
{
  GpAdvertisement *self = GP_ADVERTISEMENT (object);

  g_clear_pointer (&self->service_uuids, g_strfreev);
  g_clear_pointer (&self->solicit_uuids, g_strfreev);
  g_clear_pointer (&self->local_name, g_free);
  g_clear_pointer (&self->manufacturer_data, g_ptr_array_unref);
  g_clear_pointer (&self->service_data, g_ptr_array_unref);
  g_clear_pointer (&self->data, g_ptr_array_unref);
  g_clear_pointer (&self->supported_includes, g_strfreev);
  g_clear_pointer (&self->supported_channels, g_strfreev);
  g_clear_pointer (&self->sent, g_variant_unref);
  g_clear_pointer (&self->gate, gp_caller_gate_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_object (&self->adapter);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (gp_advertisement_parent_class)->finalize (object);
}

static void
gp_advertisement_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GpAdvertisement *self = GP_ADVERTISEMENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_OBJECT_PATH:
      g_value_set_string (value, self->object_path);
      break;
    case PROP_ADAPTER:
      g_value_set_object (value, self->adapter);
      break;
    case PROP_REGISTERED:
      g_value_set_boolean (value, gp_advertisement_get_registered (self));
      break;
    case PROP_REGISTRATION_STATE:
      g_value_set_enum (value, gp_advertisement_get_registration_state (self));
      break;
    case PROP_AUTO_REGISTER:
      g_value_set_boolean (value, gp_advertisement_get_auto_register (self));
      break;
    case PROP_ADVERTISEMENT_TYPE:
      g_value_set_enum (value, self->type);
      break;
    case PROP_SERVICE_UUIDS:
      g_value_set_boxed (value, self->service_uuids);
      break;
    case PROP_SOLICIT_UUIDS:
      g_value_set_boxed (value, self->solicit_uuids);
      break;
    case PROP_LOCAL_NAME:
      g_value_set_string (value, self->local_name);
      break;
    case PROP_APPEARANCE:
      g_value_set_int (value, self->appearance);
      break;
    case PROP_INCLUDES:
      g_value_set_flags (value, self->includes);
      break;
    case PROP_DISCOVERABLE:
      g_value_set_boolean (value, self->discoverable);
      break;
    case PROP_DISCOVERABLE_TIMEOUT:
      g_value_set_uint (value, self->discoverable_timeout);
      break;
    case PROP_DURATION:
      g_value_set_uint (value, self->duration);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_SECONDARY_CHANNEL:
      g_value_set_enum (value, self->secondary_channel);
      break;
    case PROP_MIN_INTERVAL:
      g_value_set_uint (value, self->min_interval);
      break;
    case PROP_MAX_INTERVAL:
      g_value_set_uint (value, self->max_interval);
      break;
    case PROP_TX_POWER:
      g_value_set_int (value, self->tx_power);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_advertisement_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GpAdvertisement *self = GP_ADVERTISEMENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_OBJECT_PATH:
      {
        static guint counter;
        const char *path = g_value_get_string (value);

        if (path != NULL && !g_variant_is_object_path (path))
          {
            g_critical ("“%s” is not a D-Bus object path", path);
            path = NULL;
          }
        if (path != NULL)
          self->object_path = g_strdup (path);
        else
          self->object_path = g_strdup_printf ("/org/gattperiph/advertisement%u",
                                               g_atomic_int_add (&counter, 1));
      }
      break;
    case PROP_ADVERTISEMENT_TYPE:
      gp_advertisement_set_advertisement_type (self, g_value_get_enum (value));
      break;
    case PROP_SERVICE_UUIDS:
      gp_advertisement_set_service_uuids (self, g_value_get_boxed (value));
      break;
    case PROP_SOLICIT_UUIDS:
      gp_advertisement_set_solicit_uuids (self, g_value_get_boxed (value));
      break;
    case PROP_LOCAL_NAME:
      gp_advertisement_set_local_name (self, g_value_get_string (value));
      break;
    case PROP_APPEARANCE:
      gp_advertisement_set_appearance (self, g_value_get_int (value));
      break;
    case PROP_INCLUDES:
      gp_advertisement_set_includes (self, g_value_get_flags (value));
      break;
    case PROP_DISCOVERABLE:
      gp_advertisement_set_discoverable (self, g_value_get_boolean (value));
      break;
    case PROP_DISCOVERABLE_TIMEOUT:
      gp_advertisement_set_discoverable_timeout (self, g_value_get_uint (value));
      break;
    case PROP_DURATION:
      gp_advertisement_set_duration (self, g_value_get_uint (value));
      break;
    case PROP_TIMEOUT:
      gp_advertisement_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_SECONDARY_CHANNEL:
      gp_advertisement_set_secondary_channel (self, g_value_get_enum (value));
      break;
    case PROP_MIN_INTERVAL:
      gp_advertisement_set_min_interval (self, g_value_get_uint (value));
      break;
    case PROP_MAX_INTERVAL:
      gp_advertisement_set_max_interval (self, g_value_get_uint (value));
      break;
    case PROP_TX_POWER:
      gp_advertisement_set_tx_power (self, g_value_get_int (value));
      break;
    case PROP_AUTO_REGISTER:
      gp_advertisement_set_auto_register (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW_PROP (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
gp_advertisement_class_init (GpAdvertisementClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* BlueZ's errors must arrive in the GP_ERROR domain. */
  g_type_ensure (G_TYPE_DBUS_CONNECTION);
  (void) gp_error_quark ();

  object_class->dispose = gp_advertisement_dispose;
  object_class->finalize = gp_advertisement_finalize;
  object_class->get_property = gp_advertisement_get_property;
  object_class->set_property = gp_advertisement_set_property;

  /**
   * GpAdvertisement:connection:
   *
   * The D-Bus connection the advertisement is exported on. %NULL means
   * the system bus, connected to when it starts.
   *
   * Since: 0.1
   */
  props[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpAdvertisement:object-path:
   *
   * The object path the advertisement is exported under. If none is
   * given, a unique one under `/org/gattperiph/` is chosen.
   *
   * Since: 0.1
   */
  props[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpAdvertisement:adapter:
   *
   * The adapter the advertisement is (or was last) started on.
   *
   * Since: 0.1
   */
  props[PROP_ADAPTER] =
    g_param_spec_object ("adapter", NULL, NULL, GP_TYPE_ADAPTER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpAdvertisement:registered:
   *
   * Whether BlueZ has the advertisement registered (it is on air): the
   * same as [property@Advertisement:registration-state] being
   * %GP_REGISTRATION_STATE_REGISTERED. It turns %FALSE when the
   * advertisement is stopped, when BlueZ releases it (its
   * [property@Advertisement:timeout] expired; see
   * [signal@Advertisement::released]), when bluetoothd exits and when the
   * adapter goes away, and %TRUE again when the advertisement registered
   * itself again (see [property@Advertisement:auto-register]).
   *
   * Since: 0.1
   */
  props[PROP_REGISTERED] = gp_registration_pspec_registered ();

  /**
   * GpAdvertisement:registration-state:
   *
   * Where the advertisement stands with BlueZ; every change is also
   * announced by [signal@Advertisement::registration-changed], with the
   * reason.
   *
   * Since: 0.1
   */
  props[PROP_REGISTRATION_STATE] = gp_registration_pspec_state ();

  /**
   * GpAdvertisement:auto-register:
   *
   * Whether the advertisement registers itself again when bluetoothd
   * comes back after it exited or restarted, or when its adapter comes
   * back (BlueZ drops every advertisement then).
   * [property@Advertisement:registration-state] follows.
   *
   * Since: 0.1
   */
  props[PROP_AUTO_REGISTER] = gp_registration_pspec_auto_register ();

  /**
   * GpAdvertisement:advertisement-type:
   *
   * Connectable (%GP_ADVERTISEMENT_TYPE_PERIPHERAL, the default) or
   * not (%GP_ADVERTISEMENT_TYPE_BROADCAST). (`Type`)
   *
   * Since: 0.1
   */
  props[PROP_ADVERTISEMENT_TYPE] =
    g_param_spec_enum ("advertisement-type", NULL, NULL, GP_TYPE_ADVERTISEMENT_TYPE,
                       GP_ADVERTISEMENT_TYPE_PERIPHERAL, RW_PROP);

  /**
   * GpAdvertisement:service-uuids:
   *
   * The service UUIDs to advertise (`ServiceUUIDs`), in any form
   * gp_uuid_normalize() takes. A 16-bit UUID takes 2 bytes, a 32-bit one 4,
   * a 128-bit one 16, plus 2 per size used.
   *
   * Since: 0.1
   */
  props[PROP_SERVICE_UUIDS] =
    g_param_spec_boxed ("service-uuids", NULL, NULL, G_TYPE_STRV, RW_PROP);

  /**
   * GpAdvertisement:solicit-uuids:
   *
   * Service UUIDs the peripheral wants centrals to offer
   * (`SolicitUUIDs`).
   *
   * Since: 0.1
   */
  props[PROP_SOLICIT_UUIDS] =
    g_param_spec_boxed ("solicit-uuids", NULL, NULL, G_TYPE_STRV, RW_PROP);

  /**
   * GpAdvertisement:local-name:
   *
   * The name to advertise (`LocalName`), or %NULL. BlueZ puts it in the
   * scan response (31 bytes, or `MaxScnRspLen`: a longer name is
   * shortened), or, where the advertisement is sent as extended PDUs, in
   * the advertising data. Conflicts with
   * %GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME.
   *
   * Since: 0.1
   */
  props[PROP_LOCAL_NAME] =
    g_param_spec_string ("local-name", NULL, NULL, NULL, RW_PROP);

  /**
   * GpAdvertisement:appearance:
   *
   * The GAP appearance to advertise (`Appearance`, e.g. 0x0340 for a
   * heart rate sensor), or %GP_ADVERTISEMENT_APPEARANCE_NONE. Takes 4
   * bytes. Conflicts with %GP_ADVERTISEMENT_INCLUDES_APPEARANCE.
   *
   * Since: 0.1
   */
  props[PROP_APPEARANCE] =
    g_param_spec_int ("appearance", NULL, NULL, -1, 0xffff, GP_ADVERTISEMENT_APPEARANCE_NONE,
                      RW_PROP);

  /**
   * GpAdvertisement:includes:
   *
   * What BlueZ adds by itself (`Includes`).
   *
   * Since: 0.1
   */
  props[PROP_INCLUDES] =
    g_param_spec_flags ("includes", NULL, NULL, GP_TYPE_ADVERTISEMENT_INCLUDES,
                        GP_ADVERTISEMENT_INCLUDES_NONE, RW_PROP);

  /**
   * GpAdvertisement:discoverable:
   *
   * Whether the advertisement carries the LE General Discoverable flag
   * (`Discoverable`; the Limited one with a
   * [property@Advertisement:discoverable-timeout]). %TRUE by default, so
   * that the peripheral is found whether or not the adapter is
   * discoverable. Only peripheral adverts carry flags: broadcast ones
   * ignore it. BlueZ 5.66 adds the flag anyway while the adapter itself
   * is discoverable.
   *
   * Since: 0.1
   */
  props[PROP_DISCOVERABLE] =
    g_param_spec_boolean ("discoverable", NULL, NULL, TRUE, RW_PROP);

  /**
   * GpAdvertisement:discoverable-timeout:
   *
   * Seconds after which the discoverable flag is dropped
   * (`DiscoverableTimeout`), 0 for never. Not sent when 0 (BlueZ 5.66
   * would drop the flags at once).
   *
   * Since: 0.1
   */
  props[PROP_DISCOVERABLE_TIMEOUT] =
    g_param_spec_uint ("discoverable-timeout", NULL, NULL, 0, G_MAXUINT16, 0, RW_PROP);

  /**
   * GpAdvertisement:duration:
   *
   * Seconds this advertisement gets in turn when several rotate
   * (`Duration`), 0 for the kernel's default (2 s).
   *
   * Since: 0.1
   */
  props[PROP_DURATION] =
    g_param_spec_uint ("duration", NULL, NULL, 0, G_MAXUINT16, 0, RW_PROP);

  /**
   * GpAdvertisement:timeout:
   *
   * Seconds after which BlueZ stops the advertisement and releases it
   * (`Timeout`); 0, the default, advertises until stopped. Changing it
   * while active restarts the countdown.
   *
   * Since: 0.1
   */
  props[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT16, 0, RW_PROP);

  /**
   * GpAdvertisement:secondary-channel:
   *
   * The secondary channel (`SecondaryChannel`): anything but
   * %GP_SECONDARY_CHANNEL_NONE uses extended advertising.
   *
   * Since: 0.1
   */
  props[PROP_SECONDARY_CHANNEL] =
    g_param_spec_enum ("secondary-channel", NULL, NULL, GP_TYPE_SECONDARY_CHANNEL,
                       GP_SECONDARY_CHANNEL_NONE, RW_PROP);

  /**
   * GpAdvertisement:min-interval:
   *
   * The minimum advertising interval in milliseconds (`MinInterval`,
   * 20 to 10485759), or 0 for the kernel's default. Experimental in BlueZ
   * 5.66: needs `bluetoothd -E`.
   *
   * Since: 0.1
   */
  props[PROP_MIN_INTERVAL] =
    g_param_spec_uint ("min-interval", NULL, NULL, 0, G_MAXUINT32, 0, RW_PROP);

  /**
   * GpAdvertisement:max-interval:
   *
   * The maximum advertising interval in milliseconds (`MaxInterval`), or 0
   * for the kernel's default. Experimental in BlueZ 5.66: needs
   * `bluetoothd -E`.
   *
   * Since: 0.1
   */
  props[PROP_MAX_INTERVAL] =
    g_param_spec_uint ("max-interval", NULL, NULL, 0, G_MAXUINT32, 0, RW_PROP);

  /**
   * GpAdvertisement:tx-power:
   *
   * The requested TX power in dBm (`TxPower`, −127 to 20), or
   * %GP_ADVERTISEMENT_TX_POWER_NONE. Experimental in BlueZ 5.66: needs
   * `bluetoothd -E` and extended advertising.
   *
   * Since: 0.1
   */
  props[PROP_TX_POWER] =
    g_param_spec_int ("tx-power", NULL, NULL, -127, GP_ADVERTISEMENT_TX_POWER_NONE,
                      GP_ADVERTISEMENT_TX_POWER_NONE, RW_PROP);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * GpAdvertisement::released:
   * @self: the advertisement
   *
   * BlueZ released the advertisement while it kept running: its
   * [property@Advertisement:timeout] expired. (When bluetoothd exits or
   * the adapter goes away, BlueZ releases it too, but that is a loss: see
   * [signal@Advertisement::registration-changed].)
   * [property@Advertisement:registered] is %FALSE by then. (BlueZ does not
   * release advertisements that are stopped.)
   *
   * Since: 0.1
   */
  signals[SIGNAL_RELEASED] =
    g_signal_new ("released", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GpAdvertisement::update-failed:
   * @self: the advertisement
   * @error: what is wrong
   *
   * A change made while the advertisement was active could not be
   * applied. If the change itself is wrong (data that does not fit, a
   * conflict), it was not sent and the advertisement stays on air as it
   * was; if BlueZ refused to register the advertisement again,
   * [property@Advertisement:registered] is %FALSE.
   *
   * Since: 0.1
   */
  signals[SIGNAL_UPDATE_FAILED] =
    g_signal_new ("update-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * GpAdvertisement::registration-changed:
   * @self: the advertisement
   * @state: the new [property@Advertisement:registration-state]
   * @reason: why it changed
   *
   * The registration state changed: registered (at the program's request,
   * or again after bluetoothd or the adapter came back), lost (bluetoothd
   * exited, the adapter went away) or unregistered (stopped, released,
   * or given up).
   *
   * Since: 0.1
   */
  signals[SIGNAL_REGISTRATION_CHANGED] = gp_registration_signal_new (G_TYPE_FROM_CLASS (klass));
}

static void
gp_advertisement_init (GpAdvertisement *self)
{
  self->type = GP_ADVERTISEMENT_TYPE_PERIPHERAL;
  self->appearance = GP_ADVERTISEMENT_APPEARANCE_NONE;
  self->discoverable = TRUE;
  self->tx_power = GP_ADVERTISEMENT_TX_POWER_NONE;
  self->manufacturer_data = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free);
  self->service_data = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free);
  self->data = g_ptr_array_new_with_free_func (gp_advertising_data_entry_free);
  self->context = g_main_context_ref_thread_default ();
  self->registration = gp_registration_new (G_OBJECT (self), &registration_vtable,
                                            props[PROP_REGISTERED],
                                            props[PROP_REGISTRATION_STATE],
                                            signals[SIGNAL_REGISTRATION_CHANGED]);
}

/**
 * gp_advertisement_new:
 *
 * Makes an advertisement on the system bus, under an object path of its
 * own. It is connectable and discoverable, and has no content yet.
 *
 * Returns: (transfer full): a new advertisement
 *
 * Since: 0.1
 */
GpAdvertisement *
gp_advertisement_new (void)
{
  return g_object_new (GP_TYPE_ADVERTISEMENT, NULL);
}

/**
 * gp_advertisement_new_for_connection:
 * @connection: the D-Bus connection BlueZ is on
 * @object_path: (nullable): the object path to export the advertisement
 *   under, or %NULL to pick one
 *
 * Makes an advertisement on @connection.
 *
 * Returns: (transfer full): a new advertisement
 *
 * Since: 0.1
 */
GpAdvertisement *
gp_advertisement_new_for_connection (GDBusConnection *connection,
                                     const char      *object_path)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path == NULL || g_variant_is_object_path (object_path), NULL);

  return g_object_new (GP_TYPE_ADVERTISEMENT,
                       "connection", connection,
                       "object-path", object_path,
                       NULL);
}

/**
 * gp_advertisement_get_connection:
 * @self: a #GpAdvertisement
 *
 * The D-Bus connection of the advertisement.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL before the
 *   first start on the system bus
 *
 * Since: 0.1
 */
GDBusConnection *
gp_advertisement_get_connection (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  return self->connection;
}

/**
 * gp_advertisement_get_object_path:
 * @self: a #GpAdvertisement
 *
 * The object path the advertisement is exported under.
 *
 * Returns: the object path
 *
 * Since: 0.1
 */
const char *
gp_advertisement_get_object_path (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  return self->object_path;
}

/**
 * gp_advertisement_get_adapter:
 * @self: a #GpAdvertisement
 *
 * The adapter the advertisement is, or was last, started on.
 *
 * Returns: (transfer none) (nullable): the adapter
 *
 * Since: 0.1
 */
GpAdapter *
gp_advertisement_get_adapter (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  return self->adapter;
}

/**
 * gp_advertisement_get_registered:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:registered].
 *
 * Returns: %TRUE while BlueZ has the advertisement registered
 *
 * Since: 0.1
 */
gboolean
gp_advertisement_get_registered (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), FALSE);
  return is_registered (self);
}

/**
 * gp_advertisement_get_registration_state:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:registration-state].
 *
 * Returns: where the advertisement stands with BlueZ
 *
 * Since: 0.1
 */
GpRegistrationState
gp_advertisement_get_registration_state (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), GP_REGISTRATION_STATE_UNREGISTERED);
  return self->registration != NULL ? gp_registration_get_state (self->registration)
                                    : GP_REGISTRATION_STATE_UNREGISTERED;
}

/**
 * gp_advertisement_get_auto_register:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:auto-register].
 *
 * Returns: whether the advertisement registers itself again after a loss
 *
 * Since: 0.1
 */
gboolean
gp_advertisement_get_auto_register (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), FALSE);
  return self->registration != NULL && gp_registration_get_auto_register (self->registration);
}

/**
 * gp_advertisement_set_auto_register:
 * @self: a #GpAdvertisement
 * @auto_register: whether to register again after a loss
 *
 * Sets [property@Advertisement:auto-register].
 *
 * Since: 0.1
 */
void
gp_advertisement_set_auto_register (GpAdvertisement *self,
                                    gboolean         auto_register)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));

  if (self->registration != NULL &&
      gp_registration_set_auto_register (self->registration, auto_register))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTO_REGISTER]);
}

#define SIMPLE_ACCESSORS(ctype, field, getter, setter, PROP, extra_check) \
  ctype getter (GpAdvertisement *self)                                  \
  {                                                                     \
    g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), (ctype) 0);        \
    return self->field;                                                 \
  }                                                                     \
  void setter (GpAdvertisement *self, ctype value)                      \
  {                                                                     \
    g_return_if_fail (GP_IS_ADVERTISEMENT (self));                      \
    g_return_if_fail (extra_check);                                     \
    if (self->field == value)                                           \
      return;                                                           \
    self->field = value;                                                \
    content_changed (self, props[PROP]);                                \
  }

/**
 * gp_advertisement_get_advertisement_type:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:advertisement-type].
 *
 * Returns: the type
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_advertisement_type:
 * @self: a #GpAdvertisement
 * @type: the type
 *
 * Sets [property@Advertisement:advertisement-type].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (GpAdvertisementType, type, gp_advertisement_get_advertisement_type,
                  gp_advertisement_set_advertisement_type, PROP_ADVERTISEMENT_TYPE,
                  value == GP_ADVERTISEMENT_TYPE_PERIPHERAL || value == GP_ADVERTISEMENT_TYPE_BROADCAST)

/**
 * gp_advertisement_get_appearance:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:appearance].
 *
 * Returns: the appearance, or %GP_ADVERTISEMENT_APPEARANCE_NONE
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_appearance:
 * @self: a #GpAdvertisement
 * @appearance: a GAP appearance (0 to 0xFFFF), or
 *   %GP_ADVERTISEMENT_APPEARANCE_NONE
 *
 * Sets [property@Advertisement:appearance].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (int, appearance, gp_advertisement_get_appearance,
                  gp_advertisement_set_appearance, PROP_APPEARANCE,
                  value >= -1 && value <= 0xffff)

/**
 * gp_advertisement_get_includes:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:includes].
 *
 * Returns: the includes
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_includes:
 * @self: a #GpAdvertisement
 * @includes: what BlueZ should add
 *
 * Sets [property@Advertisement:includes].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (GpAdvertisementIncludes, includes, gp_advertisement_get_includes,
                  gp_advertisement_set_includes, PROP_INCLUDES,
                  (value & ~(GP_ADVERTISEMENT_INCLUDES_TX_POWER | GP_ADVERTISEMENT_INCLUDES_APPEARANCE |
                             GP_ADVERTISEMENT_INCLUDES_LOCAL_NAME)) == 0)

/**
 * gp_advertisement_get_discoverable:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:discoverable].
 *
 * Returns: whether the advertisement is discoverable
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_discoverable:
 * @self: a #GpAdvertisement
 * @discoverable: whether to set the discoverable flag
 *
 * Sets [property@Advertisement:discoverable].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (gboolean, discoverable, gp_advertisement_get_discoverable,
                  gp_advertisement_set_discoverable, PROP_DISCOVERABLE, TRUE)

/**
 * gp_advertisement_get_discoverable_timeout:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:discoverable-timeout].
 *
 * Returns: the timeout in seconds, 0 for none
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_discoverable_timeout:
 * @self: a #GpAdvertisement
 * @seconds: the timeout, 0 for none
 *
 * Sets [property@Advertisement:discoverable-timeout].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (guint, discoverable_timeout, gp_advertisement_get_discoverable_timeout,
                  gp_advertisement_set_discoverable_timeout, PROP_DISCOVERABLE_TIMEOUT,
                  value <= G_MAXUINT16)

/**
 * gp_advertisement_get_duration:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:duration].
 *
 * Returns: the duration in seconds, 0 for the default
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_duration:
 * @self: a #GpAdvertisement
 * @seconds: the duration, 0 for the default
 *
 * Sets [property@Advertisement:duration].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (guint, duration, gp_advertisement_get_duration,
                  gp_advertisement_set_duration, PROP_DURATION, value <= G_MAXUINT16)

/**
 * gp_advertisement_get_timeout:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:timeout].
 *
 * Returns: the timeout in seconds, 0 for none
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_timeout:
 * @self: a #GpAdvertisement
 * @seconds: the timeout, 0 to advertise until stopped
 *
 * Sets [property@Advertisement:timeout].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (guint, timeout, gp_advertisement_get_timeout,
                  gp_advertisement_set_timeout, PROP_TIMEOUT, value <= G_MAXUINT16)

/**
 * gp_advertisement_get_secondary_channel:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:secondary-channel].
 *
 * Returns: the secondary channel
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_secondary_channel:
 * @self: a #GpAdvertisement
 * @channel: the secondary channel
 *
 * Sets [property@Advertisement:secondary-channel].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (GpSecondaryChannel, secondary_channel, gp_advertisement_get_secondary_channel,
                  gp_advertisement_set_secondary_channel, PROP_SECONDARY_CHANNEL,
                  value <= GP_SECONDARY_CHANNEL_CODED)

/**
 * gp_advertisement_get_min_interval:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:min-interval].
 *
 * Returns: the interval in milliseconds, 0 for the default
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_min_interval:
 * @self: a #GpAdvertisement
 * @milliseconds: the interval, 0 for the default
 *
 * Sets [property@Advertisement:min-interval]. If only one of the two
 * intervals is set, it is used for both.
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (guint, min_interval, gp_advertisement_get_min_interval,
                  gp_advertisement_set_min_interval, PROP_MIN_INTERVAL, TRUE)

/**
 * gp_advertisement_get_max_interval:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:max-interval].
 *
 * Returns: the interval in milliseconds, 0 for the default
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_max_interval:
 * @self: a #GpAdvertisement
 * @milliseconds: the interval, 0 for the default
 *
 * Sets [property@Advertisement:max-interval].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (guint, max_interval, gp_advertisement_get_max_interval,
                  gp_advertisement_set_max_interval, PROP_MAX_INTERVAL, TRUE)

/**
 * gp_advertisement_get_tx_power:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:tx-power].
 *
 * Returns: the TX power in dBm, or %GP_ADVERTISEMENT_TX_POWER_NONE
 *
 * Since: 0.1
 */
/**
 * gp_advertisement_set_tx_power:
 * @self: a #GpAdvertisement
 * @dbm: the TX power (−127 to 20), or %GP_ADVERTISEMENT_TX_POWER_NONE
 *
 * Sets [property@Advertisement:tx-power].
 *
 * Since: 0.1
 */
SIMPLE_ACCESSORS (int, tx_power, gp_advertisement_get_tx_power,
                  gp_advertisement_set_tx_power, PROP_TX_POWER,
                  value >= -127 && value <= GP_ADVERTISEMENT_TX_POWER_NONE)

static gboolean
strv_equal0 (char       **a,
             const char * const *b)
{
  gboolean a_empty = a == NULL || a[0] == NULL;
  gboolean b_empty = b == NULL || b[0] == NULL;

  if (a_empty || b_empty)
    return a_empty == b_empty;
  return g_strv_equal ((const char * const *) a, b);
}

/**
 * gp_advertisement_get_service_uuids:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:service-uuids].
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the UUIDs
 *
 * Since: 0.1
 */
const char * const *
gp_advertisement_get_service_uuids (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  return (const char * const *) self->service_uuids;
}

/**
 * gp_advertisement_set_service_uuids:
 * @self: a #GpAdvertisement
 * @uuids: (nullable) (array zero-terminated=1): service UUIDs
 *
 * Sets [property@Advertisement:service-uuids]. Malformed UUIDs are
 * reported by [method@Advertisement.check] and when starting.
 *
 * Since: 0.1
 */
void
gp_advertisement_set_service_uuids (GpAdvertisement    *self,
                                    const char * const *uuids)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));

  if (strv_equal0 (self->service_uuids, uuids))
    return;
  g_strfreev (self->service_uuids);
  self->service_uuids = g_strdupv ((char **) uuids);
  content_changed (self, props[PROP_SERVICE_UUIDS]);
}

/**
 * gp_advertisement_get_solicit_uuids:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:solicit-uuids].
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the UUIDs
 *
 * Since: 0.1
 */
const char * const *
gp_advertisement_get_solicit_uuids (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  return (const char * const *) self->solicit_uuids;
}

/**
 * gp_advertisement_set_solicit_uuids:
 * @self: a #GpAdvertisement
 * @uuids: (nullable) (array zero-terminated=1): service UUIDs
 *
 * Sets [property@Advertisement:solicit-uuids].
 *
 * Since: 0.1
 */
void
gp_advertisement_set_solicit_uuids (GpAdvertisement    *self,
                                    const char * const *uuids)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));

  if (strv_equal0 (self->solicit_uuids, uuids))
    return;
  g_strfreev (self->solicit_uuids);
  self->solicit_uuids = g_strdupv ((char **) uuids);
  content_changed (self, props[PROP_SOLICIT_UUIDS]);
}

/**
 * gp_advertisement_get_local_name:
 * @self: a #GpAdvertisement
 *
 * See [property@Advertisement:local-name].
 *
 * Returns: (nullable): the local name
 *
 * Since: 0.1
 */
const char *
gp_advertisement_get_local_name (GpAdvertisement *self)
{
  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  return self->local_name;
}

/**
 * gp_advertisement_set_local_name:
 * @self: a #GpAdvertisement
 * @local_name: (nullable): the name, or %NULL (or "") for none
 *
 * Sets [property@Advertisement:local-name].
 *
 * Since: 0.1
 */
void
gp_advertisement_set_local_name (GpAdvertisement *self,
                                 const char      *local_name)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));
  g_return_if_fail (local_name == NULL || g_utf8_validate (local_name, -1, NULL));

  if (g_strcmp0 (self->local_name, local_name) == 0)
    return;
  g_free (self->local_name);
  self->local_name = g_strdup (local_name);
  content_changed (self, props[PROP_LOCAL_NAME]);
}

/**
 * gp_advertisement_get_manufacturer_data:
 * @self: a #GpAdvertisement
 * @company_id: a Bluetooth SIG company identifier
 *
 * The manufacturer-specific data for @company_id.
 *
 * Returns: (transfer none) (nullable): the data, or %NULL if none
 *
 * Since: 0.1
 */
GBytes *
gp_advertisement_get_manufacturer_data (GpAdvertisement *self,
                                        guint16          company_id)
{
  GpAdvertisingDataEntry *e;

  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  e = gp_advertising_data_entry_find (self->manufacturer_data, company_id, NULL);
  return e != NULL ? e->data : NULL;
}

/**
 * gp_advertisement_set_manufacturer_data:
 * @self: a #GpAdvertisement
 * @company_id: a Bluetooth SIG company identifier
 * @data: (nullable): the data, or %NULL to remove it
 *
 * Sets the manufacturer-specific data for @company_id
 * (`ManufacturerData`). Several company identifiers can each have data;
 * each takes 4 bytes plus its data.
 *
 * Since: 0.1
 */
void
gp_advertisement_set_manufacturer_data (GpAdvertisement *self,
                                        guint16          company_id,
                                        GBytes          *data)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));

  if (gp_advertising_data_entry_set (self->manufacturer_data, company_id, NULL, data))
    content_changed (self, NULL);
}

/**
 * gp_advertisement_get_service_data:
 * @self: a #GpAdvertisement
 * @uuid: a service UUID, as given to
 *   [method@Advertisement.set_service_data]
 *
 * The service data for @uuid.
 *
 * Returns: (transfer none) (nullable): the data, or %NULL if none
 *
 * Since: 0.1
 */
GBytes *
gp_advertisement_get_service_data (GpAdvertisement *self,
                                   const char      *uuid)
{
  GpAdvertisingDataEntry *e;

  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  e = gp_advertising_data_entry_find (self->service_data, 0, uuid);
  return e != NULL ? e->data : NULL;
}

/**
 * gp_advertisement_set_service_data:
 * @self: a #GpAdvertisement
 * @uuid: a service UUID
 * @data: (nullable): the data, or %NULL to remove it
 *
 * Sets the service data for @uuid (`ServiceData`). Each takes 2 bytes
 * plus the UUID (2, 4 or 16 bytes) plus its data.
 *
 * Since: 0.1
 */
void
gp_advertisement_set_service_data (GpAdvertisement *self,
                                   const char      *uuid,
                                   GBytes          *data)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));
  g_return_if_fail (uuid != NULL);

  if (gp_advertising_data_entry_set (self->service_data, 0, uuid, data))
    content_changed (self, NULL);
}

/**
 * gp_advertisement_get_advertising_data:
 * @self: a #GpAdvertisement
 * @ad_type: an AD type
 *
 * The raw advertising data of type @ad_type (`Data`). (Named so that it
 * does not hide g_object_get_data() in bindings.)
 *
 * Returns: (transfer none) (nullable): the data, or %NULL if none
 *
 * Since: 0.1
 */
GBytes *
gp_advertisement_get_advertising_data (GpAdvertisement *self,
                                       guint8           ad_type)
{
  GpAdvertisingDataEntry *e;

  g_return_val_if_fail (GP_IS_ADVERTISEMENT (self), NULL);
  e = gp_advertising_data_entry_find (self->data, ad_type, NULL);
  return e != NULL ? e->data : NULL;
}

/**
 * gp_advertisement_set_advertising_data:
 * @self: a #GpAdvertisement
 * @ad_type: an AD type BlueZ lets applications set (such as 0x24 URI,
 *   0x26 Transport Discovery Data, or 0x2C and above)
 * @data: (nullable): the data, or %NULL to remove it
 *
 * Sets raw advertising data (`Data`, experimental in the 5.66
 * documentation but parsed without `-E`). Each takes 2 bytes plus its
 * data. BlueZ refuses the types it builds itself (Flags, UUID lists,
 * names, TX power, service data, appearance, manufacturer data, ...):
 * [method@Advertisement.check] says which property to use instead.
 *
 * Since: 0.1
 */
void
gp_advertisement_set_advertising_data (GpAdvertisement *self,
                                       guint8           ad_type,
                                       GBytes          *data)
{
  g_return_if_fail (GP_IS_ADVERTISEMENT (self));

  if (gp_advertising_data_entry_set (self->data, ad_type, NULL, data))
    content_changed (self, NULL);
}

void
gp_advertisement_get_content (GpAdvertisement   *self,
                              GpAdvertisingData *ad)
{
  get_advertising_data (self, ad);
}
