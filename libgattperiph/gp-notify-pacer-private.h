/* gp-notify-pacer-private.h: the notification pacer of a GpApplication
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

#define GP_TYPE_NOTIFY_PACER (gp_notify_pacer_get_type ())
G_DECLARE_FINAL_TYPE (GpNotifyPacer, gp_notify_pacer, GP, NOTIFY_PACER, GObject)

GpNotifyPacer *gp_notify_pacer_new             (guint                   window);
/* Where notifications go: bluetoothd's current unique name on
 * @connection (%NULL when it is gone, or on a peer-to-peer connection). */
void         gp_notify_pacer_set_target        (GpNotifyPacer          *self,
                                                GDBusConnection        *connection,
                                                const char             *bluez_owner);
guint        gp_notify_pacer_get_window        (GpNotifyPacer          *self);
/* The window in use, in quarters of a signal (a datagram is one): it
 * follows how fast bluetoothd comes back from round trips. */
guint        gp_notify_pacer_get_limit         (GpNotifyPacer          *self);
void         gp_notify_pacer_set_window        (GpNotifyPacer          *self,
                                                guint                   window);
/* @characteristic has values waiting: it gets a turn when the window has
 * room. */
void         gp_notify_pacer_queue             (GpNotifyPacer          *self,
                                                GpCharacteristic       *characteristic);
void         gp_notify_pacer_cancel            (GpNotifyPacer          *self,
                                                GpCharacteristic       *characteristic);
/* @value of @characteristic, with nothing queued before it there, goes
 * now if the window has room and no characteristic waits for it (@task
 * nullable, transfer none, completes as a queued one would); FALSE: queue
 * it. */
gboolean     gp_notify_pacer_try_send          (GpNotifyPacer          *self,
                                                GpCharacteristic       *characteristic,
                                                GBytes                 *value,
                                                GTask                  *task);
/* A notification left later than its turn (a socket that was full took
 * it): it enters the window now; @task (nullable) completes with the
 * round trip that confirms it. */
void         gp_notify_pacer_sent              (GpNotifyPacer          *self,
                                                GTask                  *task);
/* One notification as a PropertiesChanged signal, to bluetoothd only. */
void         gp_notify_pacer_emit_value        (GpNotifyPacer          *self,
                                                const char             *object_path,
                                                GBytes                 *value);

G_END_DECLS
