using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A domain name attached to a RunCloud web application.</summary>
    public sealed class RunCloudDomain : IConnectionBound, IRunCloudObject
    {
        /// <summary>
        /// The connection (account) this object was read through; downstream cmdlets use it, and refuse a different -Connection.
        /// Internal, so ConvertTo-Json, Export-Csv and Export-Clixml never carry it: a piped object still binds as itself
        /// (PipelineObject), and Get-RunCloudConnection -InputObject shows it.
        /// </summary>
        internal IRunCloudConnection? Connection { get; set; }

        IRunCloudConnection? IConnectionBound.Connection { get => Connection; set => Connection = value; }

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

        /// <summary>
        /// Set when RunCloud sent this item without a valid id (a positive integer), name or type (alias, primary,
        /// redirect): such an item must never be acted on (a DELETE .../domains/0, a primary treated as an alias).
        /// </summary>
        internal string? Problem { get; private set; }

        internal static RunCloudDomain FromJson(JObject o, long serverId, long webAppId)
        {
            RunCloudDomain domain = Read(o, serverId, webAppId);
            domain.Problem = Validate(o);
            return domain;
        }

        private static string? Validate(JObject o)
        {
            var problems = new System.Collections.Generic.List<string>(3);
            JToken? id = o["id"];
            bool idOk = id != null && (id.Type == JTokenType.Integer || id.Type == JTokenType.String) && Json.Long(o, "id") > 0;
            if (!idOk) problems.Add(id == null || id.Type == JTokenType.Null ? "no id" : $"id '{Short(id)}' is not a positive whole number");
            string? name = o["name"]?.Type == JTokenType.String ? (string?)o["name"] : null;
            if (string.IsNullOrWhiteSpace(name)) problems.Add("no name");
            string? type = o["type"]?.Type == JTokenType.String ? (string?)o["type"] : null;
            if (type == null) problems.Add("no type");
            else if (!(type.Equals("alias", StringComparison.OrdinalIgnoreCase) || type.Equals("primary", StringComparison.OrdinalIgnoreCase)
                || type.Equals("redirect", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"type '{Short(o["type"]!)}' is not alias, primary or redirect");
            }

            return problems.Count == 0 ? null : string.Join(", ", problems);
        }

        private static string Short(JToken token)
        {
            string text = token.ToString(Newtonsoft.Json.Formatting.None);
            return text.Length > 60 ? text.Substring(0, 60) + "…" : text;
        }

        /// <summary>How the item looked, for an error message naming it.</summary>
        internal string Describe() => $"{{id {(Id > 0 ? Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}, name '{Name}', type '{Type}'}}";

        private static RunCloudDomain Read(JObject o, long serverId, long webAppId) => new RunCloudDomain
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
