/* gp-profile-value.c: typed values, JSON paths, problems and suggestions
 * for GpProfile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gp-profile-value-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* How deeply structures (lists of values) may nest. */
#define MAX_VALUE_DEPTH 16

/* ------------------------------------------------------------------ */
/* Problems and paths                                                   */

void
gp_profile_problems_init (GpProfileProblems *problems)
{
  problems->lines = g_ptr_array_new_with_free_func (g_free);
  problems->is_warning = g_array_new (FALSE, FALSE, sizeof (gboolean));
  problems->n_errors = 0;
  problems->n_warnings = 0;
}

void
gp_profile_problems_clear (GpProfileProblems *problems)
{
  g_clear_pointer (&problems->lines, g_ptr_array_unref);
  g_clear_pointer (&problems->is_warning, g_array_unref);
  problems->n_errors = 0;
  problems->n_warnings = 0;
}

static void
add_problem (GpProfileProblems *problems,
             const char        *path,
             const char        *kind,
             const char        *format,
             va_list            args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);
  g_autofree char *line = NULL;
  gboolean is_warning = *kind != '\0';

  g_array_append_val (problems->is_warning, is_warning);
  line = g_strdup_printf ("%s: %s%s", path != NULL && *path != '\0' ? path : "$", kind, message);
  /* Paths and messages quote the profile's own keys and strings, and
   * json-glib does not insist on UTF-8 there: the lines must be text. */
  g_ptr_array_add (problems->lines, g_utf8_make_valid (line, -1));
}

void
gp_profile_problem_error (GpProfileProblems *problems,
                          const char        *path,
                          const char        *format,
                          ...)
{
  va_list args;

  va_start (args, format);
  add_problem (problems, path, "", format, args);
  va_end (args);
  problems->n_errors++;
}

void
gp_profile_problem_warning (GpProfileProblems *problems,
                            const char        *path,
                            const char        *format,
                            ...)
{
  va_list args;

  va_start (args, format);
  add_problem (problems, path, "warning: ", format, args);
  va_end (args);
  problems->n_warnings++;
}

char *
gp_profile_path_member (const char *path,
                        const char *member)
{
  if (path == NULL || *path == '\0')
    return g_strdup (member);
  return g_strconcat (path, ".", member, NULL);
}

char *
gp_profile_path_index (const char *path,
                       guint       index)
{
  return g_strdup_printf ("%s[%u]", path != NULL ? path : "", index);
}

/* Optimal string alignment distance (Levenshtein with transpositions),
 * ignoring ASCII case; stops counting above @limit. */
static gsize
string_distance (const char *a,
                 const char *b,
                 gsize       limit)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree gsize *d = NULL;
  gsize result;

  if ((la > lb ? la - lb : lb - la) > limit || la > 256 || lb > 256)
    return limit + 1;

  d = g_new (gsize, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        gsize cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
        gsize v = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);

        v = MIN (v, D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 &&
            g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 2]) &&
            g_ascii_tolower (a[i - 2]) == g_ascii_tolower (b[j - 1]))
          v = MIN (v, D (i - 2, j - 2) + 1);
        D (i, j) = v;
      }
  result = D (la, lb);
#undef D
  return result;
}

const char *
gp_profile_suggest (const char         *word,
                    const char * const *candidates,
                    gsize               n_candidates)
{
  const char *best = NULL;
  gsize best_distance = G_MAXSIZE;
  /* One edit in short words, up to a third of the word in long ones. */
  gsize limit = MAX (1, MIN (strlen (word), (gsize) 24) / 3);

  for (gsize i = 0; i < n_candidates; i++)
    {
      gsize distance = string_distance (word, candidates[i], limit);

      if (distance <= limit && distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
        }
    }
  return best;
}

const char *
gp_profile_node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "a list";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a number";
    default:
      return "a value";
    }
}

/* ------------------------------------------------------------------ */
/* Numbers                                                              */

/* A number as magnitude and sign: the JSON integer, an integral JSON
 * number (exact in a double), or a string of decimal or 0x-hex digits. */
static gboolean
read_integer (JsonNode          *node,
              const char        *path,
              gboolean          *out_negative,
              guint64           *out_magnitude,
              GpProfileProblems *problems)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      *out_negative = v < 0;
      *out_magnitude = v < 0 ? (guint64) (-(v + 1)) + 1 : (guint64) v;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double v = json_node_get_double (node);

      if (!isfinite (v) || v != floor (v))
        {
          gp_profile_problem_error (problems, path, "%g is not an integer", v);
          return FALSE;
        }
      if (fabs (v) > 9007199254740992.0)
        {
          gp_profile_problem_error (problems, path,
                                    "%g is too large to be exact as a JSON number; "
                                    "write it as a string (\"%.0f\")", v, v);
          return FALSE;
        }
      *out_negative = v < 0;
      *out_magnitude = (guint64) fabs (v);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      const char *digits = s;
      gboolean negative = FALSE;
      guint base = 10;
      guint64 v;

      if (*digits == '-' || *digits == '+')
        {
          negative = *digits == '-';
          digits++;
        }
      if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        {
          base = 16;
          digits += 2;
        }
      if (*digits == '\0' || *digits == '-' || *digits == '+' ||
          !g_ascii_string_to_unsigned (digits, base, 0, G_MAXUINT64, &v, NULL))
        {
          gp_profile_problem_error (problems, path,
                                    "\"%s\" is not an integer (decimal, or hex with 0x)", s);
          return FALSE;
        }
      *out_negative = negative && v != 0;
      *out_magnitude = v;
      return TRUE;
    }
  gp_profile_problem_error (problems, path, "expected an integer, found %s",
                            gp_profile_node_kind (node));
  return FALSE;
}

static void
format_integer (char     *buf,
                gsize     size,
                gboolean  negative,
                guint64   magnitude)
{
  g_snprintf (buf, size, "%s%" G_GUINT64_FORMAT, negative ? "-" : "", magnitude);
}

