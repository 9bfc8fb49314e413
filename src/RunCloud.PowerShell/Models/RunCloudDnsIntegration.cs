using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// A DNS integration: one of the account's "3rd-party API keys" (settings/externalapi), which a DNS-01 certificate
    /// order names as its externalApi so RunCloud can write the _acme-challenge TXT records. Fields as RunCloud's
    /// 3rd-party API key reference names them (id, label, username, service, created_at); the secret is never read into
    /// this object.
    /// </summary>
    public sealed class RunCloudDnsIntegration : IConnectionBound, IRunCloudObject
    {
        /// <summary>The connection (account) this object was read through.</summary>
        public IRunCloudConnection? Connection { get; internal set; }

        IRunCloudConnection? IConnectionBound.Connection { get => Connection; set => Connection = value; }

        /// <summary>What -ExternalApi takes (or the label).</summary>
        public long Id { get; set; }

        public string Label { get; set; } = string.Empty;

        /// <summary>The DNS provider as RunCloud shows it (e.g. Cloudflare, Linode, Digital Ocean, Vultr).</summary>
        public string? Service { get; set; }

        /// <summary>The provider account's user name or e-mail (Cloudflare's global API key needs it); not a secret.</summary>
        public string? Username { get; set; }

        /// <summary>UTC.</summary>
        public DateTime? CreatedAt { get; set; }

        internal static RunCloudDnsIntegration FromJson(JObject o) => new RunCloudDnsIntegration
        {
            Id = Json.Long(o, "id"),
            Label = ServerText.Escape(Json.Str(o, "label")),
            Service = Json.Str(o, "service") is string service ? ServerText.Escape(service) : null,
            Username = Json.Str(o, "username") is string user ? ServerText.Escape(user) : null,
            CreatedAt = Json.Date(o, "created_at"),
        };

        public override string ToString() => $"{Label} ({Id})";
    }
}
