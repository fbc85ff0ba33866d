/* test-lifecycle.c: registration of applications, advertisements and
 * agents across bluetoothd restarts and adapter hotplug
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

#include <string.h>

#define WAIT_MS 10000

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* A control call that never iterates a main context: for controls that
 * do not call the application back. Through org.gattperiph.FakeBlueZ, which
 * stays while bluetoothd is stopped. */
static GVariant *
ctrl (FakeFixture *fx,
      const char  *method,
      GVariant    *parameters,
      const char  *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (fx->conn, "org.gattperiph.FakeBlueZ",
                                       "/org/gattperiph/FakeBlueZ", "org.gattperiph.FakeBlueZ1",
                                       method, parameters,
                                       reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static void
ctrl0 (FakeFixture *fx,
       const char  *method,
       GVariant    *parameters)
{
  g_autoptr(GVariant) reply = ctrl (fx, method, parameters, NULL);
}

static guint
fake_apps (FakeFixture *fx)
{
  return fake_control_count (fx, "GetApplications", "(a(so))");
}

static guint
fake_ads (FakeFixture *fx)
{
  return fake_control_count (fx, "GetAdvertisements", "(aa{sv})");
}

static guint
fake_agents (FakeFixture *fx)
{
  return fake_control_count (fx, "GetAgents", "(a(sos))");
}

static char *
fake_default_agent (FakeFixture *fx)
{
  g_autoptr(GVariant) reply = ctrl (fx, "GetDefaultAgent", NULL, "(so)");
  char *path = NULL;

  g_variant_get (reply, "(so)", NULL, &path);
  return path;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Iterates the thread-default main context (the global default one in
 * the main thread). */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  GMainContext *context = g_main_context_ref_thread_default ();

  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_unref (context);
  return *slot;
}

static GpApplication *
app_new (FakeFixture *fx,
         const char  *path)
{
  GpApplication *app = gp_application_new_for_connection (fx->conn, path);
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, NULL);
  g_autoptr(GpCharacteristic) chrc =
    gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, NULL);

  g_assert_true (gp_service_add_characteristic (service, chrc, NULL));
  g_assert_true (gp_application_add_service (app, service, NULL));
  g_object_set_data (G_OBJECT (app), "chrc", chrc);   /* the service keeps it */
  return app;
}

static GpAdvertisement *
adv_new (FakeFixture *fx)
{
  GpAdvertisement *adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");

  gp_advertisement_set_local_name (adv, "Lifecycle");
  return adv;
}

static GpAgent *
agent_new (FakeFixture *fx)
{
  return gp_agent_new_for_connection (fx->conn, "/test/agent", GP_AGENT_CAPABILITY_DISPLAY_YES_NO);
}

/* Registers (starts) any of the three; returns the result. */
static gboolean
do_register (GObject      *object,
             GCancellable *cancellable,
             GError      **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  if (GP_IS_APPLICATION (object))
    gp_application_register_async (GP_APPLICATION (object), NULL, cancellable, store_result, &result);
  else if (GP_IS_ADVERTISEMENT (object))
    gp_advertisement_start_async (GP_ADVERTISEMENT (object), NULL, cancellable, store_result, &result);
  else
    gp_agent_register_async (GP_AGENT (object), g_object_get_data (object, "not-default") == NULL,
                             cancellable, store_result, &result);
  wait_result (&result);
  if (GP_IS_APPLICATION (object))
    ok = gp_application_register_finish (GP_APPLICATION (object), result, error);
  else if (GP_IS_ADVERTISEMENT (object))
    ok = gp_advertisement_start_finish (GP_ADVERTISEMENT (object), result, error);
  else
    ok = gp_agent_register_finish (GP_AGENT (object), result, error);
  g_object_unref (result);
  return ok;
}