gboolean
gp_profile_read_uint (JsonNode          *node,
                      const char        *path,
                      guint64            max,
                      guint64           *out,
                      GpProfileProblems *problems)
{
  gboolean negative;
  guint64 magnitude;

  if (!read_integer (node, path, &negative, &magnitude, problems))
    return FALSE;
  if (negative || magnitude > max)
    {
      char buf[32];

      format_integer (buf, sizeof buf, negative, magnitude);
      gp_profile_problem_error (problems, path,
                                "%s is out of range (0..%" G_GUINT64_FORMAT ")", buf, max);
      return FALSE;
    }
  *out = magnitude;
  return TRUE;
}

gboolean
gp_profile_read_int (JsonNode          *node,
                     const char        *path,
                     gint64             min,
                     gint64             max,
                     gint64            *out,
                     GpProfileProblems *problems)
{
  gboolean negative;
  guint64 magnitude;
  gint64 v;

  if (!read_integer (node, path, &negative, &magnitude, problems))
    return FALSE;
  if (negative ? magnitude > (guint64) G_MAXINT64 + 1 : magnitude > (guint64) G_MAXINT64)
    v = 0;   /* out of range whatever min and max are */
  else if (negative)
    v = magnitude == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) magnitude;
  else
    v = (gint64) magnitude;

  if ((negative && magnitude > (guint64) G_MAXINT64 + 1) ||
      (!negative && magnitude > (guint64) G_MAXINT64) ||
      v < min || v > max)
    {
      char buf[32];

      format_integer (buf, sizeof buf, negative, magnitude);
      gp_profile_problem_error (problems, path,
                                "%s is out of range (%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")",
                                buf, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
read_number (JsonNode          *node,
             const char        *path,
             double            *out,
             GpProfileProblems *problems)
{
  if (JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_INT64 ||
       json_node_get_value_type (node) == G_TYPE_DOUBLE))
    {
      *out = json_node_get_double (node);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);

      if (g_ascii_strcasecmp (s, "NaN") == 0)
        *out = NAN;
      else if (g_ascii_strcasecmp (s, "Infinity") == 0 || g_ascii_strcasecmp (s, "+Infinity") == 0 ||
               g_ascii_strcasecmp (s, "INF") == 0 || g_ascii_strcasecmp (s, "+INF") == 0)
        *out = INFINITY;
      else if (g_ascii_strcasecmp (s, "-Infinity") == 0 || g_ascii_strcasecmp (s, "-INF") == 0)
        *out = -INFINITY;
      else
        {
          gp_profile_problem_error (problems, path,
                                    "\"%s\" is not a number (a JSON number, or \"NaN\", "
                                    "\"INF\", \"-INF\")", s);
          return FALSE;
        }
      return TRUE;
    }
  gp_profile_problem_error (problems, path, "expected a number, found %s",
                            gp_profile_node_kind (node));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* IEEE 11073-20601 SFLOAT (16 bits) and FLOAT (32 bits)                */

typedef struct
{
  const char *name;
  guint       mantissa_bits;
  int         exp_min, exp_max;
  guint32     nan, nres, pos_inf, neg_inf;
} MedFloat;

static const MedFloat sfloat_info = { "sfloat", 12, -8, 7, 0x07ff, 0x0800, 0x07fe, 0x0802 };
static const MedFloat float_info = { "float", 24, -128, 127, 0x007fffff, 0x00800000, 0x007ffffe, 0x00800002 };

static gboolean
encode_medfloat (const MedFloat    *info,
                 JsonNode          *node,
                 const char        *path,
                 guint32           *out,
                 GpProfileProblems *problems)
{
  gint64 mmax = (G_GINT64_CONSTANT (1) << (info->mantissa_bits - 1)) - 3;
  guint32 mask = (1u << info->mantissa_bits) - 1;
  gboolean found = FALSE, exact = FALSE;
  gint64 mantissa = 0;
  int exponent = 0;
  double v;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      g_ascii_strcasecmp (json_node_get_string (node), "NRes") == 0)
    {
      *out = info->nres;
      return TRUE;
    }
  if (!read_number (node, path, &v, problems))
    return FALSE;
  if (isnan (v))
    {
      *out = info->nan;
      return TRUE;
    }
  if (isinf (v))
    {
      *out = v > 0 ? info->pos_inf : info->neg_inf;
      return TRUE;
    }

  if (v == 0)
    {
      *out = 0;
      return TRUE;
    }

  /* The largest exponent that represents the value exactly (36.6 is
   * 366 × 10⁻¹, 72 is 72 × 10⁰); failing that, the smallest one whose
   * mantissa fits (the most precise), rounded. */
  for (int e = info->exp_max; e >= info->exp_min; e--)
    {
      double m = e < 0 ? v * pow (10, -e) : v / pow (10, e);
      double r = round (m);

      if (fabs (r) > (double) mmax)
        break;
      if (fabs (m - r) <= 1e-9 * fabs (m))
        {
          found = exact = TRUE;
          mantissa = (gint64) r;
          exponent = e;
          break;
        }
    }
  if (!found)
    for (int e = info->exp_min; e <= info->exp_max; e++)
      {
        double m = e < 0 ? v * pow (10, -e) : v / pow (10, e);
        double r = round (m);

        if (fabs (r) <= (double) mmax)
          {
            found = TRUE;
            mantissa = (gint64) r;
            exponent = e;
            break;
          }
      }
  if (!found)
    {
      gp_profile_problem_error (problems, path, "%g is out of range for %s", v, info->name);
      return FALSE;
    }
  if (!exact)
    gp_profile_problem_warning (problems, path,
                                "%s cannot hold %.17g exactly: stored as %" G_GINT64_FORMAT "e%d",
                                info->name, v, mantissa, exponent);

  *out = (((guint32) exponent & ((1u << (32 - info->mantissa_bits)) - 1)) << info->mantissa_bits) |
         ((guint32) mantissa & mask);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Formats and units                                                    */

