/* gp-private.h: functions shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"
#include "gp-bluez-generated.h"

G_BEGIN_DECLS

/* ATT limits as bluetoothd 5.66 applies them. */
#define GP_MAX_VALUE_LENGTH 512

/* How long a registration call may take: bluetoothd calls back
 * GetManagedObjects with libdbus's 25 s default before it answers. */
#define GP_REGISTER_TIMEOUT_MSEC (60 * 1000)

/* gp-uuid.c */
gboolean     gp_uuid_get_short                 (const char             *normalized,
                                                guint32                *out_value);

/* gp-dbus-util.c */
typedef struct
{
  guint16     offset;
  guint16     mtu;
  const char *device;        /* borrowed from the options variant */
  GpLinkType  link;
  gboolean    prepare_authorize;
  GpWriteType write_type;
} GpRequestOptions;

gboolean     gp_request_options_parse          (GVariant               *options,
                                                GpRequestOptions       *out,
                                                GError                **error);
GVariant    *gp_read_reply_body                (GBytes                 *value,
                                                guint                   offset);
void         gp_dbus_return_read_value         (GDBusMethodInvocation  *invocation,
                                                GBytes                 *value,
                                                guint                   offset);
GBytes      *gp_bytes_write_at                 (GBytes                 *old_value,
                                                guint                   offset,
                                                GBytes                 *data,
                                                GError                **error);
GVariant    *gp_bytes_to_variant               (GBytes                 *bytes);
GBytes      *gp_variant_to_bytes               (GVariant               *variant);
GError      *gp_dbus_error_from_bluez          (GError                 *error);
GVariant    *gp_dbus_lookup_property           (GVariant               *properties,
                                                const char             *name);

typedef struct
{
  GDBusConnection *connection;
  GpAdapter       *adapter;
  char            *owner;       /* bluetoothd's unique name */
} GpBluezTarget;

void         gp_bluez_target_free              (GpBluezTarget          *target);
void         gp_bluez_target_resolve_async     (GDBusConnection        *connection,
                                                GpAdapter              *adapter,
                                                gboolean                find_adapter,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
GpBluezTarget *gp_bluez_target_resolve_finish  (GAsyncResult           *result,
                                                GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GpBluezTarget, gp_bluez_target_free)

/* gp-request.c */
GpRequest   *gp_request_new                    (GpAttribute            *attribute,
                                                GpRequestKind           kind,
                                                GDBusMethodInvocation  *invocation,
                                                const GpRequestOptions *options,
                                                GBytes                 *value);

/* gp-attribute.c */
void         gp_attribute_set_exported         (GpAttribute            *self,
                                                GpApplication          *application,
                                                const char             *object_path);
const char  *gp_attribute_get_object_path      (GpAttribute            *self);
GpApplication *gp_attribute_get_application    (GpAttribute            *self);
gboolean     gp_attribute_is_valid             (GpAttribute            *self,
                                                GError                **error);
void         gp_attribute_store_value          (GpAttribute            *self,
                                                GBytes                 *value);
GBytes      *gp_attribute_dup_value            (GpAttribute            *self);
gboolean     gp_attribute_reads_stored_value   (GpAttribute            *self);
void         gp_attribute_handle_read          (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
void         gp_attribute_handle_write         (GpAttribute            *self,
                                                GDBusMethodInvocation  *invocation,
                                                GVariant               *parameters);
void         gp_attribute_set_handle_from_dbus (GpAttribute            *self,
                                                guint16                 handle);

/* gp-characteristic.c */
GVariant    *gp_characteristic_flags_to_variant (GpCharacteristicFlags  flags);
void         gp_characteristic_set_service     (GpCharacteristic       *self,
                                                GpService              *service);
gboolean     gp_characteristic_validate        (GpCharacteristic       *self,
                                                GError                **error);
void         gp_characteristic_get_dbus_properties (GpCharacteristic   *self,
                                                GVariantBuilder        *builder);
void         gp_characteristic_value_set       (GpCharacteristic       *self,
                                                GBytes                 *value);
void         gp_characteristic_set_notifying   (GpCharacteristic       *self,
                                                gboolean                notifying);
void         gp_characteristic_handle_method_call (GpCharacteristic    *self,
                                                GDBusMethodInvocation  *invocation,
                                                const char             *method,
                                                GVariant               *parameters);
/* The notification queue, driven by GpApplication's pacer. */
gboolean     gp_characteristic_take_notification (GpCharacteristic     *self,
                                                GBytes                **out_value,
                                                GTask                 **out_task,
                                                gboolean               *out_wants_confirm);
gboolean     gp_characteristic_write_notify_sockets (GpCharacteristic *self,
                                                GBytes                 *value);
gboolean     gp_characteristic_has_notification (GpCharacteristic      *self);
void         gp_characteristic_reset_notifications (GpCharacteristic   *self,
                                                const GError           *reason);

/* gp-descriptor.c */
void         gp_descriptor_set_characteristic  (GpDescriptor           *self,
                                                GpCharacteristic       *characteristic);
gboolean     gp_descriptor_validate            (GpDescriptor           *self,
                                                GError                **error);
void         gp_descriptor_get_dbus_properties (GpDescriptor           *self,
                                                GVariantBuilder        *builder);

/* gp-service.c */
void         gp_service_set_application        (GpService              *self,
                                                GpApplication          *application);
GpApplication *gp_service_get_application      (GpService              *self);
void         gp_service_set_exported           (GpService              *self,
                                                const char             *object_path);
const char  *gp_service_get_object_path        (GpService              *self);
gboolean     gp_service_validate               (GpService              *self,
                                                GError                **error);
void         gp_service_get_dbus_properties    (GpService              *self,
                                                GVariantBuilder        *builder);
void         gp_service_set_handle_from_dbus   (GpService              *self,
                                                guint16                 handle);

/* gp-application.c */
gboolean     gp_application_check_mutable      (GpApplication          *self,
                                                const char             *what,
                                                GError                **error);
gboolean     gp_application_check_caller       (GpApplication          *self,
                                                GDBusMethodInvocation  *invocation);
void         gp_application_queue_notification (GpApplication          *self,
                                                GpCharacteristic       *characteristic);
void         gp_application_cancel_notifications (GpApplication        *self,
                                                GpCharacteristic       *characteristic);

/* gp-adapter.c */
const char  *gp_adapter_get_object_path_internal (GpAdapter            *self);
void         gp_adapter_load_objects           (GpAdapter              *self,
                                                GVariant               *objects);

/* gp-advertisement.c */
/* Takes BlueZ's answer to RegisterAdvertisement and makes it actionable. */
GError      *gp_advertisement_explain_error    (GpAdvertisement        *self,
                                                GError                 *error);

/* gp-device.c */
GpDevice    *gp_device_get_for_path            (GDBusConnection        *connection,
                                                const char             *object_path,
                                                GVariant               *properties);
void         gp_device_update                  (GpDevice               *self,
                                                GVariant               *properties,
                                                const char * const     *invalidated);

G_END_DECLS
