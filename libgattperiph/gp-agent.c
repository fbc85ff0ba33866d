/* gp-agent.c: a pairing agent registered with BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-dbus-util-private.h"
#include "gp-registration-private.h"
#include "gp-device-private.h"
#include "gp-pairing-request-private.h"

#include <string.h>

/**
 * GpAgent:
 *
 * A pairing agent (`org.bluez.Agent1`, registered with
 * `org.bluez.AgentManager1`): it announces the peripheral's IO capability
 * and answers BlueZ's pairing questions.
 *
 * ```c
 * g_autoptr(GpAgent) agent = gp_agent_new (GP_AGENT_CAPABILITY_DISPLAY_YES_NO);
 * g_signal_connect (agent, "handle-request-confirmation", G_CALLBACK (on_confirm), NULL);
 * gp_agent_register_async (agent, TRUE, NULL, on_registered, NULL);
 * ...
 * static gboolean
 * on_confirm (GpAgent *agent, GpPairingRequest *request, gpointer user_data)
 * {
 *   g_print ("Does the phone show %06u?\n", gp_pairing_request_get_passkey (request));
 *   keep_for_later (g_object_ref (request));   // then accept() or reject()
 *   return TRUE;
 * }
 * ```
 *
 * Each request is a `handle-*` signal with a [class@PairingRequest]; a
 * handler that takes it returns %TRUE and answers it, now or later. If no
 * handler takes it, the agent answers with defaults that make pairing
 * "just work" without making it unsafe: pairing that needs no number
 * (`RequestAuthorization`, Just Works) is accepted, a PIN code to show is
 * accepted, and everything that needs a person (confirming or entering a
 * number, authorizing a service) is rejected. Passkeys to show arrive as
 * [signal@Agent::display-passkey].
 *
 * Only the default agent serves incoming pairing (a central pairing with
 * the peripheral), and its capability decides the method: register with
 * `make_default` %TRUE. Only BlueZ may call the agent. If bluetoothd
 * restarts, the agent registers itself again (and asks again to be the
 * default); see [property@Agent:registration-state].
 *
 * Since: 0.1
 */
struct _GpAgent
{
  GObject            parent_instance;

  GDBusConnection   *connection;
  char              *object_path;
  GpAgentCapability  capability;

  GpRegistration    *registration;      /* the lifecycle with BlueZ */
  guint              export_id;
  GpCallerGate      *gate;              /* only bluetoothd may call */
  GPtrArray         *pending;           /* GpPairingRequest */
  gboolean           make_default;      /* asked for at registration */
  gboolean           is_default;
};

G_DEFINE_FINAL_TYPE (GpAgent, gp_agent, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_OBJECT_PATH,
  PROP_CAPABILITY,
  PROP_REGISTERED,
  PROP_IS_DEFAULT,
  PROP_REGISTRATION_STATE,
  PROP_AUTO_REGISTER,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static const GpRegistrationVTable registration_vtable;

enum {
  SIGNAL_HANDLE_REQUEST_PIN_CODE,
  SIGNAL_HANDLE_DISPLAY_PIN_CODE,
  SIGNAL_HANDLE_REQUEST_PASSKEY,
  SIGNAL_HANDLE_REQUEST_CONFIRMATION,
  SIGNAL_HANDLE_REQUEST_AUTHORIZATION,
  SIGNAL_HANDLE_AUTHORIZE_SERVICE,
  SIGNAL_DISPLAY_PASSKEY,
  SIGNAL_CANCELLED,
  SIGNAL_RELEASED,
  SIGNAL_REGISTRATION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const capability_names[] = {
  "DisplayOnly", "DisplayYesNo", "KeyboardOnly", "NoInputNoOutput", "KeyboardDisplay",
};

/* ------------------------------------------------------------------ */
/* The exported object                                                  */

/* Only bluetoothd may call the agent, Properties included: GDBus answers
 * Properties.GetAll of Agent1 (which has no properties) itself, without
 * the method handler, so a GpCallerGate refuses other callers before any
 * dispatch. */

static void
set_is_default (GpAgent  *self,
                gboolean  is_default)
{
  if (self->is_default == is_default)
    return;
  self->is_default = is_default;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_IS_DEFAULT]);
}

