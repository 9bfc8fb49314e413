namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>The values of RunCloudNetworkStatus.Certificate (and Live, which uses the live probe's own statuses).</summary>
    internal static class CertificateState
    {
        /// <summary>A certificate of the web app (basic) or of the domain (advanced) covers the name.</summary>
        public const string Covered = "Covered";

        /// <summary>There is a certificate, but it does not cover the name: it was issued before the name was added, or does not list it.</summary>
        public const string NotCovered = "NotCovered";

        /// <summary>No certificate at all: basic mode without SSL, or (advanced) the domain has none of its own.</summary>
        public const string NoCertificate = "NoCertificate";

        /// <summary>A wildcard under a certificate validated over HTTP-01: Let's Encrypt validates wildcards only over DNS-01.</summary>
        public const string NeedsDns01 = "NeedsDns01";

        /// <summary>A Let's Encrypt staging certificate, which browsers do not trust.</summary>
        public const string Staging = "Staging";

        /// <summary>The certificate's validity has ended.</summary>
        public const string Expired = "Expired";
    }
}
