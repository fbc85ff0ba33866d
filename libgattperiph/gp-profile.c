/* gp-profile.c: a whole peripheral described as data (JSON)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-profile-value-private.h"
#include "gp-advertisement-private.h"
#include "gp-attribute-private.h"
#include "gp-service-private.h"
#include "gp-uuid-private.h"

#include <string.h>

/**
 * GpProfile:
 *
 * A whole peripheral described as data: the services, characteristics and
 * descriptors of a [class@Application] with their flags, handles and
 * initial values, its [class@Advertisement] and the IO capability of its
 * [class@Agent], read from and written to JSON (the format is described in
 * the "Profile format" page, and shipped as a JSON Schema,
 * `gattperiph-profile.schema.json`).
 *
 * ```c
 * g_autoptr(GpProfile) profile = gp_profile_new ();
 *
 * if (!gp_profile_load_from_file (profile, "heart-rate.json", &error))
 *   g_error ("%s", error->message);   // one "json.path: problem" per line
 * hrm = gp_profile_lookup (profile, "hrm");   // by the profile's "id"
 * g_signal_connect (hrm, "read-request", G_CALLBACK (on_read), NULL);
 * gp_application_register_async (gp_profile_get_application (profile),
 *                                NULL, NULL, on_registered, NULL);
 * ```
 *
 * Loading builds the ordinary objects, so code can attach handlers to
 * them, change them, or build the whole tree in code and save it: whatever
 * the library can express in code can be saved, and loading what was
 * saved gives the same tree and values. A profile keeps the members it
 * does not interpret (a characteristic's `"behavior"`, `"comment"` and
 * `x-…` keys) for the tools built on it ([method@Profile.get_member]), and
 * writes them back when saved.
 *
 * A profile that cannot be loaded is refused with one line per problem,
 * each naming the JSON path of the bad field and what is wrong, with a
 * suggestion for misspelt keys and names; [method@Profile.check] also
 * lists the warnings (such as advertising data over the 31 bytes of
 * legacy advertising).
 *
 * Since: 0.1
 */

#define DEFAULT_APPLICATION_PATH "/org/gattperiph/application"
#define DEFAULT_AGENT_PATH "/org/gattperiph/agent"
/* Deeper than any profile needs, shallow enough for any stack. */
#define MAX_JSON_DEPTH 64
/* What an object that cannot be made is read into, so that the problems
 * inside it are reported with its own (all problems in one pass). */
#define PLACEHOLDER_UUID "6d2c6e1a-3c8e-4b1f-9a57-8f3d2b7c0e91"

/* What the profile knows of an object beyond the object itself. */
typedef struct
{
  char       *id;
  JsonObject *kept;        /* members kept uninterpreted; nullable */
  JsonNode   *value_node;  /* an attribute's value as written; nullable */
  GBytes     *value;       /* what value_node stands for */
} Extra;

static void
extra_free (gpointer data)
{
  Extra *extra = data;

  g_free (extra->id);
  g_clear_pointer (&extra->kept, json_object_unref);
  g_clear_pointer (&extra->value_node, json_node_unref);
  g_clear_pointer (&extra->value, g_bytes_unref);
  g_free (extra);
}

struct _GpProfile
{
  GObject          parent_instance;

  GpApplication   *application;
  GpAdvertisement *advertisement;
  GpAgent         *agent;
  GHashTable      *extras;     /* GObject (ref) -> Extra */
  GHashTable      *ids;        /* id -> GObject (owned by extras) */
  GPtrArray       *problems;   /* of the last load: "path: message" */
};

enum {
  PROP_0,
  PROP_APPLICATION,
  PROP_ADVERTISEMENT,
  PROP_AGENT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

/**
 * gp_profile_error_quark:
 *
 * The quark of the %GP_PROFILE_ERROR domain.
 *
 * Returns: the quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gp-profile-error-quark, gp_profile_error)
G_DEFINE_FINAL_TYPE (GpProfile, gp_profile, G_TYPE_OBJECT)

static GHashTable *
extras_new (void)
{
  return g_hash_table_new_full (NULL, NULL, g_object_unref, extra_free);
}

static Extra *
extra_get (GHashTable *extras,
           gpointer    object)
{
  Extra *extra = g_hash_table_lookup (extras, object);

  if (extra == NULL)
    {
      extra = g_new0 (Extra, 1);
      g_hash_table_insert (extras, g_object_ref (object), extra);
    }
  return extra;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
gp_profile_dispose (GObject *object)
{
  GpProfile *self = GP_PROFILE (object);

  g_clear_pointer (&self->ids, g_hash_table_unref);
  g_clear_pointer (&self->extras, g_hash_table_unref);
  g_clear_object (&self->application);
  g_clear_object (&self->advertisement);
  g_clear_object (&self->agent);
  G_OBJECT_CLASS (gp_profile_parent_class)->dispose (object);
}

static void
gp_profile_finalize (GObject *object)
{
  GpProfile *self = GP_PROFILE (object);

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  G_OBJECT_CLASS (gp_profile_parent_class)->finalize (object);
}

static void
gp_profile_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GpProfile *self = GP_PROFILE (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;
    case PROP_ADVERTISEMENT:
      g_value_set_object (value, self->advertisement);
      break;
    case PROP_AGENT:
      g_value_set_object (value, self->agent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_profile_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GpProfile *self = GP_PROFILE (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      gp_profile_set_application (self, g_value_get_object (value));
      break;
    case PROP_ADVERTISEMENT:
      gp_profile_set_advertisement (self, g_value_get_object (value));
      break;
    case PROP_AGENT:
      gp_profile_set_agent (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gp_profile_class_init (GpProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gp_profile_dispose;
  object_class->finalize = gp_profile_finalize;
  object_class->get_property = gp_profile_get_property;
  object_class->set_property = gp_profile_set_property;

  /**
   * GpProfile:application:
   *
   * The application the profile describes: made by loading, or given
   * with [method@Profile.set_application] to be saved.
   *
   * Since: 0.1
   */
  props[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, GP_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpProfile:advertisement:
   *
   * The advertisement of the profile, if it has one.
   *
   * Since: 0.1
   */
  props[PROP_ADVERTISEMENT] =
    g_param_spec_object ("advertisement", NULL, NULL, GP_TYPE_ADVERTISEMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GpProfile:agent:
   *
   * The pairing agent of the profile, if it has one.
   *
   * Since: 0.1
   */
  props[PROP_AGENT] =
    g_param_spec_object ("agent", NULL, NULL, GP_TYPE_AGENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gp_profile_init (GpProfile *self)
{
  self->extras = extras_new ();
  self->ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->problems = g_ptr_array_new_with_free_func (g_free);
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */

typedef struct
{
  GpProfileProblems  problems;
  GHashTable        *extras;          /* GObject -> Extra */
  GHashTable        *ids;             /* id -> GObject */
  GHashTable        *id_paths;        /* id -> JSON path where it was defined */
  GPtrArray         *includes;        /* Include */
  GpApplication     *application;
  GpAdvertisement   *advertisement;
  GpAgent           *agent;
} Loader;

typedef struct
{
  GpService *service;
  char      *id;
  char      *path;
} Include;

static void
include_free (gpointer data)
{
  Include *include = data;

  g_object_unref (include->service);
  g_free (include->id);
  g_free (include->path);
  g_free (include);
}

static void
loader_init (Loader *l)
{
  memset (l, 0, sizeof *l);
  gp_profile_problems_init (&l->problems);
  l->extras = extras_new ();
  l->ids = g_hash_table_new (g_str_hash, g_str_equal);
  l->id_paths = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  l->includes = g_ptr_array_new_with_free_func (include_free);
}

static void
loader_clear (Loader *l)
{
  gp_profile_problems_clear (&l->problems);
  g_clear_pointer (&l->id_paths, g_hash_table_unref);
  g_clear_pointer (&l->ids, g_hash_table_unref);
  g_clear_pointer (&l->extras, g_hash_table_unref);
  g_clear_pointer (&l->includes, g_ptr_array_unref);
  g_clear_object (&l->application);
  g_clear_object (&l->advertisement);
  g_clear_object (&l->agent);
}

static void
error_unknown_name (Loader             *l,
                    const char         *path,
                    const char         *what,
                    const char         *name,
                    const char * const *known,
                    gsize               n_known)
{
  const char *suggestion = gp_profile_suggest (name, known, n_known);

  if (suggestion != NULL)
    {
      gp_profile_problem_error (&l->problems, path, "unknown %s \"%s\"; did you mean \"%s\"?",
                                what, name, suggestion);
    }
  else
    {
      g_autofree char *list = g_strjoinv ("\", \"", (char **) known);

      gp_profile_problem_error (&l->problems, path, "unknown %s \"%s\" (one of \"%s\")",
                                what, name, list);
    }
}

/* Checks the keys of @object against @known (NULL-terminated); keeps
 * `comment` and `x-…` members, and those in @kept_keys, in @extra. */
static void
check_keys (Loader             *l,
            JsonObject         *object,
            const char         *path,
            const char * const *known,
            const char * const *kept_keys,
            Extra              *extra)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *key = m->data;
      gboolean keep = strcmp (key, "comment") == 0 || g_str_has_prefix (key, "x-") ||
                      (kept_keys != NULL && g_strv_contains (kept_keys, key));

      if (keep)
        {
          if (extra != NULL)
            {
              if (extra->kept == NULL)
                extra->kept = json_object_new ();
              json_object_set_member (extra->kept, key,
                                      json_node_copy (json_object_get_member (object, key)));
            }
          continue;
        }
      if (!g_strv_contains (known, key))
        {
          g_autofree char *p = gp_profile_path_member (path, key);

          error_unknown_name (l, p, "key", key, known, g_strv_length ((char **) known));
        }
    }
}

static JsonNode *
get_member (JsonObject *object,
            const char *key)
{
  return json_object_has_member (object, key) ? json_object_get_member (object, key) : NULL;
}

static gboolean
read_string (Loader      *l,
             JsonObject  *object,
             const char  *path,
             const char  *key,
             const char **out)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *p = NULL;

  if (node == NULL)
    return FALSE;
  p = gp_profile_path_member (path, key);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      gp_profile_problem_error (&l->problems, p, "expected a string, found %s",
                                gp_profile_node_kind (node));
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_bool (Loader     *l,
           JsonObject *object,
           const char *path,
           const char *key,
           gboolean   *out)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *p = NULL;

  if (node == NULL)
    return FALSE;
  p = gp_profile_path_member (path, key);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      gp_profile_problem_error (&l->problems, p, "expected true or false, found %s",
                                gp_profile_node_kind (node));
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_uint_member (Loader     *l,
                  JsonObject *object,
                  const char *path,
                  const char *key,
                  guint64     max,
                  guint64    *out)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *p = NULL;

  if (node == NULL)
    return FALSE;
  p = gp_profile_path_member (path, key);
  return gp_profile_read_uint (node, p, max, out, &l->problems);
}

static JsonArray *
read_array (Loader     *l,
            JsonObject *object,
            const char *path,
            const char *key)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *p = NULL;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      p = gp_profile_path_member (path, key);
      gp_profile_problem_error (&l->problems, p, "expected a list, found %s",
                                gp_profile_node_kind (node));
      return NULL;
    }
  return json_node_get_array (node);
}