/* A request was answered or cancelled: it is no longer pending. */
static void
request_done (GpPairingRequest *request,
              gpointer          user_data)
{
  GpAgent *self = user_data;

  g_ptr_array_remove (self->pending, request);   /* may drop the last reference */
}

static void
cancel_pending (GpAgent *self)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);

  /* Take them out first: handlers may answer or drop others. */
  for (guint i = 0; i < self->pending->len; i++)
    g_ptr_array_add (pending, g_object_ref (g_ptr_array_index (self->pending, i)));
  for (guint i = 0; i < pending->len; i++)
    {
      GpPairingRequest *request = g_ptr_array_index (pending, i);

      if (gp_pairing_request_cancel (request))
        g_signal_emit (self, signals[SIGNAL_CANCELLED], 0, request);
    }
}

static void
unexport (GpAgent *self)
{
  if (self->export_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->export_id);
      self->export_id = 0;
    }
  gp_caller_gate_detach (self->gate);
}

/* BlueZ does not have the agent (any more). */
static void
registration_dropped (GObject              *object,
                      GpRegistrationReason  reason)
{
  GpAgent *self = GP_AGENT (object);

  cancel_pending (self);
  unexport (self);
  set_is_default (self, FALSE);
}

static void
registration_released (GObject *object)
{
  g_signal_emit (object, signals[SIGNAL_RELEASED], 0);
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
  GpAgent *self = user_data;
  g_autoptr(GpPairingRequest) request = NULL;
  g_autoptr(GpDevice) device = NULL;
  GpPairingKind kind;
  guint32 passkey = 0;
  const char *pin_code = NULL;
  const char *uuid = NULL;
  g_autoptr(GpAgent) keep = g_object_ref (self);
  const char *device_path = NULL;
  gboolean handled = FALSE;
  guint signal_id;

  /* Only bluetoothd. (Agent1 has no properties: GDBus answers those.) */
  if (!gp_registration_check_caller (self->registration, invocation))
    return;

  if (strcmp (method_name, "Release") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      gp_registration_released (self->registration);
      return;
    }
  if (strcmp (method_name, "Cancel") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      cancel_pending (self);
      return;
    }
  if (strcmp (method_name, "DisplayPasskey") == 0)
    {
      g_autoptr(GpDevice) device = NULL;
      guint32 passkey;
      guint16 entered;

      g_variant_get (parameters, "(&ouq)", &device_path, &passkey, &entered);
      device = gp_device_get_for_path (self->connection, device_path);
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_signal_emit (self, signals[SIGNAL_DISPLAY_PASSKEY], 0, device, passkey, (guint) entered);
      return;
    }

  g_variant_get_child (parameters, 0, "&o", &device_path);
  device = gp_device_get_for_path (self->connection, device_path);

  if (strcmp (method_name, "RequestPinCode") == 0)
    {
      kind = GP_PAIRING_KIND_REQUEST_PIN_CODE;
      signal_id = signals[SIGNAL_HANDLE_REQUEST_PIN_CODE];
    }
  else if (strcmp (method_name, "DisplayPinCode") == 0)
    {
      kind = GP_PAIRING_KIND_DISPLAY_PIN_CODE;
      g_variant_get_child (parameters, 1, "&s", &pin_code);
      signal_id = signals[SIGNAL_HANDLE_DISPLAY_PIN_CODE];
    }
  else if (strcmp (method_name, "RequestPasskey") == 0)
    {
      kind = GP_PAIRING_KIND_REQUEST_PASSKEY;
      signal_id = signals[SIGNAL_HANDLE_REQUEST_PASSKEY];
    }
  else if (strcmp (method_name, "RequestConfirmation") == 0)
    {
      kind = GP_PAIRING_KIND_REQUEST_CONFIRMATION;
      g_variant_get_child (parameters, 1, "u", &passkey);
      signal_id = signals[SIGNAL_HANDLE_REQUEST_CONFIRMATION];
    }
  else if (strcmp (method_name, "RequestAuthorization") == 0)
    {
      kind = GP_PAIRING_KIND_REQUEST_AUTHORIZATION;
      signal_id = signals[SIGNAL_HANDLE_REQUEST_AUTHORIZATION];
    }
  else if (strcmp (method_name, "AuthorizeService") == 0)
    {
      kind = GP_PAIRING_KIND_AUTHORIZE_SERVICE;
      g_variant_get_child (parameters, 1, "&s", &uuid);
      signal_id = signals[SIGNAL_HANDLE_AUTHORIZE_SERVICE];
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "Unknown method %s", method_name);
      return;
    }

  /* The handler owns @invocation until it returns. */
  request = gp_pairing_request_new (kind, invocation, device, passkey, pin_code, uuid);
  gp_pairing_request_set_done_func (request, request_done, self);
  g_ptr_array_add (self->pending, g_object_ref (request));
  g_signal_emit (self, signal_id, 0, request, &handled);
  if (handled || gp_pairing_request_get_answered (request))
    return;

  /* Nobody took it: the defaults. */
  switch (kind)
    {
    case GP_PAIRING_KIND_REQUEST_AUTHORIZATION:   /* Just Works */
    case GP_PAIRING_KIND_DISPLAY_PIN_CODE:
      gp_pairing_request_answer (request, NULL, NULL, NULL);
      break;
    case GP_PAIRING_KIND_REQUEST_PIN_CODE:
    case GP_PAIRING_KIND_REQUEST_PASSKEY:
    case GP_PAIRING_KIND_REQUEST_CONFIRMATION:
    case GP_PAIRING_KIND_AUTHORIZE_SERVICE:
    default:
      gp_pairing_request_answer (request, NULL, "org.bluez.Error.Rejected",
                                 "No handler for this request: connect to the agent's handle-* signal");
      break;
    }
}

