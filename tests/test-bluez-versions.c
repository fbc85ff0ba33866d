/* test-bluez-versions.c: AcquireNotify sockets as bluetoothd 5.66 and 5.82
 * handle them, each test run against the fake BlueZ playing both (whatever
 * FAKEBLUEZ_BLUEZ says): one socket for every central (5.66), or one per
 * central with a confirmation byte per confirmed indication (5.82).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"

static gboolean
is_582 (gconstpointer data)
{
  return g_str_equal (data, "5.82");
}

static void
setup (FakeFixture   *fx,
       gconstpointer  data)
{
  const char *args[] = { "--bluez", data, NULL };

  fake_fixture_setup_with_args (fx, args);
}

typedef struct
{
  GpApplication    *app;
  GpService        *svc;
  GpCharacteristic *chrc;   /* notify and indicate, over a socket (or not) */
} Profile;

static void
profile_init_path (Profile     *p,
                   FakeFixture *fx,
                   gboolean     socket)
{
  g_autoptr(GError) error = NULL;

  p->app = gp_application_new_for_connection (fx->conn, "/test/versions");
  p->svc = gp_service_new ("180d", TRUE, &error);
  g_assert_no_error (error);
  p->chrc = add_chrc (p->svc, "2a38", GP_CHARACTERISTIC_FLAGS_READ |
                                      GP_CHARACTERISTIC_FLAGS_NOTIFY |
                                      GP_CHARACTERISTIC_FLAGS_INDICATE);
  gp_characteristic_set_acquire_notify (p->chrc, socket);
  g_assert_true (gp_application_add_service (p->app, p->svc, &error));
  g_assert_no_error (error);
  fake_register (fx, p->app);
}

static void
profile_init (Profile     *p,
              FakeFixture *fx)
{
  profile_init_path (p, fx, TRUE);
}

static void
profile_clear (Profile *p)
{
  g_clear_object (&p->app);
  g_clear_object (&p->svc);
}

/* A second central, connected. */
static char *
add_central (FakeFixture *fx,
             const char  *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "AddDevice", g_variant_new ("(sss)", "hci0", address, "central"),
                                         "(o)", &error);
  g_autoptr(GVariant) done = NULL;
  char *path;

  g_assert_no_error (error);
  g_variant_get (reply, "(o)", &path);
  done = fake_call (fx, "SetDeviceProperty",
                    g_variant_new ("(osv)", path, "Connected", g_variant_new_boolean (TRUE)),
                    NULL, &error);
  g_assert_no_error (error);
  return path;
}

static void
set_connected (FakeFixture *fx,
               const char  *device,
               gboolean     connected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) done = fake_call (fx, "SetDeviceProperty",
                                        g_variant_new ("(osv)", device, "Connected",
                                                       g_variant_new_boolean (connected)),
                                        NULL, &error);

  g_assert_no_error (error);
}

static void
subscribe_from (FakeFixture      *fx,
                const char       *device,
                GpCharacteristic *chrc,
                guint16           ccc)
{
  guint8 le[2] = { ccc & 0xff, ccc >> 8 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    fake_call (fx, "Write",
               g_variant_new ("(oqq@ays)", device, fake_ccc_handle_of (fx, chrc), 0,
                              g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, le, 2, 1), "request"),
               "(y)", &error);
  guint8 att;

  g_assert_no_error (error);
  g_variant_get (reply, "(y)", &att);
  g_assert_cmphex (att, ==, 0);
}

/* The values (as GBytes) @device received for @handle so far. */
static void
collect (FakeFixture *fx,
         const char  *device,
         guint16      handle,
         GPtrArray   *values)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, "TakeNotifications", g_variant_new ("(o)", device),
                                         "(a(qayb))", &error);
  g_autoptr(GVariant) list = NULL;
  GVariantIter iter;
  GVariant *value;
  guint16 h;
  gboolean indication;

  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, list);
  while (g_variant_iter_loop (&iter, "(q@ayb)", &h, &value, &indication))
    if (h == handle)
      g_ptr_array_add (values, g_variant_get_data_as_bytes (value));
}

