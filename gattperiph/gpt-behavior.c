/* gpt-behavior.c: what a served characteristic does, and its log
 *
 * A characteristic of a profile may carry a "behavior" member
 * (docs/gattperiph.md, "Behaviours"):
 *
 *   "behavior": {
 *     "read":  "value" | "reject",
 *     "write": "store" | "ignore" | "echo" | "reject",
 *     "error": "0x80",
 *     "echo-to": "id of another characteristic",
 *     "notify": { "source": "counter" | "sequence" | "file" | "command",
 *                 "interval-ms": 1000, ... }
 *   }
 *
 * Every attribute served (characteristics and descriptors, with or
 * without a behaviour) gets one GptBehavior, which logs each request.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-behavior.h"
#include "gpt-value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRESENTATION_FORMAT_UUID "00002904-0000-1000-8000-00805f9b34fb"
#define MIN_INTERVAL_MS 10
#define MAX_INTERVAL_MS 3600000
#define MAX_VALUE 512

typedef enum { READ_VALUE, READ_REJECT } ReadMode;
typedef enum { WRITE_STORE, WRITE_IGNORE, WRITE_ECHO, WRITE_REJECT } WriteMode;
typedef enum { SOURCE_NONE, SOURCE_COUNTER, SOURCE_SEQUENCE, SOURCE_FILE, SOURCE_COMMAND } Source;

static const char * const read_modes[] = { "value", "reject", NULL };
static const char * const write_modes[] = { "store", "ignore", "echo", "reject", NULL };
static const char * const sources[] = { "", "counter", "sequence", "file", "command", NULL };
static const char * const behavior_keys[] = { "read", "write", "error", "echo-to", "notify", NULL };
static const char * const notify_keys[] = {
  "source", "interval-ms", "while", "prefix", "format", "start", "step", "values",
  "path", "command", "scale", NULL
};

/* What the "behavior" member says. */
typedef struct
{
  ReadMode   read;
  WriteMode  write;
  guint8     error;
  Source     source;
  guint      interval_ms;
  gboolean   always;
  GBytes    *prefix;
  char      *format;
  double     start;
  double     step;
  GPtrArray *values;        /* of GBytes */
  GpAttribute *echo_to;     /* "echo-to", or NULL: the characteristic itself */
  char      *path;
  char      *command;
  double     scale;
} Spec;

struct _GptBehavior
{
  GpAttribute  *attribute;
  char         *id;
  JsonNode     *value_template;
  GptLog       *log;
  Spec          spec;
  gulong        read_handler;
  gulong        write_handler;
  gulong        notifying_handler;
  guint         timer;
  double        counter;
  guint         index;
  GCancellable *cancellable;
  gboolean      command_running;
};

static void
spec_clear (Spec *spec)
{
  g_clear_pointer (&spec->prefix, g_bytes_unref);
  g_clear_pointer (&spec->format, g_free);
  g_clear_pointer (&spec->values, g_ptr_array_unref);
  g_clear_pointer (&spec->path, g_free);
  g_clear_pointer (&spec->command, g_free);
  g_clear_object (&spec->echo_to);
}

static void G_GNUC_PRINTF (3, 4)
problem (GPtrArray  *problems,
         const char *path,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (problems, g_strdup_printf ("%s: %s", path, message));
}

/* The closest of @known to @word, if it is close (for "did you mean"). */
static const char *
closest (const char         *word,
         const char * const *known)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  for (gsize i = 0; known[i] != NULL; i++)
    {
      gsize n = strlen (word), m = strlen (known[i]);
      g_autofree guint *row = g_new (guint, m + 1);

      for (gsize j = 0; j <= m; j++)
        row[j] = (guint) j;
      for (gsize a = 1; a <= n; a++)
        {
          guint diagonal = row[0];

          row[0] = (guint) a;
          for (gsize j = 1; j <= m; j++)
            {
              guint above = row[j];
              guint cost = word[a - 1] == known[i][j - 1] ? 0 : 1;

              row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
              diagonal = above;
            }
        }
      if (row[m] < best_distance)
        {
          best_distance = row[m];
          best = known[i];
        }
    }
  return best_distance <= 2 ? best : NULL;
}

