/* gp-characteristic.c: a GATT characteristic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-characteristic-private.h"
#include "gp-application-private.h"
#include "gp-attribute-private.h"
#include "gp-dbus-util-private.h"
#include "gp-descriptor-private.h"
#include "gp-notify-pacer-private.h"
#include "gp-service-private.h"
#include "gp-write-socket-private.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

/**
 * GpCharacteristic:
 *
 * A GATT characteristic: a UUID, flags, a value, and descriptors.
 *
 * ```c
 * g_autoptr(GpCharacteristic) hrm =
 *   gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ |
 *                                  GP_CHARACTERISTIC_FLAGS_NOTIFY, &error);
 * gp_service_add_characteristic (service, hrm, &error);
 * ...
 * // Stored, and sent to the centrals that subscribed.
 * gp_attribute_set_value_data (GP_ATTRIBUTE (hrm), (guint8[]) { 0, bpm }, 2, NULL);
 * ```
 *
 * Reads and writes are answered as [class@Attribute] describes.
 *
 * ## Notifications and indications
 *
 * When a central subscribes (writes the CCC descriptor BlueZ adds for the
 * `notify` and `indicate` flags), [property@Characteristic:notifying] turns
 * %TRUE, and every [method@Attribute.set_value] sends the value.
 *
 * Sending is **paced**: BlueZ has no flow control of its own, and a sender
 * faster than the radio would fill the D-Bus daemon and bluetoothd with
 * queued messages. The [class@Application] keeps at most
 * [property@Application:notification-window] notifications in flight,
 * confirmed by a round trip to bluetoothd. While the window is full,
 * [method@Attribute.set_value] keeps only the newest value of each
 * characteristic (the one replaced is counted in
 * [property@Characteristic:coalesced]), so memory stays bounded whatever
 * the rate; [property@Characteristic:backlog] shows values waiting.
 * To send every value, await [method@Characteristic.send_value_async]: it
 * queues its value without coalescing and completes when bluetoothd has
 * taken the notification, or, for a characteristic that can only indicate,
 * when the central confirmed the indication.
 *
 * Since: 0.1
 */

/* How long a central has to confirm an indication: ATT's transaction
 * timeout, after which bluetoothd drops the link. */
#define CONFIRM_TIMEOUT_SECONDS 30

#define NOTIFY_FLAGS (GP_CHARACTERISTIC_FLAGS_NOTIFY | \
                      GP_CHARACTERISTIC_FLAGS_ENCRYPT_NOTIFY | \
                      GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_NOTIFY | \
                      GP_CHARACTERISTIC_FLAGS_SECURE_NOTIFY)
#define INDICATE_FLAGS (GP_CHARACTERISTIC_FLAGS_INDICATE | \
                        GP_CHARACTERISTIC_FLAGS_ENCRYPT_INDICATE | \
                        GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_INDICATE | \
                        GP_CHARACTERISTIC_FLAGS_SECURE_INDICATE)
#define WRITE_FLAGS (GP_CHARACTERISTIC_FLAGS_WRITE | \
                     GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE | \
                     GP_CHARACTERISTIC_FLAGS_ENCRYPT_WRITE | \
                     GP_CHARACTERISTIC_FLAGS_ENCRYPT_AUTHENTICATED_WRITE | \
                     GP_CHARACTERISTIC_FLAGS_SECURE_WRITE)
#define ALL_FLAGS ((GP_CHARACTERISTIC_FLAGS_SECURE_INDICATE << 1) - 1)

static const char * const flag_names[] = {
  "broadcast",
  "read",
  "write-without-response",
  "write",
  "notify",
  "indicate",
  "authenticated-signed-writes",
  "extended-properties",
  "reliable-write",
  "writable-auxiliaries",
  "encrypt-read",
  "encrypt-write",
  "encrypt-authenticated-read",
  "encrypt-authenticated-write",
  "secure-read",
  "secure-write",
  "authorize",
  "encrypt-notify",
  "encrypt-authenticated-notify",
  "secure-notify",
  "encrypt-indicate",
  "encrypt-authenticated-indicate",
  "secure-indicate",
};

G_STATIC_ASSERT (G_N_ELEMENTS (flag_names) == 23);

typedef struct
{
  GBytes *value;
  GTask  *task;   /* NULL for values from set_value(), which coalesce */
} Pending;

/* The task data of a send_value task that has a cancellable. */
typedef struct
{
  GSource  *cancel_source;
  gboolean  returned;
} SendData;

typedef struct
{
  GpCharacteristicFlags flags;
  GpService            *service;        /* weak: the service holds us */
  GPtrArray            *descriptors;
  GMainContext         *context;        /* thread-default when made: our sources go there */
  GQueue                pending;        /* of Pending*, not yet sent */
  GTask                *confirm_task;   /* indication awaiting Confirm */
  GSource              *confirm_timeout;
  guint                 confirm_timeout_ms;
  guint64               coalesced;
  GArray               *notify_sockets; /* NotifySocket, from AcquireNotify */
  GBytes               *blocked_value;  /* a notification a full socket owes */
  GTask                *blocked_task;
  guint                 blocked_taken;  /* how many sockets took it */
  gboolean              notifying;
  gboolean              awaiting_confirm;
  gboolean              acquire_notify;
  gboolean              acquire_write;
  GpWriteSockets       *write_sockets;  /* from AcquireWrite */
} GpCharacteristicPrivate;

/* Our end of a socket bluetoothd reads notifications from. BlueZ 5.66
 * acquires one for every central; from 5.69 one per central (its
 * `device`), and from 5.80 it writes a byte into it for every indication
 * that central confirmed. */
typedef struct
{
  int      fd;
  char    *device;      /* the `device` option of AcquireNotify, or NULL */
  GSource *watch;       /* G_IO_IN (confirmations), G_IO_HUP, G_IO_ERR */
  GSource *out_watch;   /* while the socket owes the blocked value */
  guint64  confirmations;    /* bytes bluetoothd wrote: indications confirmed */
} NotifySocket;

G_DEFINE_TYPE_WITH_PRIVATE (GpCharacteristic, gp_characteristic, GP_TYPE_ATTRIBUTE)

