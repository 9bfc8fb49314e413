using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using RunCloud.PowerShell.Dns;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>How a status checks its names: DNS (which resolver, which address), the live probe (where, how long, which roots), the bound.</summary>
    internal sealed class StatusCheckOptions
    {
        /// <summary>Probe what the server serves over TLS + SNI.</summary>
        public bool Live { get; set; }

        /// <summary>At most this many DNS lookups, TLS probes or per-domain SSL reads at once.</summary>
        public int ThrottleLimit { get; set; } = 16;

        /// <summary>Per name: the DNS answer, and the TLS connection and handshake.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Probe this address instead of the server's (the name is still the SNI).</summary>
        public string? Address { get; set; }

        public int Port { get; set; } = 443;

        public IReadOnlyCollection<X509Certificate2>? TrustedRoots { get; set; }

        /// <summary>-DnsServer; null = the system's resolver.</summary>
        public DnsServerList? DnsServers { get; set; }

        /// <summary>The address names should point at, instead of the server's ipAddress.</summary>
        public string? IpAddress { get; set; }

        /// <summary>Why DNS is not checked, or null to check it.</summary>
        public string? SkipDnsReason { get; set; }

        public int ExpiringDays { get; set; } = 14;

        /// <summary>The clock certificates are judged by (tests inject their own).</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;
    }
}
