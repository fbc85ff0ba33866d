/* test-notify.c: notifications and indications against the fake BlueZ:
 * cancellation, full AcquireNotify sockets, who receives the values, and
 * an application running on a main context of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fake-fixture.h"
#include "gp-characteristic-private.h"

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct
{
  GpApplication    *app;
  GpService        *svc;
  GpCharacteristic *ntf;    /* notify (acquire-notify off, the default): PropertiesChanged */
  GpCharacteristic *sock;   /* notify, acquire-notify: a socket */
  GpCharacteristic *ind;    /* indicate only: awaits Confirm */
} Profile;

static void
profile_init (Profile     *p,
              FakeFixture *fx)
{
  g_autoptr(GError) error = NULL;

  p->app = gp_application_new_for_connection (fx->conn, "/test/notify");
  p->svc = gp_service_new ("180d", TRUE, &error);
  g_assert_no_error (error);
  p->ntf = add_chrc (p->svc, "2a37", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  g_assert_false (gp_characteristic_get_acquire_notify (p->ntf));
  p->sock = add_chrc (p->svc, "2a38", GP_CHARACTERISTIC_FLAGS_READ | GP_CHARACTERISTIC_FLAGS_NOTIFY);
  gp_characteristic_set_acquire_notify (p->sock, TRUE);
  p->ind = add_chrc (p->svc, "2a05", GP_CHARACTERISTIC_FLAGS_INDICATE);
  g_assert_true (gp_application_add_service (p->app, p->svc, &error));
  g_assert_no_error (error);
}

static void
profile_clear (Profile *p)
{
  g_clear_object (&p->app);
  g_clear_object (&p->svc);
}

static void
subscribe (FakeFixture      *fx,
           GpCharacteristic *chrc,
           guint16           ccc)
{
  g_assert_cmphex (fake_subscribe (fx, chrc, ccc), ==, 0);
  if (ccc != 0)
    spin_until (is_notifying, chrc, 5000);
  else
    spin_until (not_notifying, chrc, 5000);
}

static void
fake_void_call (FakeFixture *fx,
                const char  *method,
                GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = fake_call (fx, method, parameters, NULL, &error);

  g_assert_no_error (error);
}

/* What the central received for one handle: values in order. */
typedef struct
{
  FakeFixture *fx;
  guint16      handle;
  GPtrArray   *values;      /* of GBytes */
  guint        indications;
  guint        wanted;
} Received;

static void
received_init (Received         *r,
               FakeFixture      *fx,
               GpCharacteristic *chrc,
               guint             wanted)
{
  r->fx = fx;
  r->handle = fake_handle_of (fx, GP_ATTRIBUTE (chrc));
  r->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  r->indications = 0;
  r->wanted = wanted;
}

static gboolean
received_enough (gpointer data)
{
  Received *r = data;

  r->indications += fake_collect_notifications (r->fx, r->handle, r->values);
  return r->values->len >= r->wanted;
}

static guint8
received_byte (Received *r,
               guint     i)
{
  GBytes *b = g_ptr_array_index (r->values, i);

  g_assert_cmpuint (g_bytes_get_size (b), >=, 1);
  return ((const guint8 *) g_bytes_get_data (b, NULL))[0];
}

/* One send_value_async call and its outcome. */
typedef struct
{
  gboolean  finished;
  GError   *error;
  guint    *finished_count;
} Send;

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Send *s = user_data;

  g_assert_false (s->finished);
  gp_characteristic_send_value_finish (GP_CHARACTERISTIC (source), result, &s->error);
  s->finished = TRUE;
  if (s->finished_count != NULL)
    (*s->finished_count)++;
}

static void
send_byte (GpCharacteristic *chrc,
           guint8            byte,
           GCancellable     *cancellable,
           Send             *s)
{
  g_autoptr(GBytes) value = g_bytes_new (&byte, 1);

  gp_characteristic_send_value_async (chrc, value, cancellable, send_done, s);
}

static gboolean
send_finished (gpointer data)
{
  return ((Send *) data)->finished;
}

