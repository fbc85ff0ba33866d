/* gp-pairing-request.c: one question of BlueZ to the pairing agent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-pairing-request-private.h"

#include <string.h>

/**
 * GpPairingRequest:
 *
 * One request of BlueZ to the pairing agent (an `org.bluez.Agent1` call):
 * which [class@Device], what it asks for ([enum@PairingKind]) and, for
 * some kinds, a passkey, PIN code or service UUID. It is answered once, at
 * once or later (keep a reference), like a #GDBusMethodInvocation: with
 * [method@PairingRequest.accept], [method@PairingRequest.reject],
 * [method@PairingRequest.return_passkey] or
 * [method@PairingRequest.return_pin_code].
 *
 * BlueZ gives up after 60 seconds, or when the central cancels: then
 * [signal@Agent::cancelled] is emitted, [property@PairingRequest:cancelled]
 * turns %TRUE, and answering does nothing.
 *
 * Since: 0.1
 */
struct _GpPairingRequest
{
  GObject                parent_instance;

  GpPairingRequestDoneFunc done_func;   /* the agent: answered or cancelled */
  gpointer               done_data;
  GDBusMethodInvocation *invocation;    /* NULL once answered */
  GpPairingKind          kind;
  GpDevice              *device;
  guint32                passkey;
  char                  *pin_code;
  char                  *uuid;
  gboolean               cancelled;
};

G_DEFINE_FINAL_TYPE (GpPairingRequest, gp_pairing_request, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_DEVICE,
  PROP_PASSKEY,
  PROP_PIN_CODE,
  PROP_UUID,
  PROP_ANSWERED,
  PROP_CANCELLED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

/* Answered or cancelled: notify, and tell the agent (once). */
static void
request_done (GpPairingRequest *self)
{
  GpPairingRequestDoneFunc func = self->done_func;

  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ANSWERED]);
  self->done_func = NULL;
  if (func != NULL)
    func (self, self->done_data);   /* may drop the last reference */
}

static void
gp_pairing_request_finalize (GObject *object)
{
  GpPairingRequest *self = GP_PAIRING_REQUEST (object);

  if (self->invocation != NULL)
    {
      g_warning ("A pairing request was dropped without an answer: rejected");
      g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&self->invocation),
                                                  "org.bluez.Error.Rejected",
                                                  "The agent dropped the request");
    }
  g_clear_object (&self->device);
  g_clear_pointer (&self->pin_code, g_free);
  g_clear_pointer (&self->uuid, g_free);

  G_OBJECT_CLASS (gp_pairing_request_parent_class)->finalize (object);
}

static void
gp_pairing_request_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GpPairingRequest *self = GP_PAIRING_REQUEST (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_DEVICE:
      g_value_set_object (value, self->device);
      break;
    case PROP_PASSKEY:
      g_value_set_uint (value, self->passkey);
      break;
    case PROP_PIN_CODE:
      g_value_set_string (value, self->pin_code);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_ANSWERED:
      g_value_set_boolean (value, gp_pairing_request_get_answered (self));
      break;
    case PROP_CANCELLED:
      g_value_set_boolean (value, self->cancelled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO_PROP (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
gp_pairing_request_class_init (GpPairingRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gp_pairing_request_finalize;
  object_class->get_property = gp_pairing_request_get_property;

  /**
   * GpPairingRequest:kind:
   *
   * What the request asks for.
   *
   * Since: 0.1
   */
  props[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, GP_TYPE_PAIRING_KIND,
                       GP_PAIRING_KIND_REQUEST_PIN_CODE, RO_PROP);

  /**
   * GpPairingRequest:device:
   *
   * The device that pairs.
   *
   * Since: 0.1
   */
  props[PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL, GP_TYPE_DEVICE, RO_PROP);

  /**
   * GpPairingRequest:passkey:
   *
   * For %GP_PAIRING_KIND_REQUEST_CONFIRMATION, the number to compare;
   * 0 for the other kinds.
   *
   * Since: 0.1
   */
  props[PROP_PASSKEY] =
    g_param_spec_uint ("passkey", NULL, NULL, 0, 999999, 0, RO_PROP);

  /**
   * GpPairingRequest:pin-code:
   *
   * For %GP_PAIRING_KIND_DISPLAY_PIN_CODE, the PIN code to show;
   * %NULL for the other kinds.
   *
   * Since: 0.1
   */
  props[PROP_PIN_CODE] =
    g_param_spec_string ("pin-code", NULL, NULL, NULL, RO_PROP);

  /**
   * GpPairingRequest:uuid:
   *
   * For %GP_PAIRING_KIND_AUTHORIZE_SERVICE, the service's UUID;
   * %NULL for the other kinds.
   *
   * Since: 0.1
   */
  props[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL, RO_PROP);

  /**
   * GpPairingRequest:answered:
   *
   * Whether the request was answered (or cancelled). Notified when it
   * turns %TRUE.
   *
   * Since: 0.1
   */
  props[PROP_ANSWERED] =
    g_param_spec_boolean ("answered", NULL, NULL, FALSE, RO_PROP);

  /**
   * GpPairingRequest:cancelled:
   *
   * Whether BlueZ cancelled the request (timeout, the central gave up, or
   * the agent stopped). Notified when it turns %TRUE, before
   * [signal@Agent::cancelled].
   *
   * Since: 0.1
   */
  props[PROP_CANCELLED] =
    g_param_spec_boolean ("cancelled", NULL, NULL, FALSE, RO_PROP);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_pairing_request_init (GpPairingRequest *self)
{
}

/**
 * gp_pairing_request_get_kind:
 * @self: a #GpPairingRequest
 *
 * What the request asks for.
 *
 * Returns: the kind of request
 *
 * Since: 0.1
 */
GpPairingKind
gp_pairing_request_get_kind (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), GP_PAIRING_KIND_REQUEST_AUTHORIZATION);
  return self->kind;
}

/**
 * gp_pairing_request_get_device:
 * @self: a #GpPairingRequest
 *
 * The device that pairs.
 *
 * Returns: (transfer none): the device
 *
 * Since: 0.1
 */
GpDevice *
gp_pairing_request_get_device (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), NULL);
  return self->device;
}

