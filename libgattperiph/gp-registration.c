/* gp-registration.c: one registration lifecycle for applications,
 * advertisements and agents
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-registration-private.h"
#include "gp-dbus-util-private.h"
#include "gp-bluez-client-private.h"

#include <string.h>

/* A registration with BlueZ, shared by GpApplication (GattManager1),
 * GpAdvertisement (LEAdvertisingManager1) and GpAgent (AgentManager1).
 *
 * BlueZ drops every registration silently when bluetoothd exits or the
 * adapter goes away. So from the first registration on, until the program
 * unregisters, the registration watches:
 *  - the owner of org.bluez: the registration belongs to one unique name;
 *    when that name leaves (even before our first look at it), the
 *    registration is lost, and a new owner is a new bluetoothd;
 *  - the adapter (InterfacesRemoved / InterfacesAdded of Adapter1 and the
 *    manager interface on it, from bluetoothd's ObjectManager).
 * Watching starts before the target is resolved, so no change can slip
 * between the reply to the registration and the first look.
 *
 * A lost registration registers again when bluetoothd or the adapter is
 * back (auto-register), retrying for a while: bluetoothd owns its name
 * before its adapters and managers are back. */

struct _GpRegistration
{
  GObject                    *object;      /* the owner, not referenced */
  const GpRegistrationVTable *vtable;
  GParamSpec                 *registered_pspec;
  GParamSpec                 *state_pspec;
  guint                       changed_signal;
  GMainContext               *context;

  GDBusConnection            *connection;
  GpAdapter                  *adapter;     /* asked for, then registered on */
  char                       *object_path;
  char                       *owner;       /* bluetoothd's unique name of the target */
  char                       *adapter_path;

  GpRegistrationState         state;
  gboolean                    auto_register;

  GTask                      *task;        /* the program's registration */
  GCancellable               *cancellable; /* of the attempt running */
  gboolean                    attempting;
  guint                       steps;       /* the attempt's lookups not answered yet */
  GError                     *step_error;  /* the first of their errors */
  gboolean                    lost_during_attempt;
  gboolean                    back_during_attempt;
  GpRegistrationReason        lost_reason;
  guint                       generation;  /* changes with every state change */

  guint                       name_sub;
  guint                       added_sub;
  guint                       removed_sub;
  GSource                    *retry;
  guint                       retries;
  GpBluezClient              *held;        /* the adapter's client, held during an attempt */
};

static void attempt (GpRegistration *reg, GTask *task);

/* An attempt on a known adapter holds that adapter's GpBluezClient, so
 * that its first read of BlueZ's objects does not queue before the
 * registration in bluetoothd. */
static void
hold_client (GpRegistration *reg)
{
  GpBluezClient *client = reg->adapter != NULL ? gp_adapter_get_bluez_client (reg->adapter) : NULL;

  /* Only a client of this thread's context: one made elsewhere is used
   * from its own thread. */
  if (reg->held != NULL || client == NULL || gp_bluez_client_get_context (client) != reg->context)
    return;
  reg->held = g_object_ref (client);
  gp_bluez_client_hold (reg->held);
}

static void
release_client (GpRegistration *reg)
{
  g_autoptr(GpBluezClient) client = g_steal_pointer (&reg->held);

  if (client != NULL)
    gp_bluez_client_release (client);
}

/* ------------------------------------------------------------------ */
/* State                                                                */

static void
set_state (GpRegistration       *reg,
           GpRegistrationState   state,
           GpRegistrationReason  reason)
{
  gboolean was_registered = reg->state == GP_REGISTRATION_STATE_REGISTERED;

  reg->generation++;
  if (reg->state == state)
    return;
  reg->state = state;
  g_object_freeze_notify (reg->object);
  g_object_notify_by_pspec (reg->object, reg->state_pspec);
  if (was_registered != (state == GP_REGISTRATION_STATE_REGISTERED))
    g_object_notify_by_pspec (reg->object, reg->registered_pspec);
  g_object_thaw_notify (reg->object);
  g_signal_emit (reg->object, reg->changed_signal, 0, state, reason);
}

