/* gp-attribute.c: what characteristics and descriptors have in common
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-attribute-private.h"
#include "gp-dbus-util-private.h"
#include "gp-request-private.h"

#include <string.h>

/**
 * GpAttribute:
 *
 * The base class of [class@Characteristic] and [class@Descriptor]: an
 * attribute with a UUID and a value that centrals read and write.
 *
 * The library keeps a stored value ([property@Attribute:value]). With no
 * handler, a read is answered from it (from the request's offset on, so
 * long values work), and a write is stored in it at the request's offset.
 * To compute values or act on writes, connect to
 * [signal@Attribute::read-request] and [signal@Attribute::write-request], or
 * subclass and override the class handlers:
 *
 * ```python
 * class Clock(Gp.Characteristic):
 *     def do_read_request(self, request):
 *         request.return_value(GLib.Bytes(time.strftime("%T").encode()))
 *         return True
 * ```
 *
 * Requests to one attribute are answered in the order they came: a read
 * after a write sees the written value, even when BlueZ acknowledged the
 * write to the central before the application handled it (Write Commands,
 * and every write to a `write-without-response` characteristic). A request
 * a handler keeps therefore holds back the later requests to the same
 * attribute until it is answered.
 *
 * With no handler, reads and writes are answered on GDBus's I/O thread,
 * without waiting for the main loop, when no earlier request to the
 * attribute is still unanswered. For each write stored there the main
 * context catches up afterwards, in order: [property@Attribute:value]
 * changes and `notify::value` is emitted there, before any later request
 * to the attribute is handed to application code.
 *
 * The value is not exported on D-Bus as a property: only the answers to
 * reads that BlueZ allowed (after its `encrypt-`, `secure-` and `authorize`
 * checks) carry it, and only bluetoothd may call the exported objects.
 *
 * Since: 0.1
 */

typedef struct
{
  char          *uuid;           /* normalised, or as given if invalid */
  GError        *uuid_error;     /* set if the UUID is malformed */
  GBytes        *value;          /* the main context's view: changes there only */
  GMutex         value_lock;     /* for GDBus's I/O thread: */
  GBytes        *latest;         /* under value_lock: the newest value */
  GQueue         pending;        /* under value_lock: GBytes stored on the I/O
                                  * thread that @value has not caught up with */
  GpApplication *application;    /* weak: set while exported */
  char          *object_path;    /* set while exported */
  guint16        requested_handle;  /* asked of BlueZ at registration, or 0 */
  guint16        assigned_handle;   /* what BlueZ wrote back, while exported */
} GpAttributePrivate;

static void gp_attribute_initable_iface_init (GInitableIface *iface);

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (GpAttribute, gp_attribute, G_TYPE_OBJECT,
                                  G_ADD_PRIVATE (GpAttribute)
                                  g_type_add_class_private (g_define_type_id,
                                                            sizeof (GpAttributeClassPrivate));
                                  G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                         gp_attribute_initable_iface_init))

enum {
  PROP_0,
  PROP_UUID,
  PROP_VALUE,
  PROP_HANDLE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_READ_REQUEST,
  SIGNAL_WRITE_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
gp_attribute_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return gp_attribute_is_valid (GP_ATTRIBUTE (initable), error);
}

static void
gp_attribute_initable_iface_init (GInitableIface *iface)
{
  iface->init = gp_attribute_initable_init;
}

GpAttributeClassPrivate *
gp_attribute_class_get_private (gpointer klass)
{
  return G_TYPE_CLASS_GET_PRIVATE (klass, GP_TYPE_ATTRIBUTE, GpAttributeClassPrivate);
}

static GpAttributeClassPrivate *
get_class_private (GpAttribute *self)
{
  return gp_attribute_class_get_private (GP_ATTRIBUTE_GET_CLASS (self));
}

/* Whether the attribute can be exported: its UUID and flags are ones
 * BlueZ accepts. */
gboolean
gp_attribute_is_valid (GpAttribute  *self,
                       GError      **error)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  GpAttributeClassPrivate *cpriv = get_class_private (self);

  if (priv->uuid_error != NULL)
    {
      g_propagate_error (error, g_error_copy (priv->uuid_error));
      return FALSE;
    }
  return cpriv->validate == NULL || cpriv->validate (self, error);
}

