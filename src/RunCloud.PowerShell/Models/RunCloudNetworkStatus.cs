using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// The health of one name that either side knows: the desired source (an Ultimate Multisite mapping, a network's
    /// main domain or a site's host, a list or file entry) or the web app on RunCloud. Get-RunCloudNetworkStatus joins
    /// what the module reads about it: RunCloud's domain, DNS readiness, the certificate RunCloud's SSL state says covers
    /// it, with -Live what the server really serves, and what the next sync would do. Holds no connection and no secret,
    /// so ConvertTo-Json and Export-Csv write it as it is.
    /// </summary>
    public sealed class RunCloudNetworkStatus
    {
        /// <summary>The host name (lower case, IDN in punycode).</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>
        /// The one state that sums the name up, the worst first: NotOnRunCloud, DnsNotReady, Uncovered, NotServed, Expired,
        /// Expiring, NotMapped, Healthy, Protected (on the web app, kept by rule: primary, -ProtectedName, -Exclude) or
        /// Disabled (mapped in Ultimate Multisite but deliberately not served: inactive, deleted or spam site).
        /// </summary>
        public string State { get; set; } = string.Empty;

        /// <summary>The Ultimate Multisite site (blog) the name belongs to: its address, e.g. shop.network.com/ or network.com/shop/.</summary>
        public string? Site { get; set; }

        /// <summary>The site's blog_id.</summary>
        public long? BlogId { get; set; }

        /// <summary>UM's stage of the mapping row (checking-dns ... done, failed, ssl-failed); empty for names that are not a mapping row.</summary>
        public string? Stage { get; set; }

        /// <summary>UM's on/off switch of the mapping row; empty for names that are not a mapping row.</summary>
        public bool? Active { get; set; }

        /// <summary>Where the desired name comes from (a mapping row, a network's main domain, a site's host, a list or file), or empty when no source has it.</summary>
        public string? Source { get; set; }

        /// <summary>The id of the RunCloud domain that serves the name (a wildcard's for a site host it covers); empty when it is not on the web app.</summary>
        public long? OnRunCloud { get; set; }

        /// <summary>The RunCloud domain's type (primary, alias, redirect) or, for a host served through a wildcard, the wildcard's name.</summary>
        public string? DomainType { get; set; }

        /// <summary>Whether the name should be served: in the desired source, or a site host a wildcard on the app covers.</summary>
        public bool Desired { get; set; }

        /// <summary>OK, WrongAddress, NotResolved, CloudflareProxied (the DNS readiness check), NotChecked; empty for a name neither side serves.</summary>
        public string? Dns { get; set; }

        /// <summary>What the DNS check found, with the fix.</summary>
        public string? DnsDetail { get; set; }

        /// <summary>
        /// From RunCloud's SSL state (basic: the web app's certificate; advanced: the domain's own): Covered, NotCovered
        /// (the certificate predates the name or does not list it), NoCertificate, NeedsDns01 (a wildcard under an HTTP-01
        /// certificate), Staging, Expired; empty when the name is not on the web app.
        /// </summary>
        public string? Certificate { get; set; }

        public string? CertificateDetail { get; set; }

        /// <summary>The RunCloud SSL id of the certificate that should cover the name.</summary>
        public long? CertificateId { get; set; }

        /// <summary>The certificate's end of validity by RunCloud (UTC).</summary>
        public DateTime? ValidUntil { get; set; }

        /// <summary>With -Live: what the server serves for the name (TLS + SNI): Covered, NameMismatch, Expired, NotYetValid, Untrusted, Unreachable.</summary>
        public string? Live { get; set; }

        public string? LiveDetail { get; set; }

        /// <summary>Whole days until the certificate ends (the live one with -Live, else RunCloud's validUntil); negative once expired.</summary>
        public int? DaysRemaining { get; set; }

        /// <summary>What the next sync with the same source and guards would do: Add, Remove, Keep or Skip.</summary>
        public string NextSync { get; set; } = string.Empty;

        /// <summary>Why, in words (the guard or rule that decides).</summary>
        public string NextSyncReason { get; set; } = string.Empty;

        /// <summary>One sentence and the fix; empty when the name is healthy.</summary>
        public string Problem { get; set; } = string.Empty;

        public long ServerId { get; set; }

        public long WebAppId { get; set; }

        /// <summary>The manifest target the name belongs to (its index, from 1); empty without -Manifest.</summary>
        public int? Target { get; set; }

        /// <summary>An add or removal a guard holds back (the next sync stops before any change): the SyncBlocked rule's names.</summary>
        internal bool HeldBack { get; set; }

        public override string ToString() => Name + ": " + State;
    }
}
