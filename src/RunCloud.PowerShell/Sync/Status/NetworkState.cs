using System;
using System.Collections.Generic;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// The states of a name, worst first: a name is in the first state whose condition holds. The order is the order of
    /// the summary's bars and of the HTML report's groups, so the first thing an operator reads is what needs a person.
    /// </summary>
    internal static class NetworkState
    {
        /// <summary>Desired, not on the web app.</summary>
        public const string NotOnRunCloud = "NotOnRunCloud";

        /// <summary>Served, on the web app, and its DNS does not point at the server.</summary>
        public const string DnsNotReady = "DnsNotReady";

        /// <summary>Served, on the web app, and RunCloud's SSL state says no certificate covers it.</summary>
        public const string Uncovered = "Uncovered";

        /// <summary>Served, and the server does not serve a valid certificate for it (-Live).</summary>
        public const string NotServed = "NotServed";

        /// <summary>Served, and its certificate has expired.</summary>
        public const string Expired = "Expired";

        /// <summary>Served, and its certificate ends within -ExpiringDays.</summary>
        public const string Expiring = "Expiring";

        /// <summary>On the web app, nobody maps it (the next sync with -Prune removes it).</summary>
        public const string NotMapped = "NotMapped";

        public const string Healthy = "Healthy";

        /// <summary>On the web app, not desired, kept by rule: the primary domain, -ProtectedName (RunCloud's own *.runcloud.link), -Exclude.</summary>
        public const string Protected = "Protected";

        /// <summary>Mapped in Ultimate Multisite, deliberately not served (inactive row, deleted or spam site, ...), and not on the web app.</summary>
        public const string Disabled = "Disabled";

        /// <summary>Every state, worst first.</summary>
        public static readonly IReadOnlyList<string> All = new[]
        {
            NotOnRunCloud, DnsNotReady, Uncovered, NotServed, Expired, Expiring, NotMapped, Healthy, Protected, Disabled,
        };

        /// <summary>The rank of a state (0 = worst); unknown states last.</summary>
        public static int Rank(string state)
        {
            for (int i = 0; i < All.Count; i++)
            {
                if (string.Equals(All[i], state, StringComparison.Ordinal)) return i;
            }

            return All.Count;
        }

        /// <summary>True for the states that need nobody: healthy, kept by rule, or deliberately not served.</summary>
        public static bool IsFine(string state) => state == Healthy || state == Protected || state == Disabled;

        /// <summary>A heading for the state, for people (the HTML report's groups).</summary>
        public static string Describe(string state) => state switch
        {
            NotOnRunCloud => "Not on RunCloud yet",
            DnsNotReady => "DNS does not point at the server",
            Uncovered => "No certificate covers it",
            NotServed => "The server does not serve a valid certificate",
            Expired => "Certificate expired",
            Expiring => "Certificate expiring soon",
            NotMapped => "On RunCloud, nobody maps it",
            Healthy => "Healthy",
            Protected => "Kept by rule (primary, protected, excluded)",
            Disabled => "Mapped but not served (inactive, deleted or spam site)",
            _ => state,
        };
    }
}
