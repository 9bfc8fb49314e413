using Newtonsoft.Json;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>One domain of the app as the last clean sync left it (what a basic-mode certificate covers needs www).</summary>
    internal sealed class SyncRecordDomain
    {
        [JsonProperty("id")]
        public long Id { get; set; }

        [JsonProperty("name")]
        public string Name { get; set; } = string.Empty;

        /// <summary>alias (left out), primary or redirect.</summary>
        [JsonProperty("type", DefaultValueHandling = DefaultValueHandling.Ignore)]
        [System.ComponentModel.DefaultValue("alias")]
        public string Type { get; set; } = "alias";

        [JsonProperty("www", DefaultValueHandling = DefaultValueHandling.Ignore)]
        public bool Www { get; set; }

        /// <summary>none (left out), www or non-www.</summary>
        [JsonProperty("redirection", DefaultValueHandling = DefaultValueHandling.Ignore)]
        [System.ComponentModel.DefaultValue("none")]
        public string Redirection { get; set; } = "none";

        [JsonProperty("wildcard", DefaultValueHandling = DefaultValueHandling.Ignore)]
        public bool Wildcard { get; set; }

        public static SyncRecordDomain From(RunCloudDomain d) => new SyncRecordDomain
        {
            Id = d.Id,
            Name = SyncPlanner.Normalized(d),
            Type = string.IsNullOrEmpty(d.Type) ? "alias" : d.Type,
            Www = d.Www,
            Redirection = string.IsNullOrEmpty(d.Redirection) ? "none" : d.Redirection,
            Wildcard = d.Wildcard,
        };

        public RunCloudDomain ToDomain(long serverId, long webAppId) => new RunCloudDomain
        {
            Id = Id,
            ServerId = serverId,
            WebAppId = webAppId,
            Name = Name,
            Type = Type,
            Www = Www,
            Redirection = Redirection,
            Wildcard = Wildcard,
        };
    }
}