enum {
  PROP_0,
  PROP_FLAGS,
  PROP_NOTIFYING,
  PROP_SERVICE,
  PROP_BACKLOG,
  PROP_COALESCED,
  PROP_ACQUIRE_NOTIFY,
  PROP_ACQUIRE_WRITE,
  PROP_WRITE_ACQUIRED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void close_notify_sockets (GpCharacteristicPrivate *priv);
static gboolean check_mutable (GpCharacteristic  *self,
                               const char        *what,
                               GError           **error);

static void
pending_free (Pending *p)
{
  g_clear_pointer (&p->value, g_bytes_unref);
  g_clear_object (&p->task);
  g_free (p);
}

static void
send_data_free (gpointer data)
{
  SendData *d = data;

  gp_source_clear (&d->cancel_source);
  g_free (d);
}

void
gp_characteristic_complete_send (GTask        *task,
                                 const GError *error)
{
  SendData *d = g_task_get_task_data (task);

  if (d != NULL)
    {
      if (d->returned)
        return;
      d->returned = TRUE;
      gp_source_clear (&d->cancel_source);
    }
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static GpNotifyPacer *
pacer_of (GpCharacteristic *self)
{
  GpApplication *app = gp_attribute_get_application (GP_ATTRIBUTE (self));

  return app != NULL ? gp_application_get_notify_pacer (app) : NULL;
}

static void
gp_characteristic_dispose (GObject *object)
{
  GpCharacteristic *self = GP_CHARACTERISTIC (object);
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The characteristic was destroyed");

  gp_characteristic_reset_notifications (self, error);
  close_notify_sockets (priv);
  gp_write_sockets_close (priv->write_sockets, FALSE);
  for (guint i = 0; i < priv->descriptors->len; i++)
    gp_descriptor_set_characteristic (g_ptr_array_index (priv->descriptors, i), NULL);
  g_ptr_array_set_size (priv->descriptors, 0);

  G_OBJECT_CLASS (gp_characteristic_parent_class)->dispose (object);
}

static void
gp_characteristic_finalize (GObject *object)
{
  GpCharacteristic *self = GP_CHARACTERISTIC (object);
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  g_clear_pointer (&priv->descriptors, g_ptr_array_unref);
  g_clear_pointer (&priv->notify_sockets, g_array_unref);
  g_clear_pointer (&priv->write_sockets, gp_write_sockets_free);
  g_clear_pointer (&priv->context, g_main_context_unref);

  G_OBJECT_CLASS (gp_characteristic_parent_class)->finalize (object);
}

static void
gp_characteristic_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GpCharacteristic *self = GP_CHARACTERISTIC (object);
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FLAGS:
      g_value_set_flags (value, priv->flags);
      break;
    case PROP_NOTIFYING:
      g_value_set_boolean (value, priv->notifying);
      break;
    case PROP_SERVICE:
      g_value_set_object (value, priv->service);
      break;
    case PROP_BACKLOG:
      g_value_set_uint (value, gp_characteristic_get_backlog (self));
      break;
    case PROP_COALESCED:
      g_value_set_uint64 (value, priv->coalesced);
      break;
    case PROP_ACQUIRE_NOTIFY:
      g_value_set_boolean (value, priv->acquire_notify);
      break;
    case PROP_ACQUIRE_WRITE:
      g_value_set_boolean (value, priv->acquire_write);
      break;
    case PROP_WRITE_ACQUIRED:
      g_value_set_boolean (value, gp_write_sockets_get_acquired (priv->write_sockets));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_characteristic_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GpCharacteristic *self = GP_CHARACTERISTIC (object);
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FLAGS:
      priv->flags = g_value_get_flags (value);
      break;
    case PROP_ACQUIRE_NOTIFY:
      gp_characteristic_set_acquire_notify (self, g_value_get_boolean (value));
      break;
    case PROP_ACQUIRE_WRITE:
      gp_characteristic_set_acquire_write (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* GpAttribute's private vfuncs (see gp-attribute-private.h). */
static gboolean
attribute_validate (GpAttribute *attr, GError **error)
{
  return gp_characteristic_validate (GP_CHARACTERISTIC (attr), error);
}

static void
attribute_add_dbus_properties (GpAttribute *attr, GVariantBuilder *builder)
{
  gp_characteristic_get_dbus_properties (GP_CHARACTERISTIC (attr), builder);
}

static void
attribute_method_call (GpAttribute *attr, GDBusMethodInvocation *invocation,
                       const char *method, GVariant *parameters)
{
  gp_characteristic_handle_method_call (GP_CHARACTERISTIC (attr), invocation, method, parameters);
}

static void
attribute_value_set (GpAttribute *attr, GBytes *value)
{
  gp_characteristic_value_set (GP_CHARACTERISTIC (attr), value);
}

static void
gp_characteristic_class_init (GpCharacteristicClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GpAttributeClassPrivate *attr_class = gp_attribute_class_get_private (klass);

  attr_class->interface_name = "org.bluez.GattCharacteristic1";
  attr_class->interface_info = GP_BLUEZ_INTERFACE_INFO (gatt_characteristic1);
  attr_class->validate = attribute_validate;
  attr_class->add_dbus_properties = attribute_add_dbus_properties;
  attr_class->method_call = attribute_method_call;
  attr_class->value_set = attribute_value_set;

  object_class->dispose = gp_characteristic_dispose;
  object_class->finalize = gp_characteristic_finalize;
  object_class->get_property = gp_characteristic_get_property;
  object_class->set_property = gp_characteristic_set_property;

  /**
   * GpCharacteristic:flags:
   *
   * The characteristic's properties and permissions.
   *
   * Since: 0.1
   */
  props[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL,
                        GP_TYPE_CHARACTERISTIC_FLAGS, GP_CHARACTERISTIC_FLAGS_NONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:notifying:
   *
   * Whether at least one central subscribed to notifications or
   * indications. BlueZ says so when the first central subscribes and when
   * the last one unsubscribes (or disconnects without a bond).
   *
   * Since: 0.1
   */
  props[PROP_NOTIFYING] =
    g_param_spec_boolean ("notifying", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:service:
   *
   * The service the characteristic belongs to, if any.
   *
   * Since: 0.1
   */
  props[PROP_SERVICE] =
    g_param_spec_object ("service", NULL, NULL, GP_TYPE_SERVICE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:backlog:
   *
   * How many values wait to be sent to subscribers because the
   * application's notification window is full, an indication awaits its
   * confirmation, or bluetoothd's socket is full: the back-pressure an
   * application can watch. A value that can go at once is never counted
   * (its send does not notify this property).
   *
   * Since: 0.1
   */
  props[PROP_BACKLOG] =
    g_param_spec_uint ("backlog", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:coalesced:
   *
   * How many values set with [method@Attribute.set_value] were replaced by
   * a newer one before they could be sent.
   *
   * Since: 0.1
   */
  props[PROP_COALESCED] =
    g_param_spec_uint64 ("coalesced", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:acquire-notify:
   *
   * Whether notifications go to bluetoothd over a socket it acquires
   * (`AcquireNotify`) rather than as D-Bus signals (`PropertiesChanged`):
   * several times the throughput, for less of bluetoothd's CPU, and no
   * load on the D-Bus daemon. It is off by default: on BlueZ 5.69 and
   * later a bonded central that reconnects gets nothing over the socket
   * path until it subscribes again, and on 5.78 and later one central
   * leaving can cut another off (see
   * [Notifications and indications](notifications.html)); turn it on for a
   * stream to centrals that do not bond, or that subscribe again at each
   * connection.
   * Application code does not change: [method@Attribute.set_value] and
   * [method@Characteristic.send_value_async] pick the path, with the same
   * pacing. It applies to characteristics with a `notify` flag; empty
   * values still travel as signals (a zero-length datagram would stop
   * bluetoothd reading the socket), so an empty value can overtake values
   * bluetoothd has not read from the socket yet. When the socket is full
   * (bluetoothd reads slower than values come), values wait for room, in
   * order: none is lost, and [method@Characteristic.send_value_async]
   * completes only once its value was written.
   *
   * The fallback is automatic: if the application cannot make the socket
   * (no file descriptor left, say), it answers `AcquireNotify` with an
   * error on which bluetoothd calls `StartNotify` instead, and that
   * central's values go as signals.
   *
   * BlueZ 5.66 acquires one socket for all centrals; 5.69 and later one
   * per central, closed when that central unsubscribes or disconnects.
   * The library writes each value into every socket and stays
   * [property@Characteristic:notifying] while one is open. From BlueZ 5.80
   * bluetoothd writes a byte into a central's socket for each indication
   * it confirmed; the library reads them. A characteristic that can only
   * indicate does not use a socket (BlueZ 5.76 to 5.79 report no
   * confirmation for indications sent over one), so that
   * [method@Characteristic.send_value_async] can wait for confirmations.
   *
   * Set it before registering: changing it while the application is
   * registered is refused (see [method@Characteristic.set_acquire_notify]).
   *
   * Since: 0.1
   */
  props[PROP_ACQUIRE_NOTIFY] =
    g_param_spec_boolean ("acquire-notify", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:acquire-write:
   *
   * Whether bluetoothd hands centrals' writes over a socket it acquires
   * (`AcquireWrite`) rather than as D-Bus calls: the D-Bus daemon is off
   * the data path of a write stream. Application code does not change:
   * every write reaches [signal@Attribute::write-request], or the stored
   * value when no handler is connected, in the order the central sent it,
   * and a read after a write sees it.
   *
   * What changes is what BlueZ does with the writes: it acknowledges each
   * one to the central when it puts it in the socket, Write Requests too,
   * so the application **cannot refuse** them (a handler's answer is only
   * recorded; the request's write type is %GP_WRITE_TYPE_COMMAND); the
   * chunks of a long write lose their **offset** (each is stored at offset
   * 0); and BlueZ 5.66 uses one socket for every central, so the request's
   * device is the central that wrote first (5.69 and later keep one per
   * central). If the application reads slower than writes come and the
   * socket fills up, bluetoothd drops the writes that do not fit.
   * Use it for streams of writes without response of up to MTU − 3 bytes,
   * where throughput matters and every write is accepted.
   *
   * It applies to characteristics with a `write` or
   * `write-without-response` flag. BlueZ reads the choice once, at
   * registration: set it before registering (see
   * [method@Characteristic.set_acquire_write]). It is off by default,
   * because of the offsets and the refusals above.
   *
   * Since: 0.1
   */
  props[PROP_ACQUIRE_WRITE] =
    g_param_spec_boolean ("acquire-write", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpCharacteristic:write-acquired:
   *
   * Whether bluetoothd holds a socket to write to (see
   * [property@Characteristic:acquire-write]): it asks for one on the first
   * write, and lets it go when we close it, when the central of that
   * socket disconnects (BlueZ 5.69 and later), or when the application is
   * unregistered. Writes then come over D-Bus until it asks again.
   *
   * Since: 0.1
   */
  props[PROP_WRITE_ACQUIRED] =
    g_param_spec_boolean ("write-acquired", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
on_write_sockets_changed (gpointer user_data)
{
  g_object_notify_by_pspec (G_OBJECT (user_data), props[PROP_WRITE_ACQUIRED]);
}

static void
gp_characteristic_init (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  priv->descriptors = g_ptr_array_new_with_free_func (g_object_unref);
  priv->notify_sockets = g_array_new (FALSE, FALSE, sizeof (NotifySocket));
  priv->context = g_main_context_ref_thread_default ();
  priv->write_sockets = gp_write_sockets_new (GP_ATTRIBUTE (self), priv->context,
                                              on_write_sockets_changed, self);
  priv->confirm_timeout_ms = CONFIRM_TIMEOUT_SECONDS * 1000;
  g_queue_init (&priv->pending);
}

/**
 * gp_characteristic_new:
 * @uuid: the characteristic's UUID (16-, 32- or 128-bit)
 * @flags: its properties and permissions
 * @error: return location for a #GError
 *
 * Makes a characteristic.
 *
 * Returns: (transfer full): a new characteristic, or %NULL with @error set
 *   (%GP_ERROR_INVALID_ARGUMENTS) if @uuid is malformed or BlueZ would
 *   refuse @flags
 *
 * Since: 0.1
 */
GpCharacteristic *
gp_characteristic_new (const char             *uuid,
                       GpCharacteristicFlags   flags,
                       GError                **error)
{
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (GP_TYPE_CHARACTERISTIC, NULL, error,
                         "uuid", uuid,
                         "flags", flags,
                         NULL);
}

gboolean
gp_characteristic_validate (GpCharacteristic  *self,
                            GError           **error)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  const char *uuid = gp_attribute_get_uuid (GP_ATTRIBUTE (self));

  if (priv->flags == 0)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                   "Characteristic %s has no flags: BlueZ refuses an empty Flags "
                   "array (give at least “read”, “write” or “notify”)", uuid);
      return FALSE;
    }
  return TRUE;
}

GVariant *
gp_characteristic_flags_to_variant (GpCharacteristicFlags flags)
{
  return gp_flags_to_strv_variant (flag_names, G_N_ELEMENTS (flag_names), flags);
}

static gboolean
uses_acquire_write (GpCharacteristicPrivate *priv)
{
  return priv->acquire_write && (priv->flags & WRITE_FLAGS) != 0;
}

static gboolean
uses_acquire_notify (GpCharacteristicPrivate *priv)
{
  return priv->acquire_notify && (priv->flags & NOTIFY_FLAGS) != 0;
}

void
gp_characteristic_get_dbus_properties (GpCharacteristic *self,
                                       GVariantBuilder  *builder)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  gp_vardict_add (builder, "Service",
                  g_variant_new_object_path (gp_service_get_object_path (priv->service)));
  gp_vardict_add (builder, "Flags", gp_characteristic_flags_to_variant (priv->flags));
  gp_vardict_add (builder, "Notifying", g_variant_new_boolean (priv->notifying));
  if (uses_acquire_notify (priv))
    gp_vardict_add (builder, "NotifyAcquired", g_variant_new_boolean (priv->notifying));
  if (uses_acquire_write (priv))
    gp_vardict_add (builder, "WriteAcquired",
                    g_variant_new_boolean (gp_write_sockets_get_acquired (priv->write_sockets)));
}

static gboolean
can_send (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  return priv->notifying &&
         (priv->flags & (NOTIFY_FLAGS | INDICATE_FLAGS)) != 0 &&
         gp_attribute_get_application (GP_ATTRIBUTE (self)) != NULL;
}

/* Indications are awaited only when the central cannot have chosen
 * notifications: BlueZ does not say which one a central subscribed to. */
static gboolean
wants_confirm (GpCharacteristicPrivate *priv)
{
  return (priv->flags & INDICATE_FLAGS) != 0 && (priv->flags & NOTIFY_FLAGS) == 0;
}

static void
queue_pending (GpCharacteristic *self,
               GBytes           *value,
               GTask            *task)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  Pending *tail = g_queue_peek_tail (&priv->pending);
  GpNotifyPacer *pacer = pacer_of (self);

  /* Nothing before it: no queue entry when the window has room. An
   * indication that must be confirmed takes the queue's path (one in
   * flight, the task kept until Confirm). */
  if (tail == NULL && !priv->awaiting_confirm && priv->blocked_value == NULL &&
      !wants_confirm (priv) && pacer != NULL &&
      gp_notify_pacer_try_send (pacer, self, value, task))
    return;

  if (task == NULL && tail != NULL && tail->task == NULL)
    {
      /* The newest value wins over one that was never sent. */
      g_bytes_unref (tail->value);
      tail->value = g_bytes_ref (value);
      priv->coalesced++;
      gp_object_notify_heard (G_OBJECT (self), props[PROP_COALESCED]);
      return;
    }

  tail = g_new0 (Pending, 1);
  tail->value = g_bytes_ref (value);
  tail->task = task != NULL ? g_object_ref (task) : NULL;
  g_queue_push_tail (&priv->pending, tail);
  gp_object_notify_heard (G_OBJECT (self), props[PROP_BACKLOG]);

  if (pacer != NULL)
    gp_notify_pacer_queue (pacer, self);
}

/* Called by gp_attribute_set_value() after storing @value. */
void
gp_characteristic_value_set (GpCharacteristic *self,
                             GBytes           *value)
{
  if (can_send (self))
    queue_pending (self, value, NULL);
}

gboolean
gp_characteristic_has_notification (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  return priv->pending.length > 0 && !priv->awaiting_confirm && priv->blocked_value == NULL;
}

/* Gives the pacer a turn for this characteristic again, after a wait
 * (confirmation, a full socket) that kept its values back. */
static void
resume_notifications (GpCharacteristic *self)
{
  GpNotifyPacer *pacer = pacer_of (self);

  if (pacer != NULL && gp_characteristic_has_notification (self))
    gp_notify_pacer_queue (pacer, self);
}

static gboolean
confirm_timeout_cb (gpointer user_data)
{
  GpCharacteristic *self = user_data;
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  g_autoptr(GTask) task = g_steal_pointer (&priv->confirm_task);

  g_clear_pointer (&priv->confirm_timeout, g_source_unref);
  priv->awaiting_confirm = FALSE;
  if (task != NULL)
    {
      g_autoptr(GError) error =
        g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                     "No central confirmed the indication of %s within %u s",
                     gp_attribute_get_uuid (GP_ATTRIBUTE (self)),
                     (priv->confirm_timeout_ms + 999) / 1000);
      gp_characteristic_complete_send (task, error);
    }
  resume_notifications (self);
  return G_SOURCE_REMOVE;
}

void
gp_characteristic_set_confirm_timeout (GpCharacteristic *self,
                                       guint             msec)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  priv->confirm_timeout_ms = msec;
}

static void
complete_cancelled (GTask *task)
{
  g_autoptr(GError) error = NULL;

  g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error);
  gp_characteristic_complete_send (task, error);
}

/* The pacer takes the next value to send. For a characteristic that can
 * only indicate, the task is kept here until Confirm (one indication in
 * flight, as ATT allows); otherwise it goes to the pacer (transfer full),
 * which completes it when bluetoothd has taken the notification. */
gboolean
gp_characteristic_take_notification (GpCharacteristic  *self,
                                     GBytes           **out_value,
                                     GTask            **out_task)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  Pending *p;

  while (gp_characteristic_has_notification (self) && (p = g_queue_pop_head (&priv->pending)) != NULL)
    {
      gp_object_notify_heard (G_OBJECT (self), props[PROP_BACKLOG]);

      /* Cancelled, and its cancellation not dispatched yet. */
      if (p->task != NULL && g_cancellable_is_cancelled (g_task_get_cancellable (p->task)))
        {
          complete_cancelled (p->task);
          pending_free (p);
          continue;
        }

      *out_value = g_steal_pointer (&p->value);
      *out_task = NULL;
      if (wants_confirm (priv))
        {
          priv->awaiting_confirm = TRUE;
          priv->confirm_task = g_steal_pointer (&p->task);
          priv->confirm_timeout = gp_timeout_source_attach (priv->context, priv->confirm_timeout_ms,
                                                            confirm_timeout_cb, self);
        }
      else
        *out_task = g_steal_pointer (&p->task);
      pending_free (p);
      return TRUE;
    }

  return FALSE;
}

static void
clear_blocked (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  if (priv->blocked_value == NULL)
    return;
  g_clear_pointer (&priv->blocked_value, g_bytes_unref);
  g_clear_object (&priv->blocked_task);
  priv->blocked_taken = 0;
  for (guint i = 0; i < priv->notify_sockets->len; i++)
    gp_source_clear (&g_array_index (priv->notify_sockets, NotifySocket, i).out_watch);
  gp_object_notify_heard (G_OBJECT (self), props[PROP_BACKLOG]);
}

/* Drops everything queued, failing waiting tasks with @reason. */
void
gp_characteristic_reset_notifications (GpCharacteristic *self,
                                       const GError     *reason)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  GpNotifyPacer *pacer = pacer_of (self);
  gboolean had_backlog = priv->pending.length > 0;
  Pending *p;

  if (pacer != NULL)
    gp_notify_pacer_cancel (pacer, self);

  while ((p = g_queue_pop_head (&priv->pending)) != NULL)
    {
      if (p->task != NULL)
        gp_characteristic_complete_send (p->task, reason);
      pending_free (p);
    }
  gp_source_clear (&priv->confirm_timeout);
  priv->awaiting_confirm = FALSE;
  if (priv->confirm_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&priv->confirm_task);
      gp_characteristic_complete_send (task, reason);
    }
  if (priv->blocked_task != NULL)
    gp_characteristic_complete_send (priv->blocked_task, reason);
  clear_blocked (self);
  if (had_backlog)
    gp_object_notify_heard (G_OBJECT (self), props[PROP_BACKLOG]);
}

/* The caller of a send_value task cancelled it (dispatched on our
 * context). A value still queued is not sent; one already sent stays in
 * the window, or awaits its confirmation, and completes as cancelled now. */
static gboolean
on_send_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  GpCharacteristic *self = g_task_get_source_object (task);
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  for (GList *l = priv->pending.head; l != NULL; l = l->next)
    if (((Pending *) l->data)->task == task)
      {
        pending_free (l->data);
        g_queue_delete_link (&priv->pending, l);
        gp_object_notify_heard (G_OBJECT (self), props[PROP_BACKLOG]);
        break;
      }

  if (task == priv->blocked_task && priv->blocked_taken == 0)
    {
      /* No socket took it yet: it is not sent at all. */
      clear_blocked (self);
      resume_notifications (self);
    }

  complete_cancelled (task);
  return G_SOURCE_REMOVE;
}

static void
notify_socket_close (NotifySocket *ns)
{
  gp_source_clear (&ns->watch);
  gp_source_clear (&ns->out_watch);
  g_clear_pointer (&ns->device, g_free);
  close (ns->fd);
}

static void
close_notify_sockets (GpCharacteristicPrivate *priv)
{
  for (guint i = 0; i < priv->notify_sockets->len; i++)
    notify_socket_close (&g_array_index (priv->notify_sockets, NotifySocket, i));
  g_array_set_size (priv->notify_sockets, 0);
}

void
gp_characteristic_set_notifying (GpCharacteristic *self,
                                 gboolean          notifying)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  if (priv->notifying == notifying)
    return;
  priv->notifying = notifying;
  if (!notifying)
    {
      g_autoptr(GError) error = g_error_new (GP_ERROR, GP_ERROR_NOT_CONNECTED,
                                             "No central is subscribed to %s any more",
                                             gp_attribute_get_uuid (GP_ATTRIBUTE (self)));
      gp_characteristic_reset_notifications (self, error);
      close_notify_sockets (priv);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NOTIFYING]);
}

