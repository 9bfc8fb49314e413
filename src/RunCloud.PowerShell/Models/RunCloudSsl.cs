using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// The SSL state of a web application (basic mode: one certificate for the app) or of one domain (advanced mode).
    /// The private key is a secret: it is never read into this object.
    /// </summary>
    public sealed class RunCloudSsl : IConnectionBound, IRunCloudObject
    {
        /// <summary>
        /// The connection (account) this object was read through; downstream cmdlets use it, and refuse a different -Connection.
        /// Internal, so ConvertTo-Json, Export-Csv and Export-Clixml never carry it: a piped object still binds as itself
        /// (PipelineObject), and Get-RunCloudConnection -InputObject shows it.
        /// </summary>
        internal IRunCloudConnection? Connection { get; set; }

        IRunCloudConnection? IConnectionBound.Connection { get => Connection; set => Connection = value; }

        public long ServerId { get; set; }

        /// <summary>The server's name, so a fleet-wide expiry report reads without ids.</summary>
        public string? ServerName { get; set; }

        public long WebAppId { get; set; }

        /// <summary>The web application's name.</summary>
        public string? WebAppName { get; set; }

        /// <summary>Set for a per-domain certificate (advanced SSL mode).</summary>
        public long? DomainId { get; set; }

        public string? DomainName { get; set; }

        /// <summary>False when the app (or domain) has no certificate; the other certificate fields are then empty.</summary>
        public bool Installed { get; set; }

        /// <summary>Basic (one certificate for the app) or Advanced (one per domain).</summary>
        public string Mode { get; set; } = "Basic";

        public bool AutoSsl { get; set; }
        public long? Id { get; set; }
        public string? Method { get; set; }
        public string? AuthorizationMethod { get; set; }
        public bool Staging { get; set; }
        public bool EnableHttp { get; set; }
        public bool EnableHsts { get; set; }
        public DateTime? ValidUntil { get; set; }
        public DateTime? RenewalDate { get; set; }

        /// <summary>Whole days until <see cref="ValidUntil"/> (negative once expired), as of when the object was read; null without a certificate.</summary>
        public int? DaysRemaining { get; set; }
        public long? ApiId { get; set; }
        public long? SslProtocolId { get; set; }
        public DateTime? CreatedAt { get; set; }

        /// <summary>RunCloud's message when it reported no certificate.</summary>
        public string? Message { get; set; }

        /// <summary>
        /// The certificate (PEM) as RunCloud returned it: public, but kept off the output object (it would bloat every
        /// listing); Get-RunCloudNetworkStatus reads the names it lists. Never the private key.
        /// </summary>
        internal string? CertificatePem { get; set; }

        /// <summary>Whole days from <paramref name="now"/> to <paramref name="validUntil"/>, rounded down (an expired certificate is negative).</summary>
        internal static int? DaysUntil(DateTime? validUntil, DateTime now) =>
            validUntil.HasValue ? (int)Math.Floor((validUntil.Value - now).TotalDays) : (int?)null;

        internal static RunCloudSsl FromJson(JObject o, long serverId, long webAppId)
        {
            // The contract: a body without an id means "no SSL", whatever the status.
            bool installed = o["id"] != null && o["id"]!.Type != JTokenType.Null;
            DateTime? validUntil = Json.Date(o, "validUntil");
            return new RunCloudSsl
            {
                ServerId = serverId,
                WebAppId = webAppId,
                Installed = installed,
                Id = installed ? Json.Long(o, "id") : (long?)null,
                Method = Json.Str(o, "method"),
                AuthorizationMethod = Json.Str(o, "authorizationMethod"),
                Staging = Json.Bool(o, "staging"),
                EnableHttp = Json.Bool(o, "enableHttp"),
                EnableHsts = Json.Bool(o, "enableHsts"),
                ValidUntil = validUntil,
                DaysRemaining = installed ? DaysUntil(validUntil, DateTime.UtcNow) : null,
                RenewalDate = Json.Date(o, "renewalDate"),
                ApiId = Json.LongOrNull(o, "apiId"),
                SslProtocolId = Json.LongOrNull(o, "ssl_protocol_id"),
                CreatedAt = Json.Date(o, "created_at"),
                Message = installed ? null : Json.Str(o, "message"),
                CertificatePem = installed ? Json.Unescaped(o, "certificate") : null,
            };
        }

        public override string ToString() => Installed ? $"{Method} certificate {Id}" : "no certificate";
    }
}
