/* test-agent.c: GpAgent and GpPairingRequest against the fake BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gattperiph.h"

#include <string.h>

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
do_register (GpAgent  *agent,
             gboolean  make_default,
             GError  **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  gp_agent_register_async (agent, make_default, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = gp_agent_register_finish (agent, result, error);
  g_object_unref (result);
  return ok;
}

static gboolean
do_unregister (GpAgent  *agent,
               GError  **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  gp_agent_unregister_async (agent, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = gp_agent_unregister_finish (agent, result, error);
  g_object_unref (result);
  return ok;
}

/* Pairs the fixture's central with @method; returns the error name or "". */
static char *
pair (FakeFixture *fx,
      const char  *method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "Pair", g_variant_new ("(os)", fx->device, method),
                                         "(bs)", &error);
  gboolean ok;
  char *err;

  g_assert_no_error (error);
  g_variant_get (reply, "(bs)", &ok, &err);
  g_assert_true (ok == (err[0] == '\0'));
  return err;
}

static GVariant *
agents (FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "GetAgents", NULL, "(a(sos))", &error);

  g_assert_no_error (error);
  return g_variant_get_child_value (reply, 0);
}

typedef struct
{
  GpPairingRequest *last;
  guint             count;
  gboolean          take;       /* return TRUE without answering */
  int               action;     /* 0 accept, 1 reject, 2 passkey, 3 pin, -1 nothing */
  guint32           passkey;
} Handler;

static gboolean
on_request (GpAgent          *agent,
            GpPairingRequest *request,
            Handler          *h)
{
  g_set_object (&h->last, request);
  h->count++;
  g_assert_nonnull (gp_pairing_request_get_device (request));
  g_assert_false (gp_pairing_request_get_answered (request));
  switch (h->action)
    {
    case 0: gp_pairing_request_accept (request); break;
    case 1: gp_pairing_request_reject (request); break;
    case 2: gp_pairing_request_return_passkey (request, h->passkey); break;
    case 3: gp_pairing_request_return_pin_code (request, "0000"); break;
    default: break;
    }
  if (h->action >= 0)
    g_assert_true (gp_pairing_request_get_answered (request));
  return TRUE;
}

/* ---------------------------------------------------------------- */

static void
test_properties (void)
{
  g_autoptr(GpAgent) agent = gp_agent_new (GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);
  guint cap = 0;

  g_assert_null (gp_agent_get_connection (agent));
  g_assert_cmpstr (gp_agent_get_object_path (agent), ==, "/org/gattperiph/agent");
  g_assert_cmpint (gp_agent_get_capability (agent), ==, GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);
  g_assert_false (gp_agent_get_registered (agent));
  g_assert_false (gp_agent_get_is_default (agent));
  g_object_get (agent, "capability", &cap, NULL);
  g_assert_cmpuint (cap, ==, GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);
}

static void
test_register (FakeFixture   *fx,
               gconstpointer  data)
{
  static const char * const names[] = {
    "DisplayOnly", "DisplayYesNo", "KeyboardOnly", "NoInputNoOutput", "KeyboardDisplay",
  };

  for (guint cap = 0; cap < G_N_ELEMENTS (names); cap++)
    {
      g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, "/test/agent", cap);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) list = NULL;
      g_autoptr(GVariant) reply = NULL;
      const char *path, *capability, *dpath;
      guint notifies = 0;

      g_signal_connect_swapped (agent, "notify::registered", G_CALLBACK (g_atomic_int_inc), &notifies);
      g_assert_true (do_register (agent, TRUE, &error));
      g_assert_no_error (error);
      g_assert_true (gp_agent_get_registered (agent));
      g_assert_true (gp_agent_get_is_default (agent));
      g_assert_cmpuint (notifies, ==, 1);

      list = agents (fx);
      g_assert_cmpuint (g_variant_n_children (list), ==, 1);
      g_variant_get_child (list, 0, "(&s&o&s)", NULL, &path, &capability);
      g_assert_cmpstr (path, ==, "/test/agent");
      g_assert_cmpstr (capability, ==, names[cap]);
      reply = fake_call (fx, "GetDefaultAgent", NULL, "(so)", &error);
      g_variant_get (reply, "(&s&o)", NULL, &dpath);
      g_assert_cmpstr (dpath, ==, "/test/agent");

      g_assert_false (do_register (agent, TRUE, &error));
      g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
      g_clear_error (&error);

      g_assert_true (do_unregister (agent, &error));
      g_assert_no_error (error);
      g_assert_false (gp_agent_get_registered (agent));
      g_assert_false (gp_agent_get_is_default (agent));
      g_assert_cmpuint (notifies, ==, 2);
      g_clear_pointer (&list, g_variant_unref);
      list = agents (fx);
      g_assert_cmpuint (g_variant_n_children (list), ==, 0);

      g_assert_false (do_unregister (agent, &error));
      g_assert_error (error, GP_ERROR, GP_ERROR_DOES_NOT_EXIST);
    }
}