/**
 * gp_pairing_request_get_passkey:
 * @self: a #GpPairingRequest
 *
 * For %GP_PAIRING_KIND_REQUEST_CONFIRMATION, the number to compare
 * (show it with six digits, `%06u`).
 *
 * Returns: the passkey, or 0
 *
 * Since: 0.1
 */
guint32
gp_pairing_request_get_passkey (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), 0);
  return self->passkey;
}

/**
 * gp_pairing_request_get_pin_code:
 * @self: a #GpPairingRequest
 *
 * For %GP_PAIRING_KIND_DISPLAY_PIN_CODE, the PIN code to show.
 *
 * Returns: (nullable): the PIN code
 *
 * Since: 0.1
 */
const char *
gp_pairing_request_get_pin_code (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), NULL);
  return self->pin_code;
}

/**
 * gp_pairing_request_get_uuid:
 * @self: a #GpPairingRequest
 *
 * For %GP_PAIRING_KIND_AUTHORIZE_SERVICE, the service's UUID.
 *
 * Returns: (nullable): the UUID
 *
 * Since: 0.1
 */
const char *
gp_pairing_request_get_uuid (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), NULL);
  return self->uuid;
}

/**
 * gp_pairing_request_get_answered:
 * @self: a #GpPairingRequest
 *
 * Whether the request was answered (or cancelled). See
 * [property@PairingRequest:answered].
 *
 * Returns: %TRUE once answered
 *
 * Since: 0.1
 */
gboolean
gp_pairing_request_get_answered (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), FALSE);
  return self->invocation == NULL;
}

/**
 * gp_pairing_request_get_cancelled:
 * @self: a #GpPairingRequest
 *
 * Whether BlueZ cancelled the request (timeout, or the central gave up).
 * See [property@PairingRequest:cancelled].
 *
 * Returns: %TRUE if cancelled
 *
 * Since: 0.1
 */
gboolean
gp_pairing_request_get_cancelled (GpPairingRequest *self)
{
  g_return_val_if_fail (GP_IS_PAIRING_REQUEST (self), FALSE);
  return self->cancelled;
}

/* Common checks: FALSE if the answer is to be dropped (cancelled). */
static gboolean
can_answer (GpPairingRequest *self)
{
  if (self->cancelled)
    return FALSE;
  g_return_val_if_fail (self->invocation != NULL, FALSE);
  return TRUE;
}

void
gp_pairing_request_answer (GpPairingRequest *self,
        GVariant         *value,
        const char       *error_name,
        const char       *message)
{
  g_autoptr(GpPairingRequest) keep = g_object_ref (self);
  GDBusMethodInvocation *invocation = g_steal_pointer (&self->invocation);

  if (error_name != NULL)
    g_dbus_method_invocation_return_dbus_error (invocation, error_name, message);
  else
    g_dbus_method_invocation_return_value (invocation, value);
  request_done (self);
}

