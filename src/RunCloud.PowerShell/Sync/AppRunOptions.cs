using System;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>How a request is carried out: the per-add settings, the SSL step, the lock, and whether anything is sent at all.</summary>
    internal sealed class AppRunOptions
    {
        /// <summary>The command, recorded in the journal and the lock's owner file.</summary>
        public string Command { get; set; } = "Sync-RunCloudDomain";

        /// <summary>Added names also serve www.&lt;name&gt; (never for a name that starts with www.).</summary>
        public bool Www { get; set; }

        /// <summary>none, www or non-www.</summary>
        public string Redirection { get; set; } = "none";

        /// <summary>No SSL step in this run: an owed redeploy stays in the journal for a later run.</summary>
        public bool NoSslReset { get; set; }

        /// <summary>The SSL step runs even when nothing changed and nothing is owed.</summary>
        public bool ResetSsl { get; set; }

        /// <summary>The SSL strategy's checks (DNS readiness, Let's Encrypt budget, names per certificate).</summary>
        public SslOptions Ssl { get; set; } = new SslOptions();

        /// <summary>-WhatIf: the same read-only checks as the real run and a what-if line per step; nothing is sent, no lock, no journal write.</summary>
        public bool WhatIf { get; set; }

        /// <summary>New-RunCloudSyncPlan: prepare only (read-only, no lock); the plan is applied later by Invoke-RunCloudSyncPlan.</summary>
        public bool PlanOnly { get; set; }

        /// <summary>How long to wait for another run on the same app (zero: refuse at once, as a fleet does).</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(300);

        /// <summary>Remove-RunCloudDomain -IncludePrimary: the app's primary domain may be removed.</summary>
        public bool IncludePrimary { get; set; }

        /// <summary>The journal store; the user's state folder when null.</summary>
        public JournalStore? Store { get; set; }

        public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

        /// <summary>
        /// A desired-list sync decides how to read the app (<see cref="ChangeDetector"/>): not at all when nothing changed,
        /// by searching the changed names, or by the full listing. Off for planning (New-RunCloudSyncPlan lists in full).
        /// </summary>
        public bool ChangeDetection { get; set; }

        /// <summary>-Full: list the whole app whatever changed.</summary>
        public bool Full { get; set; }

        /// <summary>-ReconcileEvery: how old the last full check (a listing or a drift check that vouched) may be before a run checks again.</summary>
        public TimeSpan ReconcileEvery { get; set; } = ChangeDetector.DefaultReconcileEvery;

        /// <summary>-FullListEvery: how old the last full listing may be before the full check lists the app instead of the one-call drift check.</summary>
        public TimeSpan FullListEvery { get; set; } = ChangeDetector.DefaultFullListEvery;

        /// <summary>Nothing is changed and no lock is taken: -WhatIf or planning.</summary>
        public bool ReadOnly => WhatIf || PlanOnly;
    }
}
