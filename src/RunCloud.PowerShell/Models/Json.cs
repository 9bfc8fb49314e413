using System;
using System.Globalization;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// The one place RunCloud's JSON values are read. Tolerant of the shapes RunCloud really sends (booleans as
    /// true/false or 0/1, numbers as strings, dates as "yyyy-MM-dd HH:mm:ss" UTC), strict about everything else: a value
    /// of the wrong type or out of range is an <see cref="InvalidResponseDataException"/> naming the field (RunCloudInvalidResponse for the caller), never a
    /// FormatException, OverflowException or InvalidOperationException from deep inside a cmdlet.
    /// </summary>
    internal static class Json
    {
        public static long Long(JObject o, string name) => LongOrNull(o, name) ?? 0;

        public static long? LongOrNull(JObject o, string name) => LongOrNull(o[name], name);

        public static long? LongOrNull(JToken? t, string field)
        {
            if (t == null || t.Type == JTokenType.Null) return null;
            switch (t.Type)
            {
                case JTokenType.Integer:
                    if (t is JValue v && v.Value is System.Numerics.BigInteger) throw Invalid(field, t, "is too large for a whole number");
                    return (long)t;
                case JTokenType.String:
                    string s = ((string?)t ?? string.Empty).Trim();
                    if (s.Length == 0) return null;
                    if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed)) return parsed;
                    throw Invalid(field, t!, "is not a whole number");
                default:
                    throw Invalid(field, t, "is not a whole number");
            }
        }

        public static int? IntOrNull(JToken? t, string field)
        {
            long? value = LongOrNull(t, field);
            if (value.HasValue && (value.Value < int.MinValue || value.Value > int.MaxValue)) throw Invalid(field, t!, "is out of range");
            return (int?)value;
        }

        /// <summary>
        /// A text value, with every control character escaped (\x1B): what the server sent can then be shown by any format
        /// view, logged or written to a transcript without moving the cursor or forging a line.
        /// </summary>
        public static string? Str(JObject o, string name)
        {
            string? raw = RawStr(o, name);
            return raw == null ? null : ServerText.Escape(raw);
        }

        /// <summary>A text value as RunCloud sent it, control characters and all: for data that is parsed (a certificate's PEM), never shown.</summary>
        public static string? Unescaped(JObject o, string name) => RawStr(o, name);

        private static string? RawStr(JObject o, string name)
        {
            JToken? t = o[name];
            if (t == null || t.Type == JTokenType.Null) return null;
            if (t.Type == JTokenType.Object || t.Type == JTokenType.Array) throw Invalid(name, t, "is not a text value");
            return t.ToString();
        }

        /// <summary>A domain name from the server: text without any control character, or the item is invalid.</summary>
        public static string? DomainName(JObject o, string name)
        {
            string? value = RawStr(o, name);
            if (ServerText.HasControl(value))
            {
                throw Invalid(name, o[name]!, "contains control characters, which no domain name has");
            }

            return value;
        }

        public static bool Bool(JObject o, string name)
        {
            JToken? t = o[name];
            if (t == null) return false;
            switch (t.Type)
            {
                case JTokenType.Null: return false;
                case JTokenType.Boolean: return (bool)t;
                case JTokenType.Integer:
                    return !(t is JValue v && v.Value is System.Numerics.BigInteger) ? (long)t != 0 : throw Invalid(name, t, "is not a boolean (true/false or 0/1)");
                case JTokenType.String:
                    string s = ((string?)t ?? string.Empty).Trim();
                    return s == "1" || s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase);
                default: throw Invalid(name, t, "is not a boolean (true/false or 0/1)");
            }
        }

        public static DateTime? Date(JObject o, string name)
        {
            string? s = Str(o, name);
            if (string.IsNullOrWhiteSpace(s)) return null;
            if (DateTime.TryParseExact(s, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime exact))
            {
                return exact;
            }

            return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime any)
                ? any
                : (DateTime?)null;
        }

        /// <summary>The object at <paramref name="name"/>, null when absent or null, invalid when it is anything else.</summary>
        public static JObject? ObjectOrNull(JToken? parent, string name, string field)
        {
            JToken? t = parent?[name];
            if (t == null || t.Type == JTokenType.Null) return null;
            return t as JObject ?? throw Invalid(field, t, "is not an object");
        }

        public static InvalidResponseDataException Invalid(string field, JToken value, string problem)
        {
            string shown = value.ToString(Newtonsoft.Json.Formatting.None);
            if (shown.Length > 80) shown = shown.Substring(0, 77) + "...";
            return new InvalidResponseDataException(field, $"RunCloud's answer has a malformed '{field}': {ServerText.Escape(shown)} {problem}.");
        }
    }
}