/**
 * gp_pairing_request_accept:
 * @self: a #GpPairingRequest
 *
 * Accepts a confirmation, an authorization, a service authorization or
 * a PIN code display. (Requests for a passkey or PIN code are answered with
 * [method@PairingRequest.return_passkey] and
 * [method@PairingRequest.return_pin_code].) Does nothing if the request
 * was cancelled.
 *
 * Since: 0.1
 */
void
gp_pairing_request_accept (GpPairingRequest *self)
{
  g_return_if_fail (GP_IS_PAIRING_REQUEST (self));
  g_return_if_fail (self->kind != GP_PAIRING_KIND_REQUEST_PASSKEY &&
                    self->kind != GP_PAIRING_KIND_REQUEST_PIN_CODE);

  if (can_answer (self))
    gp_pairing_request_answer (self, NULL, NULL, NULL);
}

/**
 * gp_pairing_request_reject:
 * @self: a #GpPairingRequest
 *
 * Rejects the request (`org.bluez.Error.Rejected`): the pairing fails.
 * Does nothing if the request was cancelled.
 *
 * Since: 0.1
 */
void
gp_pairing_request_reject (GpPairingRequest *self)
{
  g_return_if_fail (GP_IS_PAIRING_REQUEST (self));

  if (can_answer (self))
    gp_pairing_request_answer (self, NULL, "org.bluez.Error.Rejected", "Rejected by the agent");
}

/**
 * gp_pairing_request_return_passkey:
 * @self: a #GpPairingRequest of kind %GP_PAIRING_KIND_REQUEST_PASSKEY
 * @passkey: the passkey, 0 to 999999
 *
 * Answers a passkey request with the number the central shows.
 *
 * Since: 0.1
 */
void
gp_pairing_request_return_passkey (GpPairingRequest *self,
                                   guint32           passkey)
{
  g_return_if_fail (GP_IS_PAIRING_REQUEST (self));
  g_return_if_fail (self->kind == GP_PAIRING_KIND_REQUEST_PASSKEY);
  g_return_if_fail (passkey <= 999999);

  if (can_answer (self))
    gp_pairing_request_answer (self, g_variant_new ("(u)", passkey), NULL, NULL);
}

/**
 * gp_pairing_request_return_pin_code:
 * @self: a #GpPairingRequest of kind %GP_PAIRING_KIND_REQUEST_PIN_CODE
 * @pin_code: the PIN code, 1 to 16 characters
 *
 * Answers a PIN code request.
 *
 * Since: 0.1
 */
void
gp_pairing_request_return_pin_code (GpPairingRequest *self,
                                    const char       *pin_code)
{
  g_return_if_fail (GP_IS_PAIRING_REQUEST (self));
  g_return_if_fail (self->kind == GP_PAIRING_KIND_REQUEST_PIN_CODE);
  g_return_if_fail (pin_code != NULL && strlen (pin_code) >= 1 && strlen (pin_code) <= 16);

  if (can_answer (self))
    gp_pairing_request_answer (self, g_variant_new ("(s)", pin_code), NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Inside the library                                                   */

/* A request for @invocation (the handler owns it until it returns), not
 * yet answered. */
GpPairingRequest *
gp_pairing_request_new (GpPairingKind          kind,
                        GDBusMethodInvocation *invocation,
                        GpDevice              *device,
                        guint32                passkey,
                        const char            *pin_code,
                        const char            *uuid)
{
  GpPairingRequest *self = g_object_new (GP_TYPE_PAIRING_REQUEST, NULL);

  self->kind = kind;
  self->invocation = invocation;
  self->device = device != NULL ? g_object_ref (device) : NULL;
  self->passkey = passkey;
  self->pin_code = g_strdup (pin_code);
  self->uuid = g_strdup (uuid);
  return self;
}

/* @func is called once, when the request is answered or cancelled. */
void
gp_pairing_request_set_done_func (GpPairingRequest         *self,
                                  GpPairingRequestDoneFunc  func,
                                  gpointer                  user_data)
{
  self->done_func = func;
  self->done_data = user_data;
}

/* Cancels a pending request (`org.bluez.Error.Canceled`); FALSE if it was
 * answered already. */
gboolean
gp_pairing_request_cancel (GpPairingRequest *self)
{
  g_autoptr(GpPairingRequest) keep = g_object_ref (self);

  if (self->invocation == NULL)
    return FALSE;
  self->cancelled = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CANCELLED]);
  g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&self->invocation),
                                              "org.bluez.Error.Canceled", "Canceled");
  request_done (self);
  return TRUE;
}