static void
test_one_per_connection (FakeFixture   *fx,
                         gconstpointer  data)
{
  g_autoptr(GpAgent) a = gp_agent_new_for_connection (fx->conn, "/test/a", GP_AGENT_CAPABILITY_DISPLAY_ONLY);
  g_autoptr(GpAgent) b = gp_agent_new_for_connection (fx->conn, "/test/b", GP_AGENT_CAPABILITY_DISPLAY_ONLY);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_register (a, FALSE, &error));
  g_assert_false (gp_agent_get_is_default (a));
  g_assert_false (do_register (b, FALSE, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "one agent per D-Bus connection"));
  g_assert_false (gp_agent_get_registered (b));
}

static void
test_defaults (FakeFixture   *fx,
               gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY);
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL, *e6 = NULL;

  g_assert_true (do_register (agent, TRUE, NULL));

  /* No handlers: Just Works is accepted, the rest refused. */
  e1 = pair (fx, "just-works");
  g_assert_cmpstr (e1, ==, "");
  e2 = pair (fx, "authorize");
  g_assert_cmpstr (e2, ==, "");
  e3 = pair (fx, "confirm");
  g_assert_cmpstr (e3, ==, "org.bluez.Error.Rejected");
  e4 = pair (fx, "passkey-request");
  g_assert_cmpstr (e4, ==, "org.bluez.Error.Rejected");
  e5 = pair (fx, "pin");
  g_assert_cmpstr (e5, ==, "org.bluez.Error.Rejected");
  e6 = pair (fx, "service");
  g_assert_cmpstr (e6, ==, "org.bluez.Error.Rejected");
}

static void
test_no_agent (FakeFixture   *fx,
               gconstpointer  data)
{
  g_autofree char *e = pair (fx, "confirm");

  g_assert_cmpstr (e, ==, "org.bluez.Error.AgentNotAvailable");
}

static void
test_handled (FakeFixture   *fx,
              gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY);
  Handler h = { 0 };
  const char *sigs[] = { "handle-request-confirmation", "handle-request-authorization",
                         "handle-authorize-service", "handle-request-passkey",
                         "handle-request-pin-code", "handle-display-pin-code" };
  char *e;

  for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
    g_signal_connect (agent, sigs[i], G_CALLBACK (on_request), &h);
  g_assert_true (do_register (agent, TRUE, NULL));

  /* Numeric comparison: the number, accepted. */
  h.action = 0;
  e = pair (fx, "confirm");
  g_assert_cmpstr (e, ==, "");
  g_free (e);
  g_assert_cmpint (gp_pairing_request_get_kind (h.last), ==, GP_PAIRING_KIND_REQUEST_CONFIRMATION);
  g_assert_cmpuint (gp_pairing_request_get_passkey (h.last), ==, 123456);
  g_assert_cmpstr (gp_device_get_object_path (gp_pairing_request_get_device (h.last)), ==, fx->device);

  /* Rejected by the handler. */
  h.action = 1;
  e = pair (fx, "authorize");
  g_assert_cmpstr (e, ==, "org.bluez.Error.Rejected");
  g_free (e);
  g_assert_cmpint (gp_pairing_request_get_kind (h.last), ==, GP_PAIRING_KIND_REQUEST_AUTHORIZATION);

  h.action = 0;
  e = pair (fx, "service:0000180d-0000-1000-8000-00805f9b34fb");
  g_assert_cmpstr (e, ==, "");
  g_free (e);
  g_assert_cmpint (gp_pairing_request_get_kind (h.last), ==, GP_PAIRING_KIND_AUTHORIZE_SERVICE);
  g_assert_cmpstr (gp_pairing_request_get_uuid (h.last), ==, "0000180d-0000-1000-8000-00805f9b34fb");

  h.action = 2;
  h.passkey = 123456;
  e = pair (fx, "passkey-request");
  g_assert_cmpstr (e, ==, "");
  g_free (e);
  g_assert_cmpint (gp_pairing_request_get_kind (h.last), ==, GP_PAIRING_KIND_REQUEST_PASSKEY);
  h.passkey = 654321;
  e = pair (fx, "passkey-request");
  g_assert_cmpstr (e, ==, "org.bluez.Error.AuthenticationFailed");
  g_free (e);

  h.action = 3;
  e = pair (fx, "pin");
  g_assert_cmpstr (e, ==, "");
  g_free (e);
  g_assert_cmpint (gp_pairing_request_get_kind (h.last), ==, GP_PAIRING_KIND_REQUEST_PIN_CODE);
  g_clear_object (&h.last);
}