/* The GATT format types (Assigned Numbers, Format Types), by code. */
static const char * const format_names[] = {
  [0x01] = "boolean", [0x02] = "2bit", [0x03] = "nibble", [0x04] = "uint8",
  [0x05] = "uint12", [0x06] = "uint16", [0x07] = "uint24", [0x08] = "uint32",
  [0x09] = "uint48", [0x0a] = "uint64", [0x0b] = "uint128", [0x0c] = "sint8",
  [0x0d] = "sint12", [0x0e] = "sint16", [0x0f] = "sint24", [0x10] = "sint32",
  [0x11] = "sint48", [0x12] = "sint64", [0x13] = "sint128", [0x14] = "float32",
  [0x15] = "float64", [0x16] = "sfloat", [0x17] = "float", [0x18] = "duint16",
  [0x19] = "utf8s", [0x1a] = "utf16s", [0x1b] = "struct",
};

const char *
gp_profile_format_name (guint format)
{
  return format < G_N_ELEMENTS (format_names) ? format_names[format] : NULL;
}

static gboolean
format_from_name (const char *name,
                  guint      *out)
{
  for (guint i = 1; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (name, format_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

#define UNIT_PREFIX "org.bluetooth.unit."

/* The GATT units (Assigned Numbers, Units), without UNIT_PREFIX. */
static const struct
{
  guint16     uuid;
  const char *name;
} units[] = {
  { 0x2700, "unitless" },
  { 0x2701, "length.metre" },
  { 0x2702, "mass.kilogram" },
  { 0x2703, "time.second" },
  { 0x2704, "electric_current.ampere" },
  { 0x2705, "thermodynamic_temperature.kelvin" },
  { 0x2706, "amount_of_substance.mole" },
  { 0x2707, "luminous_intensity.candela" },
  { 0x2710, "area.square_metres" },
  { 0x2711, "volume.cubic_metres" },
  { 0x2712, "velocity.metres_per_second" },
  { 0x2713, "acceleration.metres_per_second_squared" },
  { 0x2714, "wavenumber.reciprocal_metre" },
  { 0x2715, "density.kilogram_per_cubic_metre" },
  { 0x2716, "surface_density.kilogram_per_square_metre" },
  { 0x2717, "specific_volume.cubic_metre_per_kilogram" },
  { 0x2718, "current_density.ampere_per_square_metre" },
  { 0x2719, "magnetic_field_strength.ampere_per_metre" },
  { 0x271a, "amount_concentration.mole_per_cubic_metre" },
  { 0x271b, "mass_concentration.kilogram_per_cubic_metre" },
  { 0x271c, "luminance.candela_per_square_metre" },
  { 0x271d, "refractive_index" },
  { 0x271e, "relative_permeability" },
  { 0x2720, "plane_angle.radian" },
  { 0x2721, "solid_angle.steradian" },
  { 0x2722, "frequency.hertz" },
  { 0x2723, "force.newton" },
  { 0x2724, "pressure.pascal" },
  { 0x2725, "energy.joule" },
  { 0x2726, "power.watt" },
  { 0x2727, "electric_charge.coulomb" },
  { 0x2728, "electric_potential_difference.volt" },
  { 0x2729, "capacitance.farad" },
  { 0x272a, "electric_resistance.ohm" },
  { 0x272b, "electric_conductance.siemens" },
  { 0x272c, "magnetic_flux.weber" },
  { 0x272d, "magnetic_flux_density.tesla" },
  { 0x272e, "inductance.henry" },
  { 0x272f, "thermodynamic_temperature.degree_celsius" },
  { 0x2730, "luminous_flux.lumen" },
  { 0x2731, "illuminance.lux" },
  { 0x2732, "activity_referred_to_a_radionuclide.becquerel" },
  { 0x2733, "absorbed_dose.gray" },
  { 0x2734, "dose_equivalent.sievert" },
  { 0x2735, "catalytic_activity.katal" },
  { 0x2740, "dynamic_viscosity.pascal_second" },
  { 0x2741, "moment_of_force.newton_metre" },
  { 0x2742, "surface_tension.newton_per_metre" },
  { 0x2743, "angular_velocity.radian_per_second" },
  { 0x2744, "angular_acceleration.radian_per_second_squared" },
  { 0x2745, "heat_flux_density.watt_per_square_metre" },
  { 0x2746, "heat_capacity.joule_per_kelvin" },
  { 0x2747, "specific_heat_capacity.joule_per_kilogram_kelvin" },
  { 0x2748, "specific_energy.joule_per_kilogram" },
  { 0x2749, "thermal_conductivity.watt_per_metre_kelvin" },
  { 0x274a, "energy_density.joule_per_cubic_metre" },
  { 0x274b, "electric_field_strength.volt_per_metre" },
  { 0x274c, "electric_charge_density.coulomb_per_cubic_metre" },
  { 0x274d, "surface_charge_density.coulomb_per_square_metre" },
  { 0x274e, "electric_flux_density.coulomb_per_square_metre" },
  { 0x274f, "permittivity.farad_per_metre" },
  { 0x2750, "permeability.henry_per_metre" },
  { 0x2751, "molar_energy.joule_per_mole" },
  { 0x2752, "molar_entropy.joule_per_mole_kelvin" },
  { 0x2753, "exposure.coulomb_per_kilogram" },
  { 0x2754, "absorbed_dose_rate.gray_per_second" },
  { 0x2755, "radiant_intensity.watt_per_steradian" },
  { 0x2756, "radiance.watt_per_square_metre_steradian" },
  { 0x2757, "catalytic_activity_concentration.katal_per_cubic_metre" },
  { 0x2760, "time.minute" },
  { 0x2761, "time.hour" },
  { 0x2762, "time.day" },
  { 0x2763, "plane_angle.degree" },
  { 0x2764, "plane_angle.minute" },
  { 0x2765, "plane_angle.second" },
  { 0x2766, "area.hectare" },
  { 0x2767, "volume.litre" },
  { 0x2768, "mass.tonne" },
  { 0x2780, "pressure.bar" },
  { 0x2781, "pressure.millimetre_of_mercury" },
  { 0x2782, "length.angstrom" },
  { 0x2783, "length.nautical_mile" },
  { 0x2784, "area.barn" },
  { 0x2785, "velocity.knot" },
  { 0x2786, "logarithmic_radio_quantity.neper" },
  { 0x2787, "logarithmic_radio_quantity.bel" },
  { 0x27a0, "length.yard" },
  { 0x27a1, "length.parsec" },
  { 0x27a2, "length.inch" },
  { 0x27a3, "length.foot" },
  { 0x27a4, "length.mile" },
  { 0x27a5, "pressure.pound_force_per_square_inch" },
  { 0x27a6, "velocity.kilometre_per_hour" },
  { 0x27a7, "velocity.mile_per_hour" },
  { 0x27a8, "angular_velocity.revolution_per_minute" },
  { 0x27a9, "energy.gram_calorie" },
  { 0x27aa, "energy.kilogram_calorie" },
  { 0x27ab, "energy.kilowatt_hour" },
  { 0x27ac, "thermodynamic_temperature.degree_fahrenheit" },
  { 0x27ad, "percentage" },
  { 0x27ae, "per_mille" },
  { 0x27af, "period.beats_per_minute" },
  { 0x27b0, "electric_charge.ampere_hours" },
  { 0x27b1, "mass_density.milligram_per_decilitre" },
  { 0x27b2, "mass_density.millimole_per_litre" },
  { 0x27b3, "time.year" },
  { 0x27b4, "time.month" },
  { 0x27b5, "concentration.count_per_cubic_metre" },
  { 0x27b6, "irradiance.watt_per_square_metre" },
  { 0x27b7, "milliliter_per_kilogram_per_minute" },
  { 0x27b8, "mass.pound" },
};

static const char *
unit_name (guint uuid)
{
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (units[i].uuid == uuid)
      return units[i].name;
  return NULL;
}

static gboolean
read_unit (JsonNode          *node,
           const char        *path,
           guint16           *out,
           GpProfileProblems *problems)
{
  const char *s;
  guint64 v;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      !g_ascii_isdigit (json_node_get_string (node)[0]))
    {
      const char *names[G_N_ELEMENTS (units)];
      const char *suggestion;

      s = json_node_get_string (node);
      if (g_str_has_prefix (s, UNIT_PREFIX))
        s += strlen (UNIT_PREFIX);
      for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
        {
          if (strcmp (units[i].name, s) == 0)
            {
              *out = units[i].uuid;
              return TRUE;
            }
          names[i] = units[i].name;
        }
      suggestion = gp_profile_suggest (s, names, G_N_ELEMENTS (names));
      if (suggestion != NULL)
        gp_profile_problem_error (problems, path,
                                  "unknown unit \"%s\"; did you mean \"" UNIT_PREFIX "%s\"?",
                                  json_node_get_string (node), suggestion);
      else
        gp_profile_problem_error (problems, path,
                                  "unknown unit \"%s\" (write \"" UNIT_PREFIX "…\" or "
                                  "the 16-bit UUID, e.g. \"0x272f\")",
                                  json_node_get_string (node));
      return FALSE;
    }
  if (!gp_profile_read_uint (node, path, G_MAXUINT16, &v, problems))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static gboolean
read_presentation (JsonNode          *node,
                   const char        *path,
                   GByteArray        *out,
                   GpProfileProblems *problems)
{
  static const char * const keys[] = { "format", "exponent", "unit", "namespace", "description" };
  JsonObject *object;
  JsonNode *member;
  guint format = 0;
  gint64 exponent = 0;
  guint16 unit = 0x2700;
  guint64 ns = 1, description = 0;
  gboolean ok = TRUE;
  g_autoptr(GList) members = NULL;
  guint8 bytes[7];

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      gp_profile_problem_error (problems, path,
                                "expected an object {\"format\": …, \"unit\": …}, found %s",
                                gp_profile_node_kind (node));
      return FALSE;
    }
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
        known = known || strcmp (l->data, keys[i]) == 0;
      if (!known)
        {
          g_autofree char *p = gp_profile_path_member (path, l->data);
          const char *suggestion = gp_profile_suggest (l->data, keys, G_N_ELEMENTS (keys));

          if (suggestion != NULL)
            gp_profile_problem_error (problems, p, "unknown key \"%s\"; did you mean \"%s\"?",
                                      (const char *) l->data, suggestion);
          else
            gp_profile_problem_error (problems, p, "unknown key \"%s\"", (const char *) l->data);
          ok = FALSE;
        }
    }

  member = json_object_get_member (object, "format");
  if (member == NULL)
    {
      gp_profile_problem_error (problems, path, "\"format\" is missing");
      ok = FALSE;
    }
  else
    {
      g_autofree char *p = gp_profile_path_member (path, "format");

      if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING &&
          !g_ascii_isdigit (json_node_get_string (member)[0]))
        {
          const char *name = json_node_get_string (member);

          if (!format_from_name (name, &format))
            {
              const char *suggestion = gp_profile_suggest (name, format_names + 1,
                                                           G_N_ELEMENTS (format_names) - 1);

              if (suggestion != NULL)
                gp_profile_problem_error (problems, p, "unknown format \"%s\"; did you mean \"%s\"?",
                                          name, suggestion);
              else
                gp_profile_problem_error (problems, p, "unknown format \"%s\"", name);
              ok = FALSE;
            }
        }
      else
        {
          guint64 v;

          if (gp_profile_read_uint (member, p, G_MAXUINT8, &v, problems))
            format = (guint) v;
          else
            ok = FALSE;
        }
    }

  member = json_object_get_member (object, "exponent");
  if (member != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "exponent");

      ok = gp_profile_read_int (member, p, G_MININT8, G_MAXINT8, &exponent, problems) && ok;
    }
  member = json_object_get_member (object, "unit");
  if (member != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "unit");

      ok = read_unit (member, p, &unit, problems) && ok;
    }
  member = json_object_get_member (object, "namespace");
  if (member != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "namespace");

      ok = gp_profile_read_uint (member, p, G_MAXUINT8, &ns, problems) && ok;
    }
  member = json_object_get_member (object, "description");
  if (member != NULL)
    {
      g_autofree char *p = gp_profile_path_member (path, "description");

      ok = gp_profile_read_uint (member, p, G_MAXUINT16, &description, problems) && ok;
    }
  if (!ok)
    return FALSE;

  bytes[0] = format;
  bytes[1] = (guint8) (gint8) exponent;
  bytes[2] = unit & 0xff;
  bytes[3] = unit >> 8;
  bytes[4] = ns;
  bytes[5] = description & 0xff;
  bytes[6] = description >> 8;
  g_byte_array_append (out, bytes, sizeof bytes);
  return TRUE;
}

