/* gp-pairing-request.h: one question of BlueZ to the pairing agent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__GATTPERIPH_INSIDE__) && !defined(GATTPERIPH_COMPILATION)
#error "Only <gattperiph.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gp-version-macros.h"
#include "gp-device.h"

G_BEGIN_DECLS

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
gboolean       gp_pairing_request_get_cancelled (GpPairingRequest *self);
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

G_END_DECLS
