namespace RunCloud.PowerShell.Models
{
    /// <summary>Calls one account spent in a run, and RunCloud's last word on its quota.</summary>
    public sealed class RunCloudFleetAccountUsage
    {
        public string Account { get; set; } = string.Empty;
        public int Targets { get; set; }
        public int PlannedCalls { get; set; }
        public int ApiCalls { get; set; }

        /// <summary>The last X-RateLimit-Limit / X-RateLimit-Remaining RunCloud sent on this account's connection.</summary>
        public int? ServerRateLimit { get; set; }
        public int? ServerRateLimitRemaining { get; set; }

        public override string ToString() => $"{Account}: {ApiCalls} call(s)";
    }
}
