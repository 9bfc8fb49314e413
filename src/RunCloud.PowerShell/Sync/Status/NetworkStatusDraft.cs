using System.Collections.Generic;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>The names of one target joined and planned, before the DNS, certificate and live checks.</summary>
    internal sealed class NetworkStatusDraft
    {
        public List<JoinedName> Names { get; } = new List<JoinedName>();

        /// <summary>The sync plan, exactly as the sync would make it from the same source, listing and guards.</summary>
        public SyncPlan Plan { get; set; } = new SyncPlan();

        /// <summary>Why the next sync would stop before any change (a guard's message), or null.</summary>
        public string? Blocked { get; set; }

        /// <summary>Set when RunCloud's listing cannot be trusted (an item without a valid id, name or type): no status is built.</summary>
        public string? InvalidListing { get; set; }

        /// <summary>Desired entries that are not a domain name ("entry: problem").</summary>
        public List<string> InvalidEntries { get; } = new List<string>();
    }
}
