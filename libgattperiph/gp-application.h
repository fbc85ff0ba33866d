/* gp-application.h: a GATT application registered with BlueZ
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
#include "gp-adapter.h"
#include "gp-service.h"

G_BEGIN_DECLS

#define GP_TYPE_APPLICATION (gp_application_get_type ())

GP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GpApplication, gp_application, GP, APPLICATION, GObject)

GP_AVAILABLE_IN_ALL
GpApplication   *gp_application_new                 (const char          *object_path);
GP_AVAILABLE_IN_ALL
GpApplication   *gp_application_new_for_connection  (GDBusConnection     *connection,
                                                     const char          *object_path);
GP_AVAILABLE_IN_ALL
const char      *gp_application_get_object_path     (GpApplication       *self);
GP_AVAILABLE_IN_ALL
GDBusConnection *gp_application_get_connection      (GpApplication       *self);
GP_AVAILABLE_IN_ALL
GpAdapter       *gp_application_get_adapter         (GpApplication       *self);
GP_AVAILABLE_IN_ALL
gboolean         gp_application_get_registered      (GpApplication       *self);
GP_AVAILABLE_IN_ALL
GpRegistrationState gp_application_get_registration_state (GpApplication *self);
GP_AVAILABLE_IN_ALL
guint            gp_application_get_notification_window (GpApplication   *self);
GP_AVAILABLE_IN_ALL
void             gp_application_set_notification_window (GpApplication   *self,
                                                     guint                window);
GP_AVAILABLE_IN_ALL
gboolean         gp_application_get_auto_register  (GpApplication       *self);
GP_AVAILABLE_IN_ALL
void             gp_application_set_auto_register  (GpApplication       *self,
                                                     gboolean             auto_register);
GP_AVAILABLE_IN_ALL
gboolean         gp_application_add_service         (GpApplication       *self,
                                                     GpService           *service,
                                                     GError             **error);
GP_AVAILABLE_IN_ALL
gboolean         gp_application_remove_service      (GpApplication       *self,
                                                     GpService           *service,
                                                     GError             **error);
GP_AVAILABLE_IN_ALL
GList           *gp_application_get_services        (GpApplication       *self);
GP_AVAILABLE_IN_ALL
void             gp_application_register_async      (GpApplication       *self,
                                                     GpAdapter           *adapter,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_application_register_finish     (GpApplication       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
GP_AVAILABLE_IN_ALL
void             gp_application_unregister_async    (GpApplication       *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GP_AVAILABLE_IN_ALL
gboolean         gp_application_unregister_finish   (GpApplication       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
