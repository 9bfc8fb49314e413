using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>One account's API calls on one UTC day, in all and per web app (Get-RunCloudApiUsage -PerDay).</summary>
    public sealed class RunCloudApiUsageDay
    {
        public string Account { get; set; } = string.Empty;

        /// <summary>The UTC day (midnight, Kind Utc).</summary>
        public DateTime Date { get; set; }

        public long Calls { get; set; }

        /// <summary>The day's calls per web app ("account": calls that name none, such as ping or the server list).</summary>
        public RunCloudApiUsageApp[] Apps { get; set; } = Array.Empty<RunCloudApiUsageApp>();

        public override string ToString() => $"{Date:yyyy-MM-dd} {Account}: {Calls} calls";
    }
}
