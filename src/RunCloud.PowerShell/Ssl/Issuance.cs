using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.Ssl
{

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