static JsonObject *
as_object (Loader     *l,
           JsonNode   *node,
           const char *path)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      gp_profile_problem_error (&l->problems, path, "expected an object, found %s",
                                gp_profile_node_kind (node));
      return NULL;
    }
  return json_node_get_object (node);
}

/* A UUID member: the normalised form, or NULL (with an error). */
static char *
read_uuid (Loader     *l,
           JsonNode   *node,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  char *uuid;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      gp_profile_problem_error (&l->problems, path, "expected a UUID string (\"180d\"), found %s",
                                gp_profile_node_kind (node));
      return NULL;
    }
  uuid = gp_uuid_normalize (json_node_get_string (node), &error);
  if (uuid == NULL)
    gp_profile_problem_error (&l->problems, path, "%s", error->message);
  return uuid;
}

static char *
read_uuid_member (Loader     *l,
                  JsonObject *object,
                  const char *path,
                  const char *key,
                  gboolean    required)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *p = gp_profile_path_member (path, key);

  if (node == NULL)
    {
      if (required)
        gp_profile_problem_error (&l->problems, path, "\"%s\" is missing", key);
      return NULL;
    }
  return read_uuid (l, node, p);
}

/* The "id" of a service or attribute: unique in the profile. */
static void
read_id (Loader     *l,
         JsonObject *object,
         const char *path,
         gpointer    owner,
         Extra      *extra)
{
  const char *id;
  const char *other;

  if (!read_string (l, object, path, "id", &id))
    return;
  if (*id == '\0')
    {
      g_autofree char *p = gp_profile_path_member (path, "id");

      gp_profile_problem_error (&l->problems, p, "an id cannot be empty");
      return;
    }
  other = g_hash_table_lookup (l->id_paths, id);
  if (other != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "id");

      gp_profile_problem_error (&l->problems, p, "id \"%s\" is already used by %s", id, other);
      return;
    }
  extra->id = g_strdup (id);
  g_hash_table_insert (l->ids, extra->id, owner);
  g_hash_table_insert (l->id_paths, extra->id, g_strdup (path));
}

static guint
read_flags (Loader     *l,
            JsonObject *object,
            const char *path,
            const char *key,
            GType       flags_type,
            guint       default_flags)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (flags_type);
  g_autofree const char **names = g_new0 (const char *, klass->n_values + 1);
  JsonArray *array;
  gsize n_names = 0;
  guint flags = 0;

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0)
      names[n_names++] = klass->values[i].value_nick;

  if (get_member (object, key) == NULL)
    return default_flags;
  array = read_array (l, object, path, key);
  if (array == NULL)
    return 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *fp = gp_profile_path_member (path, key);
      g_autofree char *p = gp_profile_path_index (fp, i);
      GFlagsValue *v;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          gp_profile_problem_error (&l->problems, p, "expected a flag name, found %s",
                                    gp_profile_node_kind (node));
          continue;
        }
      v = g_flags_get_value_by_nick (klass, json_node_get_string (node));
      if (v == NULL || v->value == 0)
        {
          error_unknown_name (l, p, "flag", json_node_get_string (node), names, n_names);
          continue;
        }
      flags |= v->value;
    }
  return flags;
}

/* An attribute's "value" and "handle", and its id and kept members. */
static void
read_attribute_common (Loader      *l,
                       JsonObject  *object,
                       const char  *path,
                       GpAttribute *attribute,
                       Extra       *extra)
{
  JsonNode *node;
  guint64 handle;

  read_id (l, object, path, attribute, extra);

  if (read_uint_member (l, object, path, "handle", G_MAXUINT16, &handle) && handle != 0)
    {
      g_autoptr(GError) error = NULL;

      if (!gp_attribute_set_handle (attribute, handle, &error))
        {
          g_autofree char *p = gp_profile_path_member (path, "handle");

          gp_profile_problem_error (&l->problems, p, "%s", error->message);
        }
    }

  node = get_member (object, "value");
  if (node != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "value");
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      if (gp_profile_read_value (node, p, bytes, &l->problems))
        {
          g_autoptr(GBytes) value = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));

          if (gp_attribute_set_value (attribute, value, &error))
            {
              extra->value_node = json_node_copy (node);
              extra->value = g_bytes_ref (value);
            }
          else
            gp_profile_problem_error (&l->problems, p, "%s", error->message);
        }
    }
}

static const char * const descriptor_keys[] = {
  "id", "uuid", "flags", "handle", "value", NULL
};

