using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// What one unattended run (Invoke-RunCloudScheduledSync) did: how it ends (ExitCode, also $LASTEXITCODE), the totals
    /// over every web app it synced, and where its log is. Flat, so ConvertTo-Json and Export-Csv carry it whole.
    /// </summary>
    public sealed class RunCloudScheduledSyncResult
    {
        /// <summary>The exit code; <see cref="Code"/> is the same as a number.</summary>
        public RunCloudSyncExitCode ExitCode { get; set; }

        /// <summary>The exit code as the scheduler sees it (0-4).</summary>
        public int Code => (int)ExitCode;

        /// <summary>What was synced: "manifest /etc/runcloud/fleet.json", "file ./domains.txt", "WordPress network /var/www/x", "3 name(s)".</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>Web apps the run covered (1 for one app's source).</summary>
        public int Targets { get; set; }

        public int Added { get; set; }
        public int Removed { get; set; }

        /// <summary>Changes (and targets) that failed.</summary>
        public int Failed { get; set; }

        /// <summary>Names skipped by design or as invalid entries.</summary>
        public int Skipped { get; set; }

        /// <summary>HTTP requests sent to RunCloud, retries included.</summary>
        public int ApiCalls { get; set; }

        /// <summary>Seconds.</summary>
        public double Duration { get; set; }

        /// <summary>True under -WhatIf: nothing was changed.</summary>
        public bool WhatIf { get; set; }

        /// <summary>The log file written (after rotation), or null when the log could not be opened.</summary>
        public string? LogPath { get; set; }

        /// <summary>One sentence: why the run ended with this code, and what to do.</summary>
        public string Message { get; set; } = string.Empty;

        /// <summary>UTC.</summary>
        public DateTime StartedAt { get; set; }

        /// <summary>With -FailOn or -StatusHtmlPath: the names per state after the sync, e.g. "480 Healthy, 2 Uncovered"; empty otherwise.</summary>
        public string? Health { get; set; }

        /// <summary>The -FailOn rules that names broke, each "Rule: name, name, ..." (flat text, so the result serialises at any depth).</summary>
        public string[] HealthFailedRules { get; set; } = System.Array.Empty<string>();

        /// <summary>The HTML status page written (-StatusHtmlPath), or empty.</summary>
        public string? HealthReport { get; set; }

        public override string ToString() => $"exit {Code} ({ExitCode}): {Message}";
    }
}
