using System;
using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.State;

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

        /// <summary>The data as the journal's "ssl" extension holds it.</summary>
        public JObject ToJson()
        {
            var notReady = new JArray();
            foreach (NotReadyName n in NotReady)
            {
                notReady.Add(new JObject { ["name"] = n.Name, ["status"] = n.Status, ["message"] = n.Message, ["firstSeen"] = n.FirstSeen, ["lastChecked"] = n.LastChecked });
            }

            var issuances = new JArray();
            foreach (Issuance i in Issuances)
            {
                issuances.Add(new JObject { ["set"] = i.Set, ["names"] = i.Names, ["registered"] = new JArray(i.Registered), ["at"] = i.At });
            }

            return new JObject { ["notReady"] = notReady, ["issuances"] = issuances };
        }

        public static SslJournalData FromJson(JObject o) => new SslJournalData
        {
            NotReady = JsonFields.List(o, "notReady", t =>
            {
                JObject n = JsonFields.Object(t, "notReady");
                return new NotReadyName
                {
                    Name = JsonFields.String(n, "name") ?? string.Empty,
                    Status = JsonFields.String(n, "status") ?? string.Empty,
                    Message = JsonFields.String(n, "message") ?? string.Empty,
                    FirstSeen = JsonFields.Date(n, "firstSeen"),
                    LastChecked = JsonFields.Date(n, "lastChecked"),
                };
            }),
            Issuances = JsonFields.List(o, "issuances", t =>
            {
                JObject i = JsonFields.Object(t, "issuances");
                return new Issuance
                {
                    Set = JsonFields.String(i, "set") ?? string.Empty,
                    Names = JsonFields.Int(i, "names"),
                    Registered = JsonFields.Strings(i, "registered"),
                    At = JsonFields.Date(i, "at"),
                };
            }),
        };
    }
}