static GpDescriptor *
read_descriptor (Loader     *l,
                 JsonNode   *node,
                 const char *path)
{
  JsonObject *object = as_object (l, node, path);
  g_autoptr(GpDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  guint flags;
  gboolean placeholder = FALSE;
  Extra *extra;

  if (object == NULL)
    return NULL;
  uuid = read_uuid_member (l, object, path, "uuid", TRUE);
  flags = read_flags (l, object, path, "flags", GP_TYPE_DESCRIPTOR_FLAGS, GP_DESCRIPTOR_FLAGS_READ);
  if (uuid != NULL)
    {
      descriptor = gp_descriptor_new (uuid, flags, &error);
      if (descriptor == NULL)
        gp_profile_problem_error (&l->problems, path, "%s", error->message);
    }
  if (descriptor == NULL)
    {
      /* A stand-in, to report the problems of its value too. */
      descriptor = gp_descriptor_new (PLACEHOLDER_UUID, GP_DESCRIPTOR_FLAGS_READ, NULL);
      placeholder = TRUE;
    }
  extra = extra_get (l->extras, descriptor);
  check_keys (l, object, path, descriptor_keys, NULL, extra);
  read_attribute_common (l, object, path, GP_ATTRIBUTE (descriptor), extra);
  return placeholder ? NULL : g_steal_pointer (&descriptor);
}

static void
add_descriptor (Loader           *l,
                GpCharacteristic *characteristic,
                GpDescriptor     *descriptor,
                const char       *path)
{
  g_autoptr(GError) error = NULL;

  if (!gp_characteristic_add_descriptor (characteristic, descriptor, &error))
    gp_profile_problem_error (&l->problems, path, "%s", error->message);
}

/* The size of a fixed-size GATT format, or 0. */
static guint
format_size (guint format)
{
  static const guint8 sizes[] = {
    [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 2, [0x06] = 2,
    [0x07] = 3, [0x08] = 4, [0x09] = 6, [0x0a] = 8, [0x0b] = 16, [0x0c] = 1,
    [0x0d] = 2, [0x0e] = 2, [0x0f] = 3, [0x10] = 4, [0x11] = 6, [0x12] = 8,
    [0x13] = 16, [0x14] = 4, [0x15] = 8, [0x16] = 2, [0x17] = 4, [0x18] = 4,
  };

  return format < G_N_ELEMENTS (sizes) ? sizes[format] : 0;
}

/* A Presentation Format whose format does not fit the value: a warning. */
static void
check_presentation (Loader           *l,
                    GpCharacteristic *characteristic,
                    const char       *path)
{
  g_autoptr(GList) descriptors = gp_characteristic_get_descriptors (characteristic);
  GBytes *value = gp_attribute_get_value (GP_ATTRIBUTE (characteristic));
  gsize length = value != NULL ? g_bytes_get_size (value) : 0;
  guint n_presentations = 0;

  for (GList *d = descriptors; d != NULL; d = d->next)
    if (g_strcmp0 (gp_attribute_get_uuid (d->data), "00002904-0000-1000-8000-00805f9b34fb") == 0)
      n_presentations++;

  /* With several, the characteristic is an aggregate: not checked. */
  for (GList *d = descriptors; d != NULL && n_presentations == 1; d = d->next)
    {
      GBytes *pf = gp_attribute_get_value (d->data);
      const guint8 *data;
      guint size;

      if (g_strcmp0 (gp_attribute_get_uuid (d->data), "00002904-0000-1000-8000-00805f9b34fb") != 0 ||
          pf == NULL || g_bytes_get_size (pf) != 7)
        continue;
      data = g_bytes_get_data (pf, NULL);
      size = format_size (data[0]);
      if (size != 0 && length != 0 && length != size)
        gp_profile_problem_warning (&l->problems, path,
                                    "the value has %" G_GSIZE_FORMAT " bytes, but its "
                                    "Presentation Format says %s (%u bytes)",
                                    length, gp_profile_format_name (data[0]), size);
    }
}

static const char * const characteristic_keys[] = {
  "id", "uuid", "flags", "handle", "value", "acquire-notify", "acquire-write", "behavior",
  "description", "presentation", "descriptors", NULL
};
static const char * const characteristic_kept[] = { "behavior", NULL };

static GpCharacteristic *
read_characteristic (Loader     *l,
                     JsonNode   *node,
                     const char *path)
{
  JsonObject *object = as_object (l, node, path);
  g_autoptr(GpCharacteristic) characteristic = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  JsonNode *member;
  JsonArray *array;
  const char *description;
  gboolean acquire_notify, acquire_write;
  guint flags, n_errors;
  gboolean placeholder = FALSE;
  Extra *extra;

  if (object == NULL)
    return NULL;
  uuid = read_uuid_member (l, object, path, "uuid", TRUE);
  n_errors = l->problems.n_errors;
  if (get_member (object, "flags") == NULL)
    gp_profile_problem_error (&l->problems, path,
                              "\"flags\" is missing (BlueZ refuses a characteristic without "
                              "flags: give at least \"read\", \"write\" or \"notify\")");
  flags = read_flags (l, object, path, "flags", GP_TYPE_CHARACTERISTIC_FLAGS, 0);
  /* With an empty list of flags, the constructor says why BlueZ refuses
   * that; with wrong or missing ones, their own problems do. */
  if (uuid != NULL && l->problems.n_errors == n_errors)
    {
      characteristic = gp_characteristic_new (uuid, flags, &error);
      if (characteristic == NULL)
        gp_profile_problem_error (&l->problems, path, "%s", error->message);
    }
  if (characteristic == NULL)
    {
      /* Still read what it holds, into a stand-in that is dropped at
       * the end, so that every problem inside it is reported now. */
      characteristic = gp_characteristic_new (PLACEHOLDER_UUID, flags, NULL);
      if (characteristic == NULL)
        characteristic = gp_characteristic_new (PLACEHOLDER_UUID, GP_CHARACTERISTIC_FLAGS_READ, NULL);
      placeholder = TRUE;
    }

  extra = extra_get (l->extras, characteristic);
  check_keys (l, object, path, characteristic_keys, characteristic_kept, extra);
  member = get_member (object, "behavior");
  if (member != NULL && !JSON_NODE_HOLDS_OBJECT (member))
    {
      g_autofree char *p = gp_profile_path_member (path, "behavior");

      gp_profile_problem_error (&l->problems, p, "expected an object, found %s",
                                gp_profile_node_kind (member));
    }
  read_attribute_common (l, object, path, GP_ATTRIBUTE (characteristic), extra);
  if (read_bool (l, object, path, "acquire-notify", &acquire_notify))
    gp_characteristic_set_acquire_notify (characteristic, acquire_notify);
  if (read_bool (l, object, path, "acquire-write", &acquire_write))
    gp_characteristic_set_acquire_write (characteristic, acquire_write);

  /* The shorthands first, then the descriptors in their order. */
  if (read_string (l, object, path, "description", &description))
    {
      g_autofree char *p = gp_profile_path_member (path, "description");
      g_autoptr(GpDescriptor) descriptor = gp_descriptor_new_user_description (description, &error);

      if (descriptor != NULL)
        add_descriptor (l, characteristic, descriptor, p);
      else
        gp_profile_problem_error (&l->problems, p, "%s", error->message);
      g_clear_error (&error);
    }
  member = get_member (object, "presentation");
  if (member != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "presentation");
      g_autoptr(JsonNode) wrapped = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) wrapper = json_object_new ();
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autofree char *parent = g_strdup (path);

      /* {"presentation": …} as a value, so that paths read
       * "….presentation.unit" rather than "….presentation.presentation". */
      json_object_set_member (wrapper, "presentation", json_node_copy (member));
      json_node_set_object (wrapped, wrapper);
      if (gp_profile_read_value (wrapped, parent, bytes, &l->problems))
        {
          g_autoptr(GpDescriptor) descriptor = gp_descriptor_new ("2904", GP_DESCRIPTOR_FLAGS_READ, NULL);

          if (gp_attribute_set_value_data (GP_ATTRIBUTE (descriptor), bytes->data, bytes->len, NULL))
            add_descriptor (l, characteristic, descriptor, p);
        }
    }
  array = read_array (l, object, path, "descriptors");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *dp = gp_profile_path_member (path, "descriptors");
      g_autofree char *p = gp_profile_path_index (dp, i);
      g_autoptr(GpDescriptor) descriptor = read_descriptor (l, json_array_get_element (array, i), p);

      if (descriptor != NULL)
        add_descriptor (l, characteristic, descriptor, p);
    }
  check_presentation (l, characteristic, path);
  return placeholder ? NULL : g_steal_pointer (&characteristic);
}

static const char * const service_keys[] = {
  "id", "uuid", "primary", "handle", "includes", "characteristics", NULL
};

static GpService *
read_service (Loader     *l,
              JsonNode   *node,
              const char *path)
{
  JsonObject *object = as_object (l, node, path);
  g_autoptr(GpService) service = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  gboolean primary = TRUE, placeholder = FALSE;
  JsonArray *array;
  guint64 handle;
  Extra *extra;

  if (object == NULL)
    return NULL;
  uuid = read_uuid_member (l, object, path, "uuid", TRUE);
  read_bool (l, object, path, "primary", &primary);
  if (uuid != NULL)
    {
      service = gp_service_new (uuid, primary, &error);
      if (service == NULL)
        {
          g_autofree char *p = gp_profile_path_member (path, "uuid");

          gp_profile_problem_error (&l->problems, p, "%s", error->message);
        }
    }
  if (service == NULL)
    {
      /* A stand-in, to report the problems of its characteristics too. */
      service = gp_service_new (PLACEHOLDER_UUID, primary, NULL);
      placeholder = TRUE;
    }

  extra = extra_get (l->extras, service);
  check_keys (l, object, path, service_keys, NULL, extra);
  read_id (l, object, path, service, extra);
  if (read_uint_member (l, object, path, "handle", G_MAXUINT16, &handle) && handle != 0)
    {
      g_clear_error (&error);
      if (!gp_service_set_handle (service, handle, &error))
        {
          g_autofree char *p = gp_profile_path_member (path, "handle");

          gp_profile_problem_error (&l->problems, p, "%s", error->message);
        }
    }

  array = read_array (l, object, path, "includes");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *ip = gp_profile_path_member (path, "includes");
      g_autofree char *p = gp_profile_path_index (ip, i);
      Include *include;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          gp_profile_problem_error (&l->problems, p, "expected the id of a service, found %s",
                                    gp_profile_node_kind (element));
          continue;
        }
      include = g_new0 (Include, 1);
      include->service = g_object_ref (service);
      include->id = g_strdup (json_node_get_string (element));
      include->path = g_steal_pointer (&p);
      g_ptr_array_add (l->includes, include);
    }

  array = read_array (l, object, path, "characteristics");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *cp = gp_profile_path_member (path, "characteristics");
      g_autofree char *p = gp_profile_path_index (cp, i);
      g_autoptr(GpCharacteristic) characteristic =
        read_characteristic (l, json_array_get_element (array, i), p);

      g_clear_error (&error);
      if (characteristic != NULL &&
          !gp_service_add_characteristic (service, characteristic, &error))
        gp_profile_problem_error (&l->problems, p, "%s", error->message);
    }
  return placeholder ? NULL : g_steal_pointer (&service);
}