static void
send_clear (Send *s)
{
  g_clear_error (&s->error);
}

/* ---------------------------------------------------------------- */
/* Cancellation                                                       */

static gpointer
cancel_in_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

/* An indication awaits the central's confirmation: cancelling it, or one
 * queued behind it, completes the call at once. The queued value is never
 * sent; the one sent still holds the queue until its confirmation, and
 * the next values follow it. */
static void
test_cancel_indication (FakeFixture   *fx,
                        gconstpointer  data)
{
  Profile p = { 0 };
  Received r;
  Send a = { 0 }, b = { 0 }, c = { 0 };
  g_autoptr(GCancellable) ca = g_cancellable_new ();
  g_autoptr(GCancellable) cb = g_cancellable_new ();

  profile_init (&p, fx);
  fake_register (fx, p.app);
  subscribe (fx, p.ind, 0x0002);
  received_init (&r, fx, p.ind, 1);
  fake_void_call (fx, "SetAutoConfirm", g_variant_new ("(b)", FALSE));

  send_byte (p.ind, 'a', ca, &a);
  send_byte (p.ind, 'b', cb, &b);
  spin_until (received_enough, &r, 5000);
  g_assert_cmpuint (gp_characteristic_get_backlog (p.ind), ==, 1);

  /* The queued one, cancelled from another thread. */
  g_thread_join (g_thread_new ("cancel", cancel_in_thread, cb));
  spin_until (send_finished, &b, 5000);
  g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (gp_characteristic_get_backlog (p.ind), ==, 0);
  g_assert_false (a.finished);

  /* The one awaiting its confirmation. */
  g_cancellable_cancel (ca);
  spin_until (send_finished, &a, 5000);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The next one waits for the confirmation of the first, then goes. */
  send_byte (p.ind, 'c', NULL, &c);
  g_assert_cmpuint (gp_characteristic_get_backlog (p.ind), ==, 1);
  fake_void_call (fx, "ConfirmPending", g_variant_new ("(o)", fx->device));
  r.wanted = 2;
  spin_until (received_enough, &r, 5000);
  fake_void_call (fx, "ConfirmPending", g_variant_new ("(o)", fx->device));
  spin_until (send_finished, &c, 5000);
  g_assert_no_error (c.error);

  g_assert_cmpuint (r.values->len, ==, 2);
  g_assert_cmpuint (r.indications, ==, 2);
  g_assert_cmpuint (received_byte (&r, 0), ==, 'a');
  g_assert_cmpuint (received_byte (&r, 1), ==, 'c');

  send_clear (&a);
  send_clear (&b);
  send_clear (&c);
  g_ptr_array_unref (r.values);
  profile_clear (&p);
}

/* Notifications: a queued value cancelled is not sent, the others keep
 * their order, and one already sent completes as cancelled. */
