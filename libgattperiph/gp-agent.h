/* gp-agent.h: a pairing agent registered with BlueZ
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"
#include "gp-registration.h"
#include "gp-device.h"
#include "gp-pairing-request.h"

G_BEGIN_DECLS

/**
 * GpAgentCapability:
 * @GP_AGENT_CAPABILITY_DISPLAY_ONLY: `DisplayOnly`: can show a passkey
 * @GP_AGENT_CAPABILITY_DISPLAY_YES_NO: `DisplayYesNo`: can show a number
 *   and get a yes or no (numeric comparison)
 * @GP_AGENT_CAPABILITY_KEYBOARD_ONLY: `KeyboardOnly`: can enter a passkey
 * @GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT: `NoInputNoOutput`: neither
 *   (Just Works pairing, without protection against a man in the middle)
 * @GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY: `KeyboardDisplay`: both
 *
 * The IO capability an agent announces. BlueZ uses the default agent's
 * capability for the pairing of incoming connections, and that selects the
 * pairing method.
 *
 * Since: 0.1
 */
typedef enum {
  GP_AGENT_CAPABILITY_DISPLAY_ONLY,
  GP_AGENT_CAPABILITY_DISPLAY_YES_NO,
  GP_AGENT_CAPABILITY_KEYBOARD_ONLY,
  GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT,
  GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY,
} GpAgentCapability;

#define GP_TYPE_AGENT (gp_agent_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpAgent, gp_agent, GP, AGENT, GObject)

GP_AVAILABLE_IN_ALL
GpAgent          *gp_agent_new                  (GpAgentCapability    capability);
GP_AVAILABLE_IN_ALL
GpAgent          *gp_agent_new_for_connection   (GDBusConnection     *connection,
                                                 const char          *object_path,
                                                 GpAgentCapability    capability);
GP_AVAILABLE_IN_ALL
GDBusConnection  *gp_agent_get_connection       (GpAgent             *self);
GP_AVAILABLE_IN_ALL
const char       *gp_agent_get_object_path      (GpAgent             *self);
GP_AVAILABLE_IN_ALL
GpAgentCapability gp_agent_get_capability       (GpAgent             *self);
GP_AVAILABLE_IN_ALL
gboolean          gp_agent_get_registered       (GpAgent             *self);
GP_AVAILABLE_IN_ALL
GpRegistrationState gp_agent_get_registration_state (GpAgent           *self);
GP_AVAILABLE_IN_ALL
gboolean          gp_agent_get_auto_register    (GpAgent             *self);
GP_AVAILABLE_IN_ALL
void              gp_agent_set_auto_register    (GpAgent             *self,
                                                 gboolean             auto_register);
GP_AVAILABLE_IN_ALL
gboolean          gp_agent_get_is_default       (GpAgent             *self);

GP_AVAILABLE_IN_ALL
void              gp_agent_register_async       (GpAgent             *self,
                                                 gboolean             make_default,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean          gp_agent_register_finish      (GpAgent             *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
GP_AVAILABLE_IN_ALL
void              gp_agent_unregister_async     (GpAgent             *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean          gp_agent_unregister_finish    (GpAgent             *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
