using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.State
{
    /// <summary>A domain as the journal records it: its id and its (normalised) name.</summary>
    internal sealed class JournalDomain
    {
        [JsonProperty("id")]
        public long Id { get; set; }

        [JsonProperty("name")]
        public string Name { get; set; } = string.Empty;

        public override string ToString() => $"{Name} (id {Id})";

        public static JArray ToJson(IEnumerable<JournalDomain> domains)
        {
            var array = new JArray();
            foreach (JournalDomain d in domains) array.Add(new JObject { ["id"] = d.Id, ["name"] = d.Name });
            return array;
        }

        public static JournalDomain FromJson(JToken token)
        {
            JObject o = JsonFields.Object(token, "domain");
            return new JournalDomain { Id = JsonFields.Long(o, "id"), Name = JsonFields.String(o, "name") ?? string.Empty };
        }
    }
}
