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

        /// <summary>Day (yyyy-MM-dd) → app ("s1001-w2001", or "account") → calls.</summary>
        [JsonProperty("days")]
        public SortedDictionary<string, SortedDictionary<string, long>> Days { get; set; } = new SortedDictionary<string, SortedDictionary<string, long>>(StringComparer.Ordinal);

        [JsonExtensionData]
        public IDictionary<string, JToken> Unknown { get; set; } = new Dictionary<string, JToken>();

        /// <summary>Every count of the month.</summary>
        [JsonIgnore]
        public IEnumerable<UsageCount> Counts =>
            Days.SelectMany(d => d.Value.Select(a => new UsageCount(DateTime.ParseExact(d.Key, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), a.Key, a.Value)));

        [JsonIgnore]
        public long Total => Days.Values.Sum(d => d.Values.Sum());
    }
}