static char *
choices (const char * const *known)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (gsize i = 0; known[i] != NULL; i++)
    if (known[i][0] != '\0')
      g_string_append_printf (s, "%s\"%s\"", s->len > 0 ? ", " : "", known[i]);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
check_keys (JsonObject         *object,
            const char * const *known,
            const char         *path,
            GPtrArray          *problems)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        const char *guess = closest (l->data, known);
        g_autofree char *all = choices (known);

        if (guess != NULL)
          problem (problems, path, "unknown key \"%s\"; did you mean \"%s\"?", (char *) l->data, guess);
        else
          problem (problems, path, "unknown key \"%s\" (known: %s)", (char *) l->data, all);
      }
}

static const char *
get_string (JsonObject *object,
            const char *key,
            const char *path,
            GPtrArray  *problems)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      problem (problems, path, "\"%s\" must be a string", key);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_number (JsonObject *object,
            const char *key,
            double     *out,
            const char *path,
            GPtrArray  *problems)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      problem (problems, path, "\"%s\" must be a number", key);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

static int
get_choice (JsonObject         *object,
            const char         *key,
            const char * const *known,
            int                 fallback,
            const char         *path,
            GPtrArray          *problems)
{
  const char *value = get_string (object, key, path, problems);
  const char *guess;
  g_autofree char *all = NULL;

  if (value == NULL)
    return fallback;
  for (int i = 0; known[i] != NULL; i++)
    if (known[i][0] != '\0' && strcmp (known[i], value) == 0)
      return i;
  guess = closest (value, known);
  all = choices (known);
  if (guess != NULL)
    problem (problems, path, "\"%s\": unknown value \"%s\"; did you mean \"%s\"?", key, value, guess);
  else
    problem (problems, path, "\"%s\": unknown value \"%s\" (known: %s)", key, value, all);
  return fallback;
}

