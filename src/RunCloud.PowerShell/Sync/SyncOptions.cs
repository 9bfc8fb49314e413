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
    }
}
