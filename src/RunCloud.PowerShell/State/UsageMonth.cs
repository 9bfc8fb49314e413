using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// One account's API calls of one calendar month (UTC), as <see cref="UsageLedger"/> keeps them: per day, per web app.
    /// Format (JSON, camelCase, version 1): <c>{ "version", "apiHost", "account", "keyId", "month": "2026-12",
    /// "monthlyQuota"?, "updatedAt", "days": { "2026-12-01": { "account": 2, "s1001-w2001": 40 } } }</c>. Fields a newer
    /// module adds are kept on rewrite. Holds no secret: the account is a hash of the credential's identity.
    /// </summary>
    internal sealed class UsageMonth
    {
        public const int CurrentVersion = 1;

        [JsonProperty("version", Required = Required.Always)]
        public int Version { get; set; } = CurrentVersion;

        /// <summary>The API host the calls went to (e.g. manage.runcloud.io).</summary>
        [JsonProperty("apiHost")]
        public string ApiHost { get; set; } = string.Empty;

        /// <summary>16 hex digits of a SHA-256 of the API host and the credential's identity: names the account, reveals nothing.</summary>
        [JsonProperty("account")]
        public string Account { get; set; } = string.Empty;

        /// <summary>The first characters of the API key or token, as the connection shows them (for a person to tell accounts apart).</summary>
        [JsonProperty("keyId")]
        public string? KeyId { get; set; }

        /// <summary>yyyy-MM.</summary>
        [JsonProperty("month")]
        public string Month { get; set; } = string.Empty;

        /// <summary>The account's monthly quota as last given (Connect-RunCloud -MonthlyQuota, a manifest's monthlyQuota).</summary>
        [JsonProperty("monthlyQuota")]
        public long? MonthlyQuota { get; set; }

        [JsonProperty("updatedAt")]
        public DateTime UpdatedAt { get; set; }

        /// <summary>
        /// Day (yyyy-MM-dd) → app ("s1001-w2001", or "account") → calls; <see cref="ToJson"/> writes both levels in ordinal
        /// order. Plain dictionaries: a sorted one is compiled on first use, at the end of every command of a fresh process.
        /// </summary>
        [JsonProperty("days")]
        public Dictionary<string, Dictionary<string, long>> Days { get; set; } = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);

        [JsonExtensionData]
        public IDictionary<string, JToken> Unknown { get; set; } = new Dictionary<string, JToken>();

        /// <summary>Every count of the month.</summary>
        [JsonIgnore]
        public IEnumerable<UsageCount> Counts =>
            Days.SelectMany(d => d.Value.Select(a => new UsageCount(DateTime.ParseExact(d.Key, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), a.Key, a.Value)));

        [JsonIgnore]
        public long Total => Days.Values.Sum(d => d.Values.Sum());

        private static readonly HashSet<string> Known = new HashSet<string>(StringComparer.Ordinal)
        {
            "version", "apiHost", "account", "keyId", "month", "monthlyQuota", "updatedAt", "days",
        };

        /// <summary>The month as its file holds it (nulls left out).</summary>
        public JObject ToJson()
        {
            var days = new JObject();
            foreach (string day in Ordered(Days.Keys))
            {
                Dictionary<string, long> apps = Days[day];
                var counts = new JObject();
                foreach (string app in Ordered(apps.Keys)) counts.Add(app, apps[app]);
                days.Add(day, counts);
            }

            var o = new JObject { ["version"] = Version, ["apiHost"] = ApiHost, ["account"] = Account };
            JsonFields.AddIfSet(o, "keyId", KeyId);
            o.Add("month", Month);
            JsonFields.AddIfSet(o, "monthlyQuota", MonthlyQuota);
            o.Add("updatedAt", UpdatedAt);
            o.Add("days", days);
            foreach (KeyValuePair<string, JToken> u in Unknown) o[u.Key] = u.Value;
            return o;
        }

        private static List<string> Ordered(IEnumerable<string> keys)
        {
            var list = new List<string>(keys);
            list.Sort(StringComparer.Ordinal);
            return list;
        }

        /// <summary>A month from its file's object; a missing version or a field of the wrong type is a <see cref="JsonSerializationException"/>.</summary>
        public static UsageMonth FromJson(JObject o)
        {
            var days = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
            JObject? stored = JsonFields.NullableObject(o, "days");
            if (stored != null)
            {
                foreach (JProperty d in stored.Properties())
                {
                    var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                    if (d.Value.Type != JTokenType.Null)
                    {
                        JObject c = JsonFields.Object(d.Value, "days." + d.Name);
                        foreach (JProperty a in c.Properties()) counts[a.Name] = JsonFields.Long(c, a.Name);
                    }

                    days[d.Name] = counts;
                }
            }

            return new UsageMonth
            {
                Version = JsonFields.RequiredInt(o, "version"),
                ApiHost = JsonFields.String(o, "apiHost") ?? string.Empty,
                Account = JsonFields.String(o, "account") ?? string.Empty,
                KeyId = JsonFields.String(o, "keyId"),
                Month = JsonFields.String(o, "month") ?? string.Empty,
                MonthlyQuota = JsonFields.NullableLong(o, "monthlyQuota"),
                UpdatedAt = JsonFields.Date(o, "updatedAt"),
                Days = days,
                Unknown = JsonFields.Unknown(o, Known),
            };
        }
    }
}
