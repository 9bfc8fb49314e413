using System;
using System.Collections.Generic;

namespace RunCloud.PowerShell.Models
{
    /// <summary>What applying a plan did to one web app.</summary>
    public sealed class RunCloudFleetResult
    {
        public int Index { get; set; }
        public string? Connection { get; set; }
        public long ServerId { get; set; }
        public long WebAppId { get; set; }

        /// <summary>Applied, NoChange, Refused (live list drifted, or another account), Blocked (a guard), Failed (a change failed), Declined (not confirmed), WhatIf.</summary>
        public string Status { get; set; } = "Applied";

        public string[] Added { get; set; } = Array.Empty<string>();
        public string[] Removed { get; set; } = Array.Empty<string>();
        public RunCloudSyncFailure[] Failed { get; set; } = Array.Empty<RunCloudSyncFailure>();
        public bool SslRedeployed { get; set; }
        public int PlannedCalls { get; set; }

        /// <summary>HTTP requests this target sent, retries included.</summary>
        public int ApiCalls { get; set; }
        public TimeSpan Duration { get; set; }
        public string? Message { get; set; }

        public bool Success => Status == "Applied" || Status == "NoChange" || Status == "WhatIf";
        public string Account => Connection ?? "<default>";

        public override string ToString() => $"target {Index} web app {WebAppId} (server {ServerId}, {Account}): {Status}";
    }

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

    /// <summary>The outcome of a whole fleet run; Success only when every target applied (or had nothing to do).</summary>
    public sealed class RunCloudFleetSummary
    {
        public int Targets { get; set; }
        public int Applied { get; set; }
        public int NoChange { get; set; }
        public int Refused { get; set; }
        public int Blocked { get; set; }
        public int Failed { get; set; }
        public int Declined { get; set; }
        public int Added { get; set; }
        public int Removed { get; set; }
        public int PlannedCalls { get; set; }
        public int ApiCalls { get; set; }
        public RunCloudFleetAccountUsage[] Accounts { get; set; } = Array.Empty<RunCloudFleetAccountUsage>();
        public int ThrottleLimit { get; set; }
        public TimeSpan Duration { get; set; }
        public bool WhatIf { get; set; }
        public bool Success { get; set; }

        public override string ToString() =>
            $"{Targets} target(s): {Applied} applied, {NoChange} unchanged, {Refused} refused, {Blocked} blocked, {Failed} failed; {ApiCalls} call(s)";
    }
}
