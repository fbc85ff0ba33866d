/* gp-registration.h: the registration states shared by applications,
 * advertisements and agents
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <glib.h>

#include "gp-version-macros.h"

G_BEGIN_DECLS

/**
 * GpRegistrationState:
 * @GP_REGISTRATION_STATE_UNREGISTERED: not registered, and not wanted:
 *   never registered, unregistered, released by BlueZ, or given up
 * @GP_REGISTRATION_STATE_REGISTERING: the first registration runs
 * @GP_REGISTRATION_STATE_REGISTERED: BlueZ has it
 * @GP_REGISTRATION_STATE_LOST: it was registered, and BlueZ dropped it
 *   (bluetoothd exited or the adapter went away); with `auto-register` it
 *   registers itself again when bluetoothd or the adapter is back
 *
 * Where an application, an advertisement or an agent stands with BlueZ:
 * [property@Application:registration-state],
 * [property@Advertisement:registration-state] and
 * [property@Agent:registration-state].
 *
 * Since: 0.1
 */
typedef enum {
  GP_REGISTRATION_STATE_UNREGISTERED,
  GP_REGISTRATION_STATE_REGISTERING,
  GP_REGISTRATION_STATE_REGISTERED,
  GP_REGISTRATION_STATE_LOST,
} GpRegistrationState;

/**
 * GpRegistrationReason:
 * @GP_REGISTRATION_REASON_REQUESTED: the program registered or unregistered
 * @GP_REGISTRATION_REASON_BLUEZ_EXITED: bluetoothd exited (or restarted)
 * @GP_REGISTRATION_REASON_ADAPTER_REMOVED: the adapter went away
 * @GP_REGISTRATION_REASON_REREGISTERED: bluetoothd or the adapter came
 *   back, and the library registered it again
 * @GP_REGISTRATION_REASON_RELEASED: BlueZ released it while it kept
 *   running (an advertisement's timeout expired)
 * @GP_REGISTRATION_REASON_FAILED: registering failed (the program's own
 *   registration also reports the error to its callback), or registering
 *   again failed in a way that retrying cannot fix, and the library gave up
 *
 * Why the registration state changed: the second argument of the
 * `registration-changed` signals.
 *
 * Since: 0.1
 */
typedef enum {
  GP_REGISTRATION_REASON_REQUESTED,
  GP_REGISTRATION_REASON_BLUEZ_EXITED,
  GP_REGISTRATION_REASON_ADAPTER_REMOVED,
  GP_REGISTRATION_REASON_REREGISTERED,
  GP_REGISTRATION_REASON_RELEASED,
  GP_REGISTRATION_REASON_FAILED,
} GpRegistrationReason;

G_END_DECLS
