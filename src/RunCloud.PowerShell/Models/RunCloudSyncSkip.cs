using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A name Sync-RunCloudDomain did not act on, and why.</summary>
    public sealed class RunCloudSyncSkip
    {
        public RunCloudSyncSkip(string name, string reason) { Name = name; Reason = reason; }
        public string Name { get; }
        public string Reason { get; }
        public override string ToString() => $"{Name}: {Reason}";
    }
}