static void
register_ok (gpointer object)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (do_register (object, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
do_unregister (GObject  *object,
               GError  **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  if (GP_IS_APPLICATION (object))
    gp_application_unregister_async (GP_APPLICATION (object), NULL, store_result, &result);
  else if (GP_IS_ADVERTISEMENT (object))
    gp_advertisement_stop_async (GP_ADVERTISEMENT (object), NULL, store_result, &result);
  else
    gp_agent_unregister_async (GP_AGENT (object), NULL, store_result, &result);
  wait_result (&result);
  if (GP_IS_APPLICATION (object))
    ok = gp_application_unregister_finish (GP_APPLICATION (object), result, error);
  else if (GP_IS_ADVERTISEMENT (object))
    ok = gp_advertisement_stop_finish (GP_ADVERTISEMENT (object), result, error);
  else
    ok = gp_agent_unregister_finish (GP_AGENT (object), result, error);
  g_object_unref (result);
  return ok;
}

/* Same property, same meaning, on all three classes. */
static gboolean
registered (gpointer object)
{
  gboolean value = FALSE;

  g_object_get (object, "registered", &value, NULL);
  return value;
}

static gboolean
not_registered (gpointer object)
{
  return !registered (object);
}

static GpRegistrationState
state_of (gpointer object)
{
  GpRegistrationState state;

  g_object_get (object, "registration-state", &state, NULL);
  return state;
}

static const char *
nick (GType  type,
      int    value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  return g_enum_get_value (klass, value)->value_nick;
}

static void
on_registration_changed (GObject              *object,
                         GpRegistrationState   state,
                         GpRegistrationReason  reason,
                         GString              *trace)
{
  /* The properties already say so. */
  g_assert_cmpint (state_of (object), ==, state);
  g_assert_true (registered (object) == (state == GP_REGISTRATION_STATE_REGISTERED));
  g_string_append_printf (trace, "%s:%s ", nick (GP_TYPE_REGISTRATION_STATE, state),
                          nick (GP_TYPE_REGISTRATION_REASON, reason));
}

static GString *
trace_new (gpointer object)
{
  GString *trace = g_string_new (NULL);

  g_signal_connect (object, "registration-changed", G_CALLBACK (on_registration_changed), trace);
  return trace;
}

typedef struct
{
  FakeFixture     *fx;
  GpApplication   *app;
  GpAdvertisement *adv;
  GpAgent         *agent;
} All;

static gboolean
all_back (gpointer data)
{
  All *all = data;
  g_autofree char *agent = NULL;

  if (!registered (all->app) || !registered (all->adv) || !registered (all->agent))
    return FALSE;
  agent = fake_default_agent (all->fx);
  return fake_apps (all->fx) == 1 && fake_ads (all->fx) == 1 && strcmp (agent, "/test/agent") == 0;
}

static gboolean
all_lost (gpointer data)
{
  All *all = data;

  return state_of (all->app) == GP_REGISTRATION_STATE_LOST &&
         state_of (all->adv) == GP_REGISTRATION_STATE_LOST &&
         state_of (all->agent) == GP_REGISTRATION_STATE_LOST;
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */

/* Issue 5: all three register themselves again after bluetoothd
 * restarts, and say so. */
static void
test_restart_all (FakeFixture   *fx,
                  gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpAdvertisement) adv = adv_new (fx);
  g_autoptr(GpAgent) agent = agent_new (fx);
  g_autoptr(GString) app_trace = trace_new (app);
  g_autoptr(GString) adv_trace = trace_new (adv);
  g_autoptr(GString) agent_trace = trace_new (agent);
  guint released = 0;
  All all = { fx, app, adv, agent };
  const char *expected = "registering:requested registered:requested "
                         "lost:bluez-exited registered:reregistered ";

  g_signal_connect_swapped (adv, "released", G_CALLBACK (g_atomic_int_inc), &released);
  g_signal_connect_swapped (agent, "released", G_CALLBACK (g_atomic_int_inc), &released);
  register_ok (app);
  register_ok (adv);
  register_ok (agent);
  g_assert_true (all_back (&all));

  ctrl0 (fx, "Restart", NULL);
  spin_until (all_back, &all, WAIT_MS);
  g_assert_cmpstr (app_trace->str, ==, expected);
  g_assert_cmpstr (adv_trace->str, ==, expected);
  g_assert_cmpstr (agent_trace->str, ==, expected);
  /* bluetoothd released the advert and the agent on its way out: a loss. */
  g_assert_cmpuint (released, ==, 0);
}

static gboolean
app_back (gpointer data)
{
  All *all = data;

  return registered (all->app) && fake_apps (all->fx) == 1;
}

static gboolean
adv_back (gpointer data)
{
  All *all = data;

  return registered (all->adv) && fake_ads (all->fx) == 1;
}

static gboolean
agent_back (gpointer data)
{
  All *all = data;

  return registered (all->agent) && fake_agents (all->fx) == 1;
}

/* Issue 4a: the adapter goes away and comes back. */
static void
test_adapter_removed (FakeFixture   *fx,
                      gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpAdvertisement) adv = adv_new (fx);
  g_autoptr(GString) app_trace = trace_new (app);
  g_autoptr(GString) adv_trace = trace_new (adv);
  All all = { fx, app, adv, NULL };
  const char *expected = "registering:requested registered:requested "
                         "lost:adapter-removed registered:reregistered ";

  register_ok (app);
  register_ok (adv);

  ctrl0 (fx, "RemoveAdapter", g_variant_new ("(s)", "hci0"));
  spin_until (not_registered, app, WAIT_MS);
  spin_until (not_registered, adv, WAIT_MS);
  g_assert_cmpint (state_of (app), ==, GP_REGISTRATION_STATE_LOST);
  g_assert_cmpint (state_of (adv), ==, GP_REGISTRATION_STATE_LOST);

  ctrl0 (fx, "AddAdapter", g_variant_new ("(s)", "hci0"));
  spin_until (app_back, &all, WAIT_MS);
  spin_until (adv_back, &all, WAIT_MS);
  g_assert_cmpstr (app_trace->str, ==, expected);
  g_assert_cmpstr (adv_trace->str, ==, expected);
}

/* Another adapter going away is none of our business. */
static void
test_other_adapter_removed (FakeFixture   *fx,
                            gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpApplication) sentinel = NULL;
  g_autoptr(GpAdapter) hci1 = NULL;
  g_autoptr(GString) trace = trace_new (app);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  ctrl0 (fx, "AddAdapter", g_variant_new ("(s)", "hci1"));
  register_ok (app);
  /* A second application on hci1, to know when hci1's removal was seen. */
  hci1 = gp_adapter_new_for_path (fx->conn, "/org/bluez/hci1");
  sentinel = app_new (fx, "/test/sentinel");
  gp_application_register_async (sentinel, hci1, NULL, store_result, &result);
  g_assert_true (gp_application_register_finish (sentinel, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ctrl0 (fx, "RemoveAdapter", g_variant_new ("(s)", "hci1"));
  spin_until (not_registered, sentinel, WAIT_MS);
  g_assert_true (registered (app));
  g_assert_cmpstr (trace->str, ==, "registering:requested registered:requested ");
}

static gboolean
sentinel_back (gpointer data)
{
  return registered (data);
}

/* Issue 4b: unregistering while bluetoothd is away succeeds and is final. */
static void
test_unregister_while_down (FakeFixture   *fx,
                            gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpAdvertisement) adv = adv_new (fx);
  g_autoptr(GpAgent) agent = agent_new (fx);
  g_autoptr(GpApplication) sentinel = app_new (fx, "/test/sentinel");
  g_autoptr(GString) app_trace = trace_new (app);
  g_autoptr(GVariant) apps = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  All all = { fx, app, adv, agent };
  const char *path = NULL;
  GObject *objects[] = { G_OBJECT (app), G_OBJECT (adv), G_OBJECT (agent) };

  register_ok (app);
  register_ok (adv);
  register_ok (agent);
  register_ok (sentinel);

  ctrl0 (fx, "Stop", NULL);
  spin_until (all_lost, &all, WAIT_MS);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_assert_true (do_unregister (objects[i], &error));
      g_assert_no_error (error);
      g_assert_cmpint (state_of (objects[i]), ==, GP_REGISTRATION_STATE_UNREGISTERED);
    }
  g_assert_cmpstr (app_trace->str, ==,
                   "registering:requested registered:requested "
                   "lost:bluez-exited unregistered:requested ");

  /* bluetoothd is back: only the sentinel registers itself again. */
  ctrl0 (fx, "Start", NULL);
  spin_until (sentinel_back, sentinel, WAIT_MS);
  spin_for (500);
  apps = ctrl (fx, "GetApplications", NULL, "(a(so))");
  g_assert_cmpuint (fake_apps (fx), ==, 1);
  g_variant_get (apps, "(a(so))", &iter);
  g_assert_true (g_variant_iter_next (iter, "(&s&o)", NULL, &path));
  g_assert_cmpstr (path, ==, "/test/sentinel");
  g_assert_cmpuint (fake_ads (fx), ==, 0);
  g_assert_cmpuint (fake_agents (fx), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    g_assert_cmpint (state_of (objects[i]), ==, GP_REGISTRATION_STATE_UNREGISTERED);

  /* Unregistering twice says so. */
  g_assert_false (do_unregister (G_OBJECT (app), &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
}

/* Issue 4c: bluetoothd restarts between the reply to the registration and
 * the first look at the owner of org.bluez. */
static void
test_restart_after_reply (FakeFixture   *fx,
                          gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpAdvertisement) adv = adv_new (fx);
  g_autoptr(GpAgent) agent = agent_new (fx);
  All all = { fx, app, adv, agent };
  GSourceFunc back[] = { app_back, adv_back, agent_back };
  GObject *objects[] = { G_OBJECT (app), G_OBJECT (adv), G_OBJECT (agent) };

  /* RegisterAgent is the last call (no RequestDefaultAgent after it). */
  g_object_set_data (G_OBJECT (agent), "not-default", GINT_TO_POINTER (1));
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_autoptr(GError) error = NULL;

      ctrl0 (fx, "RestartAfterRegister", NULL);
      /* BlueZ answers, then leaves, then comes back with a new name. */
      g_assert_true (do_register (objects[i], NULL, &error));
      g_assert_no_error (error);
      /* The new bluetoothd has it, and may call it. */
      spin_until (back[i], &all, WAIT_MS);
    }
  /* The application answers the new bluetoothd. */
  {
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GBytes) value = NULL;
    g_autoptr(GError) error = NULL;
    guint16 handle;

    g_free (fx->device);
    reply = ctrl (fx, "AddDevice", g_variant_new ("(sss)", "hci0", "11:22:33:44:55:99", "c"), "(o)");
    g_variant_get (reply, "(o)", &fx->device);
    handle = fake_handle_of (fx, g_object_get_data (G_OBJECT (app), "chrc"));
    g_assert_cmphex (fake_read (fx, handle, 0, 517, &value), ==, 0);
  }
}

