/* gp-request.c: one read or write request from a central
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-request-private.h"
#include "gp-dbus-util-private.h"
#include "gp-device-private.h"

/**
 * GpRequest:
 *
 * One read or write of an attribute's value by a central, as BlueZ passes
 * it on: who asks (the device's object path), at which offset, over which
 * link, with which ATT MTU, and for a write, the value.
 *
 * A [class@Request] is handed to the [signal@Attribute::read-request] and
 * [signal@Attribute::write-request] signals. A handler that takes the request
 * returns %TRUE and answers it exactly once, at once or later (keep a
 * reference), like a #GDBusMethodInvocation:
 *
 * ```c
 * static gboolean
 * on_read (GpAttribute *attr, GpRequest *request, gpointer user_data)
 * {
 *   g_autoptr(GBytes) value = make_value ();
 *
 *   // The library sends the bytes from the request's offset on, so long
 *   // values (Read Blob) work without looking at the offset.
 *   gp_request_return_value (request, value);
 *   return TRUE;
 * }
 * ```
 *
 * BlueZ gives up after 5 seconds and the central then sees ATT error 0x0E.
 * A request finalized without an answer is answered with that error and a
 * warning. Requests to one attribute are answered in the order they came,
 * so a request kept unanswered holds back the later requests to the same
 * attribute.
 *
 * A write that bluetoothd sent over an acquired socket (see
 * [property@Characteristic:acquire-write]) was acknowledged to the central
 * already: its write type is %GP_WRITE_TYPE_COMMAND, its offset 0, and
 * answering it (with success or an error) only marks it answered.
 *
 * Since: 0.1
 */
struct _GpRequest
{
  GObject                parent_instance;

  GpAttribute           *attribute;
  GDBusConnection       *connection;   /* the call came on it */
  GDBusMethodInvocation *invocation;   /* NULL once answered */
  GBytes                *value;
  char                  *device_path;
  GpDevice              *device;       /* made when asked for */
  GpRequestKind          kind;
  GpLinkType             link;
  GpWriteType            write_type;
  guint16                offset;
  guint16                mtu;
  gboolean               prepare_authorize;
  gboolean               no_reply;     /* AcquireWrite: nobody to answer, not answered yet */
};

G_DEFINE_FINAL_TYPE (GpRequest, gp_request, G_TYPE_OBJECT)

static void
gp_request_finalize (GObject *object)
{
  GpRequest *self = GP_REQUEST (object);

  if (self->invocation != NULL)
    {
      g_warning ("A %s request for %s was dropped without an answer; "
                 "the central sees ATT error 0x0E",
                 self->kind == GP_REQUEST_KIND_READ ? "read" : "write",
                 gp_attribute_get_uuid (self->attribute));
      g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&self->invocation),
                                                  "org.bluez.Error.Failed", "");
    }

  g_clear_object (&self->attribute);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->value, g_bytes_unref);
  g_clear_pointer (&self->device_path, g_free);
  g_clear_object (&self->device);

  G_OBJECT_CLASS (gp_request_parent_class)->finalize (object);
}

/* Read-only properties for what the getters expose (set at creation). */
enum {
  PROP_0,
  PROP_ATTRIBUTE,
  PROP_KIND,
  PROP_OFFSET,
  PROP_MTU,
  PROP_DEVICE_PATH,
  PROP_DEVICE,
  PROP_LINK,
  PROP_VALUE,
  PROP_WRITE_TYPE,
  PROP_PREPARE_AUTHORIZE,
  PROP_ANSWERED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
gp_request_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GpRequest *self = GP_REQUEST (object);

