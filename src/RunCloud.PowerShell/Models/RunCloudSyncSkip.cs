using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A name Sync-RunCloudDomain did not act on, why, and what kind of skip it is.</summary>
    public sealed class RunCloudSyncSkip
    {
        /// <summary>Kind: the entry is not a valid domain name (a problem in the source).</summary>
        public const string Invalid = "Invalid";

        /// <summary>Kind: the name matches -Exclude (asked for).</summary>
        public const string Excluded = "Excluded";

        /// <summary>Kind: the app's primary domain, never removed (expected).</summary>
        public const string Primary = "Primary";

        /// <summary>Kind: a name RunCloud created (-ProtectedName, e.g. *.runcloud.link), never removed (expected).</summary>
        public const string Protected = "Protected";

        public RunCloudSyncSkip(string name, string reason) : this(name, reason, Invalid) { }

        public RunCloudSyncSkip(string name, string reason, string kind) { Name = name; Reason = reason; Kind = kind; }

        public string Name { get; }
        public string Reason { get; }

        /// <summary>Invalid, Excluded, Primary or Protected: only Invalid points at a problem to fix.</summary>
        public string Kind { get; }

        public override string ToString() => $"{Name}: {Reason}";
    }
}
