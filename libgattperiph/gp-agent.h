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

/**
 * GpPairingKind:
 * @GP_PAIRING_KIND_REQUEST_PIN_CODE: `RequestPinCode`: answer with
 *   [method@PairingRequest.return_pin_code] (legacy PIN pairing)
 * @GP_PAIRING_KIND_DISPLAY_PIN_CODE: `DisplayPinCode`: show
 *   [method@PairingRequest.get_pin_code], then accept
 * @GP_PAIRING_KIND_REQUEST_PASSKEY: `RequestPasskey`: answer with
 *   [method@PairingRequest.return_passkey] (the number the central shows)
 * @GP_PAIRING_KIND_REQUEST_CONFIRMATION: `RequestConfirmation`: accept if
 *   [method@PairingRequest.get_passkey] matches what the central shows
 * @GP_PAIRING_KIND_REQUEST_AUTHORIZATION: `RequestAuthorization`: accept or
 *   reject a pairing that needs no number (Just Works)
 * @GP_PAIRING_KIND_AUTHORIZE_SERVICE: `AuthorizeService`: accept or reject
 *   a connection to the service [method@PairingRequest.get_uuid]
 *
 * What a [class@PairingRequest] asks for.
 *
 * Since: 0.1
 */
typedef enum {
  GP_PAIRING_KIND_REQUEST_PIN_CODE,
  GP_PAIRING_KIND_DISPLAY_PIN_CODE,
  GP_PAIRING_KIND_REQUEST_PASSKEY,
  GP_PAIRING_KIND_REQUEST_CONFIRMATION,
  GP_PAIRING_KIND_REQUEST_AUTHORIZATION,
  GP_PAIRING_KIND_AUTHORIZE_SERVICE,
} GpPairingKind;

#define GP_TYPE_PAIRING_REQUEST (gp_pairing_request_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpPairingRequest, gp_pairing_request, GP, PAIRING_REQUEST, GObject)

GP_AVAILABLE_IN_ALL
GpPairingKind  gp_pairing_request_get_kind      (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
GpDevice      *gp_pairing_request_get_device    (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
guint32        gp_pairing_request_get_passkey   (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
const char    *gp_pairing_request_get_pin_code  (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
const char    *gp_pairing_request_get_uuid      (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
gboolean       gp_pairing_request_get_answered  (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
gboolean       gp_pairing_request_get_canceled  (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
void           gp_pairing_request_accept        (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
void           gp_pairing_request_reject        (GpPairingRequest *self);
GP_AVAILABLE_IN_ALL
void           gp_pairing_request_return_passkey (GpPairingRequest *self,
                                                  guint32           passkey);
GP_AVAILABLE_IN_ALL
void           gp_pairing_request_return_pin_code (GpPairingRequest *self,
                                                  const char       *pin_code);

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
