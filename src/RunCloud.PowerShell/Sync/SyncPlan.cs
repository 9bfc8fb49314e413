using System.Collections.Generic;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// What a sync will do, decided before any change by <see cref="SyncPlanner"/>: the lists, the guards' verdict
    /// and, when a rule stopped part of the plan, the message saying which rule and how to lift it.
    /// </summary>
    internal sealed class SyncPlan
    {
        /// <summary>The desired names, normalised and de-duplicated, in input order.</summary>
        public List<string> Desired { get; } = new List<string>();

        /// <summary>The entry each desired name came from (the first valid one): its own www, redirection and origin.</summary>
        public Dictionary<string, DesiredEntry> Entries { get; } = new Dictionary<string, DesiredEntry>(System.StringComparer.Ordinal);

        /// <summary>The source the plan was made from, when it was more than a list of names (a WordPress network); else null.</summary>
        public DesiredSource? Source { get; set; }

        public List<string> ToAdd { get; } = new List<string>();

        public List<RunCloudDomain> ToRemove { get; } = new List<RunCloudDomain>();

        public List<string> Unchanged { get; } = new List<string>();

        /// <summary>Names not desired, left in place because -Prune was not given (or the prune was stopped).</summary>
        public List<string> Kept { get; } = new List<string>();

        /// <summary>Names not acted on, with the reason (invalid, excluded, primary, protected).</summary>
        public List<RunCloudSyncSkip> Skipped { get; } = new List<RunCloudSyncSkip>();

        /// <summary>Desired entries refused as invalid.</summary>
        public List<RunCloudSyncSkip> InvalidEntries { get; } = new List<RunCloudSyncSkip>();

        /// <summary>Names recovered from invalid entries (the host of a URL, a name before a port, each word): never removed.</summary>
        public HashSet<string> RecoveredNames { get; } = new HashSet<string>();

        /// <summary>Every current domain by normalised name (for the executor and journal).</summary>
        public Dictionary<string, RunCloudDomain> Current { get; } = new Dictionary<string, RunCloudDomain>();

        public SyncVerdict Verdict { get; set; } = SyncVerdict.Proceed;

        /// <summary>Why the verdict is not Proceed: the rule, what was found and the explicit override.</summary>
        public string? VerdictMessage { get; set; }

        /// <summary>Set when invalid desired entries stopped the prune (adds still proceed).</summary>
        public string? PruneStoppedMessage { get; set; }

        /// <summary>How many removals the plan holds before the guards (for -MaxRemove's message).</summary>
        public int PlannedRemovals => ToRemove.Count;
    }
}