static const GDBusInterfaceVTable object_vtable = {
  object_method_call,
  NULL,
  NULL,
  { 0 }
};

/* ------------------------------------------------------------------ */
/* Registration                                                         */

static void
default_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpAgent *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      /* GpRegistration unregisters the agent after a failure. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          error = gp_dbus_error_from_bluez (error);
          g_prefix_error (&error, "BlueZ registered agent %s but refused to make it the default: ",
                          self->object_path);
        }
      g_task_return_error (task, error);
      return;
    }
  set_is_default (self, TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
register_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpAgent *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ;
      else if ((error = gp_dbus_error_from_bluez (error)),
               g_error_matches (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS))
        {
          GError *e = g_error_new (GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                                   "BlueZ allows one agent per D-Bus connection, and this "
                                   "connection has one already (%s): unregister it first",
                                   error->message);
          g_error_free (error);
          error = e;
        }
      else
        g_prefix_error (&error, "BlueZ refused to register agent %s: ", self->object_path);
      g_task_return_error (task, error);
      return;
    }

  if (self->make_default)
    g_dbus_connection_call (self->connection, gp_registration_get_owner (self->registration),
                            "/org/bluez", "org.bluez.AgentManager1", "RequestDefaultAgent",
                            g_variant_new ("(o)", self->object_path), NULL,
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, g_task_get_cancellable (task),
                            default_done, g_object_ref (task));
  else
    g_task_return_boolean (task, TRUE);
}

/* What GpRegistration calls: export the agent and register it. */
static void
registration_register_async (GObject             *object,
                             GpBluezTarget       *target,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GpAgent *self = GP_AGENT (object);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  if (self->connection == NULL)
    {
      self->connection = g_object_ref (target->connection);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONNECTION]);
    }
  if (self->export_id == 0)
    self->export_id = g_dbus_connection_register_object (self->connection, self->object_path,
                                                         GP_BLUEZ_INTERFACE_INFO (agent1),
                                                         &object_vtable, self, NULL, &error);
  if (self->export_id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  gp_caller_gate_attach (self->gate, self->connection, target->owner);
  g_dbus_connection_call (self->connection, target->owner, "/org/bluez",
                          "org.bluez.AgentManager1", "RegisterAgent",
                          g_variant_new ("(os)", self->object_path,
                                         capability_names[self->capability]),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          cancellable, register_done, g_steal_pointer (&task));
}

