using System;
using System.Globalization;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// Reads mapping and site rows from the JSON WP-CLI and UM's REST API print: numbers and flags may arrive as numbers,
    /// strings ("1", "0") or booleans; a field that is missing or of another kind is an error naming the row and field.
    /// </summary>
    internal static class UmJsonRows
    {
        public static RunCloudMappedDomain Mapping(JToken token, string table, RunCloudMappingSource source, string where)
        {
            if (!(token is JObject o)) throw Bad(where, "a row that is not an object");
            long id = RequireLong(o, where, "id");
            long blog = o["blog_id"] != null ? RequireLong(o, where, "blog_id") : RequireLong(o, where, "site_id");
            string domain = RequireString(o, where, "domain", id);
            return new RunCloudMappedDomain
            {
                MappingId = id,
                BlogId = blog,
                Domain = domain.Trim().ToLowerInvariant(),
                Active = Flag(o, where, "active", id, defaultValue: true),
                Primary = Flag(o, where, "primary_domain", id, defaultValue: false),
                Secure = Flag(o, where, "secure", id, defaultValue: false),
                Stage = (string?)o["stage"] ?? "checking-dns",
                DateCreated = Date(o["date_created"]),
                DateModified = Date(o["date_modified"]),
                Table = table,
                Source = source,
            };
        }

        public static UmBlog Blog(JToken token, string where, Action<string>? missingFlag)
        {
            if (!(token is JObject o)) throw Bad(where, "a site that is not an object");
            long id = o["blog_id"] != null ? RequireLong(o, where, "blog_id") : RequireLong(o, where, "id");
            long network = o["site_id"] != null ? RequireLong(o, where, "site_id") : o["network_id"] != null ? RequireLong(o, where, "network_id") : 1;
            bool FlagOrWarn(string name)
            {
                if (o[name] == null || o[name]!.Type == JTokenType.Null)
                {
                    missingFlag?.Invoke(name);
                    return false;
                }

                return Flag(o, where, name, id, false);
            }

            return new UmBlog
            {
                BlogId = id,
                NetworkId = network,
                Domain = RequireString(o, where, "domain", id).Trim().ToLowerInvariant(),
                Path = (string?)o["path"] ?? "/",
                Archived = FlagOrWarn("archived"),
                Spam = FlagOrWarn("spam"),
                Deleted = FlagOrWarn("deleted"),
            };
        }

        public static long RequireLong(JObject o, string where, string field)
        {
            JToken? t = o[field];
            if (t != null && t.Type == JTokenType.Integer) return (long)t;
            if (t != null && t.Type == JTokenType.String && long.TryParse((string?)t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) return v;
            throw Bad(where, $"a row whose {field} is {(t == null ? "missing" : "'" + Short(t.ToString()) + "'")}");
        }

        private static string RequireString(JObject o, string where, string field, long id)
        {
            JToken? t = o[field];
            if (t != null && t.Type == JTokenType.String && ((string?)t)!.Length > 0) return (string)t!;
            throw Bad(where, string.Format(CultureInfo.InvariantCulture, "row {0} without a {1}", id, field));
        }

        private static bool Flag(JObject o, string where, string field, long id, bool defaultValue)
        {
            JToken? t = o[field];
            if (t == null || t.Type == JTokenType.Null) return defaultValue;
            switch (t.Type)
            {
                case JTokenType.Boolean: return (bool)t;
                case JTokenType.Integer: return (long)t != 0;
                case JTokenType.String:
                    string s = ((string?)t ?? string.Empty).Trim();
                    if (s == "1" || s.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
                    if (s == "0" || s.Length == 0 || s.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
                    break;
            }

            throw Bad(where, string.Format(CultureInfo.InvariantCulture, "row {0} whose {1} is '{2}'", id, field, Short(t!.ToString())));
        }

        private static DateTime? Date(JToken? t)
        {
            if (t == null || t.Type == JTokenType.Null) return null;
            if (t.Type == JTokenType.Date) return (DateTime)t;
            string s = (string?)t ?? string.Empty;
            if (s.StartsWith("0000-00-00", StringComparison.Ordinal)) return null;
            return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime d) ? d : (DateTime?)null;
        }

        private static string Short(string text) => text.Length > 40 ? text.Substring(0, 40) + "…" : text;

        private static UmReadException Bad(string where, string what) =>
            new UmReadException(UmReadFailure.UnreadableData, where, $"{where} answered {what}. Nothing was planned from an answer this module cannot read.");
    }
}
