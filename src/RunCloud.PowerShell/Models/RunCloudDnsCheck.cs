namespace RunCloud.PowerShell.Models
{
    /// <summary>Whether a domain name resolves to its RunCloud server's IP address (Test-RunCloudDomainDns).</summary>
    public sealed class RunCloudDnsCheck
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>The host actually looked up (for a wildcard *.example.com, a probe name under it).</summary>
        public string LookedUp { get; set; } = string.Empty;

        public long? ServerId { get; set; }
        public string? ExpectedAddress { get; set; }
        public string[] Addresses { get; set; } = System.Array.Empty<string>();

        /// <summary>True when one of the name's A/AAAA records is the server's address.</summary>
        public bool PointsToServer { get; set; }

        /// <summary>The CNAME chain followed to the addresses (empty with the system resolver, which hides it).</summary>
        public string[] Cnames { get; set; } = System.Array.Empty<string>();

        /// <summary>True when the name resolves into Cloudflare's published proxy ranges (and not to the server).</summary>
        public bool CloudflareProxied { get; set; }

        /// <summary>OK, WrongAddress, NotResolved or CloudflareProxied; for a wildcard NeedsDns01 (ready only through a DNS-01 order); NoDnsIntegration when a DNS-01 order's integration is gone.</summary>
        public string Status { get; set; } = string.Empty;

        public string Message { get; set; } = string.Empty;

        /// <summary>
        /// RunCloud's own DNS instructions for the domain of a name that is not ready (GET .../domains/{d}/dns): the
        /// records to create. Empty when the name is ready, or the domain is not known (a name typed without a web app).
        /// </summary>
        public RunCloudDnsRecord[] Instructions { get; set; } = System.Array.Empty<RunCloudDnsRecord>();
    }
}
