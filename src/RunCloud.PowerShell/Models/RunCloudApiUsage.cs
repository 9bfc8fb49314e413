using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// One account's RunCloud API calls in one calendar month (UTC), as the module counted them (every process, every
    /// command: syncs, Get- cmdlets, Get-RunCloudNetworkStatus, Invoke-RunCloudRequest), with the month-end projection
    /// and the quota when known. Get-RunCloudApiUsage writes it.
    /// </summary>
    public sealed class RunCloudApiUsage
    {
        /// <summary>"&lt;API host&gt; &lt;key id&gt;" (the first characters of the API key or token), for a person.</summary>
        public string Account { get; set; } = string.Empty;

        public string ApiHost { get; set; } = string.Empty;

        /// <summary>16 hex digits of a hash of the API host and the credential: the ledger's name of the account (no secret).</summary>
        public string AccountId { get; set; } = string.Empty;

        /// <summary>The first characters of the API key or token.</summary>
        public string? KeyId { get; set; }

        /// <summary>yyyy-MM (UTC).</summary>
        public string Month { get; set; } = string.Empty;

        /// <summary>Calls this month so far.</summary>
        public long Calls { get; set; }

        /// <summary>Calls today (UTC); 0 for a past month.</summary>
        public long Today { get; set; }

        /// <summary>Calls a day at this month's pace.</summary>
        public double PerDay { get; set; }

        /// <summary>The month's calls at its end at this pace (a past month: its total).</summary>
        public long Projected { get; set; }

        /// <summary>The account's monthly quota, when given (Connect-RunCloud -MonthlyQuota, a manifest's monthlyQuota).</summary>
        public long? MonthlyQuota { get; set; }

        /// <summary>Calls so far as a share of the quota, in percent.</summary>
        public double? UsedPercent { get; set; }

        /// <summary>The projection as a share of the quota, in percent.</summary>
        public double? ProjectedPercent { get; set; }

        public RunCloudApiUsageDay[] Days { get; set; } = Array.Empty<RunCloudApiUsageDay>();

        public RunCloudApiUsageApp[] Apps { get; set; } = Array.Empty<RunCloudApiUsageApp>();

        public override string ToString() => $"{Account} {Month}: {Calls} calls, projected {Projected}";
    }
}