  switch (prop_id)
    {
    case PROP_ATTRIBUTE:
      g_value_set_object (value, self->attribute);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_OFFSET:
      g_value_set_uint (value, self->offset);
      break;
    case PROP_MTU:
      g_value_set_uint (value, self->mtu);
      break;
    case PROP_DEVICE_PATH:
      g_value_set_string (value, self->device_path);
      break;
    case PROP_DEVICE:
      g_value_set_object (value, gp_request_get_device (self));
      break;
    case PROP_LINK:
      g_value_set_enum (value, self->link);
      break;
    case PROP_VALUE:
      g_value_set_boxed (value, self->value);
      break;
    case PROP_WRITE_TYPE:
      g_value_set_enum (value, self->write_type);
      break;
    case PROP_PREPARE_AUTHORIZE:
      g_value_set_boolean (value, self->prepare_authorize);
      break;
    case PROP_ANSWERED:
      g_value_set_boolean (value, gp_request_get_answered (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_request_class_init (GpRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = gp_request_finalize;
  object_class->get_property = gp_request_get_property;

  /**
   * GpRequest:attribute:
   *
   * The characteristic or descriptor this request is for.
   *
   * Since: 0.1
   */
  props[PROP_ATTRIBUTE] =
    g_param_spec_object ("attribute", NULL, NULL, GP_TYPE_ATTRIBUTE, ro);

  /**
   * GpRequest:kind:
   *
   * Whether this is a read or a write.
   *
   * Since: 0.1
   */
  props[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, GP_TYPE_REQUEST_KIND, GP_REQUEST_KIND_READ, ro);

  /**
   * GpRequest:offset:
   *
   * The offset in the value, in bytes: non-zero for a Read Blob and for the
   * chunks of a long write. See [method@Request.get_offset].
   *
   * Since: 0.1
   */
  props[PROP_OFFSET] =
    g_param_spec_uint ("offset", NULL, NULL, 0, G_MAXUINT16, 0, ro);

  /**
   * GpRequest:mtu:
   *
   * The ATT MTU of the link the request came on, or 0 if BlueZ did not
   * say. See [method@Request.get_mtu].
   *
   * Since: 0.1
   */
  props[PROP_MTU] =
    g_param_spec_uint ("mtu", NULL, NULL, 0, G_MAXUINT16, 0, ro);

  /**
   * GpRequest:device-path: (getter get_device_path)
   *
   * The D-Bus object path of the central that sent the request, or %NULL
   * if BlueZ did not say.
   *
   * Since: 0.1
   */
  props[PROP_DEVICE_PATH] =
    g_param_spec_string ("device-path", NULL, NULL, NULL, ro);

  /**
   * GpRequest:device: (getter get_device)
   *
   * The central that sent the request, or %NULL if BlueZ did not say
   * (made when first read, see [method@Request.get_device]).
   *
   * Since: 0.1
   */
  props[PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL, GP_TYPE_DEVICE, ro);

  /**
   * GpRequest:link:
   *
   * The link the request came on.
   *
   * Since: 0.1
   */
  props[PROP_LINK] =
    g_param_spec_enum ("link", NULL, NULL, GP_TYPE_LINK_TYPE, GP_LINK_TYPE_UNKNOWN, ro);

  /**
   * GpRequest:value:
   *
   * For a write, the bytes the central wrote; %NULL for a read.
   *
   * Since: 0.1
   */
  props[PROP_VALUE] =
    g_param_spec_boxed ("value", NULL, NULL, G_TYPE_BYTES, ro);

  /**
   * GpRequest:write-type:
   *
   * The ATT procedure of a write, if BlueZ reports it (BlueZ 5.66 never
   * does). See [method@Request.get_write_type].
   *
   * Since: 0.1
   */
  props[PROP_WRITE_TYPE] =
    g_param_spec_enum ("write-type", NULL, NULL, GP_TYPE_WRITE_TYPE, GP_WRITE_TYPE_UNKNOWN, ro);

  /**
   * GpRequest:prepare-authorize:
   *
   * Whether this write only asks for authorization of a Prepare Write.
   * See [method@Request.get_prepare_authorize].
   *
   * Since: 0.1
   */
  props[PROP_PREPARE_AUTHORIZE] =
    g_param_spec_boolean ("prepare-authorize", NULL, NULL, FALSE, ro);

  /**
   * GpRequest:answered:
   *
   * Whether the request has been answered. It changes only when the code
   * that holds the request answers it, so it is not notified.
   *
   * Since: 0.1
   */
  props[PROP_ANSWERED] =
    g_param_spec_boolean ("answered", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_request_init (GpRequest *self)
{
}

GpRequest *
gp_request_new (GpAttribute            *attribute,
                GpRequestKind           kind,
                GDBusMethodInvocation  *invocation,
                const GpRequestOptions *options,
                GBytes                 *value)
{
  GpRequest *self = g_object_new (GP_TYPE_REQUEST, NULL);

  self->attribute = g_object_ref (attribute);
  /* A request made with no invocation (tests) is answered already. */
  if (invocation != NULL)
    self->connection = g_object_ref (g_dbus_method_invocation_get_connection (invocation));
  self->kind = kind;
  /* Takes over the caller's reference: the GDBus method handler owns one,
   * and answering consumes it. */
  self->invocation = invocation;
  self->value = value != NULL ? g_bytes_ref (value) : NULL;
  self->device_path = g_strdup (options->device);
  self->link = options->link;
  self->write_type = options->write_type;
  self->offset = options->offset;
  self->mtu = options->mtu;
  self->prepare_authorize = options->prepare_authorize;

  return self;
}

/* A write BlueZ sent over an AcquireWrite socket: it acknowledged it to
 * the central already. */
GpRequest *
gp_request_new_without_reply (GpAttribute            *attribute,
                              const GpRequestOptions *options,
                              GBytes                 *value)
{
  GpRequest *self = gp_request_new (attribute, GP_REQUEST_KIND_WRITE, NULL, options, value);

  self->no_reply = TRUE;
  return self;
}

/* Whether an answer is to be sent (with self->invocation). A request
 * without reply is only marked answered. */
static gboolean
begin_answer (GpRequest *self)
{
  if (self->no_reply)
    {
      self->no_reply = FALSE;
      return FALSE;
    }
  g_return_val_if_fail (self->invocation != NULL, FALSE);
  return TRUE;
}

/**
 * gp_request_get_attribute:
 * @self: a #GpRequest
 *
 * The characteristic or descriptor this request is for.
 *
 * Returns: (transfer none): the attribute
 *
 * Since: 0.1
 */
GpAttribute *
gp_request_get_attribute (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), NULL);
  return self->attribute;
}

/**
 * gp_request_get_kind:
 * @self: a #GpRequest
 *
 * Whether this is a read or a write.
 *
 * Returns: the kind of request
 *
 * Since: 0.1
 */
GpRequestKind
gp_request_get_kind (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), GP_REQUEST_KIND_READ);
  return self->kind;
}

/**
 * gp_request_get_offset:
 * @self: a #GpRequest
 *
 * The offset in the value: non-zero for a Read Blob (the following parts
 * of a long read) and for the chunks of a long write.
 *
 * Returns: the offset, in bytes
 *
 * Since: 0.1
 */
guint
gp_request_get_offset (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), 0);
  return self->offset;
}