static void
test_cancel_notification (FakeFixture   *fx,
                          gconstpointer  data)
{
  Profile p = { 0 };
  Received r;
  Send s[6] = { { 0 } };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) first = g_cancellable_new ();
  guint finished = 0;

  profile_init (&p, fx);
  gp_application_set_notification_window (p.app, 1);
  fake_register (fx, p.app);
  subscribe (fx, p.ntf, 0x0001);
  received_init (&r, fx, p.ntf, 5);

  /* The window takes the first at once; the others queue. */
  for (guint i = 0; i < G_N_ELEMENTS (s); i++)
    {
      s[i].finished_count = &finished;
      send_byte (p.ntf, '0' + i, i == 0 ? first : i == 2 ? cancellable : NULL, &s[i]);
    }
  g_assert_cmpuint (gp_characteristic_get_backlog (p.ntf), ==, 5);
  g_cancellable_cancel (first);
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (finished, ==, 0);

  spin_until (received_enough, &r, 5000);
  for (guint i = 0; i < G_N_ELEMENTS (s); i++)
    spin_until (send_finished, &s[i], 5000);

  g_assert_error (s[0].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (s[2].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < G_N_ELEMENTS (s); i++)
    if (i != 0 && i != 2)
      g_assert_no_error (s[i].error);
  /* The first had left already; the third never did. Every value sent
   * reached the fake before the round trips that completed the calls. */
  received_enough (&r);
  g_assert_cmpuint (r.values->len, ==, 5);
  g_assert_cmpuint (received_byte (&r, 0), ==, '0');
  g_assert_cmpuint (received_byte (&r, 1), ==, '1');
  g_assert_cmpuint (received_byte (&r, 2), ==, '3');
  g_assert_cmpuint (received_byte (&r, 3), ==, '4');
  g_assert_cmpuint (received_byte (&r, 4), ==, '5');

  for (guint i = 0; i < G_N_ELEMENTS (s); i++)
    send_clear (&s[i]);
  g_ptr_array_unref (r.values);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* AcquireNotify: a socket bluetoothd does not empty                  */

/* How many values a test may send to fill a socket: its send buffer
 * (net.core.wmem_default, 208 KiB here) holds a few hundred. */
#define MAX_FILL 20000
#define FILL_BATCH 200

typedef struct
{
  GpCharacteristic *chrc;
  Send             *s;          /* MAX_FILL of them */
  guint             total;      /* values sent */
  guint             finished;   /* calls completed */
} Stream;

static void
stream_init (Stream           *st,
             GpCharacteristic *chrc)
{
  st->chrc = chrc;
  st->s = g_new0 (Send, MAX_FILL);
  st->total = 0;
  st->finished = 0;
}

static void
stream_clear (Stream *st)
{
  for (guint i = 0; i < st->total; i++)
    send_clear (&st->s[i]);
  g_free (st->s);
}

static void
send_numbered (Stream *st)
{
  Send *s = &st->s[st->total];
  guint8 v[2] = { st->total & 0xff, st->total >> 8 };
  g_autoptr(GBytes) value = g_bytes_new (v, 2);

  s->finished_count = &st->finished;
  st->total++;
  gp_characteristic_send_value_async (st->chrc, value, NULL, send_done, s);
}

static guint
received_number (Received *r,
                 guint     i)
{
  GBytes *b = g_ptr_array_index (r->values, i);
  const guint8 *v = g_bytes_get_data (b, NULL);

  g_assert_cmpuint (g_bytes_get_size (b), ==, 2);
  return v[0] | (v[1] << 8);
}

/* Every value is either reported sent or still waiting (the backlog
 * counts the one a full socket owes). */
static gboolean
stream_settled (gpointer data)
{
  Stream *st = data;

  return st->finished + gp_characteristic_get_backlog (st->chrc) == st->total;
}

static gboolean
stream_finished (gpointer data)
{
  Stream *st = data;

  return st->finished == st->total;
}

/* Sends values while bluetoothd does not read, until some wait: what the
 * socket took is reported sent, the rest waits, none is lost. */
static void
fill_socket (Stream *st)
{
  while (st->total + FILL_BATCH <= MAX_FILL)
    {
      for (guint i = 0; i < FILL_BATCH; i++)
        send_numbered (st);
      spin_until (stream_settled, st, 10000);
      if (gp_characteristic_get_backlog (st->chrc) > 0)
        break;
    }
  g_assert_cmpuint (gp_characteristic_get_backlog (st->chrc), >, 0);
  for (guint i = 0; i < st->total; i++)
    {
      g_assert_true (st->s[i].finished == (i < st->finished));
      g_assert_no_error (st->s[i].error);
    }
}

/* A central subscribed over a socket that bluetoothd stopped reading. */
static void
start_full_socket (FakeFixture *fx,
                   Profile     *p,
                   Stream      *st)
{
  profile_init (p, fx);
  stream_init (st, p->sock);
  fake_register (fx, p->app);
  subscribe (fx, p->sock, 0x0001);

  fake_void_call (fx, "SetNotifyReading", g_variant_new ("(b)", FALSE));
  fill_socket (st);
}

static void
test_acquired_full_socket (FakeFixture   *fx,
                           gconstpointer  data)
{
  Profile p = { 0 };
  Received r;
  Stream st;

  start_full_socket (fx, &p, &st);

  /* bluetoothd reads again: everything arrives, in order. */
  fake_void_call (fx, "SetNotifyReading", g_variant_new ("(b)", TRUE));
  spin_until (stream_finished, &st, 10000);
  received_init (&r, fx, p.sock, st.total);
  spin_until (received_enough, &r, 10000);
  g_assert_cmpuint (r.values->len, ==, st.total);
  for (guint i = 0; i < st.total; i++)
    {
      g_assert_no_error (st.s[i].error);
      g_assert_cmpuint (received_number (&r, i), ==, i);
    }
  g_assert_cmpuint (gp_characteristic_get_backlog (p.sock), ==, 0);

  stream_clear (&st);
  g_ptr_array_unref (r.values);
  profile_clear (&p);
}

/* The socket closes while values wait for room: they fail, clearly. */
static void
test_acquired_closed_while_full (FakeFixture   *fx,
                                 gconstpointer  data)
{
  Profile p = { 0 };
  Stream st;
  guint sent;

  start_full_socket (fx, &p, &st);
  sent = st.finished;

  /* The central unsubscribes: bluetoothd closes its end. */
  subscribe (fx, p.sock, 0x0000);
  spin_until (stream_finished, &st, 5000);
  for (guint i = 0; i < st.total; i++)
    {
      if (i < sent)
        g_assert_no_error (st.s[i].error);
      else
        g_assert_error (st.s[i].error, GP_ERROR, GP_ERROR_NOT_CONNECTED);
    }
  g_assert_cmpuint (gp_characteristic_get_backlog (p.sock), ==, 0);

  stream_clear (&st);
  profile_clear (&p);
}

/* Values set (coalescing) as fast as the loop allows, over a socket that
 * fills and drains again and again: what bluetoothd reads is strictly
 * increasing, every value the characteristic did not coalesce arrives,
 * and the last value set arrives (nothing stalls). */
#define FLOOD_ROUNDS 8
#define FLOOD_BATCH 50
#define FLOOD_DRAINED 20

typedef struct
{
  FakeFixture      *fx;
  GpCharacteristic *chrc;
  guint32           counter;
  guint64           sets;
  GPtrArray        *received;   /* of GBytes, as bluetoothd read them */
  guint             mark;
} Flood;

static void
flood_set (Flood *f,
           guint  n)
{
  for (guint i = 0; i < n; i++)
    {
      guint8 v[4] = { f->counter & 0xff, (f->counter >> 8) & 0xff,
                      (f->counter >> 16) & 0xff, f->counter >> 24 };
      g_autoptr(GBytes) value = g_bytes_new (v, sizeof v);
      g_autoptr(GError) error = NULL;

      g_assert_true (gp_attribute_set_value (GP_ATTRIBUTE (f->chrc), value, &error));
      g_assert_no_error (error);
      f->counter++;
      f->sets++;
    }
}

static guint32
flood_received (Flood *f,
                guint  i)
{
  GBytes *b = g_ptr_array_index (f->received, i);
  const guint8 *v = g_bytes_get_data (b, NULL);

  g_assert_cmpuint (g_bytes_get_size (b), ==, 4);
  return v[0] | (v[1] << 8) | (v[2] << 16) | ((guint32) v[3] << 24);
}

static void
flood_collect (Flood *f)
{
  fake_collect_notifications (f->fx, fake_handle_of (f->fx, GP_ATTRIBUTE (f->chrc)), f->received);
}

/* bluetoothd does not read: set values until one waits for room (the
 * socket owes one value and a newer one is queued behind it). */
static gboolean
flood_until_blocked (gpointer data)
{
  Flood *f = data;

  if (gp_characteristic_get_backlog (f->chrc) >= 2)
    return TRUE;
  flood_set (f, FLOOD_BATCH);
  return FALSE;
}

/* bluetoothd reads again: keep setting values until it read some more. */
static gboolean
flood_until_drained_some (gpointer data)
{
  Flood *f = data;

  flood_collect (f);
  if (f->received->len >= f->mark + FLOOD_DRAINED)
    return TRUE;
  flood_set (f, FLOOD_BATCH);
  return FALSE;
}

static gboolean
flood_last_arrived (gpointer data)
{
  Flood *f = data;

  flood_collect (f);
  return f->received->len > 0 &&
         flood_received (f, f->received->len - 1) == f->counter - 1;
}

static void
test_acquired_flood_coalescing (FakeFixture   *fx,
                                gconstpointer  data)
{
  Profile p = { 0 };
  Flood f = { 0 };

  profile_init (&p, fx);
  fake_register (fx, p.app);
  subscribe (fx, p.sock, 0x0001);
  f.fx = fx;
  f.chrc = p.sock;
  f.received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint round = 0; round < FLOOD_ROUNDS; round++)
    {
      fake_void_call (fx, "SetNotifyReading", g_variant_new ("(b)", FALSE));
      spin_until (flood_until_blocked, &f, 10000);
      fake_void_call (fx, "SetNotifyReading", g_variant_new ("(b)", TRUE));
      f.mark = f.received->len;
      spin_until (flood_until_drained_some, &f, 10000);
    }

  /* The flood stops: its last value arrives, after all the others. */
  flood_set (&f, 1);
  spin_until (flood_last_arrived, &f, 10000);
  g_assert_cmpuint (gp_characteristic_get_backlog (p.sock), ==, 0);

  for (guint i = 1; i < f.received->len; i++)
    g_assert_cmpuint (flood_received (&f, i - 1), <, flood_received (&f, i));
  /* Every value that was not replaced by a newer one was sent, once. */
  g_assert_cmpuint (f.received->len, ==, f.sets - gp_characteristic_get_coalesced (p.sock));

  g_ptr_array_unref (f.received);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* Privacy: values go to bluetoothd only                              */

typedef struct
{
  guint values;
  guint markers;
} Observed;

static void
on_observed (GDBusConnection *connection,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *member,
             GVariant        *parameters,
             gpointer         user_data)
{
  Observed *o = user_data;

  if (strcmp (member, "PropertiesChanged") == 0)
    o->values++;
  else if (strcmp (member, "Marker") == 0)
    o->markers++;
}

static gboolean
marker_seen (gpointer data)
{
  return ((Observed *) data)->markers > 0;
}

static void
test_values_unicast (FakeFixture   *fx,
                     gconstpointer  data)
{
  Profile p = { 0 };
  Received r;
  Observed o = { 0 };
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GVariant) bus_id = NULL;
  g_autoptr(GError) error = NULL;
  guint sub_values, sub_marker;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  subscribe (fx, p.ntf, 0x0001);
  received_init (&r, fx, p.ntf, 10);

  /* Another local process, with a match rule for every PropertiesChanged
   * of the application's connection. */
  other = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fx->bus),
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  sub_values = g_dbus_connection_signal_subscribe (other, g_dbus_connection_get_unique_name (fx->conn),
                                                   "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                                   NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                   on_observed, &o, NULL);
  sub_marker = g_dbus_connection_signal_subscribe (other, g_dbus_connection_get_unique_name (fx->conn),
                                                   "org.gattperiph.Test", "Marker",
                                                   NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                   on_observed, &o, NULL);
  /* The match rules are in place once a round trip to the bus returned. */
  bus_id = g_dbus_connection_call_sync (other, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetId", NULL, NULL,
                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 10; i++)
    {
      guint8 v[2] = { i, 0xee };
      g_autoptr(GBytes) value = g_bytes_new (v, 2);
      Send s = { 0 };

      gp_characteristic_send_value_async (p.ntf, value, NULL, send_done, &s);
      spin_until (send_finished, &s, 5000);
      g_assert_no_error (s.error);
    }
  /* bluetoothd got them all. */
  spin_until (received_enough, &r, 5000);

  /* A broadcast after the values: when the observer has it, it has every
   * signal the bus routed to it before (the bus keeps their order). */
  g_dbus_connection_emit_signal (fx->conn, NULL, "/test", "org.gattperiph.Test", "Marker",
                                 NULL, &error);
  g_assert_no_error (error);
  spin_until (marker_seen, &o, 5000);
  g_assert_cmpuint (o.values, ==, 0);

  g_dbus_connection_signal_unsubscribe (other, sub_values);
  g_dbus_connection_signal_unsubscribe (other, sub_marker);
  g_dbus_connection_close_sync (other, NULL, NULL);
  g_ptr_array_unref (r.values);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* acquire-notify while registered                                    */

static void
test_acquire_notify_registered (FakeFixture   *fx,
                                gconstpointer  data)
{
  Profile p = { 0 };
  guint64 acquired;

  profile_init (&p, fx);
  fake_register (fx, p.app);

  /* BlueZ read the tree: the change is refused, and says why. */
  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL,
                         "*Cannot change acquire-notify while application /test/notify is registered*");
  gp_characteristic_set_acquire_notify (p.ntf, TRUE);
  g_test_assert_expected_messages ();
  g_assert_false (gp_characteristic_get_acquire_notify (p.ntf));

  g_test_expect_message ("GattPeriph", G_LOG_LEVEL_CRITICAL, "*Cannot change acquire-notify*");
  g_object_set (p.sock, "acquire-notify", FALSE, NULL);
  g_test_assert_expected_messages ();
  g_assert_true (gp_characteristic_get_acquire_notify (p.sock));

  /* Subscriptions use what BlueZ was told. */
  acquired = fake_stat (fx, "AcquireNotify");
  subscribe (fx, p.ntf, 0x0001);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquired);
  subscribe (fx, p.ntf, 0x0000);

  /* Unregistered, it can change, and the next registration applies it. */
  fake_unregister (fx, p.app);
  gp_characteristic_set_acquire_notify (p.ntf, TRUE);
  g_assert_true (gp_characteristic_get_acquire_notify (p.ntf));
  fake_register (fx, p.app);
  subscribe (fx, p.ntf, 0x0001);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquired + 1);

  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* AcquireNotify failing                                              */