static void
parse_notify (JsonNode         *node,
              GpAttribute      *attribute,
              Spec             *spec,
              const char       *parent,
              GPtrArray        *problems)
{
  g_autofree char *path = g_strdup_printf ("%s.notify", parent);
  JsonObject *object;
  const char *text;
  double number;
  GpCharacteristicFlags flags = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (problems, path, "must be an object (\"source\", \"interval-ms\", ...)");
      return;
    }
  object = json_node_get_object (node);
  check_keys (object, notify_keys, path, problems);

  spec->source = (Source) get_choice (object, "source", sources, SOURCE_NONE, path, problems);
  if (!json_object_has_member (object, "source"))
    problem (problems, path, "\"source\" is missing (one of \"counter\", \"sequence\", \"file\", \"command\")");

  if (!get_number (object, "interval-ms", &number, path, problems))
    {
      if (!json_object_has_member (object, "interval-ms"))
        problem (problems, path, "\"interval-ms\" is missing (milliseconds between values)");
    }
  else if (number != floor (number) || number < MIN_INTERVAL_MS || number > MAX_INTERVAL_MS)
    problem (problems, path, "\"interval-ms\" must be a whole number from %d to %d", MIN_INTERVAL_MS, MAX_INTERVAL_MS);
  else
    spec->interval_ms = (guint) number;

  text = get_string (object, "while", path, problems);
  if (text != NULL && strcmp (text, "always") == 0)
    spec->always = TRUE;
  else if (text != NULL && strcmp (text, "subscribed") != 0)
    problem (problems, path, "\"while\" must be \"subscribed\" (the default) or \"always\"");

  if (GP_IS_CHARACTERISTIC (attribute))
    flags = gp_characteristic_get_flags (GP_CHARACTERISTIC (attribute));
  if (!spec->always && !(flags & (GP_CHARACTERISTIC_FLAGS_NOTIFY | GP_CHARACTERISTIC_FLAGS_INDICATE)))
    problem (problems, path, "never runs: the characteristic has neither \"notify\" nor \"indicate\" "
                             "(add one, or \"while\": \"always\" to update the value for reads)");

  text = get_string (object, "prefix", path, problems);
  if (text != NULL)
    {
      g_autoptr(GError) error = NULL;

      spec->prefix = gpt_value_from_hex (text, &error);
      if (spec->prefix == NULL)
        problem (problems, path, "\"prefix\": %s", error->message);
    }

  text = get_string (object, "format", path, problems);
  spec->scale = 1;
  get_number (object, "scale", &spec->scale, path, problems);
  switch (spec->source)
    {
    case SOURCE_COUNTER:
      spec->format = g_strdup (text != NULL ? text : "uint8");
      if (!gpt_format_is_integer (spec->format))
        problem (problems, path, "\"format\": a counter needs an integer format (uint8, uint16, "
                                 "uint24, uint32, uint64, sint8, sint16, ...), not \"%s\"", spec->format);
      spec->step = 1;
      get_number (object, "start", &spec->start, path, problems);
      get_number (object, "step", &spec->step, path, problems);
      break;
    case SOURCE_SEQUENCE:
      {
        JsonNode *values = json_object_get_member (object, "values");

        spec->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        if (values == NULL || !JSON_NODE_HOLDS_ARRAY (values) ||
            json_array_get_length (json_node_get_array (values)) == 0)
          {
            problem (problems, path, "\"values\" must be a list of values (a sequence sends them in turn)");
            break;
          }
        for (guint i = 0; i < json_array_get_length (json_node_get_array (values)); i++)
          {
            g_autoptr(GError) error = NULL;
            GBytes *bytes = gpt_value_from_json (json_array_get_element (json_node_get_array (values), i), &error);

            if (bytes == NULL)
              problem (problems, path, "\"values\"[%u]: %s", i, error->message);
            else
              g_ptr_array_add (spec->values, bytes);
          }
      }
      break;
    case SOURCE_FILE:
    case SOURCE_COMMAND:
      {
        const char *key = spec->source == SOURCE_FILE ? "path" : "command";
        const char *where = get_string (object, key, path, problems);

        if (where == NULL || where[0] == '\0')
          problem (problems, path, "\"%s\" is missing (%s)", key,
                   spec->source == SOURCE_FILE ? "the file to read at each interval"
                                               : "a shell command whose output is the value");
        else if (spec->source == SOURCE_FILE)
          spec->path = g_strdup (where);
        else
          spec->command = g_strdup (where);
        spec->format = g_strdup (text != NULL ? text : "raw");
        if (strcmp (spec->format, "raw") != 0 && strcmp (spec->format, "hex") != 0 &&
            !gpt_format_is_known (spec->format))
          problem (problems, path, "\"format\": \"%s\" is neither \"raw\", \"hex\" nor a GATT format "
                                   "(uint8, sint16, float32, sfloat, utf8s, ...)", spec->format);
      }
      break;
    case SOURCE_NONE:
    default:
      break;
    }
}