/* A central confirmed the indication awaited (BlueZ called Confirm).
 * Only characteristics that cannot notify await confirmations, and those
 * never use a socket (see acquire-notify). */
static void
handle_confirm (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  if (!priv->awaiting_confirm)
    return;  /* a second central confirming the same indication */

  gp_source_clear (&priv->confirm_timeout);
  priv->awaiting_confirm = FALSE;
  task = g_steal_pointer (&priv->confirm_task);
  if (task != NULL)
    gp_characteristic_complete_send (task, NULL);
  resume_notifications (self);
}

typedef enum
{
  DATAGRAM_SENT,
  DATAGRAM_FULL,     /* the socket has no room: wait for G_IO_OUT */
  DATAGRAM_BROKEN,   /* bluetoothd closed it: its G_IO_HUP follows */
} DatagramResult;

static DatagramResult
send_datagram (GpCharacteristic *self,
               int               fd,
               GBytes           *value)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);

  for (;;)
    {
      int errsv;

      if (send (fd, data, MIN (len, GP_MAX_VALUE_LENGTH), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
        return DATAGRAM_SENT;
      errsv = errno;
      if (errsv == EINTR)
        continue;
      if (errsv == EAGAIN || errsv == EWOULDBLOCK)
        return DATAGRAM_FULL;
      g_debug ("Notification of %s over its socket failed: %s",
               gp_attribute_get_uuid (GP_ATTRIBUTE (self)), g_strerror (errsv));
      return DATAGRAM_BROKEN;
    }
}

static NotifySocket *
find_notify_socket (GpCharacteristicPrivate *priv,
                    int                      fd,
                    guint                   *out_index)
{
  for (guint i = 0; i < priv->notify_sockets->len; i++)
    if (g_array_index (priv->notify_sockets, NotifySocket, i).fd == fd)
      {
        if (out_index != NULL)
          *out_index = i;
        return &g_array_index (priv->notify_sockets, NotifySocket, i);
      }
  return NULL;
}

static GError *
dropped_error (GpCharacteristic *self)
{
  return g_error_new (GP_ERROR, GP_ERROR_NOT_CONNECTED,
                      "The notification of %s was not sent: bluetoothd closed its socket",
                      gp_attribute_get_uuid (GP_ATTRIBUTE (self)));
}

/* When no socket owes the blocked value any more, it leaves (into the
 * pacer's window if a socket took it), and the next values follow. */
static void
finish_blocked (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  GpNotifyPacer *pacer = pacer_of (self);

  if (priv->blocked_value == NULL)
    return;
  for (guint i = 0; i < priv->notify_sockets->len; i++)
    if (g_array_index (priv->notify_sockets, NotifySocket, i).out_watch != NULL)
      return;

  task = priv->blocked_task != NULL ? g_object_ref (priv->blocked_task) : NULL;
  if (priv->blocked_taken > 0 && pacer != NULL)
    {
      clear_blocked (self);
      gp_notify_pacer_sent (pacer, task);
    }
  else
    {
      g_autoptr(GError) error = dropped_error (self);

      clear_blocked (self);
      g_debug ("%s", error->message);
      if (task != NULL)
        gp_characteristic_complete_send (task, error);
    }
  resume_notifications (self);
}

static gboolean
on_notify_socket_writable (int          fd,
                           GIOCondition condition,
                           gpointer     user_data)
{
  GpCharacteristic *self = user_data;
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  NotifySocket *ns = find_notify_socket (priv, fd, NULL);

  g_return_val_if_fail (ns != NULL && priv->blocked_value != NULL, G_SOURCE_REMOVE);

  switch (send_datagram (self, fd, priv->blocked_value))
    {
    case DATAGRAM_FULL:
      return G_SOURCE_CONTINUE;
    case DATAGRAM_SENT:
      priv->blocked_taken++;
      break;
    case DATAGRAM_BROKEN:
    default:
      break;
    }
  gp_source_clear (&ns->out_watch);
  finish_blocked (self);
  return G_SOURCE_REMOVE;
}

static void
remove_notify_socket (GpCharacteristic *self,
                      guint             index)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  notify_socket_close (&g_array_index (priv->notify_sockets, NotifySocket, index));
  g_array_remove_index (priv->notify_sockets, index);
  if (priv->notify_sockets->len == 0)
    gp_characteristic_set_notifying (self, FALSE);
  else
    finish_blocked (self);
}