/**
 * gp_request_get_mtu:
 * @self: a #GpRequest
 *
 * The ATT MTU of the link the request came on (BlueZ 5.51 and later), or 0
 * if BlueZ did not say. A read reply carries at most MTU − 1 bytes; a
 * notification at most MTU − 3.
 *
 * Returns: the ATT MTU
 *
 * Since: 0.1
 */
guint
gp_request_get_mtu (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), 0);
  return self->mtu;
}

/**
 * gp_request_get_device_path:
 * @self: a #GpRequest
 *
 * The D-Bus object path of the central (an `org.bluez.Device1` object)
 * that sent the request.
 *
 * Returns: (nullable): the device's object path, or %NULL if BlueZ did not
 *   say
 *
 * Since: 0.1
 */
const char *
gp_request_get_device_path (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), NULL);
  return self->device_path;
}

/**
 * gp_request_get_device:
 * @self: a #GpRequest
 *
 * The central that sent the request, as a #GpDevice (the same object
 * [signal@Adapter::device-connected] hands out). It is made the first time
 * it is asked for, so requests that do not ask cost nothing; its
 * properties are read from BlueZ in the background if the library did not
 * know the device yet.
 *
 * Returns: (transfer none) (nullable): the device, or %NULL if BlueZ did
 *   not say which device sent the request
 *
 * Since: 0.1
 */
