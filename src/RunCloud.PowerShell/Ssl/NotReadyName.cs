using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.Ssl
{

    internal sealed class NotReadyName
    {
        [JsonProperty("name")]
        public string Name { get; set; } = string.Empty;

        /// <summary>WrongAddress, NotResolved, CloudflareProxied, NeedsDns01 (a wildcard not ordered over DNS-01) or NoDnsIntegration.</summary>
        [JsonProperty("status")]
        public string Status { get; set; } = string.Empty;

        [JsonProperty("message")]
        public string Message { get; set; } = string.Empty;

        [JsonProperty("firstSeen")]
        public DateTime FirstSeen { get; set; }

        [JsonProperty("lastChecked")]
        public DateTime LastChecked { get; set; }
    }
}
