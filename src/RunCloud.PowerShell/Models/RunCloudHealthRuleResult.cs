using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>One -FailOn rule and the names that broke it (Get-RunCloudNetworkStatus's summary).</summary>
    public sealed class RunCloudHealthRuleResult
    {
        /// <summary>The rule as given, normalised: NotOnRunCloud, DnsNotReady, Uncovered, NotServed, Expired, Expiring:N, NotMapped, SyncBlocked.</summary>
        public string Rule { get; set; } = string.Empty;

        /// <summary>The ErrorId written when the rule fails (RunCloudHealth&lt;Rule&gt;).</summary>
        public string ErrorId { get; set; } = string.Empty;

        public bool Failed { get; set; }

        public int Count { get; set; }

        /// <summary>The names that broke the rule.</summary>
        public string[] Names { get; set; } = Array.Empty<string>();

        /// <summary>The rule in words and, when it failed, which names and the fix.</summary>
        public string Message { get; set; } = string.Empty;

        public override string ToString() => Rule + (Failed ? ": failed (" + Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")" : ": passed");
    }
}
