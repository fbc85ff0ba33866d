/* gp-registration-private.h: one registration lifecycle for applications,
 * advertisements and agents
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gattperiph.h"

G_BEGIN_DECLS

/* What registering anything with BlueZ needs: the connection (the system
 * bus when none was given), the adapter (the given one, or the default one
 * when the manager lives on an adapter) and bluetoothd's unique name, the
 * only caller the exported objects accept. */
typedef struct
{
  GDBusConnection *connection;
  GpAdapter       *adapter;     /* NULL for managers on /org/bluez */
  char            *owner;
} GpBluezTarget;

/* After a loss, a registration that fails is tried again every
 * GP_REGISTRATION_RETRY_MSEC, at most GP_REGISTRATION_MAX_RETRIES times
 * (bluetoothd owns its name before its adapters and managers are back);
 * bluetoothd or the adapter coming back starts the count again. */
#define GP_REGISTRATION_RETRY_MSEC   250
#define GP_REGISTRATION_MAX_RETRIES  40

typedef struct _GpRegistration GpRegistration;

/* What differs between an application, an advertisement and an agent. */
typedef struct
{
  const char *what;                /* "Application", for messages */
  const char *manager_interface;   /* org.bluez.GattManager1, ... */
  const char *unregister_method;   /* takes the object path */
  gboolean    on_adapter;          /* the manager is on an adapter, else on /org/bluez */

  /* Export the object and register it on @target; complete with a GTask
   * whose source object is @object. Called for the program's
   * registrations and for the library's registrations after a loss. */
  void      (*register_async)  (GObject             *object,
                                GpBluezTarget       *target,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
  gboolean  (*register_finish) (GObject             *object,
                                GAsyncResult        *result,
                                GError             **error);
  /* BlueZ does not have the object, or not any more: stop exporting it
   * and forget what BlueZ had. Called before the state changes. */
  void      (*dropped)         (GObject             *object,
                                GpRegistrationReason reason);
  /* Optional: BlueZ released the object for good (after the state changed). */
  void      (*released)        (GObject             *object);
} GpRegistrationVTable;

/* @object owns the registration (not referenced); the pspecs and the
 * signal are the object's registered, registration-state and
 * registration-changed, which the registration notifies and emits. The
 * thread-default main context is captured for retry timers. */
GpRegistration      *gp_registration_new              (GObject                    *object,
                                                       const GpRegistrationVTable *vtable,
                                                       GParamSpec                 *registered_pspec,
                                                       GParamSpec                 *state_pspec,
                                                       guint                       changed_signal);
/* Unregisters if registered (no callback), stops watching. */
void                 gp_registration_free             (GpRegistration             *reg);

/* The pspecs and signal every registered class installs (documented in
 * each class). */
GParamSpec          *gp_registration_pspec_registered    (void);
GParamSpec          *gp_registration_pspec_state         (void);
GParamSpec          *gp_registration_pspec_auto_register (void);
guint                gp_registration_signal_new          (GType                    type);

GpRegistrationState  gp_registration_get_state        (GpRegistration             *reg);
gboolean             gp_registration_get_registered   (GpRegistration             *reg);
/* A registration (the program's, or the library's after a loss) runs. */
gboolean             gp_registration_get_busy         (GpRegistration             *reg);
gboolean             gp_registration_get_auto_register (GpRegistration            *reg);
gboolean             gp_registration_set_auto_register (GpRegistration            *reg,
                                                       gboolean                    auto_register);
/* bluetoothd's unique name while registered or registering, else NULL. */
const char          *gp_registration_get_owner        (GpRegistration             *reg);
const char          *gp_registration_get_adapter_path (GpRegistration             *reg);
gboolean             gp_registration_check_caller     (GpRegistration             *reg,
                                                       GDBusMethodInvocation      *invocation);
gboolean             gp_registration_sender_allowed   (GpRegistration             *reg,
                                                       const char                 *sender);

/* Completes @task (the class's, with its source tag) with a boolean.
 * @connection may be NULL (the system bus); @adapter NULL picks the
 * default adapter for managers on adapters. */
void                 gp_registration_register         (GpRegistration             *reg,
                                                       GTask                      *task,
                                                       GDBusConnection            *connection,
                                                       GpAdapter                  *adapter,
                                                       const char                 *object_path);
void                 gp_registration_unregister       (GpRegistration             *reg,
                                                       GTask                      *task);
/* BlueZ called Release: find out whether it went away (then it is a
 * loss) or released the object while running (then it is final). */
void                 gp_registration_released         (GpRegistration             *reg);
/* The object cannot stay registered (@reason: why): drop it for good. */
void                 gp_registration_give_up          (GpRegistration             *reg,
                                                       GpRegistrationReason        reason);

G_END_DECLS