static void
resolve_includes (Loader *l)
{
  for (guint i = 0; i < l->includes->len; i++)
    {
      Include *include = g_ptr_array_index (l->includes, i);
      gpointer target = g_hash_table_lookup (l->ids, include->id);
      g_autoptr(GError) error = NULL;

      if (target == NULL || !GP_IS_SERVICE (target))
        {
          g_autoptr(GPtrArray) names = g_ptr_array_new ();
          GHashTableIter iter;
          gpointer key, value;
          const char *suggestion;

          g_hash_table_iter_init (&iter, l->ids);
          while (g_hash_table_iter_next (&iter, &key, &value))
            if (GP_IS_SERVICE (value))
              g_ptr_array_add (names, key);
          suggestion = gp_profile_suggest (include->id, (const char * const *) names->pdata, names->len);
          if (target != NULL)
            gp_profile_problem_error (&l->problems, include->path,
                                      "\"%s\" is not the id of a service", include->id);
          else if (suggestion != NULL)
            gp_profile_problem_error (&l->problems, include->path,
                                      "no service has the id \"%s\"; did you mean \"%s\"?",
                                      include->id, suggestion);
          else
            gp_profile_problem_error (&l->problems, include->path,
                                      "no service has the id \"%s\"", include->id);
          continue;
        }
      if (!gp_service_add_include (include->service, target, &error))
        gp_profile_problem_error (&l->problems, include->path, "%s", error->message);
    }
}

static gboolean
read_object_path (Loader      *l,
                  JsonObject  *object,
                  const char  *path,
                  const char **out)
{
  const char *s;

  if (!read_string (l, object, path, "path", &s))
    return FALSE;
  if (!g_variant_is_object_path (s))
    {
      g_autofree char *p = gp_profile_path_member (path, "path");

      gp_profile_problem_error (&l->problems, p, "\"%s\" is not a D-Bus object path", s);
      return FALSE;
    }
  *out = s;
  return TRUE;
}

static const char * const agent_keys[] = { "capability", "path", "auto-register", NULL };
static const char * const capability_names[] = {
  [GP_AGENT_CAPABILITY_DISPLAY_ONLY] = "DisplayOnly",
  [GP_AGENT_CAPABILITY_DISPLAY_YES_NO] = "DisplayYesNo",
  [GP_AGENT_CAPABILITY_KEYBOARD_ONLY] = "KeyboardOnly",
  [GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT] = "NoInputNoOutput",
  [GP_AGENT_CAPABILITY_KEYBOARD_DISPLAY] = "KeyboardDisplay",
  NULL
};

static void
read_agent (Loader     *l,
            JsonNode   *node,
            const char *path)
{
  JsonObject *object = as_object (l, node, path);
  GpAgentCapability capability = GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT;
  const char *name, *object_path = DEFAULT_AGENT_PATH;
  gboolean found = FALSE, auto_register;

  if (object == NULL)
    return;
  l->agent = NULL;
  if (read_string (l, object, path, "capability", &name))
    {
      for (guint i = 0; capability_names[i] != NULL; i++)
        if (strcmp (name, capability_names[i]) == 0)
          {
            capability = i;
            found = TRUE;
          }
      if (!found)
        {
          g_autofree char *p = gp_profile_path_member (path, "capability");

          error_unknown_name (l, p, "IO capability", name, capability_names,
                              G_N_ELEMENTS (capability_names) - 1);
        }
    }
  else if (get_member (object, "capability") == NULL)
    gp_profile_problem_error (&l->problems, path, "\"capability\" is missing");
  read_object_path (l, object, path, &object_path);
  l->agent = g_object_new (GP_TYPE_AGENT, "capability", capability, "object-path", object_path, NULL);
  check_keys (l, object, path, agent_keys, NULL, extra_get (l->extras, l->agent));
  if (read_bool (l, object, path, "auto-register", &auto_register))
    gp_agent_set_auto_register (l->agent, auto_register);
}

static const char * const advertisement_keys[] = {
  "path", "type", "local-name", "appearance", "service-uuids", "solicit-uuids",
  "manufacturer-data", "service-data", "data", "includes", "discoverable",
  "discoverable-timeout", "duration", "timeout", "secondary-channel",
  "min-interval", "max-interval", "tx-power", "auto-register", NULL
};
static const char * const secondary_channel_names[] = {
  [GP_SECONDARY_CHANNEL_NONE] = "none",
  [GP_SECONDARY_CHANNEL_1M] = "1M",
  [GP_SECONDARY_CHANNEL_2M] = "2M",
  [GP_SECONDARY_CHANNEL_CODED] = "Coded",
  NULL
};
static const char * const type_names[] = {
  [GP_ADVERTISEMENT_TYPE_PERIPHERAL] = "peripheral",
  [GP_ADVERTISEMENT_TYPE_BROADCAST] = "broadcast",
  NULL
};

static gboolean
read_enum (Loader             *l,
           JsonObject         *object,
           const char         *path,
           const char         *key,
           const char         *what,
           const char * const *names,
           guint              *out)
{
  g_autofree char *p = gp_profile_path_member (path, key);
  const char *name;

  if (!read_string (l, object, path, key, &name))
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      {
        *out = i;
        return TRUE;
      }
  error_unknown_name (l, p, what, name, names, g_strv_length ((char **) names));
  return FALSE;
}

static char **
read_uuid_list (Loader     *l,
                JsonObject *object,
                const char *path,
                const char *key)
{
  JsonArray *array = read_array (l, object, path, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *lp = gp_profile_path_member (path, key);
  gboolean ok = TRUE;

  if (array == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = gp_profile_path_index (lp, i);
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *uuid = read_uuid (l, node, p);

      if (uuid == NULL)
        ok = FALSE;
      else
        /* As written (shortest form), which is what BlueZ advertises. */
        g_strv_builder_add (builder, json_node_get_string (node));
    }
  return ok ? g_strv_builder_end (builder) : NULL;
}

/* "manufacturer-data", "data" (integer keys) and "service-data" (UUID keys):
 * objects of values. */
static void
read_data_map (Loader          *l,
               JsonObject      *object,
               const char      *path,
               const char      *key,
               guint64          max_key,
               GpAdvertisement *adv)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *mp = gp_profile_path_member (path, key);
  g_autoptr(GList) members = NULL;
  JsonObject *map;

  if (node == NULL)
    return;
  map = as_object (l, node, mp);
  if (map == NULL)
    return;
  members = json_object_get_members (map);
  for (GList *m = members; m != NULL; m = m->next)
    {
      g_autofree char *p = gp_profile_path_member (mp, m->data);
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(GBytes) value = NULL;
      g_autoptr(JsonNode) key_node = json_node_init_string (json_node_alloc (), m->data);
      g_autofree char *uuid = NULL;
      guint64 k = 0;

      if (max_key == 0)
        uuid = read_uuid (l, key_node, p);
      else if (!gp_profile_read_uint (key_node, p, max_key, &k, &l->problems))
        continue;
      if (max_key == 0 && uuid == NULL)
        continue;
      if (!gp_profile_read_value (json_object_get_member (map, m->data), p, bytes, &l->problems))
        continue;
      value = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
      if (max_key == 0)
        gp_advertisement_set_service_data (adv, m->data, value);
      else if (max_key == G_MAXUINT16)
        gp_advertisement_set_manufacturer_data (adv, k, value);
      else
        gp_advertisement_set_advertising_data (adv, k, value);
    }
}