/* Reads @node into @spec; FALSE (with @problems) if anything is wrong. */
static gboolean
parse (GpProfile   *profile,
       GpAttribute *attribute,
       JsonNode    *node,
       Spec        *spec,
       const char  *path,
       GPtrArray   *problems)
{
  guint before = problems->len;
  JsonObject *object;
  JsonNode *member;
  GpCharacteristicFlags flags = 0;

  spec->read = READ_VALUE;
  spec->write = WRITE_STORE;
  spec->error = GP_ATT_ERROR_APPLICATION_FIRST;
  if (node == NULL)
    return TRUE;
  if (!GP_IS_CHARACTERISTIC (attribute))
    {
      problem (problems, path, "only characteristics have a behaviour");
      return FALSE;
    }
  flags = gp_characteristic_get_flags (GP_CHARACTERISTIC (attribute));
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (problems, path, "must be an object (\"read\", \"write\", \"error\", \"notify\")");
      return FALSE;
    }
  object = json_node_get_object (node);
  check_keys (object, behavior_keys, path, problems);
  spec->read = (ReadMode) get_choice (object, "read", read_modes, READ_VALUE, path, problems);
  spec->write = (WriteMode) get_choice (object, "write", write_modes, WRITE_STORE, path, problems);

  member = json_object_get_member (object, "error");
  if (member != NULL)
    {
      gint64 code = -1;

      if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_INT64)
        code = json_node_get_int (member);
      else if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (member);
          char *end = NULL;

          code = g_ascii_strtoll (text, &end, 0);
          if (end == text || *end != '\0')
            code = -1;
        }
      if (code < GP_ATT_ERROR_APPLICATION_FIRST || code > GP_ATT_ERROR_APPLICATION_LAST)
        problem (problems, path, "\"error\" must be an application ATT error, 0x80 to 0x9f "
                                 "(as a number or a string such as \"0x80\")");
      else
        spec->error = (guint8) code;
    }

  if (spec->read == READ_REJECT && !(flags & GP_CHARACTERISTIC_FLAGS_READ))
    problem (problems, path, "\"read\": \"reject\" on a characteristic without the \"read\" flag "
                             "(BlueZ refuses reads before they reach us)");
  if (spec->write != WRITE_STORE &&
      !(flags & (GP_CHARACTERISTIC_FLAGS_WRITE | GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE |
                 GP_CHARACTERISTIC_FLAGS_AUTHENTICATED_SIGNED_WRITES | GP_CHARACTERISTIC_FLAGS_RELIABLE_WRITE)))
    problem (problems, path, "\"write\": \"%s\" on a characteristic that cannot be written "
                             "(no \"write\" or \"write-without-response\" flag)", write_modes[spec->write]);
  {
    const char *to = get_string (object, "echo-to", path, problems);
    GpAttribute *target = to != NULL ? gp_profile_lookup (profile, to) : attribute;
    GpCharacteristicFlags target_flags = 0;

    if (to != NULL && spec->write != WRITE_ECHO)
      problem (problems, path, "\"echo-to\" without \"write\": \"echo\"");
    if (target == NULL || !GP_IS_CHARACTERISTIC (target))
      problem (problems, path, "\"echo-to\": no characteristic has the id \"%s\"", to);
    else
      {
        target_flags = gp_characteristic_get_flags (GP_CHARACTERISTIC (target));
        if (to != NULL)
          spec->echo_to = g_object_ref (target);
      }
    if (spec->write == WRITE_ECHO && target != NULL &&
        !(target_flags & (GP_CHARACTERISTIC_FLAGS_NOTIFY | GP_CHARACTERISTIC_FLAGS_INDICATE)))
      problem (problems, path, "\"write\": \"echo\" needs the \"notify\" or \"indicate\" flag on %s",
               to != NULL ? to : "the characteristic (or \"echo-to\": the id of one that has it)");
  }
  if (spec->write == WRITE_REJECT && (flags & GP_CHARACTERISTIC_FLAGS_WRITE_WITHOUT_RESPONSE))
    problem (problems, path, "\"write\": \"reject\" cannot reach the central on a "
                             "\"write-without-response\" characteristic (BlueZ acknowledges every "
                             "write to it before we answer)");

  member = json_object_get_member (object, "notify");
  if (member != NULL)
    parse_notify (member, attribute, spec, path, problems);

  return problems->len == before;
}

gboolean
gpt_behavior_check (GpProfile   *profile,
                    GpAttribute *attribute,
                    const char  *path,
                    GPtrArray   *problems)
{
  Spec spec = { 0 };
  JsonNode *behavior = gp_profile_get_member (profile, attribute, "behavior");
  gboolean ok = parse (profile, attribute, behavior, &spec, path, problems);

  spec_clear (&spec);
  return ok;
}

/* ---- serving ------------------------------------------------------------ */

/* The value as its type: from the characteristic's Presentation Format
 * descriptor (with its exponent), else from the profile's typed "value". */
