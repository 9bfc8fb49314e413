using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// A scheduled sync that Register-RunCloudSyncTask wrote or installed: which scheduler, how often, the exact command the
    /// scheduler runs, and the files. Holds no secret (the task itself holds none: credentials come from a vault, an
    /// environment file or a credential file).
    /// </summary>
    public sealed class RunCloudSyncTask
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>TaskScheduler, Systemd or Cron.</summary>
        public string Scheduler { get; set; } = string.Empty;

        public int IntervalMinutes { get; set; }

        /// <summary>The account the task runs as (null: the registering user, or root for a system unit without User=).</summary>
        public string? User { get; set; }

        /// <summary>The command the scheduler runs, as one line (for systemd: the ExecStart= value; cron: the command part; Task Scheduler: Command + Arguments).</summary>
        public string CommandLine { get; set; } = string.Empty;

        public string LogPath { get; set; } = string.Empty;

        /// <summary>The files written (unit files, the crontab entry, the task XML); empty when only installed (crontab, Task Scheduler).</summary>
        public string[] Files { get; set; } = Array.Empty<string>();

        /// <summary>True when it was installed into the scheduler; false when only written (-OutputPath) or under -WhatIf.</summary>
        public bool Installed { get; set; }

        /// <summary>The API calls a month this schedule is expected to send, over the apps it syncs whose cost is known; null when none is.</summary>
        public long? ProjectedMonthlyCalls { get; set; }

        /// <summary>The projection per web app, and how each was reached.</summary>
        public RunCloudCallProjection[] CallProjection { get; set; } = System.Array.Empty<RunCloudCallProjection>();

        public override string ToString() => $"{Name} ({Scheduler}, every {IntervalMinutes} min)";
    }
}
