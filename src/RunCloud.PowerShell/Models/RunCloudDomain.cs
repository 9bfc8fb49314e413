using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A domain name attached to a RunCloud web application.</summary>
    public sealed class RunCloudDomain
    {
        public long Id { get; set; }
        public long ServerId { get; set; }
        public long WebAppId { get; set; }
        public string Name { get; set; } = string.Empty;

        /// <summary>alias, primary or redirect.</summary>
        public string Type { get; set; } = "alias";

        /// <summary>Whether www.&lt;name&gt; is served too (RunCloud sends 0/1).</summary>
        public bool Www { get; set; }

        /// <summary>none, www or non-www.</summary>
        public string Redirection { get; set; } = "none";

        public bool Wildcard { get; set; }
        public string? DnsIntegration { get; set; }
        public string? Status { get; set; }

        /// <summary>UTC.</summary>
        public DateTime? CreatedAt { get; set; }

        public bool IsPrimary => string.Equals(Type, "primary", StringComparison.OrdinalIgnoreCase);

        internal static RunCloudDomain FromJson(JObject o, long serverId, long webAppId) => new RunCloudDomain
        {
            Id = Json.Long(o, "id"),
            ServerId = serverId,
            WebAppId = webAppId,
            Name = Json.DomainName(o, "name") ?? string.Empty,
            Type = Json.Str(o, "type") ?? "alias",
            Www = Json.Bool(o, "www"),
            Redirection = Json.Str(o, "redirection") ?? "none",
            Wildcard = Json.Bool(o, "wildcard"),
            DnsIntegration = Json.Str(o, "dns_integration"),
            Status = Json.Str(o, "status"),
            CreatedAt = Json.Date(o, "created_at"),
        };

        public override string ToString() => Name;
    }
}