static JsonNode *
describe (GptBehavior *self,
          GBytes      *value)
{
  gsize len;
  const guint8 *data;
  JsonNode *typed = NULL;

  if (value == NULL)
    return NULL;
  data = g_bytes_get_data (value, &len);
  if (GP_IS_CHARACTERISTIC (self->attribute))
    {
      g_autoptr(GList) descriptors =   /* transfer container */
        gp_characteristic_get_descriptors (GP_CHARACTERISTIC (self->attribute));

      for (GList *l = descriptors; l != NULL && typed == NULL; l = l->next)
        if (strcmp (gp_attribute_get_uuid (l->data), PRESENTATION_FORMAT_UUID) == 0)
          {
            gsize flen;
            const guint8 *fdata = g_bytes_get_data (gp_attribute_get_value (l->data), &flen);

            typed = gpt_presentation_describe (fdata, flen, data, len);
          }
    }
  if (typed == NULL)
    typed = gpt_value_describe (self->value_template, data, len);
  return typed;
}

static void
log_event (GptBehavior *self,
           const char  *event,
           GpRequest   *request,
           GBytes      *value,
           const char  *result)
{
  GptEvent e = GPT_EVENT_INIT;
  g_autoptr(JsonNode) typed = describe (self, value);
  GpDevice *device = request != NULL ? gp_request_get_device (request) : NULL;

  e.event = event;
  if (device != NULL)
    e.central = gp_device_get_address (device);
  else if (request != NULL)
    e.central = gp_request_get_device_path (request);
  e.id = self->id;
  e.uuid = gp_attribute_get_uuid (self->attribute);
  if (request != NULL)
    e.offset = gp_request_get_offset (request);
  e.value = value;
  e.typed = typed;
  e.result = result;
  gpt_log_emit (self->log, &e);
}

static gboolean
on_read_request (GpAttribute *attribute,
                 GpRequest   *request,
                 gpointer     user_data)
{
  GptBehavior *self = user_data;
  GBytes *stored = gp_attribute_get_value (attribute);
  guint offset = gp_request_get_offset (request);
  g_autoptr(GBytes) answer = NULL;

  if (self->spec.read == READ_REJECT)
    {
      g_autofree char *result = g_strdup_printf ("att-error 0x%02x", self->spec.error);

      log_event (self, "read", request, NULL, result);
      gp_request_return_att_error (request, self->spec.error);
      return TRUE;
    }
  /* The default handler answers (and applies the offset); log what it sends. */
  if (offset <= g_bytes_get_size (stored))
    answer = g_bytes_new_from_bytes (stored, offset, g_bytes_get_size (stored) - offset);
  log_event (self, "read", request, answer, answer == NULL ? "invalid offset" : NULL);
  return FALSE;
}

/* The stored value with @written put at @offset, or NULL if @offset is
 * past its end. */
static GBytes *
splice (GBytes *stored,
        guint   offset,
        GBytes *written)
{
  gsize stored_len = g_bytes_get_size (stored);
  g_autoptr(GByteArray) out = NULL;

  if (offset > stored_len)
    return NULL;
  out = g_byte_array_sized_new (offset + g_bytes_get_size (written));
  g_byte_array_append (out, g_bytes_get_data (stored, NULL), offset);
  g_byte_array_append (out, g_bytes_get_data (written, NULL), g_bytes_get_size (written));
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
on_write_request (GpAttribute *attribute,
                  GpRequest   *request,
                  gpointer     user_data)
{
  GptBehavior *self = user_data;
  GBytes *written = gp_request_get_value (request);
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GError) error = NULL;

  switch (self->spec.write)
    {
    case WRITE_REJECT:
      {
        g_autofree char *result = g_strdup_printf ("att-error 0x%02x", self->spec.error);

        log_event (self, "write", request, written, result);
        gp_request_return_att_error (request, self->spec.error);
        return TRUE;
      }
    case WRITE_IGNORE:
      log_event (self, "write", request, written, "ignored");
      gp_request_return_success (request);
      return TRUE;
    case WRITE_ECHO:
      value = splice (gp_attribute_get_value (attribute), gp_request_get_offset (request), written);
      if (value == NULL)
        {
          log_event (self, "write", request, written, "invalid offset");
          gp_request_return_error_literal (request, GP_ERROR_INVALID_OFFSET, "Invalid offset");
          return TRUE;
        }
      log_event (self, "write", request, written, NULL);
      gp_request_return_success (request);
      /* Stored, and sent to the subscribers (of "echo-to" if given). */
      if (self->spec.echo_to != NULL)
        {
          g_clear_pointer (&value, g_bytes_unref);
          value = g_bytes_ref (written);
        }
      if (!gp_attribute_set_value (self->spec.echo_to != NULL ? self->spec.echo_to : attribute, value, &error))
        gpt_log_message (self->log, "error", "%s: echo: %s", self->id, error->message);
      else
        log_event (self, "notify", NULL, value, self->spec.echo_to != NULL ? "echoed" : NULL);
      return TRUE;
    case WRITE_STORE:
    default:
      log_event (self, "write", request, written, NULL);
      return FALSE;   /* the default handler stores it */
    }
}