/* bluetoothd wrote into the socket, or closed its end. From BlueZ 5.80 it
 * writes one byte for each indication the socket's central confirmed
 * (sock_io_conf()): they are read, so that they do not pile up in the
 * socket (the values the central got as indications were complete when
 * bluetoothd took them: nothing awaits these). It closes its end when the
 * last central unsubscribed (5.66), or when the central of this socket
 * unsubscribed or went (5.69 and later). */
static gboolean
on_notify_socket_event (int          fd,
                        GIOCondition condition,
                        gpointer     user_data)
{
  GpCharacteristic *self = user_data;
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  gboolean closed = (condition & (G_IO_HUP | G_IO_ERR)) != 0;
  guint confirmations = 0;
  NotifySocket *ns;
  guint index;

  if (condition & G_IO_IN)
    for (;;)
      {
        guint8 buf[16];
        ssize_t n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
        int errsv = errno;

        if (n > 0)
          confirmations++;  /* one datagram per confirmation */
        else if (n < 0 && errsv == EINTR)
          continue;
        else
          {
            /* 0: bluetoothd closed its end (the HUP may come with it). */
            if (n == 0 || (errsv != EAGAIN && errsv != EWOULDBLOCK))
              closed = TRUE;
            break;
          }
      }

  ns = find_notify_socket (priv, fd, &index);
  g_return_val_if_fail (ns != NULL, G_SOURCE_REMOVE);
  ns->confirmations += confirmations;
  if (!closed)
    return G_SOURCE_CONTINUE;
  g_debug ("bluetoothd closed the notification socket of %s for %s (%" G_GUINT64_FORMAT " indications confirmed over it)",
           gp_attribute_get_uuid (GP_ATTRIBUTE (self)), ns->device != NULL ? ns->device : "every central",
           ns->confirmations);
  remove_notify_socket (self, index);
  return G_SOURCE_REMOVE;
}