static void
read_advertisement (Loader     *l,
                    JsonNode   *node,
                    const char *path)
{
  JsonObject *object = as_object (l, node, path);
  g_autoptr(GpAdvertisement) adv = NULL;
  g_autoptr(GError) error = NULL;
  const char *object_path = NULL, *local_name;
  g_auto(GStrv) uuids = NULL;
  gboolean b;
  guint e;
  guint64 u;
  JsonNode *member;

  if (object == NULL)
    return;
  read_object_path (l, object, path, &object_path);
  adv = g_object_new (GP_TYPE_ADVERTISEMENT, "object-path", object_path, NULL);
  check_keys (l, object, path, advertisement_keys, NULL, extra_get (l->extras, adv));

  if (read_enum (l, object, path, "type", "advertisement type", type_names, &e))
    gp_advertisement_set_advertisement_type (adv, e);
  if (read_string (l, object, path, "local-name", &local_name))
    gp_advertisement_set_local_name (adv, local_name);
  if (read_uint_member (l, object, path, "appearance", G_MAXUINT16, &u))
    gp_advertisement_set_appearance (adv, u);
  uuids = read_uuid_list (l, object, path, "service-uuids");
  if (uuids != NULL)
    gp_advertisement_set_service_uuids (adv, (const char * const *) uuids);
  g_clear_pointer (&uuids, g_strfreev);
  uuids = read_uuid_list (l, object, path, "solicit-uuids");
  if (uuids != NULL)
    gp_advertisement_set_solicit_uuids (adv, (const char * const *) uuids);
  read_data_map (l, object, path, "manufacturer-data", G_MAXUINT16, adv);
  read_data_map (l, object, path, "service-data", 0, adv);
  read_data_map (l, object, path, "data", G_MAXUINT8, adv);
  if (get_member (object, "includes") != NULL)
    gp_advertisement_set_includes (adv, read_flags (l, object, path, "includes",
                                                    GP_TYPE_ADVERTISEMENT_INCLUDES, 0));
  if (read_bool (l, object, path, "discoverable", &b))
    gp_advertisement_set_discoverable (adv, b);
  if (read_uint_member (l, object, path, "discoverable-timeout", G_MAXUINT16, &u))
    gp_advertisement_set_discoverable_timeout (adv, u);
  if (read_uint_member (l, object, path, "duration", G_MAXUINT16, &u))
    gp_advertisement_set_duration (adv, u);
  if (read_uint_member (l, object, path, "timeout", G_MAXUINT16, &u))
    gp_advertisement_set_timeout (adv, u);
  if (read_enum (l, object, path, "secondary-channel", "secondary channel",
                 secondary_channel_names, &e))
    gp_advertisement_set_secondary_channel (adv, e);
  if (read_uint_member (l, object, path, "min-interval", G_MAXUINT32, &u))
    gp_advertisement_set_min_interval (adv, u);
  if (read_uint_member (l, object, path, "max-interval", G_MAXUINT32, &u))
    gp_advertisement_set_max_interval (adv, u);
  member = get_member (object, "tx-power");
  if (member != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "tx-power");
      gint64 dbm;

      if (gp_profile_read_int (member, p, -127, 20, &dbm, &l->problems))
        gp_advertisement_set_tx_power (adv, dbm);
    }
  if (read_bool (l, object, path, "auto-register", &b))
    gp_advertisement_set_auto_register (adv, b);

  /* What BlueZ would refuse whatever the controller: errors. What only
   * legacy advertising refuses (the 31 bytes): a warning, since an
   * adapter with extended advertising may take it. */
  if (l->problems.n_errors == 0)
    {
      GpAdvertisingData ad;

      gp_advertisement_get_content (adv, &ad);
      if (!gp_advertising_data_check_fields (&ad, &error))
        gp_profile_problem_error (&l->problems, path, "%s", error->message);
      else if (!gp_advertisement_check (adv, &error))
        gp_profile_problem_warning (&l->problems, path, "%s", error->message);
    }
  l->advertisement = g_steal_pointer (&adv);
}

static const char * const root_keys[] = {
  "$schema", "name", "description", "path", "auto-register", "notification-window",
  "services", "advertisement", "agent", NULL
};
static const char * const root_kept[] = { "$schema", "name", "description", NULL };

static void
read_root (Loader   *l,
           JsonNode *root)
{
  JsonObject *object;
  const char *object_path = DEFAULT_APPLICATION_PATH, *s;
  gboolean auto_register;
  JsonArray *array;
  JsonNode *member;
  guint64 window;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      gp_profile_problem_error (&l->problems, "", "a profile is a JSON object, found %s",
                                gp_profile_node_kind (root));
      return;
    }
  object = json_node_get_object (root);
  read_object_path (l, object, "", &object_path);
  l->application = gp_application_new (object_path);
  check_keys (l, object, "", root_keys, root_kept, extra_get (l->extras, l->application));
  read_string (l, object, "", "name", &s);
  read_string (l, object, "", "description", &s);

  if (read_bool (l, object, "", "auto-register", &auto_register))
    gp_application_set_auto_register (l->application, auto_register);
  member = get_member (object, "notification-window");
  if (member != NULL && gp_profile_read_uint (member, "notification-window", 4096, &window,
                                              &l->problems))
    {
      if (window == 0)
        gp_profile_problem_error (&l->problems, "notification-window",
                                  "0 is out of range (1..4096)");
      else
        gp_application_set_notification_window (l->application, window);
    }

  array = read_array (l, object, "", "services");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *p = gp_profile_path_index ("services", i);
      g_autoptr(GpService) service = read_service (l, json_array_get_element (array, i), p);
      g_autoptr(GError) error = NULL;

      if (service != NULL && !gp_application_add_service (l->application, service, &error))
        gp_profile_problem_error (&l->problems, p, "%s", error->message);
    }
  resolve_includes (l);

  member = get_member (object, "advertisement");
  if (member != NULL)
    read_advertisement (l, member, "advertisement");
  member = get_member (object, "agent");
  if (member != NULL)
    read_agent (l, member, "agent");
}

/* The value of the four hex digits at @at, or -1. */
static gint
hex4 (const char *data,
      gsize       length,
      gsize       at)
{
  gint value = 0;

  if (at + 4 > length)
    return -1;
  for (gsize k = at; k < at + 4; k++)
    {
      gint digit = g_ascii_xdigit_value (data[k]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* What json-glib 1.6 would take badly, refused before it parses: nesting
 * deeper than MAX_JSON_DEPTH (its parser recurses once per level), half
 * of a surrogate pair in a \u escape (it leaks, or decodes it into bytes
 * that are not UTF-8), a \u escape without its four hex digits, and
 * anything but white space around the one top-level value (it accepts
 * several values, and "var x = …;", and leaks all but one). NULL if the
 * data is fine, or why not. */
static char *
scan_json (const char *data,
           gsize       length)
{
  gboolean in_string = FALSE, ended = FALSE, started = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];
      gboolean space = c == ' ' || c == '\t' || c == '\n' || c == '\r';

      if (in_string)
        {
          if (c == '\\' && i + 1 < length && data[i + 1] == 'u')
            {
              gint u = hex4 (data, length, i + 2);

              /* JSON wants four hex digits; json-glib 1.6 reads fewer and
               * then goes on in ways this scan would have to copy (after
               * a high surrogate it leaks). */
              if (u < 0)
                return g_strdup_printf ("a \\u escape without four hex digits at offset %" G_GSIZE_FORMAT, i);
              /* json-glib 1.6 leaks when it meets half a surrogate pair,
               * and decodes some into bytes that are not UTF-8. */
              if (u >= 0xdc00 && u <= 0xdfff)
                return g_strdup_printf ("a lone low surrogate \\u%04x at offset %" G_GSIZE_FORMAT, u, i);
              if (u >= 0xd800 && u <= 0xdbff)
                {
                  gint low = i + 7 < length && data[i + 6] == '\\' && data[i + 7] == 'u'
                             ? hex4 (data, length, i + 8) : -1;

                  if (low < 0xdc00 || low > 0xdfff)
                    return g_strdup_printf ("\\u%04x at offset %" G_GSIZE_FORMAT " is half of a "
                                            "surrogate pair", u, i);
                  i += 11;
                  continue;
                }
              i += 5;
              continue;
            }
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (space)
        continue;
      if (ended)
        return g_strdup_printf ("text after the end of the profile, at offset %" G_GSIZE_FORMAT, i);
      if (c == '[' || c == '{')
        {
          if (depth == 0 && started)
            return g_strdup_printf ("a profile is one JSON object; unexpected '%c' at offset %"
                                    G_GSIZE_FORMAT, c, i);
          if (++depth > MAX_JSON_DEPTH)
            return g_strdup_printf ("the JSON nests more than %d levels deep", MAX_JSON_DEPTH);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        {
          if (--depth == 0)
            ended = TRUE;
        }
      else if (c == '"')
        in_string = TRUE;
      started = TRUE;
    }
  return NULL;
}

/**
 * gp_profile_load_from_data:
 * @self: a #GpProfile
 * @data: the profile, JSON
 * @length: the length of @data in bytes, or -1 if it is nul-terminated
 * @error: return location for a #GError
 *
 * Reads a profile and makes its application, advertisement and agent,
 * which replace those the profile had. If the profile has a problem,
 * nothing is replaced, and @error has one line per problem (`json.path:
 * what is wrong`); [method@Profile.check] lists them too, with the
 * warnings.
 *
 * Returns: whether the profile was loaded
 *
 * Since: 0.1
 */
gboolean
gp_profile_load_from_data (GpProfile   *self,
                           const char  *data,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *why = NULL;
  Loader l;
  gsize n;

  g_return_val_if_fail (GP_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = length < 0 ? strlen (data) : (gsize) length;
  g_ptr_array_set_size (self->problems, 0);

  why = scan_json (data != NULL ? data : "", n);
  if (why != NULL)
    {
      g_set_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_PARSE, "not valid JSON: %s", why);
      g_ptr_array_add (self->problems, g_strdup_printf ("$: not valid JSON: %s", why));
      return FALSE;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", n, &parse_error))
    {
      /* json-glib quotes the offending text, which need not be UTF-8. */
      g_autofree char *message = g_utf8_make_valid (parse_error->message, -1);

      g_set_error (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_PARSE, "not valid JSON: %s", message);
      g_ptr_array_add (self->problems, g_strdup_printf ("$: not valid JSON: %s", message));
      return FALSE;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_PARSE,
                           "not valid JSON: there is nothing but white space");
      g_ptr_array_add (self->problems, g_strdup ("$: not valid JSON: there is nothing but white space"));
      return FALSE;
    }

  loader_init (&l);
  read_root (&l, json_parser_get_root (parser));

  for (guint i = 0; i < l.problems.lines->len; i++)
    g_ptr_array_add (self->problems, g_strdup (g_ptr_array_index (l.problems.lines, i)));

  if (l.problems.n_errors > 0)
    {
      GString *message = g_string_new (NULL);

      for (guint i = 0; i < l.problems.lines->len; i++)
        {
          const char *line = g_ptr_array_index (l.problems.lines, i);

          if (g_array_index (l.problems.is_warning, gboolean, i))
            continue;
          if (message->len > 0)
            g_string_append_c (message, '\n');
          g_string_append (message, line);
        }
      g_set_error_literal (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID, message->str);
      g_string_free (message, TRUE);
      loader_clear (&l);
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  g_hash_table_remove_all (self->ids);
  g_clear_pointer (&self->extras, g_hash_table_unref);
  self->extras = g_steal_pointer (&l.extras);
  g_clear_pointer (&self->ids, g_hash_table_unref);
  self->ids = g_steal_pointer (&l.ids);
  if (g_set_object (&self->application, l.application))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_APPLICATION]);
  if (g_set_object (&self->advertisement, l.advertisement))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ADVERTISEMENT]);
  if (g_set_object (&self->agent, l.agent))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AGENT]);
  loader_clear (&l);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/**
 * gp_profile_load_from_file:
 * @self: a #GpProfile
 * @path: (type filename): the file to read
 * @error: return location for a #GError
 *
 * Reads a profile from a file: see [method@Profile.load_from_data].
 *
 * Returns: whether the profile was loaded
 *
 * Since: 0.1
 */