static void
publish (GptBehavior *self,
         GBytes      *value)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gboolean notifying = GP_IS_CHARACTERISTIC (self->attribute) &&
                       gp_characteristic_get_notifying (GP_CHARACTERISTIC (self->attribute));

  if (self->spec.prefix != NULL)
    g_byte_array_append (out, g_bytes_get_data (self->spec.prefix, NULL), g_bytes_get_size (self->spec.prefix));
  g_byte_array_append (out, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  if (out->len > MAX_VALUE)
    g_byte_array_set_size (out, MAX_VALUE);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  if (!gp_attribute_set_value (self->attribute, bytes, &error))
    {
      gpt_log_message (self->log, "error", "%s: %s", self->id, error->message);
      return;
    }
  log_event (self, notifying ? "notify" : "update", NULL, bytes, NULL);
}

static void
publish_text (GptBehavior *self,
              const char  *text,
              gsize        length)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = NULL;

  if (strcmp (self->spec.format, "raw") == 0)
    g_byte_array_append (out, (const guint8 *) text, MIN (length, MAX_VALUE));
  else if (!gpt_format_pack_text (self->spec.format, text, self->spec.scale, out, &error))
    {
      gpt_log_message (self->log, "error", "%s: %s: %s", self->id,
                       self->spec.source == SOURCE_FILE ? self->spec.path : self->spec.command,
                       error->message);
      return;
    }
  value = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  publish (self, value);
}

static void
command_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GptBehavior *self = user_data;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &out, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->command_running = FALSE;
          gpt_log_message (self->log, "error", "%s: %s: %s", self->id, self->spec.command, error->message);
        }
      return;
    }
  self->command_running = FALSE;
  if (!g_subprocess_get_successful (G_SUBPROCESS (source)))
    {
      gpt_log_message (self->log, "error", "%s: “%s” failed (exit status %d)", self->id,
                       self->spec.command, g_subprocess_get_exit_status (G_SUBPROCESS (source)));
      return;
    }
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

    publish_text (self, text, g_bytes_get_size (out));
  }
}

