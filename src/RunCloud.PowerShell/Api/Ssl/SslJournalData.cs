using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.Api.Ssl
{
    /// <summary>
    /// The SSL strategy's part of the app's journal (AppJournal.Extensions["ssl"]): names whose DNS did not point at
    /// the server yet (retried by every later run), and the certificates issued, for the Let's Encrypt budget.
    /// </summary>
    internal sealed class SslJournalData
    {
        public const string Owner = "ssl";

        [JsonProperty("notReady")]
        public List<NotReadyName> NotReady { get; set; } = new List<NotReadyName>();

        [JsonProperty("issuances")]
        public List<Issuance> Issuances { get; set; } = new List<Issuance>();

        [JsonIgnore]
        public bool IsEmpty => NotReady.Count == 0 && Issuances.Count == 0;
    }

    internal sealed class NotReadyName
    {
        [JsonProperty("name")]
        public string Name { get; set; } = string.Empty;

        /// <summary>WrongAddress, NotResolved or CloudflareProxied.</summary>
        [JsonProperty("status")]
        public string Status { get; set; } = string.Empty;

        [JsonProperty("message")]
        public string Message { get; set; } = string.Empty;

        [JsonProperty("firstSeen")]
        public DateTime FirstSeen { get; set; }

        [JsonProperty("lastChecked")]
        public DateTime LastChecked { get; set; }
    }

    /// <summary>One certificate order: its name set's key, the registered domains it spans, and when.</summary>
    internal sealed class Issuance
    {
        [JsonProperty("set")]
        public string Set { get; set; } = string.Empty;

        [JsonProperty("names")]
        public int Names { get; set; }

        [JsonProperty("registered")]
        public List<string> Registered { get; set; } = new List<string>();

        [JsonProperty("at")]
        public DateTime At { get; set; }
    }
}
