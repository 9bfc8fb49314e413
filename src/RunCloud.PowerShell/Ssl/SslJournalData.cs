using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.Ssl
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
}
