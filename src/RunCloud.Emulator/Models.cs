using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCloud.Emulator
{
    /// <summary>A server. Objects handed out by EmulatorState are copies: changing them does not change the state.</summary>
    public sealed class ServerRecord
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Provider { get; set; } = "Emulator";
        public string IpAddress { get; set; } = "";
        public string CountryIsoCode { get; set; } = "SG";
        public string Os { get; set; } = "Ubuntu";
        public string OsVersion { get; set; } = "24.04";
        public bool Connected { get; set; } = true;
        public bool Online { get; set; } = true;
        public string AgentVersion { get; set; } = "2.11.3";
        public string PhpCliVersion { get; set; } = "php83rc";
        public bool SoftwareUpdate { get; set; } = true;
        public bool SecurityUpdate { get; set; } = true;
        public string? TransferStatus { get; set; } = "AVAILABLE";
        public DateTime CreatedAt { get; set; }
        public List<WebAppRecord> WebApps { get; set; } = new List<WebAppRecord>();

        internal ServerRecord CloneShallow()
        {
            var c = (ServerRecord)MemberwiseClone();
            c.WebApps = new List<WebAppRecord>();
            return c;
        }
    }

    public sealed class WebAppRecord
    {
        public long Id { get; set; }
        public long ServerId { get; set; }
        public long ServerUserId { get; set; } = 1;
        public string Name { get; set; } = "";
        public string RootPath { get; set; } = "";
        public string PublicPath { get; set; } = "";
        public string PhpVersion { get; set; } = "php83rc";
        public string Stack { get; set; } = "hybrid";
        public string StackMode { get; set; } = "production";
        public string Type { get; set; } = "custom";
        public bool DefaultApp { get; set; }
        public string? Alias { get; set; }
        public string PullKey1 { get; set; } = "";
        public string PullKey2 { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        /// <summary>Advanced SSL mode: one certificate per domain instead of one for the app.</summary>
        public bool AdvancedSsl { get; set; }
        public bool AutoSsl { get; set; }
        /// <summary>The app's basic-mode certificate, or null.</summary>
        public SslRecord? Ssl { get; set; }
        public List<DomainRecord> Domains { get; set; } = new List<DomainRecord>();

        internal WebAppRecord Clone(bool withDomains)
        {
            var c = (WebAppRecord)MemberwiseClone();
            c.Ssl = Ssl?.Clone();
            c.Domains = withDomains ? Domains.Select(d => d.Clone()).ToList() : new List<DomainRecord>();
            return c;
        }
    }

    public sealed class DomainRecord
    {
        public long Id { get; set; }
        public long WebAppId { get; set; }
        public string Name { get; set; } = "";
        /// <summary>alias, primary or redirect.</summary>
        public string Type { get; set; } = "alias";
        public bool Www { get; set; }
        /// <summary>none, www or non-www.</summary>
        public string Redirection { get; set; } = "none";
        public bool Wildcard { get; set; }
        public string DnsIntegration { get; set; } = "none";
        public string? Status { get; set; }
        public DateTime CreatedAt { get; set; }
        /// <summary>The domain's own certificate (advanced SSL mode), or null.</summary>
        public SslRecord? Ssl { get; set; }

        /// <summary>True for names RunCloud creates itself (ending in ".runcloud.link"). Not part of the API's JSON.</summary>
        public bool IsRunCloudTestDomain => EmulatorDefaults.IsRunCloudTestDomain(Name);

        /// <summary>The host names this domain needs a certificate for: the name, and www.name when www is on.</summary>
        public IEnumerable<string> HostNames()
        {
            yield return Name;
            if (Www && !Name.StartsWith("www.", StringComparison.OrdinalIgnoreCase) && !Name.StartsWith("*.", StringComparison.Ordinal))
                yield return "www." + Name;
        }

        internal DomainRecord Clone()
        {
            var c = (DomainRecord)MemberwiseClone();
            c.Ssl = Ssl?.Clone();
            return c;
        }
    }

    public sealed class SslRecord
    {
        public long Id { get; set; }
        /// <summary>letsencrypt or custom.</summary>
        public string Method { get; set; } = "letsencrypt";
        /// <summary>Fake. A secret: the emulator never writes it to its request log.</summary>
        public string PrivateKey { get; set; } = "";
        public string Certificate { get; set; } = "";
        public DateTime ValidUntil { get; set; }
        public DateTime RenewalDate { get; set; }
        /// <summary>When the certificate was last issued (install or redeploy): the served certificate's NotBefore. Not part of the API's JSON.</summary>
        public DateTime IssuedAt { get; set; }
        public bool EnableHttp { get; set; }
        public bool EnableHsts { get; set; }
        public string AuthorizationMethod { get; set; } = "http-01";
        public bool Staging { get; set; }
        public long? ApiId { get; set; }
        public int SslProtocolId { get; set; } = 2;
        public DateTime CreatedAt { get; set; }
        /// <summary>Host names the certificate was issued for (at install or last redeploy).</summary>
        public List<string> CoveredDomains { get; set; } = new List<string>();
        public int RedeployCount { get; set; }

        internal SslRecord Clone()
        {
            var c = (SslRecord)MemberwiseClone();
            c.CoveredDomains = new List<string>(CoveredDomains);
            return c;
        }
    }

    /// <summary>
    /// A DNS integration, RunCloud's "3rd-party API key" (settings/externalapi): the credentials RunCloud uses to write
    /// the _acme-challenge TXT records of a DNS-01 order (the certificate's externalApi / apiId).
    /// </summary>
    public sealed class ExternalApiRecord
    {
        public long Id { get; set; }
        public string Label { get; set; } = "";
        /// <summary>cloudflare, linode, digitalocean or vultr (as sent; answered by its display name).</summary>
        public string Service { get; set; } = "cloudflare";
        /// <summary>The account's user name or e-mail (required for cloudflare), or null.</summary>
        public string? Username { get; set; }
        /// <summary>Fake. A secret: the emulator never writes it to its request log.</summary>
        public string Secret { get; set; } = "";
        public DateTime CreatedAt { get; set; }

        internal ExternalApiRecord Clone() => (ExternalApiRecord)MemberwiseClone();
    }

    /// <summary>One TLS protocol choice (GET static/ssl/protocols).</summary>
    public sealed class SslProtocol
    {
        public int Id { get; set; }
        public string Name { get; set; } = "";
    }
}
