using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// Get-RunCloudNetworkStatus -Summary: the counts per state, the -FailOn rules and which names broke them, and
    /// every name's status. What a monitoring check reads: Healthy is false when a rule failed.
    /// </summary>
    public sealed class RunCloudNetworkStatusSummary
    {
        /// <summary>The web app(s) looked at, e.g. "web app 2001 (server 1001)"; one line per manifest target.</summary>
        public string[] Targets { get; set; } = Array.Empty<string>();

        /// <summary>Where the desired names came from.</summary>
        public string[] Sources { get; set; } = Array.Empty<string>();

        public int Total { get; set; }

        public int Healthy { get; set; }
        public int NotOnRunCloud { get; set; }
        public int DnsNotReady { get; set; }
        public int Uncovered { get; set; }
        public int NotServed { get; set; }
        public int Expired { get; set; }
        public int Expiring { get; set; }
        public int NotMapped { get; set; }
        public int Protected { get; set; }
        public int Disabled { get; set; }

        /// <summary>Every state with its count and share, worst first (the HTML report's bars).</summary>
        public RunCloudNetworkStateCount[] States { get; set; } = Array.Empty<RunCloudNetworkStateCount>();

        /// <summary>What the next sync would do: how many names it adds, removes, keeps and skips.</summary>
        public int ToAdd { get; set; }
        public int ToRemove { get; set; }
        public int ToKeep { get; set; }
        public int ToSkip { get; set; }

        /// <summary>Why a next sync would stop before any change (a guard: -MaxRemove, an empty source, RunCloud's listing), one per target; empty when it would go ahead.</summary>
        public string[] SyncBlocked { get; set; } = Array.Empty<string>();

        /// <summary>Desired entries that are not a domain name ("entry: problem").</summary>
        public string[] InvalidEntries { get; set; } = Array.Empty<string>();

        /// <summary>The -FailOn rules checked, each with the names that broke it.</summary>
        public RunCloudHealthRuleResult[] Rules { get; set; } = Array.Empty<RunCloudHealthRuleResult>();

        /// <summary>The rules that failed (also written as errors RunCloudHealth&lt;Rule&gt;).</summary>
        public RunCloudHealthRuleResult[] FailedRules { get; set; } = Array.Empty<RunCloudHealthRuleResult>();

        /// <summary>False when a -FailOn rule failed; true without -FailOn.</summary>
        public bool Success { get; set; }

        /// <summary>With -Live: the names probed over TLS, and the bound used.</summary>
        public bool Live { get; set; }
        public int Probed { get; set; }
        public int ThrottleLimit { get; set; }

        /// <summary>The GET requests sent to RunCloud.</summary>
        public int ApiCalls { get; set; }

        /// <summary>Seconds.</summary>
        public double Duration { get; set; }

        /// <summary>UTC.</summary>
        public DateTime CheckedAt { get; set; }

        /// <summary>The HTML report written (-HtmlPath), or empty.</summary>
        public string? HtmlPath { get; set; }

        /// <summary>Every name's status, worst first.</summary>
        public RunCloudNetworkStatus[] Names { get; set; } = Array.Empty<RunCloudNetworkStatus>();

        public override string ToString() =>
            $"{Total} name(s): {Healthy} healthy" + (FailedRules.Length > 0 ? $"; failed: {string.Join(", ", Array.ConvertAll(FailedRules, r => r.Rule))}" : string.Empty);
    }
}