/* AcquireNotify(a{sv} options) -> (h fd, q mtu): a SOCK_SEQPACKET pair, so
 * that one datagram is one notification; bluetoothd gets one end. */
static void
handle_acquire_notify (GpCharacteristic      *self,
                       GDBusMethodInvocation *invocation,
                       GVariant              *parameters)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 0);
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  GpRequestOptions opts;
  NotifySocket ns = { 0 };
  int pair[2];
  int index;

  if (!uses_acquire_notify (priv))
    {
      g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_SUPPORTED,
                                             "Characteristic %s does not notify over a socket",
                                             gp_attribute_get_uuid (GP_ATTRIBUTE (self)));
      return;
    }
  if (!gp_request_options_parse (options, &opts, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  /* Not org.bluez.Error.Failed (nor no answer): on that error bluetoothd
   * (5.66 to 5.82 at least, acquire_notify_reply()) gives up, and the
   * central's subscription gets nothing; on any other error it calls
   * StartNotify, and the values go as signals. */
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int errsv = errno;
      g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                                             "No notification socket for %s (socketpair: %s): "
                                             "use StartNotify",
                                             gp_attribute_get_uuid (GP_ATTRIBUTE (self)),
                                             g_strerror (errsv));
      return;
    }

  fds = g_unix_fd_list_new ();
  index = g_unix_fd_list_append (fds, pair[1], &error);
  close (pair[1]);  /* bluetoothd's copy travels in the message */
  if (index < 0)
    {
      close (pair[0]);
      g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_AVAILABLE,
                                             "No notification socket for %s (%s): use StartNotify",
                                             gp_attribute_get_uuid (GP_ATTRIBUTE (self)),
                                             error->message);
      return;
    }

  ns.fd = pair[0];
  ns.device = g_strdup (opts.device);
  ns.watch = gp_fd_source_attach (priv->context, pair[0], G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  on_notify_socket_event, self);
  g_array_append_val (priv->notify_sockets, ns);

  g_dbus_method_invocation_return_value_with_unix_fd_list (invocation,
                                                           g_variant_new ("(hq)", index, opts.mtu),
                                                           fds);
  gp_characteristic_set_notifying (self, TRUE);
}