static void
stop_watching (GpRegistration *reg)
{
  if (reg->connection != NULL)
    {
      if (reg->name_sub != 0)
        g_dbus_connection_signal_unsubscribe (reg->connection, reg->name_sub);
      if (reg->added_sub != 0)
        g_dbus_connection_signal_unsubscribe (reg->connection, reg->added_sub);
      if (reg->removed_sub != 0)
        g_dbus_connection_signal_unsubscribe (reg->connection, reg->removed_sub);
    }
  reg->name_sub = reg->added_sub = reg->removed_sub = 0;
  gp_source_clear (&reg->retry);
  reg->retries = 0;
}

/* BlueZ does not have it: forget the target. */
static void
drop (GpRegistration       *reg,
      GpRegistrationReason  reason)
{
  reg->vtable->dropped (reg->object, reason);
  g_clear_pointer (&reg->owner, g_free);
}

/* Not wanted any more, for @reason. */
static void
finish (GpRegistration       *reg,
        GpRegistrationReason  reason)
{
  stop_watching (reg);
  release_client (reg);
  if (reg->cancellable != NULL)
    g_cancellable_cancel (reg->cancellable);
  drop (reg, reason);
  set_state (reg, GP_REGISTRATION_STATE_UNREGISTERED, reason);
  if (reason == GP_REGISTRATION_REASON_RELEASED && reg->vtable->released != NULL)
    reg->vtable->released (reg->object);
}