typedef struct
{
  guint   done;
  GError *error;
} Sent;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sent *s = user_data;
  g_autoptr(GError) error = NULL;

  s->done++;
  if (!gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &error) &&
      s->error == NULL)
    s->error = g_steal_pointer (&error);
}

typedef struct
{
  Sent  sent;
  guint expected;
} Sending;

static gboolean
all_sent (gpointer data)
{
  Sending *s = data;

  return s->sent.done == s->expected;
}

/* Sends @n values, numbered from @first, and waits until bluetoothd took
 * them all. */
static void
send_values (GpCharacteristic *chrc,
             guint             first,
             guint             n)
{
  Sending s = { { 0 }, n };

  for (guint i = 0; i < n; i++)
    {
      guint8 v[2] = { (first + i) & 0xff, (first + i) >> 8 };
      g_autoptr(GBytes) value = g_bytes_new (v, sizeof v);

      gp_characteristic_send_value_async (chrc, value, NULL, on_sent, &s.sent);
    }
  spin_until (all_sent, &s, 30000);
  g_assert_no_error (s.sent.error);
}

typedef struct
{
  FakeFixture *fx;
  const char  *device;
  guint16      handle;
  GPtrArray   *values;
  guint        expected;
} Receiving;

static gboolean
received_all (gpointer data)
{
  Receiving *r = data;

  collect (r->fx, r->device, r->handle, r->values);
  return r->values->len >= r->expected;
}

/* Waits until @device received @n more values, and checks they are the
 * values numbered from @first, in order, each once. */
static void
expect_values (FakeFixture      *fx,
               const char       *device,
               GpCharacteristic *chrc,
               guint             first,
               guint             n)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Receiving r = { fx, device, fake_handle_of (fx, GP_ATTRIBUTE (chrc)), values, n };

  spin_until (received_all, &r, 30000);
  g_assert_cmpuint (values->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      gsize len;
      const guint8 *v = g_bytes_get_data (values->pdata[i], &len);

      g_assert_cmpuint (len, ==, 2);
      g_assert_cmpuint (v[0] | (v[1] << 8), ==, first + i);
    }
}

/* Every confirmation was written as a byte, or merged into the byte
 * bluetoothd was waiting to write. */
static gboolean
confirmations_written (gpointer data)
{
  FakeStatWait *s = data;

  return fake_stat (s->fx, "NotifyFdConfirmWritten") + fake_stat (s->fx, "NotifyFdConfirmMerged") >=
         s->n;
}

/* ---------------------------------------------------------------- */

/* A central subscribed for indications confirms each. bluetoothd 5.66
 * calls Confirm(); 5.80 and later write a byte into the socket instead.
 * More confirmations than an unread socket holds (278 one-byte datagrams
 * with Linux's default buffer): the library must read them, or
 * bluetoothd's confirmations stall (and sit in the kernel) after that. */
#define INDICATIONS 400