gboolean
gp_profile_load_from_file (GpProfile   *self,
                           const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (GP_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  return gp_profile_load_from_data (self, contents, length, error);
}

/**
 * gp_profile_load_from_resource:
 * @self: a #GpProfile
 * @resource_path: the path of the profile in the registered resources
 * @error: return location for a #GError
 *
 * Reads a profile from a [struct@Gio.Resource]: see
 * [method@Profile.load_from_data].
 *
 * Returns: whether the profile was loaded
 *
 * Since: 0.1
 */
gboolean
gp_profile_load_from_resource (GpProfile   *self,
                               const char  *resource_path,
                               GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (GP_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (resource_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = g_resources_lookup_data (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  return gp_profile_load_from_data (self, data != NULL ? data : "", length, error);
}

/* ------------------------------------------------------------------ */
/* Saving                                                               */

static void
add_uuid (JsonBuilder *b,
          const char  *key,
          const char  *uuid)
{
  guint32 short_uuid;

  json_builder_set_member_name (b, key);
  if (gp_uuid_get_short (uuid, &short_uuid))
    {
      g_autofree char *s = g_strdup_printf (short_uuid <= 0xffff ? "%04x" : "%08x", short_uuid);

      json_builder_add_string_value (b, s);
    }
  else
    json_builder_add_string_value (b, uuid);
}

static void
add_flags (JsonBuilder *b,
           const char  *key,
           GType        flags_type,
           guint        flags)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (flags_type);

  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0 && (flags & klass->values[i].value) == klass->values[i].value)
      json_builder_add_string_value (b, klass->values[i].value_nick);
  json_builder_end_array (b);
}

static void
add_kept (JsonBuilder *b,
          Extra       *extra)
{
  g_autoptr(GList) members = NULL;

  if (extra == NULL || extra->kept == NULL)
    return;
  members = json_object_get_members (extra->kept);
  for (GList *m = members; m != NULL; m = m->next)
    {
      json_builder_set_member_name (b, m->data);
      json_builder_add_value (b, json_node_copy (json_object_get_member (extra->kept, m->data)));
    }
}

static void
add_id (JsonBuilder *b,
        Extra       *extra)
{
  if (extra != NULL && extra->id != NULL)
    {
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, extra->id);
    }
}

static void
add_attribute_common (JsonBuilder *b,
                      GpAttribute *attribute,
                      Extra       *extra)
{
  GBytes *value = gp_attribute_get_value (attribute);
  guint handle = gp_attribute_get_requested_handle (attribute);

  if (handle != 0)
    {
      json_builder_set_member_name (b, "handle");
      json_builder_add_int_value (b, handle);
    }
  if (extra != NULL && extra->value_node != NULL && extra->value != NULL &&
      value != NULL && g_bytes_equal (extra->value, value))
    {
      json_builder_set_member_name (b, "value");
      json_builder_add_value (b, json_node_copy (extra->value_node));
    }
  else if (value != NULL && g_bytes_get_size (value) > 0)
    {
      json_builder_set_member_name (b, "value");
      json_builder_add_value (b, gp_profile_value_to_json (value, gp_attribute_get_uuid (attribute)));
    }
}

static void
add_descriptor_json (GpProfile    *self,
                     JsonBuilder  *b,
                     GpDescriptor *descriptor)
{
  Extra *extra = g_hash_table_lookup (self->extras, descriptor);

  json_builder_begin_object (b);
  add_id (b, extra);
  add_uuid (b, "uuid", gp_attribute_get_uuid (GP_ATTRIBUTE (descriptor)));
  add_flags (b, "flags", GP_TYPE_DESCRIPTOR_FLAGS, gp_descriptor_get_flags (descriptor));
  add_attribute_common (b, GP_ATTRIBUTE (descriptor), extra);
  add_kept (b, extra);
  json_builder_end_object (b);
}

static void
add_characteristic_json (GpProfile        *self,
                         JsonBuilder      *b,
                         GpCharacteristic *characteristic)
{
  Extra *extra = g_hash_table_lookup (self->extras, characteristic);
  g_autoptr(GList) descriptors = gp_characteristic_get_descriptors (characteristic);

  json_builder_begin_object (b);
  add_id (b, extra);
  add_uuid (b, "uuid", gp_attribute_get_uuid (GP_ATTRIBUTE (characteristic)));
  add_flags (b, "flags", GP_TYPE_CHARACTERISTIC_FLAGS, gp_characteristic_get_flags (characteristic));
  add_attribute_common (b, GP_ATTRIBUTE (characteristic), extra);
  if (gp_characteristic_get_acquire_notify (characteristic))
    {
      json_builder_set_member_name (b, "acquire-notify");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (gp_characteristic_get_acquire_write (characteristic))
    {
      json_builder_set_member_name (b, "acquire-write");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (descriptors != NULL)
    {
      json_builder_set_member_name (b, "descriptors");
      json_builder_begin_array (b);
      for (GList *d = descriptors; d != NULL; d = d->next)
        add_descriptor_json (self, b, d->data);
      json_builder_end_array (b);
    }
  add_kept (b, extra);
  json_builder_end_object (b);
}

/* The id a service is saved with, when it has none and another service
 * includes it. */
static const char *
service_id (GpProfile  *self,
            GHashTable *generated,
            GpService  *service)
{
  Extra *extra = g_hash_table_lookup (self->extras, service);
  char *id;

  if (extra != NULL && extra->id != NULL)
    return extra->id;
  id = g_hash_table_lookup (generated, service);
  for (guint n = g_hash_table_size (generated); id == NULL; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("service%u", n);

      if (!g_hash_table_contains (self->ids, candidate))
        {
          id = g_steal_pointer (&candidate);
          g_hash_table_insert (generated, service, id);
        }
    }
  return id;
}

static void
add_service_json (GpProfile   *self,
                  JsonBuilder *b,
                  GHashTable  *generated,
                  GHashTable  *included,
                  GpService   *service)
{
  Extra *extra = g_hash_table_lookup (self->extras, service);
  g_autoptr(GList) includes = gp_service_get_includes (service);
  g_autoptr(GList) characteristics = gp_service_get_characteristics (service);
  guint handle = gp_service_get_requested_handle (service);

  json_builder_begin_object (b);
  if (g_hash_table_contains (included, service))
    {
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, service_id (self, generated, service));
    }
  else
    add_id (b, extra);
  add_uuid (b, "uuid", gp_service_get_uuid (service));
  if (!gp_service_get_primary (service))
    {
      json_builder_set_member_name (b, "primary");
      json_builder_add_boolean_value (b, FALSE);
    }
  if (handle != 0)
    {
      json_builder_set_member_name (b, "handle");
      json_builder_add_int_value (b, handle);
    }
  if (includes != NULL)
    {
      json_builder_set_member_name (b, "includes");
      json_builder_begin_array (b);
      for (GList *i = includes; i != NULL; i = i->next)
        json_builder_add_string_value (b, service_id (self, generated, i->data));
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "characteristics");
  json_builder_begin_array (b);
  for (GList *c = characteristics; c != NULL; c = c->next)
    add_characteristic_json (self, b, c->data);
  json_builder_end_array (b);
  add_kept (b, extra);
  json_builder_end_object (b);
}

static void
add_data_entries (JsonBuilder *b,
                  const char  *key,
                  GPtrArray   *entries,
                  int          key_digits)
{
  if (entries == NULL || entries->len == 0)
    return;
  json_builder_set_member_name (b, key);
  json_builder_begin_object (b);
  for (guint i = 0; i < entries->len; i++)
    {
      GpAdvertisingDataEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *name = e->uuid != NULL ? g_strdup (e->uuid) : g_strdup_printf ("0x%0*x", key_digits, e->key);

      json_builder_set_member_name (b, name);
      json_builder_add_value (b, gp_profile_value_to_json (e->data, NULL));
    }
  json_builder_end_object (b);
}

static void
add_uuid_list (JsonBuilder        *b,
               const char         *key,
               const char * const *uuids)
{
  if (uuids == NULL || uuids[0] == NULL)
    return;
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; uuids[i] != NULL; i++)
    json_builder_add_string_value (b, uuids[i]);
  json_builder_end_array (b);
}

#define ADD_UINT_IF(b, key, value, default_value) \
  G_STMT_START { \
    if ((value) != (default_value)) \
      { \
        json_builder_set_member_name ((b), (key)); \
        json_builder_add_int_value ((b), (value)); \
      } \
  } G_STMT_END

static void
add_advertisement_json (GpProfile   *self,
                        JsonBuilder *b)
{
  GpAdvertisement *adv = self->advertisement;
  g_autoptr(GpAdvertisement) defaults = gp_advertisement_new ();
  const char *object_path = gp_advertisement_get_object_path (adv);
  GpAdvertisementIncludes includes = gp_advertisement_get_includes (adv);
  GpAdvertisingData ad;

  json_builder_set_member_name (b, "advertisement");
  json_builder_begin_object (b);
  /* The paths the library picks are not saved. */
  if (!g_str_has_prefix (object_path, "/org/gattperiph/advertisement") ||
      strspn (object_path + strlen ("/org/gattperiph/advertisement"), "0123456789") !=
      strlen (object_path + strlen ("/org/gattperiph/advertisement")))
    {
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, object_path);
    }
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type_names[gp_advertisement_get_advertisement_type (adv)]);
  if (gp_advertisement_get_local_name (adv) != NULL)
    {
      json_builder_set_member_name (b, "local-name");
      json_builder_add_string_value (b, gp_advertisement_get_local_name (adv));
    }
  if (gp_advertisement_get_appearance (adv) != GP_ADVERTISEMENT_APPEARANCE_NONE)
    {
      json_builder_set_member_name (b, "appearance");
      json_builder_add_int_value (b, gp_advertisement_get_appearance (adv));
    }
  add_uuid_list (b, "service-uuids", gp_advertisement_get_service_uuids (adv));
  add_uuid_list (b, "solicit-uuids", gp_advertisement_get_solicit_uuids (adv));
  gp_advertisement_get_content (adv, &ad);
  add_data_entries (b, "manufacturer-data", ad.manufacturer_data, 4);
  add_data_entries (b, "service-data", ad.service_data, 0);
  add_data_entries (b, "data", ad.data, 2);
  if (includes != GP_ADVERTISEMENT_INCLUDES_NONE)
    add_flags (b, "includes", GP_TYPE_ADVERTISEMENT_INCLUDES, includes);
  if (gp_advertisement_get_discoverable (adv) != gp_advertisement_get_discoverable (defaults))
    {
      json_builder_set_member_name (b, "discoverable");
      json_builder_add_boolean_value (b, gp_advertisement_get_discoverable (adv));
    }
  ADD_UINT_IF (b, "discoverable-timeout", gp_advertisement_get_discoverable_timeout (adv),
               gp_advertisement_get_discoverable_timeout (defaults));
  ADD_UINT_IF (b, "duration", gp_advertisement_get_duration (adv),
               gp_advertisement_get_duration (defaults));
  ADD_UINT_IF (b, "timeout", gp_advertisement_get_timeout (adv),
               gp_advertisement_get_timeout (defaults));
  if (gp_advertisement_get_secondary_channel (adv) != GP_SECONDARY_CHANNEL_NONE)
    {
      json_builder_set_member_name (b, "secondary-channel");
      json_builder_add_string_value (b, secondary_channel_names[gp_advertisement_get_secondary_channel (adv)]);
    }
  ADD_UINT_IF (b, "min-interval", gp_advertisement_get_min_interval (adv),
               gp_advertisement_get_min_interval (defaults));
  ADD_UINT_IF (b, "max-interval", gp_advertisement_get_max_interval (adv),
               gp_advertisement_get_max_interval (defaults));
  ADD_UINT_IF (b, "tx-power", gp_advertisement_get_tx_power (adv), GP_ADVERTISEMENT_TX_POWER_NONE);
  if (gp_advertisement_get_auto_register (adv) != gp_advertisement_get_auto_register (defaults))
    {
      json_builder_set_member_name (b, "auto-register");
      json_builder_add_boolean_value (b, gp_advertisement_get_auto_register (adv));
    }
  add_kept (b, g_hash_table_lookup (self->extras, adv));
  json_builder_end_object (b);
}