static gboolean
answer_later (gpointer data)
{
  gp_pairing_request_accept (data);
  return G_SOURCE_REMOVE;
}

static void
test_deferred (FakeFixture   *fx,
               gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_DISPLAY_YES_NO);
  Handler h = { .action = -1 };
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean ok;
  const char *err;

  g_signal_connect (agent, "handle-request-confirmation", G_CALLBACK (on_request), &h);
  g_assert_true (do_register (agent, TRUE, NULL));

  g_dbus_connection_call (fx->conn, "org.bluez", "/org/gattperiph/FakeBlueZ",
                          "org.gattperiph.FakeBlueZ1", "Pair",
                          g_variant_new ("(os)", fx->device, "confirm"), G_VARIANT_TYPE ("(bs)"),
                          G_DBUS_CALL_FLAGS_NONE, 30000, NULL, store_result, &result);
  while (h.last == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* The handler kept the request: answered a moment later. */
  spin_for (100);
  g_assert_null (result);
  g_timeout_add (50, answer_later, h.last);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = g_dbus_connection_call_finish (fx->conn, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_variant_get (reply, "(b&s)", &ok, &err);
  g_assert_true (ok);
  g_assert_true (gp_pairing_request_get_answered (h.last));
  g_clear_object (&h.last);
}

static void
on_cancelled (GpAgent          *agent,
              GpPairingRequest *request,
              guint            *count)
{
  gboolean cancelled = FALSE, answered = FALSE;
  GpPairingKind kind = GP_PAIRING_KIND_REQUEST_PIN_CODE;
  g_autoptr(GpDevice) device = NULL;

  g_assert_true (gp_pairing_request_get_cancelled (request));
  g_object_get (request, "cancelled", &cancelled, "answered", &answered, "kind", &kind,
                "device", &device, NULL);
  g_assert_true (cancelled);
  g_assert_true (answered);
  g_assert_cmpint (kind, ==, GP_PAIRING_KIND_REQUEST_PASSKEY);
  g_assert_true (device == gp_pairing_request_get_device (request));
  (*count)++;
}

static void
test_cancel (FakeFixture   *fx,
             gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_KEYBOARD_ONLY);
  Handler h = { .action = -1 };
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) cancel = NULL;
  guint canceled = 0;
  gboolean ok;
  const char *err;

  g_signal_connect (agent, "handle-request-passkey", G_CALLBACK (on_request), &h);
  g_signal_connect (agent, "cancelled", G_CALLBACK (on_cancelled), &canceled);
  g_assert_true (do_register (agent, TRUE, NULL));

  g_dbus_connection_call (fx->conn, "org.bluez", "/org/gattperiph/FakeBlueZ",
                          "org.gattperiph.FakeBlueZ1", "Pair",
                          g_variant_new ("(os)", fx->device, "passkey-request"), G_VARIANT_TYPE ("(bs)"),
                          G_DBUS_CALL_FLAGS_NONE, 30000, NULL, store_result, &result);
  while (h.last == NULL)
    g_main_context_iteration (NULL, TRUE);
  cancel = fake_call (fx, "CancelPairing", g_variant_new ("(o)", fx->device), NULL, &error);
  g_assert_no_error (error);
  while (result == NULL || canceled == 0)
    g_main_context_iteration (NULL, TRUE);
  reply = g_dbus_connection_call_finish (fx->conn, result, &error);
  g_object_unref (result);
  g_variant_get (reply, "(b&s)", &ok, &err);
  g_assert_false (ok);
  g_assert_cmpstr (err, ==, "org.bluez.Error.Canceled");
  g_assert_cmpuint (canceled, ==, 1);
  g_assert_true (gp_pairing_request_get_cancelled (h.last));
  g_assert_true (gp_pairing_request_get_answered (h.last));
  /* Answering a canceled request does nothing. */
  gp_pairing_request_return_passkey (h.last, 123456);
  g_clear_object (&h.last);
}