static void
set_uuid (GpAttribute *self,
          const char  *uuid)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&priv->uuid, g_free);
  g_clear_error (&priv->uuid_error);

  if (uuid == NULL)
    {
      g_set_error_literal (&priv->uuid_error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS,
                           "An attribute needs a UUID");
      return;
    }

  priv->uuid = gp_uuid_normalize (uuid, &error);
  if (priv->uuid == NULL)
    {
      priv->uuid = g_strdup (uuid);
      priv->uuid_error = g_steal_pointer (&error);
    }
}

static gboolean
gp_attribute_real_read_request (GpAttribute *self,
                                GpRequest   *request)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  gp_request_return_value (request, priv->value);
  return TRUE;
}

/* Stores @data at @offset; the error, if any, is what the central sees. */
static gboolean
store_written (GpAttribute  *self,
               guint         offset,
               GBytes       *data,
               GError      **error)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  g_autoptr(GBytes) new_value = NULL;

  gp_attribute_sync_value (self);
  new_value = gp_bytes_write_at (priv->value, offset, data, error);
  if (new_value == NULL)
    return FALSE;
  gp_attribute_store_value (self, new_value);
  return TRUE;
}

static gboolean
gp_attribute_real_write_request (GpAttribute *self,
                                 GpRequest   *request)
{
  g_autoptr(GError) error = NULL;

  /* Only an authorization question: BlueZ writes the value later. */
  if (gp_request_get_prepare_authorize (request))
    gp_request_return_success (request);
  else if (store_written (self, gp_request_get_offset (request), gp_request_get_value (request), &error))
    gp_request_return_success (request);
  else
    gp_request_return_error (request, error);
  return TRUE;
}

static void
gp_attribute_real_method_call (GpAttribute           *self,
                               GDBusMethodInvocation *invocation,
                               const char            *method,
                               GVariant              *parameters)
{
  if (strcmp (method, "ReadValue") == 0)
    gp_attribute_handle_read (self, invocation, parameters);
  else if (strcmp (method, "WriteValue") == 0)
    gp_attribute_handle_write (self, invocation, parameters);
  else
    g_dbus_method_invocation_return_error (invocation, GP_ERROR, GP_ERROR_NOT_SUPPORTED,
                                           "Method %s is not supported", method);
}

static void
gp_attribute_finalize (GObject *object)
{
  GpAttribute *self = GP_ATTRIBUTE (object);
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  g_clear_pointer (&priv->uuid, g_free);
  g_clear_error (&priv->uuid_error);
  g_clear_pointer (&priv->value, g_bytes_unref);
  g_clear_pointer (&priv->latest, g_bytes_unref);
  g_queue_clear_full (&priv->pending, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&priv->object_path, g_free);
  g_mutex_clear (&priv->value_lock);

  G_OBJECT_CLASS (gp_attribute_parent_class)->finalize (object);
}