typedef struct
{
  FakeFixture *fx;
  gboolean     done;
} ThreadData;

static gboolean
local_name_is_new (gpointer data)
{
  All *all = data;
  g_autoptr(GVariant) reply = ctrl (all->fx, "GetAdvertisements", NULL, "(aa{sv})");
  g_autoptr(GVariant) ads = g_variant_get_child_value (reply, 0);
  const char *name = NULL;

  if (g_variant_n_children (ads) != 1)
    return FALSE;
  {
    g_autoptr(GVariant) ad = g_variant_get_child_value (ads, 0);
    return g_variant_lookup (ad, "local-name", "&s", &name) && g_strcmp0 (name, "Renamed") == 0;
  }
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates @context (and only it) until @cond holds. */
static void
spin_context_until (GMainContext *context,
                    GSourceFunc   cond,
                    gpointer      data)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (WAIT_MS);

  g_source_set_callback (timeout, set_true, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!cond (data) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_assert_true (cond (data));
}

static gpointer
thread_func (gpointer user_data)
{
  ThreadData *td = user_data;
  FakeFixture *fx = td->fx;
  GMainContext *context = g_main_context_new ();
  GpApplication *app;
  GpAdvertisement *adv;
  GpAgent *agent;
  All all = { fx };
  gboolean flushed = FALSE;
  GSource *flush;

  g_main_context_push_thread_default (context);
  app = app_new (fx, "/test/app");
  adv = adv_new (fx);
  agent = agent_new (fx);
  all.app = app;
  all.adv = adv;
  all.agent = agent;
  register_ok (app);
  register_ok (adv);
  register_ok (agent);

  /* bluetoothd owns its name well before its adapters are back: the
   * first attempts fail, and retry on this context. */
  ctrl0 (fx, "SetAdapterDelay", g_variant_new ("(u)", 300));
  ctrl0 (fx, "Restart", NULL);
  spin_context_until (context, all_lost, &all);
  spin_context_until (context, all_back, &all);
  ctrl0 (fx, "SetAdapterDelay", g_variant_new ("(u)", 0));

  /* A change is sent from this context too. */
  gp_advertisement_set_local_name (adv, "Renamed");
  spin_context_until (context, local_name_is_new, &all);

  g_object_unref (app);
  g_object_unref (adv);
  g_object_unref (agent);
  /* Let the unregistrations go out before the context goes. */
  flush = g_timeout_source_new (200);
  g_source_set_callback (flush, set_true, &flushed, NULL);
  g_source_attach (flush, context);
  while (!flushed)
    g_main_context_iteration (context, TRUE);
  g_source_unref (flush);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  td->done = TRUE;
  return NULL;
}

/* Issue 9: objects made in a thread with its own main context (the global
 * default one is never iterated meanwhile) re-register there. */
static void
test_thread_context (FakeFixture   *fx,
                     gconstpointer  data)
{
  ThreadData td = { fx, FALSE };
  GThread *thread = g_thread_new ("lifecycle", thread_func, &td);

  g_thread_join (thread);
  g_assert_true (td.done);
  g_assert_cmpuint (fake_apps (fx), ==, 0);
  g_assert_cmpuint (fake_ads (fx), ==, 0);
  g_assert_cmpuint (fake_agents (fx), ==, 0);
}

typedef struct
{
  GCancellable *cancellable;
  const char   *method;
} CancelOn;

/* GDBus's worker thread: cancel once the call is on its way to BlueZ. */
static GDBusMessage *
cancel_filter (GDBusConnection *connection,
               GDBusMessage    *message,
               gboolean         incoming,
               gpointer         user_data)
{
  CancelOn *on = user_data;

  if (!incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
      g_strcmp0 (g_dbus_message_get_member (message), on->method) == 0)
    g_cancellable_cancel (on->cancellable);
  return message;
}

static gboolean
no_agents (gpointer data)
{
  return fake_agents (data) == 0;
}

/* Issue 9: an agent registration cancelled half-way does not stay with
 * BlueZ. */
static void
test_agent_cancelled (FakeFixture   *fx,
                      gconstpointer  data)
{
  const char *methods[] = { "RegisterAgent", "RequestDefaultAgent" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(GpAgent) agent = agent_new (fx);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      CancelOn on = { cancellable, methods[i] };
      guint filter = g_dbus_connection_add_filter (fx->conn, cancel_filter, &on, NULL);

      g_assert_false (do_register (G_OBJECT (agent), cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_dbus_connection_remove_filter (fx->conn, filter);
      g_assert_cmpint (state_of (agent), ==, GP_REGISTRATION_STATE_UNREGISTERED);
      spin_until (no_agents, fx, WAIT_MS);

      /* And it can be registered afterwards. */
      g_clear_error (&error);
      register_ok (agent);
      g_assert_cmpuint (fake_agents (fx), ==, 1);
    }
}

static GVariant *
call_from (GDBusConnection *connection,
           const char      *dest,
           const char      *path,
           const char      *interface,
           const char      *method,
           GVariant        *parameters,
           GError         **error)
{
  GAsyncResult *result = NULL;
  GVariant *reply;

  g_dbus_connection_call (connection, dest, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, store_result, &result);
  reply = g_dbus_connection_call_finish (connection, wait_result (&result), error);
  g_object_unref (result);
  return reply;
}

/* Bug 1: only bluetoothd may call the advertisement and the agent,
 * including their properties. */
static void
test_only_bluez (FakeFixture   *fx,
                 gconstpointer  data)
{
  g_autoptr(GpAdvertisement) adv = adv_new (fx);
  g_autoptr(GpAgent) agent = agent_new (fx);
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GError) error = NULL;
  const char *me;
  struct {
    const char *path, *interface, *method;
    GVariant   *parameters;
  } calls[] = {
    { "/test/adv", "org.freedesktop.DBus.Properties", "Get",
      g_variant_new ("(ss)", "org.bluez.LEAdvertisement1", "LocalName") },
    { "/test/adv", "org.freedesktop.DBus.Properties", "GetAll",
      g_variant_new ("(s)", "org.bluez.LEAdvertisement1") },
    { "/test/adv", "org.freedesktop.DBus.Properties", "Set",
      g_variant_new ("(ssv)", "org.bluez.LEAdvertisement1", "TxPower", g_variant_new_int16 (0)) },
    { "/test/adv", "org.freedesktop.DBus.Properties", "Set",
      g_variant_new ("(ssv)", "org.bluez.LEAdvertisement1", "LocalName", g_variant_new_string ("x")) },
    { "/test/adv", "org.freedesktop.DBus.Properties", "Get",
      g_variant_new ("(ss)", "org.bluez.LEAdvertisement1", "NoSuchProperty") },
    { "/test/adv", "org.bluez.LEAdvertisement1", "Release", NULL },
    { "/test/agent", "org.freedesktop.DBus.Properties", "GetAll",
      g_variant_new ("(s)", "org.bluez.Agent1") },
    { "/test/agent", "org.freedesktop.DBus.Properties", "Get",
      g_variant_new ("(ss)", "org.bluez.Agent1", "NoSuchProperty") },
    { "/test/agent", "org.bluez.Agent1", "Release", NULL },
    { "/test/agent", "org.bluez.Agent1", "Cancel", NULL },
    { "/test/agent", "org.bluez.Agent1", "RequestConfirmation",
      g_variant_new ("(ou)", "/org/bluez/hci0/dev_11_22_33_44_55_66", 123456) },
    { "/test/agent", "org.bluez.Agent1", "RequestAuthorization",
      g_variant_new ("(o)", "/org/bluez/hci0/dev_11_22_33_44_55_66") },
  };

  register_ok (adv);
  register_ok (agent);
  other = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  me = g_dbus_connection_get_unique_name (fx->conn);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(GVariant) reply = NULL;

      g_test_message ("%s.%s on %s", calls[i].interface, calls[i].method, calls[i].path);
      reply = call_from (other, me, calls[i].path, calls[i].interface, calls[i].method,
                         calls[i].parameters, &error);
      g_assert_null (reply);
      g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
      g_clear_error (&error);
    }
  g_assert_true (registered (adv));
  g_assert_true (registered (agent));
  g_dbus_connection_close_sync (other, NULL, NULL);
}

static gboolean
nothing_registered (gpointer data)
{
  return fake_apps (data) == 0 && fake_ads (data) == 0 && fake_agents (data) == 0;
}

/* Disposing of registered objects unregisters them; disposing of lost
 * ones, or of ones registering again, is quiet. */
static void
test_dispose (FakeFixture   *fx,
              gconstpointer  data)
{
  GpApplication *app = app_new (fx, "/test/app");
  GpAdvertisement *adv = adv_new (fx);
  GpAgent *agent = agent_new (fx);
  All all = { fx, app, adv, agent };

  register_ok (app);
  register_ok (adv);
  register_ok (agent);
  g_object_unref (app);
  g_object_unref (adv);
  g_object_unref (agent);
  spin_until (nothing_registered, fx, WAIT_MS);

  all.app = app = app_new (fx, "/test/app");
  all.adv = adv = adv_new (fx);
  all.agent = agent = agent_new (fx);
  register_ok (app);
  register_ok (adv);
  register_ok (agent);
  ctrl0 (fx, "Stop", NULL);
  spin_until (all_lost, &all, WAIT_MS);
  g_object_unref (app);
  g_object_unref (adv);
  g_object_unref (agent);
  ctrl0 (fx, "Start", NULL);
  spin_for (300);
  g_assert_true (nothing_registered (fx));
}

/* Without auto-register, a lost registration stays lost until the
 * program registers again. */
static void
test_no_auto_register (FakeFixture   *fx,
                       gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpAdvertisement) adv = adv_new (fx);
  g_autoptr(GpAgent) agent = agent_new (fx);
  g_autoptr(GpApplication) sentinel = app_new (fx, "/test/sentinel");
  All all = { fx, app, adv, agent };
  GObject *objects[] = { G_OBJECT (app), G_OBJECT (adv), G_OBJECT (agent) };

  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_object_set (objects[i], "auto-register", FALSE, NULL);
      register_ok (objects[i]);
    }
  register_ok (sentinel);
  ctrl0 (fx, "Restart", NULL);
  spin_until (all_lost, &all, WAIT_MS);
  spin_until (sentinel_back, sentinel, WAIT_MS);
  spin_for (300);
  g_assert_true (all_lost (&all));
  g_assert_cmpuint (fake_apps (fx), ==, 1);

  /* Turned on again, it registers at once. */
  g_clear_object (&sentinel);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    g_object_set (objects[i], "auto-register", TRUE, NULL);
  spin_until (all_back, &all, WAIT_MS);
}

