/* gp-pairing-request-private.h: GpPairingRequest inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

typedef void (*GpPairingRequestDoneFunc) (GpPairingRequest *request,
                                          gpointer          user_data);

GpPairingRequest *gp_pairing_request_new           (GpPairingKind             kind,
                                                    GDBusMethodInvocation    *invocation,
                                                    GpDevice                 *device,
                                                    guint32                   passkey,
                                                    const char               *pin_code,
                                                    const char               *uuid);
void              gp_pairing_request_set_done_func (GpPairingRequest         *self,
                                                    GpPairingRequestDoneFunc  func,
                                                    gpointer                  user_data);
void              gp_pairing_request_answer        (GpPairingRequest         *self,
                                                    GVariant                 *value,
                                                    const char               *error_name,
                                                    const char               *message);
gboolean          gp_pairing_request_cancel        (GpPairingRequest         *self);

G_END_DECLS