static JsonNode *
presentation_to_json (const guint8 *bytes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *format = gp_profile_format_name (bytes[0]);
  guint16 unit = bytes[2] | (bytes[3] << 8);
  guint16 description = bytes[5] | (bytes[6] << 8);
  const char *name = unit_name (unit);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  if (format != NULL)
    json_builder_add_string_value (b, format);
  else
    json_builder_add_int_value (b, bytes[0]);
  json_builder_set_member_name (b, "exponent");
  json_builder_add_int_value (b, (gint8) bytes[1]);
  json_builder_set_member_name (b, "unit");
  if (name != NULL)
    {
      g_autofree char *full = g_strconcat (UNIT_PREFIX, name, NULL);

      json_builder_add_string_value (b, full);
    }
  else
    {
      g_autofree char *hex = g_strdup_printf ("0x%04x", unit);

      json_builder_add_string_value (b, hex);
    }
  if (bytes[4] != 1)
    {
      json_builder_set_member_name (b, "namespace");
      json_builder_add_int_value (b, bytes[4]);
    }
  if (description != 0)
    {
      json_builder_set_member_name (b, "description");
      json_builder_add_int_value (b, description);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------ */
/* Values                                                               */

char *
gp_profile_hex_encode (const guint8 *data,
                       gsize         length)
{
  GString *s = g_string_sized_new (length * 3);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (s, i == 0 ? "%02x" : " %02x", data[i]);
  return g_string_free (s, FALSE);
}

static gboolean
read_hex (const char        *s,
          const char        *path,
          GByteArray        *out,
          GpProfileProblems *problems)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  const char *p = s;

  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
      gp_profile_problem_error (problems, path,
                                "\"%s\": hex bytes are written without 0x, in the order "
                                "they are sent (\"0a 1b\"); for a number write "
                                "{\"uint16\": \"%s\"} (or uint8, uint32…)", s, s);
      return FALSE;
    }
  while (*p != '\0')
    {
      int hi, lo;

      if (*p == ' ' || *p == ':' || *p == '-' || *p == '\t' || *p == '\n' || *p == '\r')
        {
          p++;
          continue;
        }
      hi = g_ascii_xdigit_value (*p);
      lo = hi >= 0 ? g_ascii_xdigit_value (p[1]) : -1;
      if (hi < 0 || lo < 0)
        {
          gunichar c = g_utf8_get_char_validated (hi < 0 ? p : p + 1, -1);

          if (hi >= 0 && (p[1] == '\0' || p[1] == ' ' || p[1] == ':' || p[1] == '-'))
            gp_profile_problem_error (problems, path,
                                      "\"%s\" is not hex: a byte is two hex digits "
                                      "(\"0a\", not \"a\")", s);
          else if (c == (gunichar) -1 || c == (gunichar) -2 || !g_unichar_isprint (c))
            gp_profile_problem_error (problems, path,
                                      "not hex (a plain string is hex bytes, \"0a 1b\"); "
                                      "write {\"text\": …} for text");
          else
            {
              char buf[8] = { 0 };

              g_unichar_to_utf8 (c, buf);
              gp_profile_problem_error (problems, path,
                                        "\"%s\" is not hex ('%s' at offset %u); a plain string "
                                        "is hex bytes (\"0a 1b\"): write {\"text\": \"%s\"} "
                                        "for text", s, buf,
                                        (guint) ((hi < 0 ? p : p + 1) - s), s);
            }
          return FALSE;
        }
      g_byte_array_append (bytes, (guint8[]) { (guint8) (hi << 4 | lo) }, 1);
      p += 2;
    }
  g_byte_array_append (out, bytes->data, bytes->len);
  return TRUE;
}

