using System;
using System.Collections.Generic;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>What the checks of one target found: RunCloud's SSL state, each name's DNS readiness and (with -Live) what the server serves.</summary>
    internal sealed class StatusChecks
    {
        public TargetSslState Ssl { get; set; } = new TargetSslState();

        /// <summary>By name.</summary>
        public Dictionary<string, RunCloudDnsCheck> Dns { get; } = new Dictionary<string, RunCloudDnsCheck>(StringComparer.Ordinal);

        /// <summary>Why DNS was not checked (-SkipDnsCheck, RUNCLOUD_SKIP_DNS_CHECK), or null when it was.</summary>
        public string? DnsNotCheckedReason { get; set; }

        /// <summary>By name; null without -Live.</summary>
        public Dictionary<string, RunCloudCertificateCheck>? Live { get; set; }

        public DateTime NowUtc { get; set; } = DateTime.UtcNow;

        /// <summary>A certificate ending within this many days makes a healthy name Expiring.</summary>
        public int ExpiringDays { get; set; } = 14;
    }
}