static void
gp_attribute_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GpAttribute *self = GP_ATTRIBUTE (object);
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, priv->uuid);
      break;
    case PROP_VALUE:
      g_value_set_boxed (value, priv->value);
      break;
    case PROP_HANDLE:
      g_value_set_uint (value, gp_attribute_get_handle (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_attribute_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GpAttribute *self = GP_ATTRIBUTE (object);
  g_autoptr(GError) error = NULL;

  switch (prop_id)
    {
    case PROP_UUID:
      set_uuid (self, g_value_get_string (value));
      break;
    case PROP_VALUE:
      if (g_value_get_boxed (value) != NULL &&
          !gp_attribute_set_value (self, g_value_get_boxed (value), &error))
        g_warning ("Cannot set the value of %s: %s", gp_attribute_get_uuid (self), error->message);
      break;
    case PROP_HANDLE:
      if (!gp_attribute_set_handle (self, g_value_get_uint (value), &error))
        g_warning ("Cannot set the handle of %s: %s", gp_attribute_get_uuid (self), error->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_attribute_class_init (GpAttributeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gp_attribute_finalize;
  object_class->get_property = gp_attribute_get_property;
  object_class->set_property = gp_attribute_set_property;

  klass->read_request = gp_attribute_real_read_request;
  klass->write_request = gp_attribute_real_write_request;
  gp_attribute_class_get_private (klass)->method_call = gp_attribute_real_method_call;

  /**
   * GpAttribute:uuid:
   *
   * The attribute's UUID, normalised to the lowercase 128-bit form.
   *
   * Since: 0.1
   */
  props[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GpAttribute:value:
   *
   * The stored value (at most 512 bytes). Reads without a handler are
   * answered from it and writes without a handler are stored in it.
   * Setting it on a characteristic that centrals subscribed to sends them a
   * notification or indication.
   *
   * Since: 0.1
   */
  props[PROP_VALUE] =
    g_param_spec_boxed ("value", NULL, NULL, G_TYPE_BYTES,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpAttribute:handle:
   *
   * The ATT handle: for a characteristic, the handle of its value. While
   * the application is registered, the handle BlueZ assigned; otherwise
   * the handle set to ask BlueZ for a fixed one at registration (stable
   * across restarts; registration fails if handles overlap), or 0 to let
   * BlueZ choose. A handle BlueZ assigned is never asked for again: after
   * unregistering it reads the requested handle (0) again, so that a tree
   * changed in between gets fresh handles.
   *
   * Since: 0.1
   */
  props[PROP_HANDLE] =
    g_param_spec_uint ("handle", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * GpAttribute::read-request:
   * @self: the attribute
   * @request: the read request
   *
   * A central reads the value. A handler that answers @request (now, or
   * later while holding a reference) returns %TRUE; returning %FALSE lets
   * the next handler, and finally the default, answer it. The default
   * answers from [property@Attribute:value].
   *
   * Returns: %TRUE if the handler took the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_READ_REQUEST] =
    g_signal_new ("read-request",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (GpAttributeClass, read_request),
                  g_signal_accumulator_true_handled, NULL,
                  NULL,
                  G_TYPE_BOOLEAN, 1, GP_TYPE_REQUEST);

  /**
   * GpAttribute::write-request:
   * @self: the attribute
   * @request: the write request
   *
   * A central writes the value. A handler that answers @request (now, or
   * later) returns %TRUE; returning %FALSE lets the next handler, and
   * finally the default, answer it: the default stores the bytes at the
   * request's offset (a write at offset 0 replaces the value) and accepts.
   * A handler can thus validate a write and return %FALSE to have it
   * stored. A central's write does not send notifications.
   *
   * Returns: %TRUE if the handler took the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_WRITE_REQUEST] =
    g_signal_new ("write-request",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (GpAttributeClass, write_request),
                  g_signal_accumulator_true_handled, NULL,
                  NULL,
                  G_TYPE_BOOLEAN, 1, GP_TYPE_REQUEST);
}

static void
gp_attribute_init (GpAttribute *self)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  priv->value = g_bytes_new (NULL, 0);
  priv->latest = g_bytes_ref (priv->value);
  g_mutex_init (&priv->value_lock);
  g_queue_init (&priv->pending);
}

/**
 * gp_attribute_get_uuid:
 * @self: a #GpAttribute
 *
 * The attribute's UUID, in the lowercase 128-bit form.
 *
 * Returns: the UUID
 *
 * Since: 0.1
 */
const char *
gp_attribute_get_uuid (GpAttribute *self)
{
  GpAttributePrivate *priv;

  g_return_val_if_fail (GP_IS_ATTRIBUTE (self), NULL);

  priv = gp_attribute_get_instance_private (self);
  return priv->uuid;
}

/**
 * gp_attribute_get_value:
 * @self: a #GpAttribute
 *
 * The stored value.
 *
 * Returns: (transfer none): the value
 *
 * Since: 0.1
 */
GBytes *
gp_attribute_get_value (GpAttribute *self)
{
  GpAttributePrivate *priv;

  g_return_val_if_fail (GP_IS_ATTRIBUTE (self), NULL);

  priv = gp_attribute_get_instance_private (self);
  return priv->value;
}

/* Takes the writes stored on the I/O thread that the main context has not
 * seen (oldest first) into @written; under value_lock. */
static void
take_pending_locked (GpAttributePrivate *priv,
                     GQueue             *written)
{
  *written = priv->pending;
  g_queue_init (&priv->pending);
}

/* Main context: @value becomes the value the main context sees, and
 * [property@Attribute:value] is notified. Takes over @value. */
static void
set_main_value (GpAttribute *self,
                GBytes      *value)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  g_bytes_unref (priv->value);
  priv->value = value;
  gp_object_notify_heard (G_OBJECT (self), props[PROP_VALUE]);
}

/* Main context: the main context's value goes through @written, in order. */
static void
catch_up (GpAttribute *self,
          GQueue      *written)
{
  GBytes *value;

  if (g_queue_is_empty (written))
    return;
  g_object_ref (self);
  while ((value = g_queue_pop_head (written)) != NULL)
    set_main_value (self, value);
  g_object_unref (self);
}

/* Stores @value (already checked) without sending it to subscribers.
 * Main context only. */
void
gp_attribute_store_value (GpAttribute *self,
                          GBytes      *value)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  GQueue written;
  GBytes *old;

  /* Writes stored on the I/O thread came first; later ones build on
   * @value. */
  g_mutex_lock (&priv->value_lock);
  take_pending_locked (priv, &written);
  old = priv->latest;
  priv->latest = g_bytes_ref (value);
  g_mutex_unlock (&priv->value_lock);
  g_bytes_unref (old);

  catch_up (self, &written);
  if (priv->value != value)
    set_main_value (self, g_bytes_ref (value));
}

/* The newest value, from any thread: with the writes stored on GDBus's
 * I/O thread that the main context has not caught up with yet. */
GBytes *
gp_attribute_dup_value (GpAttribute *self)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  GBytes *value;

  g_mutex_lock (&priv->value_lock);
  value = g_bytes_ref (priv->latest);
  g_mutex_unlock (&priv->value_lock);
  return value;
}

/* On GDBus's I/O thread: stores a central's write of @data at @offset in
 * the newest value, which reads on that thread see at once. The main
 * context catches up (and [property@Attribute:value] is notified) in
 * gp_attribute_sync_value(), which must then run there: *@sync_needed says
 * that it is not scheduled yet. Nothing is stored on error. */
gboolean
gp_attribute_store_written_on_thread (GpAttribute  *self,
                                      guint         offset,
                                      GBytes       *data,
                                      gboolean     *sync_needed,
                                      GError      **error)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  GBytes *new_value;

  g_mutex_lock (&priv->value_lock);
  new_value = gp_bytes_write_at (priv->latest, offset, data, error);
  if (new_value != NULL)
    {
      *sync_needed = g_queue_is_empty (&priv->pending);
      g_queue_push_tail (&priv->pending, g_bytes_ref (new_value));
      g_bytes_unref (priv->latest);
      priv->latest = new_value;
    }
  g_mutex_unlock (&priv->value_lock);
  return new_value != NULL;
}

/* Main context: catches up with the writes stored on the I/O thread, in
 * their order, notifying [property@Attribute:value] for each, as for a
 * write answered on the main context. */
void
gp_attribute_sync_value (GpAttribute *self)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  GQueue written;

  g_mutex_lock (&priv->value_lock);
  take_pending_locked (priv, &written);
  g_mutex_unlock (&priv->value_lock);
  catch_up (self, &written);
}

/**
 * gp_attribute_set_value:
 * @self: a #GpAttribute
 * @value: the new value, at most 512 bytes
 * @error: return location for a #GError
 *
 * Stores a new value. For a characteristic that centrals subscribed to,
 * this also sends the value as a notification or indication, paced by the
 * application (see [method@Characteristic.send_value_async]): when values
 * are set faster than BlueZ can carry them, the newest value replaces one
 * still waiting, so memory stays bounded. Every call sends, even when the
 * value is the same as before.
 *
 * Returns: %TRUE on success; %FALSE with %GP_ERROR_INVALID_VALUE_LENGTH if
 *   @value is longer than 512 bytes
 *
 * Since: 0.1
 */
gboolean
gp_attribute_set_value (GpAttribute  *self,
                        GBytes       *value,
                        GError      **error)
{
  g_return_val_if_fail (GP_IS_ATTRIBUTE (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_bytes_get_size (value) > GP_MAX_VALUE_LENGTH)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH,
                   "A value of %" G_GSIZE_FORMAT " bytes is longer than the %d bytes ATT allows",
                   g_bytes_get_size (value), GP_MAX_VALUE_LENGTH);
      return FALSE;
    }

  gp_attribute_store_value (self, value);
  if (get_class_private (self)->value_set != NULL)
    get_class_private (self)->value_set (self, value);
  return TRUE;
}

/**
 * gp_attribute_set_value_data:
 * @self: a #GpAttribute
 * @data: (array length=length) (element-type guint8): the new value
 * @length: length of @data, at most 512
 * @error: return location for a #GError
 *
 * Like [method@Attribute.set_value], from a buffer.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_attribute_set_value_data (GpAttribute  *self,
                             const guint8 *data,
                             gsize         length,
                             GError      **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (GP_IS_ATTRIBUTE (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = g_bytes_new (data, length);
  return gp_attribute_set_value (self, bytes, error);
}

/**
 * gp_attribute_get_handle:
 * @self: a #GpAttribute
 *
 * The ATT handle (of the value, for a characteristic): while registered,
 * the one BlueZ assigned; otherwise the one requested with
 * [method@Attribute.set_handle], or 0.
 *
 * Returns: the handle
 *
 * Since: 0.1
 */
guint
gp_attribute_get_handle (GpAttribute *self)
{
  GpAttributePrivate *priv;

  g_return_val_if_fail (GP_IS_ATTRIBUTE (self), 0);

  priv = gp_attribute_get_instance_private (self);
  return priv->assigned_handle != 0 ? priv->assigned_handle : priv->requested_handle;
}

/**
 * gp_attribute_set_handle:
 * @self: a #GpAttribute
 * @handle: the ATT handle to ask BlueZ for, or 0 to let it choose
 * @error: return location for a #GError
 *
 * Asks BlueZ for a fixed handle at registration (BlueZ 5.51 and later).
 * For a characteristic this is the handle of its value; the declaration
 * takes the handle before it.
 *
 * Returns: %TRUE on success; %FALSE with %GP_ERROR_NOT_PERMITTED while the
 *   attribute is registered
 *
 * Since: 0.1
 */
gboolean
gp_attribute_set_handle (GpAttribute  *self,
                         guint         handle,
                         GError      **error)
{
  GpAttributePrivate *priv;

  g_return_val_if_fail (GP_IS_ATTRIBUTE (self), FALSE);
  g_return_val_if_fail (handle <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = gp_attribute_get_instance_private (self);
  if (priv->object_path != NULL)
    {
      g_set_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED,
                   "The handle of %s cannot change while it is registered", priv->uuid);
      return FALSE;
    }
  if (priv->requested_handle != handle)
    {
      priv->requested_handle = handle;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HANDLE]);
    }
  return TRUE;
}

