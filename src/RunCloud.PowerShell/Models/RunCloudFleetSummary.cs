using System;

namespace RunCloud.PowerShell.Models
{
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