GpDevice *
gp_request_get_device (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), NULL);

  if (self->device == NULL && self->device_path != NULL && self->connection != NULL)
    self->device = gp_device_get_for_path (self->connection, self->device_path);
  return self->device;
}

/**
 * gp_request_get_link:
 * @self: a #GpRequest
 *
 * The link the request came on.
 *
 * Returns: the link type
 *
 * Since: 0.1
 */
GpLinkType
gp_request_get_link (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), GP_LINK_TYPE_UNKNOWN);
  return self->link;
}

/**
 * gp_request_get_value:
 * @self: a #GpRequest
 *
 * For a write, the bytes the central wrote (to be stored at
 * [method@Request.get_offset]).
 *
 * Returns: (transfer none) (nullable): the written bytes, or %NULL for a read
 *
 * Since: 0.1
 */
GBytes *
gp_request_get_value (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), NULL);
  return self->value;
}

/**
 * gp_request_get_prepare_authorize:
 * @self: a #GpRequest
 *
 * Whether this write only asks for authorization of a Prepare Write on an
 * attribute with the `authorize` flag, from a device that is not trusted.
 * The value is not to be stored: BlueZ sends the real write when the
 * central executes the queue. Answer with success to authorize, or with
 * %GP_ERROR_NOT_AUTHORIZED to refuse.
 *
 * Returns: %TRUE for a prepare-write authorization
 *
 * Since: 0.1
 */
gboolean
gp_request_get_prepare_authorize (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), FALSE);
  return self->prepare_authorize;
}

/**
 * gp_request_get_write_type:
 * @self: a #GpRequest
 *
 * The ATT procedure of a write, if BlueZ reports it. BlueZ 5.66 never does
 * (%GP_WRITE_TYPE_UNKNOWN); note that it acknowledges every write to a
 * characteristic with the `write-without-response` flag before the
 * application answers. A write that came over an acquired socket
 * ([property@Characteristic:acquire-write]) is %GP_WRITE_TYPE_COMMAND:
 * BlueZ acknowledged it already, whatever the central sent.
 *
 * Returns: the write type
 *
 * Since: 0.1
 */
GpWriteType
gp_request_get_write_type (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), GP_WRITE_TYPE_UNKNOWN);
  return self->write_type;
}

/**
 * gp_request_get_answered:
 * @self: a #GpRequest
 *
 * Whether the request has been answered.
 *
 * Returns: %TRUE once one of the `return` methods was called
 *
 * Since: 0.1
 */
gboolean
gp_request_get_answered (GpRequest *self)
{
  g_return_val_if_fail (GP_IS_REQUEST (self), FALSE);
  return self->invocation == NULL && !self->no_reply;
}

/**
 * gp_request_return_value:
 * @self: a read #GpRequest
 * @value: the attribute's whole value
 *
 * Answers a read with @value. The library sends the bytes from the
 * request's offset on (BlueZ does not slice), so a handler does not need to
 * look at the offset for long values. An offset past the end of @value
 * answers %GP_ERROR_INVALID_OFFSET. BlueZ sends at most 512 bytes, and at
 * most MTU − 1 in one response.
 *
 * Since: 0.1
 */