/* bluetoothd writes the handle it assigned back with Properties.Set. It is
 * kept apart from the requested one: asking for it at the next
 * registration would clash once the tree changed (BlueZ never hands out
 * a handle twice, and refuses overlapping services). */
void
gp_attribute_set_assigned_handle (GpAttribute *self,
                                  guint16      handle)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  guint old = gp_attribute_get_handle (self);

  priv->assigned_handle = handle;
  if (gp_attribute_get_handle (self) != old)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HANDLE]);
}

void
gp_attribute_set_exported (GpAttribute   *self,
                           GpApplication *application,
                           const char    *object_path)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  priv->application = application;
  g_free (priv->object_path);
  priv->object_path = g_strdup (object_path);
  if (object_path == NULL)
    gp_attribute_set_assigned_handle (self, 0);
}

/* UUID and the requested Handle (0: BlueZ chooses and writes it back);
 * the subclass adds its own. No Value: bluetoothd never reads it (it
 * calls ReadValue, after its ATT permission checks), and a value of an
 * encrypt-, secure- or authorize-flagged attribute must not travel
 * outside those checks. */
void
gp_attribute_get_dbus_properties (GpAttribute     *self,
                                  GVariantBuilder *builder)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  GpAttributeClassPrivate *cpriv = get_class_private (self);

  gp_vardict_add (builder, "UUID", g_variant_new_string (priv->uuid));
  gp_vardict_add (builder, "Handle", g_variant_new_uint16 (priv->requested_handle));
  if (cpriv->add_dbus_properties != NULL)
    cpriv->add_dbus_properties (self, builder);
}