static gboolean
on_tick (gpointer user_data)
{
  GptBehavior *self = user_data;

  switch (self->spec.source)
    {
    case SOURCE_COUNTER:
      {
        g_autoptr(GByteArray) out = g_byte_array_new ();
        g_autoptr(GBytes) value = NULL;
        g_autoptr(GError) error = NULL;
        /* Wraps around in the format's range ("uint16": 16 bits). */
        int bits = g_str_has_prefix (self->spec.format, "boolean") ? 1 : atoi (self->spec.format + 4);
        double span = ldexp (1, bits);
        double low = self->spec.format[0] == 's' ? -span / 2 : 0;
        double n = fmod (self->counter - low, span);

        if (n < 0)
          n += span;
        if (!gpt_format_pack (self->spec.format, n + low, out, &error))
          {
            gpt_log_message (self->log, "error", "%s: %s", self->id, error->message);
            break;
          }
        self->counter += self->spec.step;
        value = g_byte_array_free_to_bytes (g_steal_pointer (&out));
        publish (self, value);
      }
      break;
    case SOURCE_SEQUENCE:
      publish (self, g_ptr_array_index (self->spec.values, self->index));
      self->index = (self->index + 1) % self->spec.values->len;
      break;
    case SOURCE_FILE:
      {
        g_autofree char *text = NULL;
        gsize length = 0;
        g_autoptr(GError) error = NULL;

        if (!g_file_get_contents (self->spec.path, &text, &length, &error))
          gpt_log_message (self->log, "error", "%s: %s", self->id, error->message);
        else
          publish_text (self, text, length);
      }
      break;
    case SOURCE_COMMAND:
      {
        g_autoptr(GSubprocess) process = NULL;
        g_autoptr(GError) error = NULL;

        if (self->command_running)
          break;   /* the last one is still running: skip this tick */
        process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                    "/bin/sh", "-c", self->spec.command, NULL);
        if (process == NULL)
          {
            gpt_log_message (self->log, "error", "%s: %s", self->id, error->message);
            break;
          }
        self->command_running = TRUE;
        g_subprocess_communicate_async (process, NULL, self->cancellable, command_done, self);
      }
      break;
    case SOURCE_NONE:
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
update_timer (GptBehavior *self)
{
  gboolean run = self->spec.source != SOURCE_NONE &&
                 (self->spec.always ||
                  (GP_IS_CHARACTERISTIC (self->attribute) &&
                   gp_characteristic_get_notifying (GP_CHARACTERISTIC (self->attribute))));

  if (run && self->timer == 0)
    self->timer = g_timeout_add (self->spec.interval_ms, on_tick, self);
  else if (!run)
    g_clear_handle_id (&self->timer, g_source_remove);
}

static void
on_notifying (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GptBehavior *self = user_data;
  gboolean notifying = gp_characteristic_get_notifying (GP_CHARACTERISTIC (object));

  log_event (self, notifying ? "subscribe" : "unsubscribe", NULL, NULL, NULL);
  update_timer (self);
}

/* Serves @attribute as its "behavior" member says, logging every request;
 * @value_template: its "value" as the profile writes it (to log values
 * with their type), or NULL. */
GptBehavior *
gpt_behavior_new (GpProfile    *profile,
                  GpAttribute  *attribute,
                  JsonNode     *value_template,
                  GptLog       *log,
                  GError      **error)
{
  g_autoptr(GptBehavior) self = g_new0 (GptBehavior, 1);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  const char *id = gp_profile_get_id (profile, attribute);
  JsonNode *behavior = gp_profile_get_member (profile, attribute, "behavior");
  g_autofree char *path = g_strdup_printf ("%s.behavior", id != NULL ? id : gp_attribute_get_uuid (attribute));

  self->attribute = g_object_ref (attribute);
  self->id = g_strdup (id);
  self->value_template = value_template != NULL ? json_node_copy (value_template) : NULL;
  self->log = log;
  self->cancellable = g_cancellable_new ();
  if (!GP_IS_CHARACTERISTIC (attribute))
    behavior = NULL;
  if (!parse (profile, attribute, behavior, &self->spec, path, problems))
    {
      g_ptr_array_add (problems, NULL);
      g_autofree char *all = g_strjoinv ("\n", (char **) problems->pdata);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, all);
      return NULL;
    }
  self->counter = self->spec.start;
  self->read_handler = g_signal_connect (attribute, "read-request", G_CALLBACK (on_read_request), self);
  self->write_handler = g_signal_connect (attribute, "write-request", G_CALLBACK (on_write_request), self);
  if (GP_IS_CHARACTERISTIC (attribute) &&
      (gp_characteristic_get_flags (GP_CHARACTERISTIC (attribute)) &
       (GP_CHARACTERISTIC_FLAGS_NOTIFY | GP_CHARACTERISTIC_FLAGS_INDICATE)))
    self->notifying_handler = g_signal_connect (attribute, "notify::notifying", G_CALLBACK (on_notifying), self);
  update_timer (self);
  return g_steal_pointer (&self);
}

void
gpt_behavior_free (GptBehavior *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_signal_handler (&self->read_handler, self->attribute);
  g_clear_signal_handler (&self->write_handler, self->attribute);
  g_clear_signal_handler (&self->notifying_handler, self->attribute);
  g_clear_object (&self->attribute);
  g_clear_pointer (&self->value_template, json_node_unref);
  g_free (self->id);
  spec_clear (&self->spec);
  g_free (self);
}
