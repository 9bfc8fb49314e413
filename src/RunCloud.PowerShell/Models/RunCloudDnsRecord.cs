namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// One DNS record RunCloud says a domain needs to reach its server (GET .../domains/{d}/dns): what to create at the
    /// DNS provider when a name is not ready for its certificate.
    /// </summary>
    public sealed class RunCloudDnsRecord
    {
        public long ServerId { get; set; }
        public long WebAppId { get; set; }
        public long DomainId { get; set; }

        /// <summary>The web app's domain the record is for.</summary>
        public string Domain { get; set; } = string.Empty;

        /// <summary>A, AAAA, CNAME, TXT...</summary>
        public string Type { get; set; } = string.Empty;

        /// <summary>The host name the record is created for.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>What the record points at (an address for A/AAAA, a host for CNAME).</summary>
        public string Content { get; set; } = string.Empty;

        public int? Ttl { get; set; }

        public override string ToString() => $"{Name} {Type} {Content}";
    }
}