static void
add_agent_json (GpProfile   *self,
                JsonBuilder *b)
{
  GpAgent *agent = self->agent;
  g_autoptr(GpAgent) defaults = gp_agent_new (GP_AGENT_CAPABILITY_NO_INPUT_NO_OUTPUT);

  json_builder_set_member_name (b, "agent");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "capability");
  json_builder_add_string_value (b, capability_names[gp_agent_get_capability (agent)]);
  if (g_strcmp0 (gp_agent_get_object_path (agent), DEFAULT_AGENT_PATH) != 0)
    {
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, gp_agent_get_object_path (agent));
    }
  if (gp_agent_get_auto_register (agent) != gp_agent_get_auto_register (defaults))
    {
      json_builder_set_member_name (b, "auto-register");
      json_builder_add_boolean_value (b, gp_agent_get_auto_register (agent));
    }
  add_kept (b, g_hash_table_lookup (self->extras, agent));
  json_builder_end_object (b);
}

static void
collect_included (GpApplication *application,
                  GHashTable    *included)
{
  g_autoptr(GList) services = gp_application_get_services (application);

  for (GList *s = services; s != NULL; s = s->next)
    {
      g_autoptr(GList) includes = gp_service_get_includes (s->data);

      for (GList *i = includes; i != NULL; i = i->next)
        g_hash_table_add (included, i->data);
    }
}

/**
 * gp_profile_to_data:
 * @self: a #GpProfile
 * @length: (out) (optional): return location for the length of the result
 *
 * Writes the profile as JSON (indented): the application's tree with its
 * current values, the advertisement and the agent. Values keep the form
 * they were loaded in while they are unchanged; others are written as hex
 * (as text for a User Description, as an object for a Presentation
 * Format). Loading the result gives the same tree and values.
 *
 * Returns: (transfer full): the JSON, nul-terminated
 *
 * Since: 0.1
 */
