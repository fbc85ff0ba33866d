/* test-reregister.c: bluetoothd coming back while the library's last
 * attempt to register again is in flight
 *
 * After bluetoothd restarts, an application, advertisement or agent that
 * BlueZ lost registers itself again, retrying a failed attempt every
 * GP_REGISTRATION_RETRY_MSEC, GP_REGISTRATION_MAX_RETRIES times. Here the
 * fake BlueZ fails every attempt but the last, holds the last one, then
 * restarts and answers it (with an error) only once the new bluetoothd
 * owns org.bluez and has its adapter: the signals saying that bluetoothd
 * is back arrive while that attempt is in flight. The objects must
 * register with the new bluetoothd all the same, not stay lost.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-registration-private.h"

#define WAIT_MS 30000

typedef struct
{
  FakeFixture     *fx;
  GObject         *objects[3];   /* application, advertisement, agent */
} Objects;

static GpRegistrationState
state_of (gpointer object)
{
  GpRegistrationState state;

  g_object_get (object, "registration-state", &state, NULL);
  return state;
}

static gboolean
all_in_state (Objects             *o,
              GpRegistrationState  state)
{
  for (guint i = 0; i < G_N_ELEMENTS (o->objects); i++)
    if (state_of (o->objects[i]) != state)
      return FALSE;
  return TRUE;
}

static gboolean
all_registered (gpointer data)
{
  return all_in_state (data, GP_REGISTRATION_STATE_REGISTERED);
}

/* The fake holds the last attempt of each of the three. */
static gboolean
three_held (gpointer data)
{
  Objects *o = data;

  return fake_control_count (o->fx, "GetHeldRegistrations", "(as)") == 3;
}

/* BlueZ has all three again. */
static gboolean
all_back (gpointer data)
{
  Objects *o = data;

  return all_registered (o) &&
         fake_control_count (o->fx, "GetApplications", "(a(so))") == 1 &&
         fake_control_count (o->fx, "GetAdvertisements", "(aa{sv})") == 1 &&
         fake_control_count (o->fx, "GetAgents", "(a(sos))") == 1;
}

static void
test_back_during_last_retry (FakeFixture   *fx,
                             gconstpointer  data)
{
  g_autoptr(GpApplication) app = gp_application_new_for_connection (fx->conn, "/test/app");
  g_autoptr(GpService) service = gp_service_new ("180d", TRUE, NULL);
  g_autoptr(GpAdvertisement) adv = gp_advertisement_new_for_connection (fx->conn, "/test/adv");
  g_autoptr(GpAgent) agent =
    gp_agent_new_for_connection (fx->conn, "/test/agent", GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);
  Objects o = { fx, { G_OBJECT (app), G_OBJECT (adv), G_OBJECT (agent) } };
  g_autoptr(GVariant) stats = NULL;
  guint64 failed = 0;

  g_assert_true (gp_application_add_service (app, service, NULL));
  gp_advertisement_set_local_name (adv, "Reregister");
  gp_application_register_async (app, NULL, NULL, NULL, NULL);
  gp_advertisement_start_async (adv, NULL, NULL, NULL, NULL);
  gp_agent_register_async (agent, TRUE, NULL, NULL, NULL);
  spin_until (all_back, &o, WAIT_MS);

  /* bluetoothd restarts; every attempt to register again fails but the
   * last, which it holds. */
  g_variant_unref (fake_control_call (fx, "FailRegistrations",
                                      g_variant_new ("(u)", GP_REGISTRATION_MAX_RETRIES), NULL));
  g_variant_unref (fake_control_call (fx, "Restart", NULL, NULL));
  spin_until (three_held, &o, WAIT_MS);
  g_assert_true (all_in_state (&o, GP_REGISTRATION_STATE_LOST));
  {
    g_autoptr(GVariant) reply = fake_control_call (fx, "GetStats", NULL, "(a{sv})");

    stats = g_variant_get_child_value (reply, 0);
    g_assert_true (g_variant_lookup (stats, "FailedRegistration", "t", &failed));
    /* The attempt held is the last one the library would make. */
    g_assert_cmpuint (failed, ==, 3 * GP_REGISTRATION_MAX_RETRIES);
  }

  /* It restarts again, and answers the held attempts only after the new
   * bluetoothd is there. */
  g_variant_unref (fake_control_call (fx, "RestartAnsweringHeld",
                                      g_variant_new ("(s)", "org.bluez.Error.Failed"), NULL));
  spin_until (all_back, &o, WAIT_MS);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/reregister/back-during-last-retry", FakeFixture, NULL, fake_fixture_setup,
              test_back_during_last_retry, fake_fixture_teardown);
  return g_test_run ();
}