void
gp_attribute_method_call (GpAttribute           *self,
                          GDBusMethodInvocation *invocation,
                          const char            *method,
                          GVariant              *parameters)
{
  get_class_private (self)->method_call (self, invocation, method, parameters);
}

const char *
gp_attribute_get_object_path (GpAttribute *self)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  return priv->object_path;
}

GpApplication *
gp_attribute_get_application (GpAttribute *self)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  return priv->application;
}

static gboolean
has_custom_handler (GpAttribute *self,
                    guint        signal_id,
                    gboolean     is_read)
{
  GpAttributeClass *klass = GP_ATTRIBUTE_GET_CLASS (self);

  if (is_read ? klass->read_request != gp_attribute_real_read_request
              : klass->write_request != gp_attribute_real_write_request)
    return TRUE;
  return g_signal_has_handler_pending (self, signal_id, 0, FALSE);
}

/* Whether a read can be answered from the stored value without running
 * application code: no read-request handler and no override. Safe from
 * any thread (GSignal locks). */
gboolean
gp_attribute_reads_stored_value (GpAttribute *self)
{
  return !has_custom_handler (self, signals[SIGNAL_READ_REQUEST], TRUE);
}

/* The same for writes: they are stored as they come. */
gboolean
gp_attribute_writes_stored_value (GpAttribute *self)
{
  return !has_custom_handler (self, signals[SIGNAL_WRITE_REQUEST], FALSE);
}