/* bluetoothd removes its adapters before it leaves the bus: until its name
 * is gone, a registration fails for want of an adapter instead. */
static gboolean
bluez_gone (gpointer data)
{
  FakeFixture *fx = data;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = TRUE;

  reply = g_dbus_connection_call_sync (fx->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.bluez"), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return !has_owner;
}

/* A registration that fails says so, and nothing comes back by itself. */
static void
test_failed_registration (FakeFixture   *fx,
                          gconstpointer  data)
{
  g_autoptr(GpApplication) app = app_new (fx, "/test/app");
  g_autoptr(GpAgent) agent = agent_new (fx);
  g_autoptr(GString) app_trace = trace_new (app);
  g_autoptr(GString) agent_trace = trace_new (agent);
  g_autoptr(GpApplication) sentinel = app_new (fx, "/test/sentinel");
  g_autoptr(GError) error = NULL;

  register_ok (sentinel);
  ctrl0 (fx, "Stop", NULL);
  spin_until (not_registered, sentinel, WAIT_MS);
  spin_until (bluez_gone, fx, WAIT_MS);
  /* Not running, or (while the library has not yet seen the name go, only
   * the adapters) without an adapter: either way a clear failure. */
  g_assert_false (do_register (G_OBJECT (app), NULL, &error));
  g_assert_true (g_error_matches (error, GP_ERROR, GP_ERROR_NOT_READY) ||
                 g_error_matches (error, GP_ERROR, GP_ERROR_NOT_AVAILABLE));
  g_clear_error (&error);
  g_assert_false (do_register (G_OBJECT (agent), NULL, &error));
  g_assert_true (g_error_matches (error, GP_ERROR, GP_ERROR_NOT_READY) ||
                 g_error_matches (error, GP_ERROR, GP_ERROR_NOT_AVAILABLE));
  g_assert_cmpstr (app_trace->str, ==, "registering:requested unregistered:failed ");
  g_assert_cmpstr (agent_trace->str, ==, "registering:requested unregistered:failed ");

  ctrl0 (fx, "Start", NULL);
  spin_until (sentinel_back, sentinel, WAIT_MS);
  spin_for (300);
  g_assert_cmpuint (fake_apps (fx), ==, 1);
  g_assert_cmpuint (fake_agents (fx), ==, 0);
  g_assert_cmpint (state_of (app), ==, GP_REGISTRATION_STATE_UNREGISTERED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/lifecycle/" name, FakeFixture, NULL, fake_fixture_setup, func, fake_fixture_teardown)
  ADD ("restart-all", test_restart_all);
  ADD ("adapter-removed", test_adapter_removed);
  ADD ("other-adapter-removed", test_other_adapter_removed);
  ADD ("unregister-while-down", test_unregister_while_down);
  ADD ("restart-after-reply", test_restart_after_reply);
  ADD ("thread-context", test_thread_context);
  ADD ("agent-cancelled", test_agent_cancelled);
  ADD ("only-bluez", test_only_bluez);
  ADD ("dispose", test_dispose);
  ADD ("no-auto-register", test_no_auto_register);
  ADD ("failed-registration", test_failed_registration);
#undef ADD

  return g_test_run ();
}