static void
on_display (GpAgent  *agent,
            GpDevice *device,
            guint     passkey,
            guint     entered,
            GArray   *seen)
{
  g_assert_cmpuint (passkey, ==, 123456);
  g_assert_nonnull (device);
  g_array_append_val (seen, entered);
}

static void
test_display_passkey (FakeFixture   *fx,
                      gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_DISPLAY_ONLY);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *e = NULL;

  g_signal_connect (agent, "display-passkey", G_CALLBACK (on_display), seen);
  g_assert_true (do_register (agent, TRUE, NULL));
  e = pair (fx, "passkey-display");
  g_assert_cmpstr (e, ==, "");
  while (seen->len < 7)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpuint (g_array_index (seen, guint, i), ==, i);
}

static void
test_released (FakeFixture   *fx,
               gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_DISPLAY_ONLY);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint released = 0;

  /* bluetoothd releases its agents when it stops: a loss, not a release. */
  g_signal_connect_swapped (agent, "released", G_CALLBACK (g_atomic_int_inc), &released);
  gp_agent_set_auto_register (agent, FALSE);
  g_assert_true (do_register (agent, TRUE, NULL));
  reply = fake_call (fx, "Restart", NULL, NULL, &error);
  g_assert_no_error (error);
  while (gp_agent_get_registered (agent))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gp_agent_get_registration_state (agent), ==, GP_REGISTRATION_STATE_LOST);
  spin_for (300);
  g_assert_cmpuint (released, ==, 0);
  g_assert_false (gp_agent_get_registered (agent));
  /* BlueZ is back: without auto-register, register again. */
  g_assert_true (do_register (agent, TRUE, &error));
  g_assert_no_error (error);
}

static void
test_only_bluez (FakeFixture   *fx,
                 gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, "/test/agent", GP_AGENT_CAPABILITY_DISPLAY_ONLY);
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GAsyncResult *result = NULL;

  g_assert_true (do_register (agent, TRUE, NULL));
  other = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_call (other, g_dbus_connection_get_unique_name (fx->conn), "/test/agent",
                          "org.bluez.Agent1", "RequestAuthorization",
                          g_variant_new ("(o)", fx->device), NULL, G_DBUS_CALL_FLAGS_NONE, 5000,
                          NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = g_dbus_connection_call_finish (other, result, &error);
  g_object_unref (result);
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_PERMITTED);
  g_dbus_connection_close_sync (other, NULL, NULL);
}

static void
test_no_bluez (FakeFixture   *fx,
               gconstpointer  data)
{
  g_autoptr(GpAgent) agent = gp_agent_new_for_connection (fx->conn, NULL, GP_AGENT_CAPABILITY_DISPLAY_ONLY);
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (fx->fake, SIGTERM);
  g_subprocess_wait (fx->fake, NULL, NULL);
  g_clear_object (&fx->fake);
  g_assert_false (do_register (agent, TRUE, &error));
  g_assert_error (error, GP_ERROR, GP_ERROR_NOT_READY);
  g_assert_false (gp_agent_get_registered (agent));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/agent/" name, FakeFixture, NULL, \
                                  fake_fixture_setup, fn, fake_fixture_teardown)
  g_test_add_func ("/agent/properties", test_properties);
  ADD ("register", test_register);
  ADD ("one-per-connection", test_one_per_connection);
  ADD ("defaults", test_defaults);
  ADD ("no-agent", test_no_agent);
  ADD ("handled", test_handled);
  ADD ("deferred", test_deferred);
  ADD ("cancel", test_cancel);
  ADD ("display-passkey", test_display_passkey);
  ADD ("released", test_released);
  ADD ("only-bluez", test_only_bluez);
  ADD ("no-bluez", test_no_bluez);
#undef ADD

  return g_test_run ();
}