static void
append_le (GByteArray *out,
           guint64     v,
           guint       size)
{
  for (guint i = 0; i < size; i++)
    {
      guint8 b = (v >> (8 * i)) & 0xff;

      g_byte_array_append (out, &b, 1);
    }
}

static guint64
read_le (const guint8 *data,
         guint         size)
{
  guint64 v = 0;

  for (guint i = 0; i < size; i++)
    v |= (guint64) data[i] << (8 * i);
  return v;
}

typedef enum
{
  KIND_INTEGER,       /* uint*, sint*, boolean: range from the table */
  KIND_FLOAT32,
  KIND_FLOAT64,
  KIND_MEDFLOAT,      /* sfloat, float */
  KIND_UTF8,
  KIND_UTF16,
  KIND_HEX,
  KIND_PRESENTATION,
} ValueKind;

typedef struct
{
  const char     *name;
  ValueKind       kind;
  guint           size;       /* bytes; 0: the rest of the value */
  guint           bits;       /* KIND_INTEGER: bits of the number */
  gboolean        is_signed;  /* KIND_INTEGER */
  const MedFloat *medfloat;   /* KIND_MEDFLOAT */
} ValueForm;

static const ValueForm value_forms[] = {
  { "hex", KIND_HEX, 0, 0, FALSE, NULL },
  { "text", KIND_UTF8, 0, 0, FALSE, NULL },
  { "utf8s", KIND_UTF8, 0, 0, FALSE, NULL },
  { "utf16s", KIND_UTF16, 0, 0, FALSE, NULL },
  { "boolean", KIND_INTEGER, 1, 1, FALSE, NULL },
  { "uint8", KIND_INTEGER, 1, 8, FALSE, NULL },
  { "uint16", KIND_INTEGER, 2, 16, FALSE, NULL },
  { "uint24", KIND_INTEGER, 3, 24, FALSE, NULL },
  { "uint32", KIND_INTEGER, 4, 32, FALSE, NULL },
  { "uint48", KIND_INTEGER, 6, 48, FALSE, NULL },
  { "uint64", KIND_INTEGER, 8, 64, FALSE, NULL },
  { "sint8", KIND_INTEGER, 1, 8, TRUE, NULL },
  { "sint16", KIND_INTEGER, 2, 16, TRUE, NULL },
  { "sint24", KIND_INTEGER, 3, 24, TRUE, NULL },
  { "sint32", KIND_INTEGER, 4, 32, TRUE, NULL },
  { "sint48", KIND_INTEGER, 6, 48, TRUE, NULL },
  { "sint64", KIND_INTEGER, 8, 64, TRUE, NULL },
  { "float32", KIND_FLOAT32, 4, 0, FALSE, NULL },
  { "float64", KIND_FLOAT64, 8, 0, FALSE, NULL },
  { "sfloat", KIND_MEDFLOAT, 2, 0, FALSE, &sfloat_info },
  { "float", KIND_MEDFLOAT, 4, 0, FALSE, &float_info },
  { "presentation", KIND_PRESENTATION, 7, 0, FALSE, NULL },
};

