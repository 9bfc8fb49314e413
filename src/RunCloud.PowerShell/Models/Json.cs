using System;
using System.Globalization;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>Tolerant readers for RunCloud's JSON: booleans come as true/false or 0/1, dates as "yyyy-MM-dd HH:mm:ss" UTC.</summary>
    internal static class Json
    {
        public static long Long(JObject o, string name)
        {
            JToken? t = o[name];
            if (t == null || t.Type == JTokenType.Null) return 0;
            if (t.Type == JTokenType.Integer) return (long)t;
            return long.TryParse(t.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : 0;
        }

        public static long? LongOrNull(JObject o, string name) => o[name] == null || o[name]!.Type == JTokenType.Null ? (long?)null : Long(o, name);

        public static string? Str(JObject o, string name)
        {
            JToken? t = o[name];
            return t == null || t.Type == JTokenType.Null ? null : t.ToString();
        }

        public static bool Bool(JObject o, string name)
        {
            JToken? t = o[name];
            if (t == null) return false;
            switch (t.Type)
            {
                case JTokenType.Boolean: return (bool)t;
                case JTokenType.Integer: return (long)t != 0;
                case JTokenType.String:
                    string s = ((string?)t ?? string.Empty).Trim();
                    return s == "1" || s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase);
                default: return false;
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
    }
}
