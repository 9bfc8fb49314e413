using System.Collections.Generic;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>What <see cref="SyncExecutor"/> did in THIS run (never what another run did).</summary>
    internal sealed class SyncOutcome
    {
        public List<string> Added { get; } = new List<string>();

        public List<string> Removed { get; } = new List<string>();

        /// <summary>Planned adds found already on the app when sent (added by someone else since the listing).</summary>
        public List<string> AlsoUnchanged { get; } = new List<string>();

        public List<RunCloudSyncFailure> Failed { get; } = new List<RunCloudSyncFailure>();

        public bool SslRedeployed { get; set; }

        /// <summary>Names not DNS-ready: no certificate requested for them yet (remembered in the journal's ssl extension, retried later).</summary>
        public List<RunCloudDnsCheck> SslNotReady { get; } = new List<RunCloudDnsCheck>();

        /// <summary>Certificate orders Let's Encrypt's limits did not allow in this run.</summary>
        public List<string> SslDeferred { get; } = new List<string>();

        /// <summary>Work a previous run left unfinished (from the journal) that this run finished.</summary>
        public List<string> FinishedPending { get; } = new List<string>();

        /// <summary>Work still owed after this run (kept in the journal), in words.</summary>
        public string? StillPending { get; set; }
    }
}