/* Sends @value over the acquired sockets, if the characteristic has any.
 * A socket that is full (bluetoothd reads slower than the window lets
 * values go) gets it when it has room again: the value and @task (not
 * reported sent until then) wait here, and the characteristic's next
 * values wait behind them, so that nothing is lost or reordered. */
GpNotifyWrite
gp_characteristic_write_notify_sockets (GpCharacteristic *self,
                                        GBytes           *value,
                                        GTask            *task)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  guint taken = 0, owed = 0;

  if (priv->notify_sockets->len == 0 || g_bytes_get_size (value) == 0)
    return GP_NOTIFY_WRITE_NO_SOCKET;

  for (guint i = 0; i < priv->notify_sockets->len; i++)
    {
      NotifySocket *ns = &g_array_index (priv->notify_sockets, NotifySocket, i);

      switch (send_datagram (self, ns->fd, value))
        {
        case DATAGRAM_SENT:
          taken++;
          break;
        case DATAGRAM_FULL:
          owed++;
          ns->out_watch = gp_fd_source_attach (priv->context, ns->fd, G_IO_OUT,
                                               on_notify_socket_writable, self);
          break;
        case DATAGRAM_BROKEN:
        default:
          break;
        }
    }

  if (owed > 0)
    {
      priv->blocked_value = g_bytes_ref (value);
      priv->blocked_task = task != NULL ? g_object_ref (task) : NULL;
      priv->blocked_taken = taken;
      gp_object_notify_heard (G_OBJECT (self), props[PROP_BACKLOG]);
      return GP_NOTIFY_WRITE_LATER;
    }
  if (taken > 0)
    return GP_NOTIFY_WRITE_DONE;

  error = dropped_error (self);
  g_debug ("%s", error->message);
  if (task != NULL)
    gp_characteristic_complete_send (task, error);
  return GP_NOTIFY_WRITE_DROPPED;
}