static gboolean
registration_register_finish (GObject       *object,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const GpRegistrationVTable registration_vtable = {
  .what = "Agent",
  .manager_interface = "org.bluez.AgentManager1",
  .unregister_method = "UnregisterAgent",
  .on_adapter = FALSE,
  .register_async = registration_register_async,
  .register_finish = registration_register_finish,
  .dropped = registration_dropped,
  .released = registration_released,
};

/**
 * gp_agent_register_async:
 * @self: a #GpAgent
 * @make_default: whether to make it the default agent (`RequestDefaultAgent`):
 *   only the default agent serves pairing that centrals start
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when BlueZ has answered
 * @user_data: data for @callback
 *
 * Exports the agent and registers it with BlueZ (`RegisterAgent`).
 *
 * It fails with %GP_ERROR_ALREADY_EXISTS if the agent is registered, or if
 * another agent is registered on the same D-Bus connection (BlueZ allows
 * one per connection), %GP_ERROR_IN_PROGRESS while registering, and
 * %GP_ERROR_NOT_READY if BlueZ is not running.
 *
 * Since: 0.1
 */
void
gp_agent_register_async (GpAgent             *self,
                         gboolean             make_default,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GP_IS_AGENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_agent_register_async);

  /* Kept for registering again after a loss. */
  if (!gp_agent_get_registered (self) && !gp_registration_get_busy (self->registration))
    self->make_default = !!make_default;
  gp_registration_register (self->registration, task, self->connection, NULL, self->object_path);
}

/**
 * gp_agent_register_finish:
 * @self: a #GpAgent
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Agent.register_async].
 *
 * Returns: %TRUE if BlueZ registered the agent
 *
 * Since: 0.1
 */
gboolean
gp_agent_register_finish (GpAgent       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (GP_IS_AGENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_agent_register_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gp_agent_unregister_async:
 * @self: a #GpAgent
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Unregisters the agent (`UnregisterAgent`); pending requests are
 * cancelled. If BlueZ lost the agent (%GP_REGISTRATION_STATE_LOST), it
 * stops the agent from registering itself again, and succeeds. It fails
 * with %GP_ERROR_DOES_NOT_EXIST if the agent is not registered, and
 * %GP_ERROR_IN_PROGRESS while [method@Agent.register_async] runs.
 *
 * Since: 0.1
 */
void
gp_agent_unregister_async (GpAgent             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GP_IS_AGENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gp_agent_unregister_async);
  gp_registration_unregister (self->registration, task);
}

/**
 * gp_agent_unregister_finish:
 * @self: a #GpAgent
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Agent.unregister_async].
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
gp_agent_unregister_finish (GpAgent       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (GP_IS_AGENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gp_agent_unregister_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
gp_agent_dispose (GObject *object)
{
  GpAgent *self = GP_AGENT (object);

  /* Unregisters from BlueZ if registered; nothing calls back. */
  g_clear_pointer (&self->registration, gp_registration_free);
  if (self->connection != NULL)
    {
      cancel_pending (self);
      unexport (self);
    }

  G_OBJECT_CLASS (gp_agent_parent_class)->dispose (object);
}

static void
gp_agent_finalize (GObject *object)
{
  GpAgent *self = GP_AGENT (object);

  /* Requests the application still holds no longer tell the agent. */
  for (guint i = 0; i < self->pending->len; i++)
    gp_pairing_request_set_done_func (g_ptr_array_index (self->pending, i), NULL, NULL);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->gate, gp_caller_gate_free);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (gp_agent_parent_class)->finalize (object);
}