static const ValueForm *
value_form_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (value_forms); i++)
    if (strcmp (name, value_forms[i].name) == 0)
      return &value_forms[i];
  return NULL;
}

/* A fixed-size number (KIND_INTEGER, KIND_FLOAT*, KIND_MEDFLOAT) as the
 * bits it is sent as, checked against the form's range. */
static gboolean
encode_number (const ValueForm   *form,
               JsonNode          *node,
               const char        *path,
               guint64           *bits,
               GpProfileProblems *problems)
{
  switch (form->kind)
    {
    case KIND_INTEGER:
      {
        guint value_bits = form->bits - (form->is_signed ? 1 : 0);
        guint64 max = value_bits == 64 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << value_bits) - 1;

        if (form->bits == 1 && JSON_NODE_HOLDS_VALUE (node) &&
            json_node_get_value_type (node) == G_TYPE_BOOLEAN)
          {
            *bits = json_node_get_boolean (node) ? 1 : 0;
            return TRUE;
          }
        if (!form->is_signed)
          return gp_profile_read_uint (node, path, max, bits, problems);
        else
          {
            gint64 v;

            if (!gp_profile_read_int (node, path, -(gint64) max - 1, (gint64) max, &v, problems))
              return FALSE;
            *bits = (guint64) v;
            return TRUE;
          }
      }
    case KIND_FLOAT32:
    case KIND_FLOAT64:
      {
        double d;

        if (!read_number (node, path, &d, problems))
          return FALSE;
        if (form->kind == KIND_FLOAT64)
          {
            memcpy (bits, &d, sizeof d);
            return TRUE;
          }
        if (isfinite (d) && fabs (d) > FLT_MAX)
          {
            gp_profile_problem_error (problems, path, "%g is out of range for float32", d);
            return FALSE;
          }
        {
          float f = (float) d;
          guint32 u;

          memcpy (&u, &f, sizeof u);
          *bits = u;
        }
        return TRUE;
      }
    case KIND_MEDFLOAT:
      {
        guint32 u;

        if (!encode_medfloat (form->medfloat, node, path, &u, problems))
          return FALSE;
        *bits = u;
        return TRUE;
      }
    case KIND_UTF8:
    case KIND_UTF16:
    case KIND_HEX:
    case KIND_PRESENTATION:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_typed (const char        *name,
            JsonNode          *node,
            const char        *path,
            GByteArray        *out,
            GpProfileProblems *problems)
{
  const ValueForm *form = value_form_lookup (name);
  const char *s;

  if (form == NULL)
    {
      const char *names[G_N_ELEMENTS (value_forms)];
      const char *suggestion;

      for (gsize i = 0; i < G_N_ELEMENTS (value_forms); i++)
        names[i] = value_forms[i].name;
      suggestion = gp_profile_suggest (name, names, G_N_ELEMENTS (names));
      if (suggestion != NULL)
        gp_profile_problem_error (problems, path, "unknown value format \"%s\"; did you mean \"%s\"?",
                                  name, suggestion);
      else
        gp_profile_problem_error (problems, path,
                                  "unknown value format \"%s\" (hex, text, boolean, uint8…uint64, "
                                  "sint8…sint64, float32, float64, sfloat, float, utf8s, utf16s, "
                                  "presentation)", name);
      return FALSE;
    }

  switch (form->kind)
    {
    case KIND_INTEGER:
    case KIND_FLOAT32:
    case KIND_FLOAT64:
    case KIND_MEDFLOAT:
      {
        guint64 bits;

        if (!encode_number (form, node, path, &bits, problems))
          return FALSE;
        append_le (out, bits, form->size);
        return TRUE;
      }
    case KIND_PRESENTATION:
      return read_presentation (node, path, out, problems);
    case KIND_UTF8:
    case KIND_UTF16:
    case KIND_HEX:
    default:
      break;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      gp_profile_problem_error (problems, path, "expected a string, found %s",
                                gp_profile_node_kind (node));
      return FALSE;
    }
  s = json_node_get_string (node);
  if (form->kind == KIND_HEX)
    return read_hex (s, path, out, problems);
  if (form->kind == KIND_UTF8)
    {
      g_byte_array_append (out, (const guint8 *) s, strlen (s));
    }
  else
    {
      glong n = 0;
      g_autofree gunichar2 *u = g_utf8_to_utf16 (s, -1, NULL, &n, NULL);

      for (glong k = 0; u != NULL && k < n; k++)
        append_le (out, u[k], 2);
    }
  return TRUE;
}

static gboolean
read_value (JsonNode          *node,
            const char        *path,
            GByteArray        *out,
            GpProfileProblems *problems,
            guint              depth)
{
  if (depth > MAX_VALUE_DEPTH)
    {
      gp_profile_problem_error (problems, path, "structures nest too deeply (more than %u levels)",
                                MAX_VALUE_DEPTH);
      return FALSE;
    }

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        gboolean ok = TRUE;

        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            g_autofree char *p = gp_profile_path_index (path, i);

            ok = read_value (json_array_get_element (array, i), p, out, problems, depth + 1) && ok;
          }
        return ok;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        g_autofree char *p = NULL;

        if (members == NULL || members->next != NULL)
          {
            gp_profile_problem_error (problems, path,
                                      "a typed value has exactly one key, its format "
                                      "({\"uint8\": 72}); found %u",
                                      g_list_length (members));
            return FALSE;
          }
        p = gp_profile_path_member (path, members->data);
        return read_typed (members->data, json_object_get_member (object, members->data),
                           p, out, problems);
      }
    case JSON_NODE_NULL:
      gp_profile_problem_error (problems, path, "expected a value, found null");
      return FALSE;
    case JSON_NODE_VALUE:
    default:
      break;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return read_hex (json_node_get_string (node), path, out, problems);
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    gp_profile_problem_error (problems, path, "a value needs its format: {\"boolean\": %s}",
                              json_node_get_boolean (node) ? "true" : "false");
  else
    gp_profile_problem_error (problems, path,
                              "a number needs its format and size: {\"uint8\": …}, "
                              "{\"sint16\": …}, {\"sfloat\": …}…");
  return FALSE;
}