/**
 * gp_characteristic_get_acquire_notify:
 * @self: a #GpCharacteristic
 *
 * See [property@Characteristic:acquire-notify].
 *
 * Returns: whether notifications go over an acquired socket
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_get_acquire_notify (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);

  priv = gp_characteristic_get_instance_private (self);
  return priv->acquire_notify;
}

/**
 * gp_characteristic_set_acquire_notify:
 * @self: a #GpCharacteristic
 * @acquire_notify: whether notifications go over an acquired socket
 *
 * Sets [property@Characteristic:acquire-notify] (%FALSE by default).
 * BlueZ reads the choice once, at registration: set it before
 * [method@Application.register_async], or while the application is not
 * registered (it then applies at the next registration, including the
 * automatic one after bluetoothd restarts).
 * While the application is registered or registering, the change is
 * refused: it is a programming error, reported with a critical warning
 * that says so, and the property keeps its value.
 *
 * Since: 0.1
 */
void
gp_characteristic_set_acquire_notify (GpCharacteristic *self,
                                      gboolean          acquire_notify)
{
  GpCharacteristicPrivate *priv;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GP_IS_CHARACTERISTIC (self));

  priv = gp_characteristic_get_instance_private (self);
  acquire_notify = !!acquire_notify;
  if (priv->acquire_notify == acquire_notify)
    return;
  if (!check_mutable (self, "change acquire-notify", &error))
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return;
    }
  priv->acquire_notify = acquire_notify;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACQUIRE_NOTIFY]);
}

/**
 * gp_characteristic_get_acquire_write:
 * @self: a #GpCharacteristic
 *
 * See [property@Characteristic:acquire-write].
 *
 * Returns: whether writes come over a socket bluetoothd acquires
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_get_acquire_write (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);

  priv = gp_characteristic_get_instance_private (self);
  return priv->acquire_write;
}

/**
 * gp_characteristic_set_acquire_write:
 * @self: a #GpCharacteristic
 * @acquire_write: whether writes come over a socket bluetoothd acquires
 *
 * Sets [property@Characteristic:acquire-write]. BlueZ reads the choice
 * once, at registration: set it before [method@Application.register_async],
 * or while the application is not registered. While it is registered or
 * registering, the change is refused with a critical warning, and the
 * property keeps its value.
 *
 * Since: 0.1
 */
void
gp_characteristic_set_acquire_write (GpCharacteristic *self,
                                     gboolean          acquire_write)
{
  GpCharacteristicPrivate *priv;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GP_IS_CHARACTERISTIC (self));

  priv = gp_characteristic_get_instance_private (self);
  acquire_write = !!acquire_write;
  if (priv->acquire_write == acquire_write)
    return;
  if (!check_mutable (self, "change acquire-write", &error))
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return;
    }
  priv->acquire_write = acquire_write;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACQUIRE_WRITE]);
}

/**
 * gp_characteristic_get_write_acquired:
 * @self: a #GpCharacteristic
 *
 * See [property@Characteristic:write-acquired].
 *
 * Returns: whether bluetoothd holds a socket to write to
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_get_write_acquired (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);

  priv = gp_characteristic_get_instance_private (self);
  return gp_write_sockets_get_acquired (priv->write_sockets);
}

/* Any thread: whether a read must wait for writes in our sockets. */
gboolean
gp_characteristic_write_pending (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  return gp_write_sockets_pending (priv->write_sockets);
}

/* Unexported: bluetoothd let the sockets go (it sees HUP if not). */
void
gp_characteristic_close_write_sockets (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  gp_write_sockets_close (priv->write_sockets, TRUE);
}

void
gp_characteristic_handle_method_call (GpCharacteristic      *self,
                                      GDBusMethodInvocation *invocation,
                                      const char            *method,
                                      GVariant              *parameters)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  /* After the writes bluetoothd put in our sockets before this call. */
  if (strcmp (method, "ReadValue") == 0)
    gp_write_sockets_run_after_writes (priv->write_sockets, invocation, parameters,
                                       gp_attribute_handle_read);
  else if (strcmp (method, "WriteValue") == 0)
    gp_write_sockets_run_after_writes (priv->write_sockets, invocation, parameters,
                                       gp_attribute_handle_write);
  else if (strcmp (method, "AcquireWrite") == 0 && uses_acquire_write (priv))
    gp_write_sockets_acquire (priv->write_sockets, invocation, parameters);
  else if (strcmp (method, "AcquireNotify") == 0)
    handle_acquire_notify (self, invocation, parameters);
  else if (strcmp (method, "StartNotify") == 0)
    {
      gp_characteristic_set_notifying (self, TRUE);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (strcmp (method, "StopNotify") == 0)
    {
      gp_characteristic_set_notifying (self, FALSE);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (strcmp (method, "Confirm") == 0)
    {
      handle_confirm (self);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_SUPPORTED,
                                           "Method %s is not supported", method);
}

void
gp_characteristic_set_service (GpCharacteristic *self,
                               GpService        *service)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);

  if (priv->service == service)
    return;
  priv->service = service;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERVICE]);
}

/**
 * gp_characteristic_get_flags:
 * @self: a #GpCharacteristic
 *
 * The characteristic's flags.
 *
 * Returns: the flags
 *
 * Since: 0.1
 */
GpCharacteristicFlags
gp_characteristic_get_flags (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), 0);

  priv = gp_characteristic_get_instance_private (self);
  return priv->flags;
}

/**
 * gp_characteristic_get_notifying:
 * @self: a #GpCharacteristic
 *
 * Whether a central is subscribed to notifications or indications.
 *
 * Returns: %TRUE if values are sent to subscribers
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_get_notifying (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);

  priv = gp_characteristic_get_instance_private (self);
  return priv->notifying;
}

/**
 * gp_characteristic_get_service:
 * @self: a #GpCharacteristic
 *
 * The service the characteristic was added to.
 *
 * Returns: (transfer none) (nullable): the service, or %NULL
 *
 * Since: 0.1
 */
GpService *
gp_characteristic_get_service (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), NULL);

  priv = gp_characteristic_get_instance_private (self);
  return priv->service;
}

static gboolean
check_mutable (GpCharacteristic  *self,
               const char        *what,
               GError           **error)
{
  GpCharacteristicPrivate *priv = gp_characteristic_get_instance_private (self);
  GpApplication *app = priv->service != NULL ? gp_service_get_application (priv->service) : NULL;

  return app == NULL || gp_application_check_mutable (app, what, error);
}