/* The application cannot make a socket (here: no file descriptor is
 * left). Its error makes bluetoothd call StartNotify instead (any error
 * but org.bluez.Error.Failed or no answer does: acquire_notify_reply() of
 * 5.66 and 5.82), and the values go as signals. */
static void
test_acquire_notify_fails (FakeFixture   *fx,
                           gconstpointer  data)
{
  Profile p = { 0 };
  Received r;
  Send s = { 0 };
  struct rlimit saved, limited;
  guint64 acquired, started;
  int lowest;

  profile_init (&p, fx);
  fake_register (fx, p.app);
  received_init (&r, fx, p.sock, 2);
  acquired = fake_stat (fx, "AcquireNotify");
  started = fake_stat (fx, "StartNotify");

  /* No descriptor below the limit is free: socketpair() fails (EMFILE). */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  lowest = dup (STDERR_FILENO);
  g_assert_cmpint (lowest, >=, 0);
  close (lowest);
  limited = saved;
  limited.rlim_cur = lowest;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limited), ==, 0);
  g_assert_cmphex (fake_subscribe (fx, p.sock, 0x0001), ==, 0);
  fake_wait_stat (fx, "StartNotify", started + 1, 5000);
  spin_until (is_notifying, p.sock, 5000);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquired + 1);

  /* The signal path: send_value_async and set_value alike. */
  send_byte (p.sock, 0x42, NULL, &s);
  spin_until (send_finished, &s, 5000);
  g_assert_no_error (s.error);
  gp_attribute_set_value_data (GP_ATTRIBUTE (p.sock), (const guint8 *) "\x43", 1, NULL);
  spin_until (received_enough, &r, 5000);
  g_assert_cmpuint (r.values->len, ==, 2);
  g_assert_cmpuint (received_byte (&r, 0), ==, 0x42);
  g_assert_cmpuint (received_byte (&r, 1), ==, 0x43);
  g_assert_cmpuint (fake_stat (fx, "NotifyFdRead"), ==, 0);

  /* The central unsubscribes (StopNotify), subscribes again: a socket now. */
  subscribe (fx, p.sock, 0x0000);
  subscribe (fx, p.sock, 0x0001);
  g_assert_cmpuint (fake_stat (fx, "AcquireNotify"), ==, acquired + 2);
  send_clear (&s);
  s.finished = FALSE;
  send_byte (p.sock, 0x44, NULL, &s);
  spin_until (send_finished, &s, 5000);
  g_assert_no_error (s.error);
  r.wanted = 3;
  spin_until (received_enough, &r, 5000);
  g_assert_cmpuint (received_byte (&r, 2), ==, 0x44);
  g_assert_cmpuint (fake_stat (fx, "NotifyFdRead"), ==, 1);

  send_clear (&s);
  fake_unregister (fx, p.app);
  g_ptr_array_unref (r.values);
  profile_clear (&p);
}