static void
gp_agent_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GpAgent *self = GP_AGENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION: g_value_set_object (value, self->connection); break;
    case PROP_OBJECT_PATH: g_value_set_string (value, self->object_path); break;
    case PROP_CAPABILITY: g_value_set_enum (value, self->capability); break;
    case PROP_REGISTERED: g_value_set_boolean (value, gp_agent_get_registered (self)); break;
    case PROP_REGISTRATION_STATE: g_value_set_enum (value, gp_agent_get_registration_state (self)); break;
    case PROP_AUTO_REGISTER: g_value_set_boolean (value, gp_agent_get_auto_register (self)); break;
    case PROP_IS_DEFAULT: g_value_set_boolean (value, self->is_default); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_agent_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  GpAgent *self = GP_AGENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_OBJECT_PATH:
      {
        const char *path = g_value_get_string (value);
        if (path != NULL && !g_variant_is_object_path (path))
          {
            g_critical ("“%s” is not a D-Bus object path", path);
            path = NULL;
          }
        self->object_path = g_strdup (path != NULL ? path : "/org/gattperiph/agent");
        self->gate = gp_caller_gate_new (self->object_path);
      }
      break;
    case PROP_CAPABILITY:
      self->capability = g_value_get_enum (value);
      break;
    case PROP_AUTO_REGISTER:
      gp_agent_set_auto_register (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static guint
handle_signal (GObjectClass *klass,
               const char   *name)
{
  return g_signal_new (name, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                       g_signal_accumulator_true_handled, NULL, NULL,
                       G_TYPE_BOOLEAN, 1, GP_TYPE_PAIRING_REQUEST);
}

static void
gp_agent_class_init (GpAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  (void) gp_error_quark ();
  object_class->dispose = gp_agent_dispose;
  object_class->finalize = gp_agent_finalize;
  object_class->get_property = gp_agent_get_property;
  object_class->set_property = gp_agent_set_property;

  /**
   * GpAgent:connection:
   *
   * The D-Bus connection the agent is exported on. %NULL means the system
   * bus, connected to at registration.
   *
   * Since: 0.1
   */
  props[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * GpAgent:object-path:
   *
   * The object path the agent is exported under
   * (`/org/gattperiph/agent` by default).
   *
   * Since: 0.1
   */
  props[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * GpAgent:capability:
   *
   * The IO capability the agent announces.
   *
   * Since: 0.1
   */
  props[PROP_CAPABILITY] =
    g_param_spec_enum ("capability", NULL, NULL, GP_TYPE_AGENT_CAPABILITY,
                       GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * GpAgent:registered:
   *
   * Whether BlueZ has the agent registered: the same as
   * [property@Agent:registration-state] being
   * %GP_REGISTRATION_STATE_REGISTERED. It turns %FALSE when unregistered,
   * when BlueZ releases the agent and when bluetoothd exits, and %TRUE
   * again when the agent registered itself again (see
   * [property@Agent:auto-register]).
   *
   * Since: 0.1
   */
  props[PROP_REGISTERED] = gp_registration_pspec_registered ();

  /**
   * GpAgent:registration-state:
   *
   * Where the agent stands with BlueZ; every change is also announced by
   * [signal@Agent::registration-changed], with the reason.
   *
   * Since: 0.1
   */
  props[PROP_REGISTRATION_STATE] = gp_registration_pspec_state ();

  /**
   * GpAgent:auto-register:
   *
   * Whether the agent registers itself again (and asks again to be the
   * default agent) when bluetoothd comes back after it exited or
   * restarted. [property@Agent:registration-state] follows.
   *
   * Since: 0.1
   */
  props[PROP_AUTO_REGISTER] = gp_registration_pspec_auto_register ();
  /**
   * GpAgent:is-default:
   *
   * Whether the agent was made the default agent when registered.
   *
   * Since: 0.1
   */
  props[PROP_IS_DEFAULT] =
    g_param_spec_boolean ("is-default", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * GpAgent::handle-request-pin-code:
   * @self: the agent
   * @request: the request
   *
   * BlueZ asks for a PIN code (legacy pairing): answer with
   * [method@PairingRequest.return_pin_code]. Rejected if not handled.
   *
   * Returns: %TRUE if the handler takes the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_HANDLE_REQUEST_PIN_CODE] = handle_signal (object_class, "handle-request-pin-code");
  /**
   * GpAgent::handle-display-pin-code:
   * @self: the agent
   * @request: the request
   *
   * BlueZ asks to show a PIN code ([method@PairingRequest.get_pin_code]).
   * Accepted if not handled.
   *
   * Returns: %TRUE if the handler takes the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_HANDLE_DISPLAY_PIN_CODE] = handle_signal (object_class, "handle-display-pin-code");
  /**
   * GpAgent::handle-request-passkey:
   * @self: the agent
   * @request: the request
   *
   * BlueZ asks for the passkey the central shows: answer with
   * [method@PairingRequest.return_passkey]. Rejected if not handled.
   *
   * Returns: %TRUE if the handler takes the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_HANDLE_REQUEST_PASSKEY] = handle_signal (object_class, "handle-request-passkey");
  /**
   * GpAgent::handle-request-confirmation:
   * @self: the agent
   * @request: the request
   *
   * Numeric comparison: BlueZ asks whether the central shows
   * [method@PairingRequest.get_passkey]. Rejected if not handled.
   *
   * Returns: %TRUE if the handler takes the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_HANDLE_REQUEST_CONFIRMATION] = handle_signal (object_class, "handle-request-confirmation");
  /**
   * GpAgent::handle-request-authorization:
   * @self: the agent
   * @request: the request
   *
   * BlueZ asks whether to accept a pairing that involves no number (Just
   * Works). Accepted if not handled.
   *
   * Returns: %TRUE if the handler takes the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_HANDLE_REQUEST_AUTHORIZATION] = handle_signal (object_class, "handle-request-authorization");
  /**
   * GpAgent::handle-authorize-service:
   * @self: the agent
   * @request: the request
   *
   * BlueZ asks whether the device may use the service
   * [method@PairingRequest.get_uuid]. Rejected if not handled (trusted
   * devices are not asked).
   *
   * Returns: %TRUE if the handler takes the request
   *
   * Since: 0.1
   */
  signals[SIGNAL_HANDLE_AUTHORIZE_SERVICE] = handle_signal (object_class, "handle-authorize-service");

  /**
   * GpAgent::display-passkey:
   * @self: the agent
   * @device: the device that pairs
   * @passkey: the passkey to show (with six digits, `%06u`)
   * @entered: how many digits the user typed on the central so far
   *
   * Show @passkey: the user types it on the central. Emitted again as
   * digits are typed. Needs no answer.
   *
   * Since: 0.1
   */
  signals[SIGNAL_DISPLAY_PASSKEY] =
    g_signal_new ("display-passkey", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, GP_TYPE_DEVICE, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * GpAgent::cancelled:
   * @self: the agent
   * @request: the request that is cancelled
   *
   * BlueZ cancelled a pending request (`Cancel`: timeout, or the central
   * gave up), or the agent stopped: hide what the request showed.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CANCELLED] =
    g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, GP_TYPE_PAIRING_REQUEST);

  /**
   * GpAgent::released:
   * @self: the agent
   *
   * BlueZ released the agent (`Release`) while bluetoothd kept running;
   * [property@Agent:registered] is %FALSE by then. (When bluetoothd
   * exits, it releases the agent too, but that is a loss: see
   * [signal@Agent::registration-changed].)
   *
   * Since: 0.1
   */
  signals[SIGNAL_RELEASED] =
    g_signal_new ("released", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GpAgent::registration-changed:
   * @self: the agent
   * @state: the new [property@Agent:registration-state]
   * @reason: why it changed
   *
   * The registration state changed: registered (at the program's request,
   * or again after bluetoothd came back), lost (bluetoothd exited) or
   * unregistered.
   *
   * Since: 0.1
   */
  signals[SIGNAL_REGISTRATION_CHANGED] = gp_registration_signal_new (G_TYPE_FROM_CLASS (klass));
}

static void
gp_agent_init (GpAgent *self)
{
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->capability = GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT;
  self->registration = gp_registration_new (G_OBJECT (self), &registration_vtable,
                                            props[PROP_REGISTERED],
                                            props[PROP_REGISTRATION_STATE],
                                            signals[SIGNAL_REGISTRATION_CHANGED]);
}

/**
 * gp_agent_new:
 * @capability: the IO capability to announce
 *
 * Makes an agent on the system bus.
 *
 * Returns: (transfer full): a new agent
 *
 * Since: 0.1
 */
GpAgent *
gp_agent_new (GpAgentCapability capability)
{
  g_return_val_if_fail (capability <= GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY, NULL);

  return g_object_new (GP_TYPE_AGENT, "capability", capability, NULL);
}

/**
 * gp_agent_new_for_connection:
 * @connection: the D-Bus connection BlueZ is on
 * @object_path: (nullable): the object path to export the agent under, or
 *   %NULL for `/org/gattperiph/agent`
 * @capability: the IO capability to announce
 *
 * Makes an agent on @connection.
 *
 * Returns: (transfer full): a new agent
 *
 * Since: 0.1
 */
GpAgent *
gp_agent_new_for_connection (GDBusConnection   *connection,
                             const char        *object_path,
                             GpAgentCapability  capability)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path == NULL || g_variant_is_object_path (object_path), NULL);
  g_return_val_if_fail (capability <= GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY, NULL);

  return g_object_new (GP_TYPE_AGENT,
                       "connection", connection,
                       "object-path", object_path,
                       "capability", capability,
                       NULL);
}

/**
 * gp_agent_get_connection:
 * @self: a #GpAgent
 *
 * The D-Bus connection of the agent.
 *
 * Returns: (transfer none) (nullable): the connection
 *
 * Since: 0.1
 */
GDBusConnection *
gp_agent_get_connection (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), NULL);
  return self->connection;
}

