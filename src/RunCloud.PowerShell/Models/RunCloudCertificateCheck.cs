using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>What a name's HTTPS endpoint really serves (Test-RunCloudCertificate).</summary>
    public sealed class RunCloudCertificateCheck
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>The address connected to (the name's, or -Address).</summary>
        public string? Address { get; set; }

        public int Port { get; set; }

        /// <summary>True when the served certificate names this host (SAN, wildcards as TLS matches them), is in its validity period, and its chain is valid.</summary>
        public bool Covered { get; set; }

        /// <summary>Covered, NameMismatch, Expired, NotYetValid, Untrusted or Unreachable.</summary>
        public string Status { get; set; } = string.Empty;

        /// <summary>The DNS names of the certificate's subjectAltName (the subject CN when it has none).</summary>
        public string[] SubjectNames { get; set; } = Array.Empty<string>();

        public string? Subject { get; set; }
        public string? Issuer { get; set; }
        public DateTime? NotBefore { get; set; }
        public DateTime? NotAfter { get; set; }

        /// <summary>Whole days until NotAfter (negative once expired).</summary>
        public int? DaysRemaining { get; set; }

        /// <summary>True when the chain builds to a trusted root (the system's, or one of -TrustedRoot).</summary>
        public bool ChainValid { get; set; }

        /// <summary>The chain problems when ChainValid is false.</summary>
        public string? ChainStatus { get; set; }

        public string? Thumbprint { get; set; }

        public string Message { get; set; } = string.Empty;

        public override string ToString() => $"{Name}: {Status}";
    }
}