/* ReadValue(a{sv} options) -> ay */
void
gp_attribute_handle_read (GpAttribute           *self,
                          GDBusMethodInvocation *invocation,
                          GVariant              *parameters)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 0);
  g_autoptr(GpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  GpRequestOptions opts;
  gboolean handled = FALSE;

  if (!gp_request_options_parse (options, &opts, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  /* Writes answered on the I/O thread came before this call. */
  gp_attribute_sync_value (self);

  /* The hot path: nobody wants to see the request. */
  if (!has_custom_handler (self, signals[SIGNAL_READ_REQUEST], TRUE))
    {
      gp_dbus_return_read_value (invocation, priv->value, opts.offset);
      return;
    }

  request = gp_request_new (self, GP_REQUEST_KIND_READ, invocation, &opts, NULL);
  g_signal_emit (self, signals[SIGNAL_READ_REQUEST], 0, request, &handled);
  if (!handled && !gp_request_get_answered (request))
    gp_request_return_error_literal (request, GP_ERROR_NOT_SUPPORTED,
                                     "No handler answered the read");
}

/* WriteValue(ay value, a{sv} options) */
void
gp_attribute_handle_write (GpAttribute           *self,
                           GDBusMethodInvocation *invocation,
                           GVariant              *parameters)
{
  g_autoptr(GVariant) value_variant = g_variant_get_child_value (parameters, 0);
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 1);
  g_autoptr(GBytes) value = gp_variant_to_bytes (value_variant);
  g_autoptr(GpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  GpRequestOptions opts;
  gboolean handled = FALSE;

  if (!gp_request_options_parse (options, &opts, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  gp_attribute_sync_value (self);

  /* The hot path, as for reads: no request object when nobody looks. */
  if (!has_custom_handler (self, signals[SIGNAL_WRITE_REQUEST], FALSE))
    {
      if (opts.prepare_authorize || store_written (self, opts.offset, value, &error))
        g_dbus_method_invocation_return_value (invocation, NULL);
      else
        g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  request = gp_request_new (self, GP_REQUEST_KIND_WRITE, invocation, &opts, value);
  g_signal_emit (self, signals[SIGNAL_WRITE_REQUEST], 0, request, &handled);
  if (!handled && !gp_request_get_answered (request))
    gp_request_return_error_literal (request, GP_ERROR_NOT_SUPPORTED,
                                     "No handler answered the write");
}

guint16
gp_attribute_get_requested_handle (GpAttribute *self)
{
  GpAttributePrivate *priv = gp_attribute_get_instance_private (self);

  return priv->requested_handle;
}

/* A write from an AcquireWrite socket: the same path as a WriteValue,
 * with a request that cannot be refused (BlueZ acknowledged the write to
 * the central when it sent it) and carries no offset (BlueZ drops it). */
void
gp_attribute_handle_socket_write (GpAttribute            *self,
                                  const GpRequestOptions *options,
                                  GBytes                 *value)
{
  g_autoptr(GpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  gboolean handled = FALSE;

  if (!has_custom_handler (self, signals[SIGNAL_WRITE_REQUEST], FALSE))
    {
      if (!store_written (self, options->offset, value, &error))
        g_debug ("A write to %s over its socket was not stored: %s", gp_attribute_get_uuid (self), error->message);
      return;
    }

  request = gp_request_new_without_reply (self, options, value);
  g_signal_emit (self, signals[SIGNAL_WRITE_REQUEST], 0, request, &handled);
}