/* ---------------------------------------------------------------- */
/* An application on a main context of its own                        */

static gpointer
run_on_own_context (gpointer data)
{
  FakeFixture *fx = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Profile p = { 0 };
  Received r, rs;
  Send s = { 0 };

  g_main_context_push_thread_default (context);

  profile_init (&p, fx);
  fake_register (fx, p.app);

  /* Paced notifications: the round trips complete on this context. */
  subscribe (fx, p.ntf, 0x0001);
  received_init (&r, fx, p.ntf, 50);
  gp_application_set_notification_window (p.app, 4);
  for (guint i = 0; i < 50; i++)
    {
      Send each = { 0 };

      send_byte (p.ntf, i, NULL, &each);
      spin_until (send_finished, &each, 5000);
      g_assert_no_error (each.error);
    }
  spin_until (received_enough, &r, 5000);

  /* Over the socket, then bluetoothd closes it: the hang-up is seen. */
  subscribe (fx, p.sock, 0x0001);
  received_init (&rs, fx, p.sock, 1);
  send_byte (p.sock, 0x42, NULL, &s);
  spin_until (send_finished, &s, 5000);
  g_assert_no_error (s.error);
  spin_until (received_enough, &rs, 5000);
  subscribe (fx, p.sock, 0x0000);
  send_clear (&s);
  s.finished = FALSE;

  /* Indications: confirmed, and not confirmed in time. */
  subscribe (fx, p.ind, 0x0002);
  send_byte (p.ind, 1, NULL, &s);
  spin_until (send_finished, &s, 5000);
  g_assert_no_error (s.error);
  s.finished = FALSE;

  fake_void_call (fx, "SetAutoConfirm", g_variant_new ("(b)", FALSE));
  gp_characteristic_set_confirm_timeout (p.ind, 200);
  send_byte (p.ind, 2, NULL, &s);
  spin_until (send_finished, &s, 5000);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  send_clear (&s);

  fake_unregister (fx, p.app);
  g_ptr_array_unref (r.values);
  g_ptr_array_unref (rs.values);
  profile_clear (&p);

  g_main_context_pop_thread_default (context);
  return NULL;
}

/* The global default context is never iterated meanwhile: anything the
 * library attached there would never run. */
static void
test_own_context (FakeFixture   *fx,
                  gconstpointer  data)
{
  g_thread_join (g_thread_new ("application", run_on_own_context, fx));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, FakeFixture, NULL, fake_fixture_setup, fn, fake_fixture_teardown)
  ADD ("/notify/cancel/indication", test_cancel_indication);
  ADD ("/notify/cancel/notification", test_cancel_notification);
  ADD ("/notify/acquired/full-socket", test_acquired_full_socket);
  ADD ("/notify/acquired/closed-while-full", test_acquired_closed_while_full);
  ADD ("/notify/acquired/flood-coalescing", test_acquired_flood_coalescing);
  ADD ("/notify/privacy/unicast", test_values_unicast);
  ADD ("/notify/acquire-notify/registered", test_acquire_notify_registered);
  ADD ("/notify/acquire-notify/fails", test_acquire_notify_fails);
  ADD ("/notify/own-context", test_own_context);
#undef ADD

  return g_test_run ();
}
