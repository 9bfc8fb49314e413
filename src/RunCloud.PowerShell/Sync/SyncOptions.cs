using System;
using System.Collections.Generic;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>The safety rules of a sync and their explicit overrides (never -Force, which only skips confirmation).</summary>
    internal sealed class SyncOptions
    {
        /// <summary>Remove the app's names that are not desired.</summary>
        public bool Prune { get; set; }

        /// <summary>More planned removals than this stop the whole sync before any change.</summary>
        public int MaxRemove { get; set; } = 10;

        /// <summary>Lifts the refusal to prune from an empty desired list.</summary>
        public bool AllowEmptySource { get; set; }

        /// <summary>Lifts the rule that an invalid desired entry stops the prune (a name recoverable from it is still never removed).</summary>
        public bool AllowInvalidEntries { get; set; }

        public IReadOnlyList<NamePattern> Exclude { get; set; } = Array.Empty<NamePattern>();

        public IReadOnlyList<NamePattern> ProtectedName { get; set; } = Array.Empty<NamePattern>();

        /// <summary>
        /// Names the desired source itself says a prune must never remove (an Ultimate Multisite network: every active
        /// mapping and its www. variant, live site hosts, a wildcard serving them), with the reason the plan gives.
        /// </summary>
        public Func<string, bool>? SourceProtects { get; set; }

        public string SourceProtectsReason { get; set; } = "The desired source serves it; never removed.";

        /// <summary>
        /// What <see cref="SourceProtects"/> protects, as text that changes whenever the protected names do (e.g. the sorted
        /// names): part of the fingerprint that tells a sync the source changed. Whoever sets <see cref="SourceProtects"/>
        /// sets this too; without it a change in what the source protects alone waits for the next full reconcile.
        /// </summary>
        public string? SourceProtectsKey { get; set; }

        /// <summary>A copy, for a caller that adds the source's own protection to the guards it was given.</summary>
        public SyncOptions Clone() => (SyncOptions)MemberwiseClone();
    }
}