static void
test_indication_confirmations (FakeFixture   *fx,
                               gconstpointer  data)
{
  Profile p = { 0 };
  FakeStatWait confirmed = { fx, NULL, INDICATIONS };

  profile_init (&p, fx);
  subscribe_from (fx, fx->device, p.chrc, 0x0002);
  spin_until (is_notifying, p.chrc, 5000);

  send_values (p.chrc, 0, INDICATIONS);
  expect_values (fx, fx->device, p.chrc, 0, INDICATIONS);

  if (is_582 (data))
    {
      confirmed.name = "NotifyFdConfirm";
      spin_until (fake_stat_reached, &confirmed, 30000);
      /* The library read the bytes: bluetoothd's write handler, which
       * takes the confirmations that come while it waits for room into
       * its one byte, got room for its last byte. */
      spin_until (confirmations_written, &confirmed, 30000);
      g_assert_cmpuint (fake_stat (fx, "NotifyFdConfirmWritten"), >, 0);
      g_assert_cmpuint (fake_stat (fx, "Confirm"), ==, 0);
    }
  else
    {
      confirmed.name = "Confirm";
      spin_until (fake_stat_reached, &confirmed, 30000);
      g_assert_cmpuint (fake_stat (fx, "NotifyFdConfirm"), ==, 0);
    }
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, 1);

  /* The socket still works, and the reading did not end the
   * subscription. */
  g_assert_true (gp_characteristic_get_notifying (p.chrc));
  send_values (p.chrc, INDICATIONS, 3);
  expect_values (fx, fx->device, p.chrc, INDICATIONS, 3);

  profile_clear (&p);
}

/* The fixture's central, then a second one, subscribe: 5.66 acquires one
 * socket for both, 5.82 one each. Each gets every value (0 to 9) once.
 * Returns the second central. */
static char *
two_subscribed (FakeFixture   *fx,
                Profile       *p,
                gconstpointer  data)
{
  char *second;
  FakeStatWait acquired = { fx, "AcquireNotify", is_582 (data) ? 2 : 1 };

  profile_init (p, fx);
  second = add_central (fx, "11:22:33:44:55:77");
  subscribe_from (fx, fx->device, p->chrc, 0x0001);
  spin_until (is_notifying, p->chrc, 5000);
  subscribe_from (fx, second, p->chrc, 0x0001);
  spin_until (fake_stat_reached, &acquired, 5000);

  send_values (p->chrc, 0, 10);
  expect_values (fx, fx->device, p->chrc, 0, 10);
  expect_values (fx, second, p->chrc, 0, 10);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquired.n);
  return second;
}

/* When the central that subscribed first goes, the other keeps
 * receiving. */
static void
test_two_centrals_first_leaves (FakeFixture   *fx,
                                gconstpointer  data)
{
  Profile p = { 0 };
  g_autofree char *second = two_subscribed (fx, &p, data);

  set_connected (fx, fx->device, FALSE);
  send_values (p.chrc, 10, 10);
  expect_values (fx, second, p.chrc, 10, 10);
  g_assert_true (gp_characteristic_get_notifying (p.chrc));

  /* The last one goes: the subscription ends (5.66 counts it, 5.82
   * closes its socket). */
  set_connected (fx, second, FALSE);
  spin_until (not_notifying, p.chrc, 5000);

  profile_clear (&p);
}

/* The central that subscribed second goes. 5.66: the other keeps
 * receiving over the one socket. 5.82 (up to 5.87 at least, bluez#1452):
 * bluetoothd's CCC reset for the leaving central closes the first socket
 * in its list, the other central's, as well as the leaving central's own:
 * the library sees both close and the subscription ends, though the
 * remaining central's CCC is still set. */
static void
test_two_centrals_second_leaves (FakeFixture   *fx,
                                 gconstpointer  data)
{
  Profile p = { 0 };
  g_autofree char *second = two_subscribed (fx, &p, data);

  set_connected (fx, second, FALSE);
  if (is_582 (data))
    {
      spin_until (not_notifying, p.chrc, 5000);
      /* Unsubscribing and subscribing again brings the socket back. */
      subscribe_from (fx, fx->device, p.chrc, 0x0000);
      subscribe_from (fx, fx->device, p.chrc, 0x0001);
      spin_until (is_notifying, p.chrc, 5000);
    }
  send_values (p.chrc, 10, 5);
  expect_values (fx, fx->device, p.chrc, 10, 5);
  g_assert_true (gp_characteristic_get_notifying (p.chrc));

  profile_clear (&p);
}