/**
 * gp_characteristic_add_descriptor:
 * @self: a #GpCharacteristic
 * @descriptor: a descriptor that belongs to no characteristic yet
 * @error: return location for a #GError
 *
 * Adds @descriptor to the characteristic. Descriptors are exported, and
 * get their handles, in the order they are added.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @descriptor is
 *   invalid, already added somewhere, or the application is registered
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_add_descriptor (GpCharacteristic  *self,
                                  GpDescriptor      *descriptor,
                                  GError           **error)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);
  g_return_val_if_fail (GP_IS_DESCRIPTOR (descriptor), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = gp_characteristic_get_instance_private (self);

  if (!gp_attribute_is_valid (GP_ATTRIBUTE (descriptor), error))
    return FALSE;
  if (gp_descriptor_get_characteristic (descriptor) != NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                   "Descriptor %s already belongs to a characteristic",
                   gp_attribute_get_uuid (GP_ATTRIBUTE (descriptor)));
      return FALSE;
    }
  if (!check_mutable (self, "change the descriptors of a characteristic", error))
    return FALSE;

  g_ptr_array_add (priv->descriptors, g_object_ref (descriptor));
  gp_descriptor_set_characteristic (descriptor, self);
  return TRUE;
}

/**
 * gp_characteristic_remove_descriptor:
 * @self: a #GpCharacteristic
 * @descriptor: one of its descriptors
 * @error: return location for a #GError
 *
 * Removes @descriptor from the characteristic.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @descriptor is not
 *   one of the characteristic's, or the application is registered
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_remove_descriptor (GpCharacteristic  *self,
                                     GpDescriptor      *descriptor,
                                     GError           **error)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);
  g_return_val_if_fail (GP_IS_DESCRIPTOR (descriptor), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = gp_characteristic_get_instance_private (self);

  if (gp_descriptor_get_characteristic (descriptor) != self)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                   "Descriptor %s does not belong to characteristic %s",
                   gp_attribute_get_uuid (GP_ATTRIBUTE (descriptor)),
                   gp_attribute_get_uuid (GP_ATTRIBUTE (self)));
      return FALSE;
    }
  if (!check_mutable (self, "change the descriptors of a characteristic", error))
    return FALSE;

  gp_descriptor_set_characteristic (descriptor, NULL);
  g_ptr_array_remove (priv->descriptors, descriptor);
  return TRUE;
}

/**
 * gp_characteristic_get_descriptors:
 * @self: a #GpCharacteristic
 *
 * The characteristic's descriptors, in the order they were added.
 *
 * Returns: (transfer container) (element-type GpDescriptor): the descriptors
 *
 * Since: 0.1
 */
GList *
gp_characteristic_get_descriptors (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;
  GList *list = NULL;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), NULL);

  priv = gp_characteristic_get_instance_private (self);
  for (guint i = priv->descriptors->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (priv->descriptors, i - 1));
  return list;
}

/**
 * gp_characteristic_get_backlog:
 * @self: a #GpCharacteristic
 *
 * How many values wait to be sent (see [property@Characteristic:backlog]).
 *
 * Returns: the number of values waiting
 *
 * Since: 0.1
 */
guint
gp_characteristic_get_backlog (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), 0);

  priv = gp_characteristic_get_instance_private (self);
  return priv->pending.length + (priv->blocked_value != NULL ? 1 : 0);
}

/**
 * gp_characteristic_get_coalesced:
 * @self: a #GpCharacteristic
 *
 * How many values were replaced by newer ones before being sent (see
 * [property@Characteristic:coalesced]).
 *
 * Returns: the number of values coalesced
 *
 * Since: 0.1
 */
guint64
gp_characteristic_get_coalesced (GpCharacteristic *self)
{
  GpCharacteristicPrivate *priv;

  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), 0);

  priv = gp_characteristic_get_instance_private (self);
  return priv->coalesced;
}

/**
 * gp_characteristic_send_value_async:
 * @self: a #GpCharacteristic
 * @value: the value to store and send, at most 512 bytes
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the value was delivered
 * @user_data: data for @callback
 *
 * Stores @value and sends it to the subscribed centrals, without
 * coalescing it with other values. The operation completes when bluetoothd
 * has taken the notification, or, for a characteristic with an `indicate`
 * flag and no `notify` flag, when a central confirmed the indication
 * (BlueZ calls `Confirm`; with several centrals, the first confirmation
 * counts). Awaiting each call before the next paces a sender to the radio.
 *
 * Over an acquired socket ([property@Characteristic:acquire-notify]), the
 * value counts as taken once it was written to the socket: if the socket
 * is full, the value waits for room (and the characteristic's next values
 * wait behind it).
 *
 * It fails with %GP_ERROR_NOT_CONNECTED if no central is subscribed (or
 * all unsubscribe, or bluetoothd closes the socket, before delivery),
 * %G_IO_ERROR_TIMED_OUT if an indication is not confirmed within 30 s,
 * and %GP_ERROR_INVALID_VALUE_LENGTH for a value over 512 bytes.
 *
 * Cancelling @cancellable completes the call at once with
 * %G_IO_ERROR_CANCELLED. A value still queued is then not sent, and the
 * values after it keep their order. A value already sent cannot be called
 * back: the call completes as cancelled, and an indication still holds
 * the next ones until the central confirms it (or 30 s pass).
 *
 * Since: 0.1
 */
void
gp_characteristic_send_value_async (GpCharacteristic    *self,
                                    GBytes              *value,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GpCharacteristicPrivate *priv;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GP_IS_CHARACTERISTIC (self));
  g_return_if_fail (value != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  priv = gp_characteristic_get_instance_private (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_characteristic_send_value_async);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (g_bytes_get_size (value) > GP_MAX_VALUE_LENGTH)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH,
                               "A value of %" G_GSIZE_FORMAT " bytes is longer than the %d bytes ATT allows",
                               g_bytes_get_size (value), GP_MAX_VALUE_LENGTH);
      return;
    }

  gp_attribute_store_value (GP_ATTRIBUTE (self), value);

  if (!can_send (self))
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_NOT_CONNECTED,
                               "No central is subscribed to %s",
                               gp_attribute_get_uuid (GP_ATTRIBUTE (self)));
      return;
    }

  if (cancellable != NULL)
    {
      SendData *d = g_new0 (SendData, 1);

      /* Dispatched on our context, whichever thread cancels. */
      d->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (d->cancel_source, G_SOURCE_FUNC (on_send_cancelled), task, NULL);
      g_source_set_static_name (d->cancel_source, "[gattperiph] send_value cancelled");
      g_source_attach (d->cancel_source, priv->context);
      g_task_set_task_data (task, d, send_data_free);
    }

  queue_pending (self, value, task);
}

/**
 * gp_characteristic_send_value_finish:
 * @self: a #GpCharacteristic
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Characteristic.send_value_async].
 *
 * Returns: %TRUE if the value was delivered
 *
 * Since: 0.1
 */
gboolean
gp_characteristic_send_value_finish (GpCharacteristic  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (GP_IS_CHARACTERISTIC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_characteristic_send_value_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