char *
gp_profile_to_data (GpProfile *self,
                    gsize     *length)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) generated = NULL;
  g_autoptr(GHashTable) included = NULL;

  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);

  b = json_builder_new ();
  generated = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  included = g_hash_table_new (NULL, NULL);
  json_builder_begin_object (b);
  if (self->application != NULL)
    {
      Extra *extra = g_hash_table_lookup (self->extras, self->application);
      g_autoptr(GpApplication) defaults = gp_application_new (DEFAULT_APPLICATION_PATH);
      g_autoptr(GList) services = gp_application_get_services (self->application);

      collect_included (self->application, included);
      add_kept (b, extra);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, gp_application_get_object_path (self->application));
      if (gp_application_get_auto_register (self->application) !=
          gp_application_get_auto_register (defaults))
        {
          json_builder_set_member_name (b, "auto-register");
          json_builder_add_boolean_value (b, gp_application_get_auto_register (self->application));
        }
      ADD_UINT_IF (b, "notification-window",
                   gp_application_get_notification_window (self->application),
                   gp_application_get_notification_window (defaults));
      json_builder_set_member_name (b, "services");
      json_builder_begin_array (b);
      for (GList *s = services; s != NULL; s = s->next)
        add_service_json (self, b, generated, included, s->data);
      json_builder_end_array (b);
    }
  if (self->advertisement != NULL)
    add_advertisement_json (self, b);
  if (self->agent != NULL)
    add_agent_json (self, b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

/**
 * gp_profile_save_to_file:
 * @self: a #GpProfile
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes [method@Profile.to_data] to a file (atomically).
 *
 * Returns: whether the file was written
 *
 * Since: 0.1
 */
gboolean
gp_profile_save_to_file (GpProfile   *self,
                         const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (GP_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = gp_profile_to_data (self, &length);
  return g_file_set_contents (path, data, length, error);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                            */

/**
 * gp_profile_new:
 *
 * Makes an empty profile: load one, or give it an application (and an
 * advertisement and agent) to save.
 *
 * Returns: (transfer full): a new profile
 *
 * Since: 0.1
 */
GpProfile *
gp_profile_new (void)
{
  return g_object_new (GP_TYPE_PROFILE, NULL);
}

/**
 * gp_profile_get_application:
 * @self: a #GpProfile
 *
 * The application of the profile.
 *
 * Returns: (transfer none) (nullable): the application, or %NULL before a
 *   profile was loaded or an application given
 *
 * Since: 0.1
 */
GpApplication *
gp_profile_get_application (GpProfile *self)
{
  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);
  return self->application;
}

/* Forgets the ids and kept members of objects the profile no longer has. */
static void
forget_extras (GpProfile *self,
               gpointer   owner)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_remove_all (self->ids);
  g_hash_table_iter_init (&iter, self->extras);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean keep = key != owner &&
                      (owner != self->application ||
                       (!GP_IS_ATTRIBUTE (key) && !GP_IS_SERVICE (key)));

      if (!keep)
        g_hash_table_iter_remove (&iter);
    }
  g_hash_table_iter_init (&iter, self->extras);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Extra *extra = value;

      if (extra->id != NULL)
        g_hash_table_insert (self->ids, extra->id, key);
    }
}

/**
 * gp_profile_set_application:
 * @self: a #GpProfile
 * @application: (nullable): an application
 *
 * Gives the profile an application, to be saved. The ids and members of
 * the previous application's objects are forgotten.
 *
 * Since: 0.1
 */
void
gp_profile_set_application (GpProfile     *self,
                            GpApplication *application)
{
  g_return_if_fail (GP_IS_PROFILE (self));
  g_return_if_fail (application == NULL || GP_IS_APPLICATION (application));

  if (self->application == application)
    return;
  if (self->application != NULL)
    forget_extras (self, self->application);
  g_set_object (&self->application, application);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_APPLICATION]);
}

/**
 * gp_profile_get_advertisement:
 * @self: a #GpProfile
 *
 * The advertisement of the profile.
 *
 * Returns: (transfer none) (nullable): the advertisement, or %NULL if the
 *   profile has none
 *
 * Since: 0.1
 */
GpAdvertisement *
gp_profile_get_advertisement (GpProfile *self)
{
  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);
  return self->advertisement;
}

/**
 * gp_profile_set_advertisement:
 * @self: a #GpProfile
 * @advertisement: (nullable): an advertisement
 *
 * Gives the profile an advertisement, or takes it away.
 *
 * Since: 0.1
 */
void
gp_profile_set_advertisement (GpProfile       *self,
                              GpAdvertisement *advertisement)
{
  g_return_if_fail (GP_IS_PROFILE (self));
  g_return_if_fail (advertisement == NULL || GP_IS_ADVERTISEMENT (advertisement));

  if (self->advertisement == advertisement)
    return;
  if (self->advertisement != NULL)
    forget_extras (self, self->advertisement);
  g_set_object (&self->advertisement, advertisement);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ADVERTISEMENT]);
}

/**
 * gp_profile_get_agent:
 * @self: a #GpProfile
 *
 * The pairing agent of the profile.
 *
 * Returns: (transfer none) (nullable): the agent, or %NULL if the profile
 *   has none
 *
 * Since: 0.1
 */
GpAgent *
gp_profile_get_agent (GpProfile *self)
{
  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);
  return self->agent;
}

/**
 * gp_profile_set_agent:
 * @self: a #GpProfile
 * @agent: (nullable): an agent
 *
 * Gives the profile a pairing agent, or takes it away.
 *
 * Since: 0.1
 */
void
gp_profile_set_agent (GpProfile *self,
                      GpAgent   *agent)
{
  g_return_if_fail (GP_IS_PROFILE (self));
  g_return_if_fail (agent == NULL || GP_IS_AGENT (agent));

  if (self->agent == agent)
    return;
  if (self->agent != NULL)
    forget_extras (self, self->agent);
  g_set_object (&self->agent, agent);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AGENT]);
}

/**
 * gp_profile_lookup:
 * @self: a #GpProfile
 * @id: the `"id"` of a characteristic or descriptor in the profile
 *
 * Finds a characteristic or descriptor by the id the profile gave it, to
 * attach handlers to it or change its value.
 *
 * Returns: (transfer none) (nullable): the attribute, or %NULL if no
 *   characteristic or descriptor has that id (a service's id gives %NULL)
 *
 * Since: 0.1
 */
GpAttribute *
gp_profile_lookup (GpProfile  *self,
                   const char *id)
{
  gpointer object;

  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  object = g_hash_table_lookup (self->ids, id);
  return object != NULL && GP_IS_ATTRIBUTE (object) ? object : NULL;
}

/**
 * gp_profile_get_id:
 * @self: a #GpProfile
 * @attribute: a characteristic or descriptor
 *
 * The id the profile gave @attribute.
 *
 * Returns: (nullable): the id, or %NULL if it has none
 *
 * Since: 0.1
 */
const char *
gp_profile_get_id (GpProfile   *self,
                   GpAttribute *attribute)
{
  Extra *extra;

  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);
  g_return_val_if_fail (GP_IS_ATTRIBUTE (attribute), NULL);

  extra = g_hash_table_lookup (self->extras, attribute);
  return extra != NULL ? extra->id : NULL;
}

/**
 * gp_profile_get_member:
 * @self: a #GpProfile
 * @attribute: a characteristic or descriptor
 * @name: `"value"`, or the name of a member the library keeps without
 *   interpreting it: `"behavior"` (characteristics), `"comment"` or `"x-…"`
 *
 * A member of @attribute's object in the profile that the library keeps
 * for the program using it, such as the `"behavior"` of a characteristic
 * that the `gattperiph` tool acts on, or its `"value"` as written
 * (`{"uint16": 72}` rather than the bytes `48 00`), to show values the
 * way the profile writes them with [func@Profile.value_format].
 *
 * Returns: (transfer none) (nullable): the member, or %NULL if it has none
 *
 * Since: 0.1
 */
JsonNode *
gp_profile_get_member (GpProfile   *self,
                       GpAttribute *attribute,
                       const char  *name)
{
  Extra *extra;

  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);
  g_return_val_if_fail (GP_IS_ATTRIBUTE (attribute), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  extra = g_hash_table_lookup (self->extras, attribute);
  if (extra != NULL && strcmp (name, "value") == 0)
    return extra->value_node;
  if (extra == NULL || extra->kept == NULL || !json_object_has_member (extra->kept, name))
    return NULL;
  return json_object_get_member (extra->kept, name);
}

/**
 * gp_profile_check:
 * @self: a #GpProfile
 *
 * Every problem found when the profile was last loaded, successfully or
 * not, in the order found: errors as `json.path: message`, warnings as
 * `json.path: warning: message` (such as advertising data that only fits
 * with extended advertising, or a value that does not fit its
 * Presentation Format). `$` is the path of the whole profile.
 *
 * Returns: (transfer full) (array zero-terminated=1): the problems (an
 *   empty array if there were none)
 *
 * Since: 0.1
 */
char **
gp_profile_check (GpProfile *self)
{
  GStrvBuilder *builder;
  char **result;

  g_return_val_if_fail (GP_IS_PROFILE (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->problems->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->problems, i));
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}
