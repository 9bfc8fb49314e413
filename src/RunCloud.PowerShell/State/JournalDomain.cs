using Newtonsoft.Json;

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
    }
}