/**
 * gp_agent_get_object_path:
 * @self: a #GpAgent
 *
 * See [property@Agent:object-path].
 *
 * Returns: the object path
 *
 * Since: 0.1
 */
const char *
gp_agent_get_object_path (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), NULL);
  return self->object_path;
}

/**
 * gp_agent_get_capability:
 * @self: a #GpAgent
 *
 * See [property@Agent:capability].
 *
 * Returns: the capability
 *
 * Since: 0.1
 */
GpAgentCapability
gp_agent_get_capability (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);
  return self->capability;
}

/**
 * gp_agent_get_registered:
 * @self: a #GpAgent
 *
 * See [property@Agent:registered].
 *
 * Returns: %TRUE while registered
 *
 * Since: 0.1
 */
gboolean
gp_agent_get_registered (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), FALSE);
  return self->registration != NULL && gp_registration_get_registered (self->registration);
}

/**
 * gp_agent_get_registration_state:
 * @self: a #GpAgent
 *
 * See [property@Agent:registration-state].
 *
 * Returns: where the agent stands with BlueZ
 *
 * Since: 0.1
 */
GpRegistrationState
gp_agent_get_registration_state (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), GP_REGISTRATION_STATE_UNREGISTERED);
  return self->registration != NULL ? gp_registration_get_state (self->registration)
                                    : GP_REGISTRATION_STATE_UNREGISTERED;
}

/**
 * gp_agent_get_auto_register:
 * @self: a #GpAgent
 *
 * See [property@Agent:auto-register].
 *
 * Returns: whether the agent registers itself again after a loss
 *
 * Since: 0.1
 */
gboolean
gp_agent_get_auto_register (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), FALSE);
  return self->registration != NULL && gp_registration_get_auto_register (self->registration);
}

/**
 * gp_agent_set_auto_register:
 * @self: a #GpAgent
 * @auto_register: whether to register again after a loss
 *
 * Sets [property@Agent:auto-register].
 *
 * Since: 0.1
 */
void
gp_agent_set_auto_register (GpAgent  *self,
                            gboolean  auto_register)
{
  g_return_if_fail (GP_IS_AGENT (self));

  if (self->registration != NULL &&
      gp_registration_set_auto_register (self->registration, auto_register))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTO_REGISTER]);
}

/**
 * gp_agent_get_is_default:
 * @self: a #GpAgent
 *
 * See [property@Agent:is-default].
 *
 * Returns: %TRUE if registered as the default agent
 *
 * Since: 0.1
 */
gboolean
gp_agent_get_is_default (GpAgent *self)
{
  g_return_val_if_fail (GP_IS_AGENT (self), FALSE);
  return self->is_default;
}
