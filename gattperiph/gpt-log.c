/* gpt-log.c: the event log of `gattperiph serve`
 *
 * One line per event: as text for people ("time central event
 * characteristic offset value = typed"), or with --json-log as one JSON
 * object per line for scripts (json-glib).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gpt-log.h"
#include "gpt-value.h"

#include <string.h>

struct _GptLog
{
  FILE     *out;
  gboolean  json;
};

GptLog *
gpt_log_new (FILE     *out,
             gboolean  json)
{
  GptLog *log = g_new0 (GptLog, 1);

  log->out = out;
  log->json = json;
  return log;
}

void
gpt_log_free (GptLog *log)
{
  g_free (log);
}

/* "0000180d-0000-1000-8000-00805f9b34fb" -> "180d"; other UUIDs as they are. */
const char *
gpt_uuid_short (const char *uuid)
{
  static const char base[] = "-0000-1000-8000-00805f9b34fb";

  if (uuid != NULL && strlen (uuid) == 36 && strncmp (uuid, "0000", 4) == 0 &&
      strcmp (uuid + 8, base) == 0)
    {
      /* interned: a short UUID lives as long as the program */
      g_autofree char *s = g_strndup (uuid + 4, 4);
      return g_intern_string (s);
    }
  return uuid;
}

static void
emit_json (GptLog         *log,
           GDateTime      *now,
           const GptEvent *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, e->event);
  if (e->central != NULL)
    {
      json_builder_set_member_name (b, "central");
      json_builder_add_string_value (b, e->central);
    }
  if (e->id != NULL)
    {
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, e->id);
    }
  if (e->uuid != NULL)
    {
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, e->uuid);
    }
  if (e->offset >= 0)
    {
      json_builder_set_member_name (b, "offset");
      json_builder_add_int_value (b, e->offset);
    }
  if (e->value != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (e->value, &len);
      g_autofree char *hex = gpt_value_to_hex (data, len, "");

      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, hex);
    }
  if (e->typed != NULL)
    {
      json_builder_set_member_name (b, "typed");
      json_builder_add_value (b, json_node_copy (e->typed));
    }
  if (e->result != NULL)
    {
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, e->result);
    }
  if (e->message != NULL)
    {
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, e->message);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  fprintf (log->out, "%s\n", text);
}

static void
emit_text (GptLog         *log,
           GDateTime      *now,
           const GptEvent *e)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");

  g_string_append_printf (line, "%s.%03d %-17s %-11s", time,
                          g_date_time_get_microsecond (now) / 1000,
                          e->central != NULL ? e->central : "-", e->event);
  if (e->id != NULL || e->uuid != NULL)
    {
      const char *uuid = gpt_uuid_short (e->uuid);

      if (e->id != NULL && uuid != NULL)
        g_string_append_printf (line, " %s (%s)", e->id, uuid);
      else
        g_string_append_printf (line, " %s", e->id != NULL ? e->id : uuid);
    }
  if (e->offset > 0)
    g_string_append_printf (line, " offset %" G_GINT64_FORMAT, e->offset);
  if (e->value != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (e->value, &len);
      g_autofree char *hex = gpt_value_to_hex (data, len, " ");

      g_string_append_printf (line, " [%s]", hex);
    }
  if (e->typed != NULL)
    {
      g_autofree char *typed = json_to_string (e->typed, FALSE);

      g_string_append_printf (line, " = %s", typed);
    }
  if (e->result != NULL)
    g_string_append_printf (line, " -> %s", e->result);
  if (e->message != NULL)
    g_string_append_printf (line, " %s", e->message);
  fprintf (log->out, "%s\n", line->str);
}

void
gpt_log_emit (GptLog         *log,
              const GptEvent *event)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (log->json)
    emit_json (log, now, event);
  else
    emit_text (log, now, event);
  fflush (log->out);
}

void
gpt_log_message (GptLog     *log,
                 const char *event,
                 const char *format,
                 ...)
{
  GptEvent e = GPT_EVENT_INIT;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  e.event = event;
  e.message = message;
  gpt_log_emit (log, &e);
}