/* A bonded central disconnects and comes back, writing its CCC again as
 * centrals do (the same value: bluetoothd answers it and calls nothing).
 * Its subscription survived in bluetoothd (docs/bluez-quirks.md). On the
 * signal path, and over 5.66's one socket (which a bonded central's
 * leaving does not close, bluez#460), the values keep reaching it. From
 * 5.69 bluetoothd shuts down its socket when it disconnects, bonded or
 * not, and acquires no new one at the reconnection: the subscription ends
 * for the library, and the central gets nothing until it unsubscribes
 * and subscribes again. A reason to turn acquire-notify off for bonded
 * centrals (docs/notifications.md). */
static void
test_bonded_reconnects (FakeFixture   *fx,
                        gconstpointer  data,
                        gboolean       socket)
{
  Profile p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) done = NULL;
  gboolean lost = socket && is_582 (data);

  profile_init_path (&p, fx, socket);
  done = fake_call (fx, "SetDeviceProperty",
                    g_variant_new ("(osv)", fx->device, "Bonded", g_variant_new_boolean (TRUE)),
                    NULL, &error);
  g_assert_no_error (error);
  subscribe_from (fx, fx->device, p.chrc, 0x0001);
  spin_until (is_notifying, p.chrc, 5000);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, socket ? 1 : 0);
  send_values (p.chrc, 0, 5);
  expect_values (fx, fx->device, p.chrc, 0, 5);

  set_connected (fx, fx->device, FALSE);
  if (lost)
    spin_until (not_notifying, p.chrc, 5000);
  set_connected (fx, fx->device, TRUE);
  subscribe_from (fx, fx->device, p.chrc, 0x0001);
  spin_for (100);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, socket ? 1 : 0);
  g_assert_cmpint (gp_characteristic_get_notifying (p.chrc), ==, !lost);

  if (lost)
    {
      subscribe_from (fx, fx->device, p.chrc, 0x0000);
      subscribe_from (fx, fx->device, p.chrc, 0x0001);
      spin_until (is_notifying, p.chrc, 5000);
      g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, 2);
    }
  send_values (p.chrc, 5, 5);
  expect_values (fx, fx->device, p.chrc, 5, 5);

  profile_clear (&p);
}

static void
test_bonded_reconnects_socket (FakeFixture   *fx,
                               gconstpointer  data)
{
  test_bonded_reconnects (fx, data, TRUE);
}

static void
test_bonded_reconnects_signals (FakeFixture   *fx,
                                gconstpointer  data)
{
  test_bonded_reconnects (fx, data, FALSE);
}

int
main (int argc, char **argv)
{
  static const char *const versions[] = { "5.66", "5.82" };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *a = g_strdup_printf ("/bluez-versions/%s/acquire-notify/indication-confirmations", versions[i]);
      g_autofree char *b = g_strdup_printf ("/bluez-versions/%s/acquire-notify/two-centrals-first-leaves", versions[i]);
      g_autofree char *c = g_strdup_printf ("/bluez-versions/%s/acquire-notify/two-centrals-second-leaves", versions[i]);

      g_test_add (a, FakeFixture, versions[i], setup, test_indication_confirmations, fake_fixture_teardown);
      g_test_add (b, FakeFixture, versions[i], setup, test_two_centrals_first_leaves, fake_fixture_teardown);
      g_autofree char *d = g_strdup_printf ("/bluez-versions/%s/acquire-notify/bonded-reconnects", versions[i]);
      g_autofree char *e = g_strdup_printf ("/bluez-versions/%s/signals/bonded-reconnects", versions[i]);

      g_test_add (c, FakeFixture, versions[i], setup, test_two_centrals_second_leaves, fake_fixture_teardown);
      g_test_add (d, FakeFixture, versions[i], setup, test_bonded_reconnects_socket, fake_fixture_teardown);
      g_test_add (e, FakeFixture, versions[i], setup, test_bonded_reconnects_signals, fake_fixture_teardown);
    }

  return g_test_run ();
}