/* Fire and forget: BlueZ may have us (disposal, a cancelled registration). */
static void
send_unregister (GpRegistration *reg)
{
  if (reg->connection == NULL || reg->owner == NULL)
    return;
  /* bluetoothd's name and the adapter are looked up at the same time: an
   * attempt cancelled between the two answers knows the name but not the
   * adapter, and has sent nothing (attempt_with_connection clears the path). */
  if (reg->vtable->on_adapter && reg->adapter_path == NULL)
    return;
  g_dbus_connection_call (reg->connection, reg->owner,
                          reg->vtable->on_adapter ? reg->adapter_path : "/org/bluez",
                          reg->vtable->manager_interface, reg->vtable->unregister_method,
                          g_variant_new ("(o)", reg->object_path), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static gboolean
retry_cb (gpointer user_data)
{
  GpRegistration *reg = user_data;

  gp_source_clear (&reg->retry);
  attempt (reg, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (GpRegistration *reg)
{
  if (reg->retry == NULL)
    reg->retry = gp_timeout_source_attach (reg->context, GP_REGISTRATION_RETRY_MSEC, retry_cb, reg);
}

/* bluetoothd or the adapter is back: register again now. */
static void
target_returned (GpRegistration *reg)
{
  if (reg->attempting)
    {
      /* Judged when the attempt completes: should it fail, try again. */
      reg->back_during_attempt = TRUE;
      return;
    }
  if (reg->state != GP_REGISTRATION_STATE_LOST || !reg->auto_register)
    return;
  gp_source_clear (&reg->retry);
  reg->retries = 0;
  attempt (reg, NULL);
}

/* BlueZ dropped the registration without a word. */
static void
lose (GpRegistration       *reg,
      GpRegistrationReason  reason)
{
  if (reg->attempting)
    {
      /* Judged when the attempt completes. */
      reg->lost_during_attempt = TRUE;
      reg->lost_reason = reason;
      return;
    }
  if (reg->state != GP_REGISTRATION_STATE_REGISTERED)
    return;
  g_debug ("%s %s is no longer registered (%s)", reg->vtable->what, reg->object_path,
           reason == GP_REGISTRATION_REASON_BLUEZ_EXITED ? "bluetoothd exited" : "adapter removed");
  drop (reg, reason);
  set_state (reg, GP_REGISTRATION_STATE_LOST, reason);
}

/* ------------------------------------------------------------------ */
/* Watching bluetoothd and the adapter                                  */

static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  GpRegistration *reg = user_data;
  const char *name, *old_owner, *new_owner;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (reg->owner != NULL && strcmp (old_owner, reg->owner) == 0)
    lose (reg, GP_REGISTRATION_REASON_BLUEZ_EXITED);
  if (*new_owner != '\0')
    target_returned (reg);
}

static gboolean
concerns_us (GpRegistration *reg,
             const char     *path,
             GVariant       *parameters,
             const char     *type)
{
  g_autofree const char **ifaces = NULL;
  const char *object;

  if (!reg->vtable->on_adapter || reg->adapter_path == NULL ||
      !g_variant_is_of_type (parameters, G_VARIANT_TYPE (type)))
    return FALSE;
  g_variant_get_child (parameters, 0, "&o", &object);
  if (strcmp (object, reg->adapter_path) != 0)
    return FALSE;
  if (strcmp (type, "(oas)") == 0)
    {
      g_variant_get_child (parameters, 1, "^a&s", &ifaces);
      return g_strv_contains (ifaces, "org.bluez.Adapter1") ||
             g_strv_contains (ifaces, reg->vtable->manager_interface);
    }
  return TRUE;
}

static void
on_interfaces_removed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  GpRegistration *reg = user_data;

  if (reg->owner != NULL && g_strcmp0 (sender, reg->owner) == 0 &&
      concerns_us (reg, path, parameters, "(oas)"))
    lose (reg, GP_REGISTRATION_REASON_ADAPTER_REMOVED);
}

static void
on_interfaces_added (GDBusConnection *connection,
                     const char      *sender,
                     const char      *path,
                     const char      *interface,
                     const char      *signal,
                     GVariant        *parameters,
                     gpointer         user_data)
{
  GpRegistration *reg = user_data;

  /* Whoever sent it, registering checks who owns org.bluez. */
  if (concerns_us (reg, path, parameters, "(oa{sa{sv}})"))
    target_returned (reg);
}

static void
start_watching (GpRegistration *reg)
{
  if (reg->name_sub != 0)
    return;
  reg->name_sub = g_dbus_connection_signal_subscribe (reg->connection, "org.freedesktop.DBus",
                                                      "org.freedesktop.DBus", "NameOwnerChanged",
                                                      "/org/freedesktop/DBus", "org.bluez",
                                                      G_DBUS_SIGNAL_FLAGS_NONE,
                                                      on_name_owner_changed, reg, NULL);
  if (!reg->vtable->on_adapter)
    return;
  reg->removed_sub = g_dbus_connection_signal_subscribe (reg->connection, NULL,
                                                         "org.freedesktop.DBus.ObjectManager",
                                                         "InterfacesRemoved", "/", NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_interfaces_removed, reg, NULL);
  reg->added_sub = g_dbus_connection_signal_subscribe (reg->connection, NULL,
                                                       "org.freedesktop.DBus.ObjectManager",
                                                       "InterfacesAdded", "/", NULL,
                                                       G_DBUS_SIGNAL_FLAGS_NONE,
                                                       on_interfaces_added, reg, NULL);
}

/* ------------------------------------------------------------------ */
/* One attempt: connection, watch, adapter, owner, then the class       */

static void
attempt_registered (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpRegistration *reg = g_task_get_task_data (task);
  GError *error = NULL;

  if (reg->vtable->register_finish (source, result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Both lookups answered: register on the target. */
static void
attempt_register (GTask *task)
{
  GpRegistration *reg = g_task_get_task_data (task);
  GpBluezTarget target = { 0 };

  g_free (reg->adapter_path);
  reg->adapter_path = reg->adapter != NULL ? g_strdup (gp_adapter_get_object_path (reg->adapter))
                                           : NULL;

  target.connection = reg->connection;
  target.adapter = reg->adapter;
  target.owner = reg->owner;
  reg->vtable->register_async (reg->object, &target, g_task_get_cancellable (task),
                               attempt_registered, g_object_ref (task));
}

/* One of the attempt's lookups (bluetoothd's name, the adapter) answered,
 * with @error (taken) or not; they run at the same time. */
static void
attempt_step_done (GTask  *task,
                   GError *error)
{
  GpRegistration *reg = g_task_get_task_data (task);

  if (error != NULL && reg->step_error == NULL)
    reg->step_error = error;
  else if (error != NULL)
    g_error_free (error);
  g_assert (reg->steps > 0);
  if (--reg->steps > 0)
    return;
  if (reg->step_error != NULL)
    g_task_return_error (task, g_steal_pointer (&reg->step_error));
  else
    attempt_register (task);
}

static void
attempt_got_owner (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpRegistration *reg = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      g_free (reg->owner);
      g_variant_get (reply, "(s)", &reg->owner);
    }
  attempt_step_done (task, error != NULL ? gp_dbus_error_from_bluez (error) : NULL);
}

static void
attempt_ask_owner (GTask *task)
{
  GpRegistration *reg = g_task_get_task_data (task);

  g_dbus_connection_call (reg->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetNameOwner",
                          g_variant_new ("(s)", "org.bluez"), G_VARIANT_TYPE ("(s)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                          attempt_got_owner, g_object_ref (task));
}

static void
attempt_got_adapter (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpRegistration *reg = g_task_get_task_data (task);
  GError *error = NULL;

  reg->adapter = gp_adapter_find_finish (result, &error);
  attempt_step_done (task, error);
}

/* The watch first, so that no change slips past; then bluetoothd's name
 * and, for the default adapter, the adapter, both at once: start-up does
 * not wait for one round trip after the other. */
static void
attempt_with_connection (GTask *task)
{
  GpRegistration *reg = g_task_get_task_data (task);
  gboolean find = reg->adapter == NULL && reg->vtable->on_adapter;

  start_watching (reg);
  g_clear_error (&reg->step_error);
  /* The path is the adapter this attempt registers on: until the lookup
   * answers there is none (an earlier attempt's would be stale). */
  if (find)
    g_clear_pointer (&reg->adapter_path, g_free);
  reg->steps = find ? 2 : 1;
  attempt_ask_owner (task);
  if (find)
    gp_adapter_find_async (reg->connection, NULL, g_task_get_cancellable (task),
                           attempt_got_adapter, g_object_ref (task));
}

static void
attempt_got_bus (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpRegistration *reg = g_task_get_task_data (task);
  GError *error = NULL;

  reg->connection = g_bus_get_finish (result, &error);
  if (reg->connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  attempt_with_connection (task);
}

/* Errors after which registering again cannot help. */
static gboolean
error_is_final (GError *error)
{
  return g_error_matches (error, GP_ERROR, GP_ERROR_INVALID_ARGUMENTS) ||
         g_error_matches (error, GP_ERROR, GP_ERROR_INVALID_VALUE_LENGTH) ||
         g_error_matches (error, GP_ERROR, GP_ERROR_NOT_SUPPORTED) ||
         g_error_matches (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
}

static void
attempt_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GpRegistration *reg = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = g_steal_pointer (&reg->task);   /* the program's, or NULL */
  g_autoptr(GError) error = NULL;
  gboolean lost = reg->lost_during_attempt;
  gboolean back = reg->back_during_attempt;
  gboolean wanted = reg->state != GP_REGISTRATION_STATE_UNREGISTERED;

  (void) g_task_propagate_boolean (G_TASK (result), &error);
  release_client (reg);
  reg->attempting = FALSE;
  reg->lost_during_attempt = FALSE;
  reg->back_during_attempt = FALSE;
  g_clear_object (&reg->cancellable);

  if (error == NULL && wanted)
    {
      reg->retries = 0;
      set_state (reg, GP_REGISTRATION_STATE_REGISTERED,
                 task != NULL ? GP_REGISTRATION_REASON_REQUESTED
                              : GP_REGISTRATION_REASON_REREGISTERED);
      if (task != NULL)
        g_task_return_boolean (task, TRUE);
      if (lost)
        {
          /* bluetoothd or the adapter went while BlueZ answered. */
          lose (reg, reg->lost_reason);
          schedule_retry (reg);
        }
      return;
    }

  if (error == NULL)
    {
      /* Unregistered meanwhile (the library's attempt was not cancelled in
       * time): BlueZ has it. */
      send_unregister (reg);
      drop (reg, GP_REGISTRATION_REASON_REQUESTED);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* BlueZ may still complete it: make sure it does not keep us. */
    send_unregister (reg);
  drop (reg, GP_REGISTRATION_REASON_FAILED);

  if (task != NULL)
    {
      if (reg->state == GP_REGISTRATION_STATE_REGISTERING)
        {
          stop_watching (reg);
          set_state (reg, GP_REGISTRATION_STATE_UNREGISTERED, GP_REGISTRATION_REASON_FAILED);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!wanted)
    return;
  if (error_is_final (error))
    {
      g_warning ("Could not register %s %s again: %s", reg->vtable->what, reg->object_path,
                 error->message);
      finish (reg, GP_REGISTRATION_REASON_FAILED);
      return;
    }
  /* bluetoothd or the adapter came back while the attempt was in flight:
   * what failed may have been the one that went, so the count starts
   * again (else the last retry failing would leave it lost for good). */
  if (back)
    reg->retries = 0;
  g_debug ("Registering %s %s again failed (%s)%s", reg->vtable->what, reg->object_path,
           error->message, reg->retries < GP_REGISTRATION_MAX_RETRIES ? ": retrying" : "");
  if (reg->retries++ < GP_REGISTRATION_MAX_RETRIES)
    schedule_retry (reg);
}

/* @task: the program's registration, or NULL for the library's. */
static void
attempt (GpRegistration *reg,
         GTask          *task)
{
  g_autoptr(GTask) internal = NULL;

  reg->attempting = TRUE;
  reg->lost_during_attempt = FALSE;
  reg->back_during_attempt = FALSE;
  g_clear_pointer (&reg->owner, g_free);
  g_clear_object (&reg->cancellable);
  reg->cancellable = task != NULL && g_task_get_cancellable (task) != NULL
                     ? g_object_ref (g_task_get_cancellable (task))
                     : g_cancellable_new ();
  if (task != NULL)
    reg->task = g_object_ref (task);
  hold_client (reg);

  internal = g_task_new (reg->object, reg->cancellable, attempt_done, NULL);
  g_task_set_source_tag (internal, attempt);
  g_task_set_task_data (internal, reg, NULL);
  if (reg->connection != NULL)
    attempt_with_connection (internal);
  else
    g_bus_get (G_BUS_TYPE_SYSTEM, reg->cancellable, attempt_got_bus, g_steal_pointer (&internal));
}

/* ------------------------------------------------------------------ */
/* API                                                                  */

GpRegistration *
gp_registration_new (GObject                    *object,
                     const GpRegistrationVTable *vtable,
                     GParamSpec                 *registered_pspec,
                     GParamSpec                 *state_pspec,
                     guint                       changed_signal)
{
  GpRegistration *reg = g_new0 (GpRegistration, 1);

  reg->object = object;
  reg->vtable = vtable;
  reg->registered_pspec = registered_pspec;
  reg->state_pspec = state_pspec;
  reg->changed_signal = changed_signal;
  reg->context = g_main_context_ref_thread_default ();
  reg->auto_register = TRUE;
  return reg;
}

void
gp_registration_free (GpRegistration *reg)
{
  if (reg == NULL)
    return;
  stop_watching (reg);
  if (reg->cancellable != NULL)
    g_cancellable_cancel (reg->cancellable);
  if (reg->state == GP_REGISTRATION_STATE_REGISTERED)
    send_unregister (reg);
  g_clear_object (&reg->cancellable);
  g_clear_object (&reg->task);
  g_clear_object (&reg->connection);
  g_clear_object (&reg->adapter);
  g_clear_pointer (&reg->object_path, g_free);
  g_clear_pointer (&reg->owner, g_free);
  g_clear_pointer (&reg->adapter_path, g_free);
  g_clear_error (&reg->step_error);
  g_clear_pointer (&reg->context, g_main_context_unref);
  g_free (reg);
}

GParamSpec *
gp_registration_pspec_registered (void)
{
  return g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

GParamSpec *
gp_registration_pspec_state (void)
{
  return g_param_spec_enum ("registration-state", NULL, NULL, GP_TYPE_REGISTRATION_STATE,
                            GP_REGISTRATION_STATE_UNREGISTERED,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

GParamSpec *
gp_registration_pspec_auto_register (void)
{
  return g_param_spec_boolean ("auto-register", NULL, NULL, TRUE,
                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

guint
gp_registration_signal_new (GType type)
{
  return g_signal_new ("registration-changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                       G_TYPE_NONE, 2, GP_TYPE_REGISTRATION_STATE, GP_TYPE_REGISTRATION_REASON);
}

GpRegistrationState
gp_registration_get_state (GpRegistration *reg)
{
  return reg->state;
}

gboolean
gp_registration_get_registered (GpRegistration *reg)
{
  return reg->state == GP_REGISTRATION_STATE_REGISTERED;
}

gboolean
gp_registration_get_busy (GpRegistration *reg)
{
  return reg->attempting;
}

gboolean
gp_registration_get_auto_register (GpRegistration *reg)
{
  return reg->auto_register;
}

/* Returns whether it changed. */
gboolean
gp_registration_set_auto_register (GpRegistration *reg,
                                   gboolean        auto_register)
{
  auto_register = !!auto_register;
  if (reg->auto_register == auto_register)
    return FALSE;
  reg->auto_register = auto_register;
  if (!auto_register)
    gp_source_clear (&reg->retry);
  else if (reg->state == GP_REGISTRATION_STATE_LOST && !reg->attempting)
    schedule_retry (reg);
  return TRUE;
}

const char *
gp_registration_get_owner (GpRegistration *reg)
{
  return reg->owner;
}

const char *
gp_registration_get_adapter_path (GpRegistration *reg)
{
  return reg->adapter_path;
}

gboolean
gp_registration_check_caller (GpRegistration        *reg,
                              GDBusMethodInvocation *invocation)
{
  return gp_dbus_check_caller (invocation, reg->owner);
}

gboolean
gp_registration_sender_allowed (GpRegistration *reg,
                                const char     *sender)
{
  return gp_dbus_sender_allowed (sender, reg->owner);
}

void
gp_registration_register (GpRegistration  *reg,
                          GTask           *task,
                          GDBusConnection *connection,
                          GpAdapter       *adapter,
                          const char      *object_path)
{
  if (reg->state == GP_REGISTRATION_STATE_REGISTERED)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_ALREADY_EXISTS,
                               "%s %s is already registered", reg->vtable->what, object_path);
      return;
    }
  if (reg->attempting)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_IN_PROGRESS,
                               "%s %s is being registered", reg->vtable->what, object_path);
      return;
    }

  if (connection == NULL && adapter != NULL)
    connection = gp_adapter_get_connection (adapter);
  if (reg->connection == NULL && connection != NULL)
    reg->connection = g_object_ref (connection);
  if (adapter != NULL)
    g_set_object (&reg->adapter, adapter);
  else if (reg->state == GP_REGISTRATION_STATE_UNREGISTERED)
    g_clear_object (&reg->adapter);   /* the default adapter, now */
  g_free (reg->object_path);
  reg->object_path = g_strdup (object_path);
  gp_source_clear (&reg->retry);
  reg->retries = 0;
  if (reg->state == GP_REGISTRATION_STATE_UNREGISTERED)
    set_state (reg, GP_REGISTRATION_STATE_REGISTERING, GP_REGISTRATION_REASON_REQUESTED);
  attempt (reg, task);
}

static void
unregister_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GpRegistration *reg = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* Whatever BlueZ says, it is not registered any more. */
  finish (reg, GP_REGISTRATION_REASON_REQUESTED);
  if (reply == NULL)
    {
      error = gp_dbus_error_from_bluez (error);
      /* BlueZ forgot it already (it restarted, or the adapter went). */
      if (g_error_matches (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST) ||
          g_error_matches (error, GP_ERROR, GP_ERROR_NOT_READY) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
        g_clear_error (&error);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
gp_registration_unregister (GpRegistration *reg,
                            GTask          *task)
{
  if (reg->task != NULL)
    {
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_IN_PROGRESS,
                               "%s %s is being registered: cancel that first",
                               reg->vtable->what, reg->object_path);
      return;
    }
  switch (reg->state)
    {
    case GP_REGISTRATION_STATE_UNREGISTERED:
    case GP_REGISTRATION_STATE_REGISTERING:
      g_task_return_new_error (task, GP_ERROR, GP_ERROR_DOES_NOT_EXIST,
                               "%s %s is not registered", reg->vtable->what,
                               reg->object_path != NULL ? reg->object_path : "");
      return;
    case GP_REGISTRATION_STATE_LOST:
      /* BlueZ does not have it: stop wanting it (and any attempt). */
      finish (reg, GP_REGISTRATION_REASON_REQUESTED);
      g_task_return_boolean (task, TRUE);
      return;
    case GP_REGISTRATION_STATE_REGISTERED:
    default:
      break;
    }

  /* No loss can be reported while BlueZ answers. */
  stop_watching (reg);
  g_task_set_task_data (task, reg, NULL);
  g_dbus_connection_call (reg->connection, reg->owner,
                          reg->vtable->on_adapter ? reg->adapter_path : "/org/bluez",
                          reg->vtable->manager_interface, reg->vtable->unregister_method,
                          g_variant_new ("(o)", reg->object_path), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, g_task_get_cancellable (task),
                          unregister_done, g_object_ref (task));
}

typedef struct
{
  GpRegistration *reg;
  guint           generation;
} Probe;

static void
released_probed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data (task);
  GpRegistration *reg = probe->reg;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  g_task_return_boolean (task, TRUE);
  if (reg->generation != probe->generation || reg->state != GP_REGISTRATION_STATE_REGISTERED ||
      reg->attempting)
    return;   /* the loss, or something else, was seen meanwhile */
  /* An error means bluetoothd released it with the adapter, or on its
   * way out (it removes its adapters first, so the error does not say
   * which): the adapter's InterfacesRemoved or bluetoothd leaving the bus,
   * which follow, report the loss and its reason. */
  if (reply != NULL)
    finish (reg, GP_REGISTRATION_REASON_RELEASED);
}

void
gp_registration_released (GpRegistration *reg)
{
  g_autoptr(GTask) task = NULL;
  Probe *probe;

  if (reg->state != GP_REGISTRATION_STATE_REGISTERED || reg->attempting)
    return;
  /* Release comes before the adapter's InterfacesRemoved and before
   * bluetoothd leaves the bus: ask the same bluetoothd whether the
   * manager (on the adapter) is still there. Not with Peer.Ping, which
   * GDBus answers on its own thread even while its owner shuts down. */
  task = g_task_new (reg->object, NULL, NULL, NULL);
  probe = g_new0 (Probe, 1);
  probe->reg = reg;
  probe->generation = reg->generation;
  g_task_set_task_data (task, probe, g_free);
  g_dbus_connection_call (reg->connection, reg->owner,
                          reg->vtable->on_adapter ? reg->adapter_path : "/org/bluez",
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", reg->vtable->manager_interface),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                          released_probed, g_steal_pointer (&task));
}

void
gp_registration_give_up (GpRegistration       *reg,
                         GpRegistrationReason  reason)
{
  if (reg->state == GP_REGISTRATION_STATE_UNREGISTERED)
    return;
  finish (reg, reason);
}