gboolean
gp_profile_read_value (JsonNode          *node,
                       const char        *path,
                       GByteArray        *out,
                       GpProfileProblems *problems)
{
  return read_value (node, path, out, problems, 0);
}

JsonNode *
gp_profile_value_to_json (GBytes     *value,
                          const char *uuid)
{
  gsize length = 0;
  const guint8 *data = value != NULL ? g_bytes_get_data (value, &length) : NULL;
  g_autofree char *hex = NULL;

  if (g_strcmp0 (uuid, "00002901-0000-1000-8000-00805f9b34fb") == 0 && length > 0 &&
      g_utf8_validate ((const char *) data, length, NULL) &&
      memchr (data, '\0', length) == NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *text = g_strndup ((const char *) data, length);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, text);
      json_builder_end_object (b);
      return json_builder_get_root (b);
    }
  if (g_strcmp0 (uuid, "00002904-0000-1000-8000-00805f9b34fb") == 0 && length == 7)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "presentation");
      json_builder_add_value (b, presentation_to_json (data));
      json_builder_end_object (b);
      return json_builder_get_root (b);
    }

  hex = gp_profile_hex_encode (data, length);
  return json_node_init_string (json_node_alloc (), hex);
}

/* ------------------------------------------------------------------ */
/* Public typed values                                                  */

/**
 * gp_profile_value_parse:
 * @node: a value written the way a profile writes one: hex text
 *   (`"0a 1b"`), a typed value (`{"uint8": 72}`, `{"sint16": -5}`,
 *   `{"sfloat": 36.6}`, `{"text": "…"}`, `{"presentation": {…}}`…), or a
 *   structure (a list of these, concatenated)
 *
 * The bytes a value of a profile stands for, as [class@Profile] reads
 * `"value"` members (the forms are listed in the "Profile format" page):
 * numbers little-endian, in the size of their GATT format, checked
 * against its range.
 *
 * ```c
 * g_autoptr(JsonNode) node = json_from_string ("[{\"uint8\": 6}, {\"uint16\": 72}]", NULL);
 * g_autoptr(GBytes) bytes = gp_profile_value_parse (node, &error);   // 06 48 00
 * ```
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set
 *   (%GP_PROFILE_ERROR_INVALID: one line per problem, `path: message`,
 *   the path relative to @node, `$` for @node itself)
 *
 * Since: 0.1
 */
