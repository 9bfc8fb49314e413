using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>What <see cref="AppSyncEngine.ApplyAsync"/> observed in THIS run (never what another run did).</summary>
    internal sealed class AppOutcome
    {
        /// <summary>Names this run added (under -WhatIf: would add).</summary>
        public List<string> Added { get; } = new List<string>();

        /// <summary>The domain objects RunCloud answered for the adds.</summary>
        public List<RunCloudDomain> AddedDomains { get; } = new List<RunCloudDomain>();

        /// <summary>Domains this run removed (under -WhatIf: would remove). A DELETE answered 404 is in <see cref="AlreadyGone"/>, not here.</summary>
        public List<string> Removed { get; } = new List<string>();

        /// <summary>Domains found gone when this run came to remove them (removed by someone else).</summary>
        public List<string> AlreadyGone { get; } = new List<string>();

        /// <summary>Planned adds found already on the app when sent (added by someone else since the listing).</summary>
        public List<string> AlsoUnchanged { get; } = new List<string>();

        public List<AppFailure> Failures { get; } = new List<AppFailure>();

        /// <summary>True only when a redeploy (or every order of the SSL step) this run sent succeeded.</summary>
        public bool SslRedeployed { get; set; }

        /// <summary>The app has no certificate to follow its names (basic mode): nothing was redeployed.</summary>
        public bool NoCertificate { get; set; }

        /// <summary>The orders the SSL step sent and RunCloud accepted.</summary>
        public List<SslAction> SslOrders { get; } = new List<SslAction>();

        /// <summary>Names not DNS-ready: no certificate requested for them yet (remembered in the journal, retried later).</summary>
        public List<RunCloudDnsCheck> SslNotReady { get; } = new List<RunCloudDnsCheck>();

        /// <summary>Certificate orders Let's Encrypt's limits did not allow in this run.</summary>
        public List<string> SslDeferred { get; } = new List<string>();

        /// <summary>Work a previous run left unfinished (from the journal) that this run finished.</summary>
        public List<string> FinishedPending { get; } = new List<string>();

        /// <summary>Work still owed after this run (kept in the journal), in words.</summary>
        public string? StillPending { get; set; }

        /// <summary>Steps the operator declined (not sent).</summary>
        public int Declined { get; set; }

        /// <summary>Requests applying sent, retries included.</summary>
        public int ApplyingCalls { get; set; }
    }
}