void
gp_request_return_value (GpRequest *self,
                         GBytes    *value)
{
  g_return_if_fail (GP_IS_REQUEST (self));
  g_return_if_fail (value != NULL);
  g_return_if_fail (self->kind == GP_REQUEST_KIND_READ);
  if (!begin_answer (self))
    return;

  gp_dbus_return_read_value (g_steal_pointer (&self->invocation), value, self->offset);
}

/**
 * gp_request_return_partial_value:
 * @self: a read #GpRequest
 * @value: the bytes to send, already starting at the request's offset
 *
 * Answers a read with @value as it is, for handlers that produce the part
 * of the value from [method@Request.get_offset] on themselves.
 *
 * Since: 0.1
 */
void
gp_request_return_partial_value (GpRequest *self,
                                 GBytes    *value)
{
  g_return_if_fail (GP_IS_REQUEST (self));
  g_return_if_fail (value != NULL);
  g_return_if_fail (self->kind == GP_REQUEST_KIND_READ);
  if (!begin_answer (self))
    return;

  gp_dbus_return_read_value (g_steal_pointer (&self->invocation), value, 0);
}

/**
 * gp_request_return_success:
 * @self: a write #GpRequest
 *
 * Accepts a write. The handler has done what the write asks (storing the
 * value is up to it: see [method@Attribute.set_value]).
 *
 * Since: 0.1
 */
void
gp_request_return_success (GpRequest *self)
{
  g_return_if_fail (GP_IS_REQUEST (self));
  g_return_if_fail (self->kind == GP_REQUEST_KIND_WRITE);
  if (!begin_answer (self))
    return;

  g_dbus_method_invocation_return_value (g_steal_pointer (&self->invocation), NULL);
}

/**
 * gp_request_return_error:
 * @self: a #GpRequest
 * @error: the error
 *
 * Refuses the request. Errors in the %GP_ERROR domain reach the central as
 * the ATT error BlueZ maps them to (see #GpError and
 * gp_error_get_att_code()); other errors as 0x0E (Unlikely Error).
 *
 * Since: 0.1
 */
void
gp_request_return_error (GpRequest    *self,
                         const GError *error)
{
  g_return_if_fail (GP_IS_REQUEST (self));
  g_return_if_fail (error != NULL);
  if (!begin_answer (self))
    return;

  g_dbus_method_invocation_return_gerror (g_steal_pointer (&self->invocation), error);
}

/**
 * gp_request_return_error_literal:
 * @self: a #GpRequest
 * @code: a #GpError code
 * @message: the message
 *
 * Refuses the request with an error in the %GP_ERROR domain. (@code is an
 * integer so that languages which map #GpError to an error type, such as
 * Vala, can pass it.)
 *
 * Since: 0.1
 */
void
gp_request_return_error_literal (GpRequest  *self,
                                 gint        code,
                                 const char *message)
{
  g_return_if_fail (GP_IS_REQUEST (self));
  g_return_if_fail (message != NULL);
  if (!begin_answer (self))
    return;

  g_dbus_method_invocation_return_error_literal (g_steal_pointer (&self->invocation),
                                                 GP_ERROR, code, message);
}

/**
 * gp_request_return_att_error:
 * @self: a #GpRequest
 * @att_code: an application error code, 0x80 to 0x9F
 *
 * Refuses the request with an application-defined ATT error: the central
 * sees @att_code (BlueZ 5.66 and later).
 *
 * Since: 0.1
 */
void
gp_request_return_att_error (GpRequest *self,
                             guint8     att_code)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GP_IS_REQUEST (self));
  g_return_if_fail (att_code >= GP_ATT_ERROR_APPLICATION_FIRST &&
                    att_code <= GP_ATT_ERROR_APPLICATION_LAST);
  if (!begin_answer (self))
    return;

  error = gp_error_new_att (att_code);
  g_dbus_method_invocation_return_gerror (g_steal_pointer (&self->invocation), error);
}
