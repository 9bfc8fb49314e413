using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Reads and writes the state files' JSON field by field, without Newtonsoft's reflection serializer. A scheduled run
    /// is a fresh process: the reflection serializer builds a contract per type on first use (reflection, then emitted
    /// code for every property), which cost about 45 ms of a 300 ms run, more than the requests themselves. The files'
    /// format is unchanged (same names, order, dates in UTC, indented; nulls left out where the types said so), which
    /// the state format tests check against the attribute-based serializer.
    ///
    /// Rules kept from that serializer: a field of the wrong type (text where a number belongs) is a
    /// <see cref="JsonSerializationException"/> naming the field, which the stores turn into their "not valid" error;
    /// a missing field keeps its default; dates are read and written as UTC.
    /// </summary>
    internal static class JsonFields
    {
        /// <summary>Parses a state file's text into an object (dates as UTC, as the stores always read them).</summary>
        public static JObject ParseObject(string text)
        {
            using (var reader = new JsonTextReader(new StringReader(text)) { DateTimeZoneHandling = DateTimeZoneHandling.Utc, DateParseHandling = DateParseHandling.DateTime })
            {
                JToken token = JToken.ReadFrom(reader);
                while (reader.Read())
                {
                    if (reader.TokenType != JsonToken.Comment) throw new JsonReaderException("Additional text found after the JSON object.");
                }

                return token as JObject ?? throw new JsonSerializationException($"Expected a JSON object, found {token.Type}.");
            }
        }

        /// <summary>The file text of <paramref name="value"/>: indented, dates in UTC.</summary>
        public static string Write(JObject value)
        {
            var sw = new StringWriter(new System.Text.StringBuilder(256), CultureInfo.InvariantCulture);
            using (var writer = new JsonTextWriter(sw) { Formatting = Formatting.Indented, DateTimeZoneHandling = DateTimeZoneHandling.Utc })
            {
                value.WriteTo(writer);
            }

            return sw.ToString();
        }

        /// <summary>The object <paramref name="token"/> must be (an extension, a list item).</summary>
        public static JObject Object(JToken token, string what) =>
            token as JObject ?? throw new JsonSerializationException($"'{what}' must be a JSON object, not {token.Type}.");

        /// <summary>A number the file must have (a format version): missing or null is a <see cref="JsonSerializationException"/>.</summary>
        public static int RequiredInt(JObject o, string name) =>
            o.TryGetValue(name, out JToken? t) && t.Type != JTokenType.Null ? Int(o, name) : throw new JsonSerializationException($"Required property '{name}' not found in JSON.");

        public static int Int(JObject o, string name, int missing = 0) => Convert(o, name, missing, t => (int)t);

        public static long Long(JObject o, string name, long missing = 0) => Convert(o, name, missing, t => (long)t);

        public static long? NullableLong(JObject o, string name) => Convert<long?>(o, name, null, t => (long)t);

        public static bool Bool(JObject o, string name) => Convert(o, name, false, t => (bool)t);

        public static string? String(JObject o, string name) => Convert<string?>(o, name, null, t => (string?)t);

        public static DateTime Date(JObject o, string name) => Convert(o, name, default(DateTime), t => Utc((DateTime)t));

        public static DateTime? NullableDate(JObject o, string name) => Convert<DateTime?>(o, name, null, t => Utc((DateTime)t));

        public static JObject? NullableObject(JObject o, string name) =>
            o.TryGetValue(name, out JToken? t) && t.Type != JTokenType.Null ? Object(t, name) : null;

        public static List<string> Strings(JObject o, string name) => List(o, name, t => (string?)t ?? string.Empty);

        public static List<T> List<T>(JObject o, string name, Func<JToken, T> item)
        {
            var list = new List<T>();
            if (!o.TryGetValue(name, out JToken? t) || t.Type == JTokenType.Null) return list;
            if (!(t is JArray array)) throw new JsonSerializationException($"'{name}' must be a JSON array, not {t.Type}.");
            foreach (JToken entry in array)
            {
                try
                {
                    list.Add(item(entry));
                }
                catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidCastException || ex is OverflowException || ex is ArgumentException)
                {
                    throw new JsonSerializationException($"An entry of '{name}' is not valid: {ex.Message}", ex);
                }
            }

            return list;
        }

        /// <summary>Every field of <paramref name="o"/> not in <paramref name="known"/>, kept verbatim for a rewrite.</summary>
        public static Dictionary<string, JToken> Unknown(JObject o, ICollection<string> known)
        {
            var unknown = new Dictionary<string, JToken>();
            foreach (JProperty p in o.Properties())
            {
                if (!known.Contains(p.Name)) unknown[p.Name] = p.Value;
            }

            return unknown;
        }

        /// <summary>A date as it is stored: UTC (a local time is converted; one of unknown kind is taken as UTC).</summary>
        public static DateTime Utc(DateTime value) =>
            value.Kind == DateTimeKind.Utc ? value
            : value.Kind == DateTimeKind.Local ? value.ToUniversalTime()
            : DateTime.SpecifyKind(value, DateTimeKind.Utc);

        /// <summary>Adds <paramref name="value"/> unless it is null (the stores' "leave nulls out").</summary>
        public static void AddIfSet(JObject o, string name, object? value)
        {
            if (value == null) return;
            o.Add(name, value as JToken ?? new JValue(value));
        }

        private static T Convert<T>(JObject o, string name, T missing, Func<JToken, T> read)
        {
            if (!o.TryGetValue(name, out JToken? t)) return missing;
            if (t.Type == JTokenType.Null)
            {
                if (default(T) == null) return missing;
                throw new JsonSerializationException($"'{name}' must not be null.");
            }

            try
            {
                return read(t);
            }
            catch (Exception ex) when (ex is FormatException || ex is InvalidCastException || ex is OverflowException || ex is ArgumentException)
            {
                throw new JsonSerializationException($"'{name}' has a value of the wrong type ({t.Type}: {Shorten(t)}).", ex);
            }
        }

        private static string Shorten(JToken t)
        {
            string s = t.ToString(Formatting.None);
            return s.Length > 40 ? s.Substring(0, 40) + "..." : s;
        }
    }
}