GBytes *
gp_profile_value_parse (JsonNode  *node,
                        GError   **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  GpProfileProblems problems;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gp_profile_problems_init (&problems);
  if (!read_value (node, "", out, &problems, 0) || problems.n_errors > 0)
    {
      g_autoptr(GString) message = g_string_new (NULL);

      for (guint i = 0; i < problems.lines->len; i++)
        if (!g_array_index (problems.is_warning, gboolean, i))
          g_string_append_printf (message, "%s%s", message->len > 0 ? "\n" : "",
                                  (const char *) g_ptr_array_index (problems.lines, i));
      g_set_error_literal (error, GP_PROFILE_ERROR, GP_PROFILE_ERROR_INVALID, message->str);
      gp_profile_problems_clear (&problems);
      return NULL;
    }
  gp_profile_problems_clear (&problems);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static JsonNode *
decode_medfloat (const MedFloat *info,
                 guint32         bits)
{
  guint32 mask = (1u << info->mantissa_bits) - 1;
  guint32 raw = bits & mask;
  gint64 mantissa = raw;
  int exponent = (int) (bits >> info->mantissa_bits);
  double v;

  if (raw == info->nan)
    return json_node_init_string (json_node_alloc (), "NaN");
  if (raw == info->nres)
    return json_node_init_string (json_node_alloc (), "NRes");
  if (raw == info->pos_inf)
    return json_node_init_string (json_node_alloc (), "INF");
  if (raw == info->neg_inf)
    return json_node_init_string (json_node_alloc (), "-INF");
  if (raw == info->nres + 1)
    return NULL;   /* reserved */
  if (raw & (1u << (info->mantissa_bits - 1)))
    mantissa -= (gint64) 1 << info->mantissa_bits;
  if (exponent > info->exp_max)
    exponent -= info->exp_max - info->exp_min + 1;
  /* Dividing by an exact power of ten gives the double nearest 36.6. */
  v = exponent < 0 ? (double) mantissa / pow (10, -exponent) : (double) mantissa * pow (10, exponent);
  return json_node_init_double (json_node_alloc (), v);
}

static JsonNode *
decode_double (double v)
{
  if (isnan (v))
    return json_node_init_string (json_node_alloc (), "NaN");
  if (isinf (v))
    return json_node_init_string (json_node_alloc (), v > 0 ? "INF" : "-INF");
  return json_node_init_double (json_node_alloc (), v);
}

/* The number or text @form reads at @data (at most @length bytes), or
 * NULL if it does not fit; *@used: the bytes it took. */
static JsonNode *
decode_form (const ValueForm *form,
             const guint8    *data,
             gsize            length,
             gsize           *used)
{
  guint64 bits;

  if (form->size != 0 && length < form->size)
    return NULL;
  *used = form->size != 0 ? form->size : length;
  bits = form->size != 0 && form->size <= 8 ? read_le (data, form->size) : 0;

  switch (form->kind)
    {
    case KIND_INTEGER:
      if (form->bits == 1)
        return bits <= 1 ? json_node_init_boolean (json_node_alloc (), bits != 0) : NULL;
      if (form->is_signed)
        {
          guint shift = 64 - form->bits;

          return json_node_init_int (json_node_alloc (), (gint64) (bits << shift) >> shift);
        }
      if (bits > (guint64) G_MAXINT64)
        {
          g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, bits);

          return json_node_init_string (json_node_alloc (), text);
        }
      return json_node_init_int (json_node_alloc (), (gint64) bits);
    case KIND_FLOAT32:
      {
        guint32 u = (guint32) bits;
        float f;

        memcpy (&f, &u, sizeof f);
        return decode_double (f);
      }
    case KIND_FLOAT64:
      {
        double d;

        memcpy (&d, &bits, sizeof d);
        return decode_double (d);
      }
    case KIND_MEDFLOAT:
      return decode_medfloat (form->medfloat, (guint32) bits);
    case KIND_PRESENTATION:
      return presentation_to_json (data);
    case KIND_HEX:
      {
        g_autofree char *hex = gp_profile_hex_encode (data, length);

        return json_node_init_string (json_node_alloc (), hex);
      }
    case KIND_UTF8:
      {
        g_autofree char *text = NULL;

        if (!g_utf8_validate ((const char *) data, length, NULL) || memchr (data, '\0', length) != NULL)
          return NULL;
        text = g_strndup ((const char *) data, length);
        return json_node_init_string (json_node_alloc (), text);
      }
    case KIND_UTF16:
      {
        g_autofree gunichar2 *units = NULL;
        g_autofree char *text = NULL;
        glong n_written = 0;

        if (length % 2 != 0)
          return NULL;
        units = g_new (gunichar2, length / 2 + 1);
        for (gsize i = 0; i < length / 2; i++)
          units[i] = (gunichar2) read_le (data + 2 * i, 2);
        text = g_utf16_to_utf8 (units, (glong) (length / 2), NULL, &n_written, NULL);
        if (text == NULL || (gsize) n_written != strlen (text))
          return NULL;
        return json_node_init_string (json_node_alloc (), text);
      }
    default:
      return NULL;
    }
}

/* @data from *@at read the way @like is written; NULL if it does not fit. */
static JsonNode *
format_like (JsonNode     *like,
             const guint8 *data,
             gsize         length,
             gsize        *at,
             guint         depth)
{
  if (depth > MAX_VALUE_DEPTH)
    return NULL;

  if (JSON_NODE_HOLDS_ARRAY (like))
    {
      JsonArray *fields = json_node_get_array (like);
      g_autoptr(JsonArray) out = json_array_new ();

      for (guint i = 0; i < json_array_get_length (fields); i++)
        {
          JsonNode *field = format_like (json_array_get_element (fields, i), data, length, at, depth + 1);

          if (field == NULL)
            return NULL;
          json_array_add_element (out, field);
        }
      return json_node_init_array (json_node_alloc (), out);
    }
  if (JSON_NODE_HOLDS_OBJECT (like))
    {
      JsonObject *object = json_node_get_object (like);
      g_autoptr(GList) members = json_object_get_members (object);
      const ValueForm *form = members != NULL && members->next == NULL
                              ? value_form_lookup (members->data) : NULL;
      g_autoptr(JsonObject) out = NULL;
      JsonNode *inner;
      gsize used = 0;

      if (form == NULL || (inner = decode_form (form, data + *at, length - *at, &used)) == NULL)
        return NULL;
      *at += used;
      out = json_object_new ();
      json_object_set_member (out, members->data, inner);
      return json_node_init_object (json_node_alloc (), out);
    }
  if (JSON_NODE_HOLDS_VALUE (like) && json_node_get_value_type (like) == G_TYPE_STRING)
    {
      g_autofree char *hex = gp_profile_hex_encode (data + *at, length - *at);

      *at = length;
      return json_node_init_string (json_node_alloc (), hex);
    }
  return NULL;
}

/**
 * gp_profile_value_format:
 * @value: the bytes of a value
 * @like: (nullable): a value as a profile writes it, whose forms (not
 *   numbers) give the shape: `{"uint8": 0}`, `{"sfloat": 0}`,
 *   `[{"uint8": 0}, {"uint16": 0}]`, `{"text": ""}`, `{"presentation": {}}`…
 *
 * The reverse of [func@Profile.value_parse]: @value written in the forms
 * of @like, such as the value a central wrote to a characteristic whose
 * profile value is `{"uint16": 72}` as `{"uint16": 513}`, or as hex text
 * (`"01 02"`) when @like is %NULL, is hex, or does not fit @value (other
 * sizes, bytes that are not text, or a number that would not be written
 * back as the same bytes, such as a non-canonical SFLOAT).
 *
 * Whatever it returns, [func@Profile.value_parse] turns back into @value.
 *
 * Returns: (transfer full): the value as JSON
 *
 * Since: 0.1
 */
JsonNode *
gp_profile_value_format (GBytes   *value,
                         JsonNode *like)
{
  gsize length = 0;
  const guint8 *data;
  g_autofree char *hex = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  data = g_bytes_get_data (value, &length);
  if (like != NULL)
    {
      gsize at = 0;
      g_autoptr(JsonNode) typed = format_like (like, data, length, &at, 0);
      g_autoptr(GBytes) back = NULL;

      if (typed != NULL && at == length)
        back = gp_profile_value_parse (typed, NULL);
      if (back != NULL && g_bytes_equal (back, value))
        return g_steal_pointer (&typed);
    }
  hex = gp_profile_hex_encode (data, length);
  return json_node_init_string (json_node_alloc (), hex);
}
