/* fake-fixture.h: a private bus with the fake BlueZ, for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gattperiph.h>

typedef struct
{
  GTestDBus       *bus;
  GDBusConnection *conn;      /* the application's connection */
  GSubprocess     *fake;
  char            *device;    /* a connected central */
} FakeFixture;

/* g_test_dbus_up(), and a crash of the test is seen at once (see the .c). */
void        fake_test_dbus_up       (GTestDBus     *bus);
void        fake_fixture_setup      (FakeFixture   *fx,
                                     gconstpointer  data);
void        fake_fixture_teardown   (FakeFixture   *fx,
                                     gconstpointer  data);

/* Calls the fake's control interface, spinning the main context (the
 * application answers BlueZ's calls meanwhile). */
GVariant   *fake_call               (FakeFixture   *fx,
                                     const char    *method,
                                     GVariant      *parameters,
                                     const char    *reply_type,
                                     GError       **error);

/* The same through the fake's own name, which stays while org.bluez
 * changes hands (Restart, Stop); asserts success. */
GVariant   *fake_control_call       (FakeFixture   *fx,
                                     const char    *method,
                                     GVariant      *parameters,
                                     const char    *reply_type);
/* How many entries the fake's list getter @method (e.g. GetApplications,
 * replying "(a…)") returns; a synchronous call, safe in spin_until(). */
guint       fake_control_count      (FakeFixture   *fx,
                                     const char    *method,
                                     const char    *reply_type);

void        fake_register           (FakeFixture   *fx,
                                     GpApplication *app);
gboolean    fake_register_error     (FakeFixture   *fx,
                                     GpApplication *app,
                                     GError       **error);
void        fake_unregister         (FakeFixture   *fx,
                                     GpApplication *app);

/* The database entry (a{sv}) of the attribute exported at @path, with
 * @type ("value" for a characteristic's value). */
GVariant   *fake_db_entry           (FakeFixture   *fx,
                                     const char    *path,
                                     const char    *type);
guint16     fake_handle_of          (FakeFixture   *fx,
                                     GpAttribute   *attr);
guint16     fake_ccc_handle_of      (FakeFixture   *fx,
                                     GpCharacteristic *chrc);

/* Central operations; return the ATT error (0 = success). */
guint8      fake_read               (FakeFixture   *fx,
                                     guint16        handle,
                                     guint16        offset,
                                     guint16        mtu,
                                     GBytes       **out_value);
guint8      fake_write              (FakeFixture   *fx,
                                     guint16        handle,
                                     guint16        offset,
                                     GBytes        *value,
                                     const char    *kind);
guint8      fake_subscribe          (FakeFixture   *fx,
                                     GpCharacteristic *chrc,
                                     guint16        ccc_value);
/* Drained notifications: a(qayb). */
GVariant   *fake_take_notifications (FakeFixture   *fx);
/* Drains notifications, appending the values (GBytes) for @handle (0: any)
 * to @values; returns how many of them were indications. */
guint       fake_collect_notifications (FakeFixture *fx,
                                     guint16        handle,
                                     GPtrArray     *values);

void        spin_until_impl         (gboolean     (*cond) (gpointer),
                                     gpointer       data,
                                     guint          timeout_ms,
                                     const char    *what);
#define spin_until(cond, data, timeout_ms) spin_until_impl (cond, data, timeout_ms, #cond)
/* How often spin_until() evaluates its condition again when nothing else
 * woke the thread's main context. */
#define SPIN_LOOK_AGAIN_MS 50
void        spin_for                (guint          ms);
/* SIGSTOP / SIGCONT to the fake, returning once /proc shows it stopped
 * (or running again): kill() only queues the signal. */
void        fake_stop               (FakeFixture   *fx);
void        fake_cont               (FakeFixture   *fx);
GBytes     *bytes_from_string       (const char    *s);
/* A new characteristic added to @service (which holds it). */
GpCharacteristic *add_chrc          (GpService     *service,
                                     const char    *uuid,
                                     GpCharacteristicFlags flags);
/* For spin_until(): a GpCharacteristic's notifying property. */
gboolean    is_notifying            (gpointer       characteristic);
gboolean    not_notifying           (gpointer       characteristic);
/* For spin_until(): a GpApplication's registered property. */
gboolean    app_is_registered       (gpointer       application);
gboolean    app_not_registered      (gpointer       application);

/* Like fake_fixture_setup(), with extra fakebluez options (NULL-terminated),
 * e.g. { "--experimental", NULL }. */
void        fake_fixture_setup_with_args (FakeFixture        *fx,
                                          const char * const *extra_args);
/* The fake's GetAdvertisements entry for @path (a{sv}), or NULL. */
GVariant   *fake_advertisement      (FakeFixture   *fx,
                                     const char    *path);
guint       fake_advertisement_count (FakeFixture  *fx);
guint64     fake_stat               (FakeFixture   *fx,
                                     const char    *name);
/* For spin_until(): the fake counted @name at least @n times. */
typedef struct {
  FakeFixture *fx;
  const char  *name;
  guint64      n;
} FakeStatWait;
gboolean    fake_stat_reached       (gpointer       wait);
/* Spins until the fake counted @name at least @n times (fails the test
 * after @timeout_ms): waiting on the fake, not the clock. */
void        fake_wait_stat          (FakeFixture   *fx,
                                     const char    *name,
                                     guint64        n,
                                     guint          timeout_ms);
/* Sets an org.bluez property through Properties.Set (e.g. Adapter1.Powered). */
void        fake_set_bluez_property (FakeFixture   *fx,
                                     const char    *path,
                                     const char    *interface,
                                     const char    *name,
                                     GVariant      *value);
