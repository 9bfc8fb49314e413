using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>What Sync-RunCloudDomain did (or, under -WhatIf, would do) to one web app.</summary>
    public sealed class RunCloudSyncResult
    {
        public long ServerId { get; set; }
        public long WebAppId { get; set; }

        /// <summary>Names added to the web app (under -WhatIf: that would be added).</summary>
        public string[] Added { get; set; } = Array.Empty<string>();

        /// <summary>Names removed from the web app by this run (only with -Prune).</summary>
        public string[] Removed { get; set; } = Array.Empty<string>();

        /// <summary>Names this run came to remove and found gone already (RunCloud answered 404: removed by someone else); not counted as removed.</summary>
        public string[] AlreadyGone { get; set; } = Array.Empty<string>();

        /// <summary>Desired names that were already on the web app.</summary>
        public string[] Unchanged { get; set; } = Array.Empty<string>();

        /// <summary>Names on the web app that are not in the desired list and were left in place because -Prune was not given.</summary>
        public string[] Kept { get; set; } = Array.Empty<string>();

        /// <summary>Names not acted on, with the reason: invalid, excluded, primary, protected (RunCloud-created).</summary>
        public RunCloudSyncSkip[] Skipped { get; set; } = Array.Empty<RunCloudSyncSkip>();

        /// <summary>Changes that failed, each with RunCloud's error.</summary>
        public RunCloudSyncFailure[] Failed { get; set; } = Array.Empty<RunCloudSyncFailure>();

        /// <summary>True when the certificate was redeployed once after the changes.</summary>
        public bool SslRedeployed { get; set; }

        /// <summary>Names not DNS-ready: added, but no certificate requested for them yet (remembered and retried by the next run).</summary>
        public RunCloudDnsCheck[] SslNotReady { get; set; } = Array.Empty<RunCloudDnsCheck>();

        /// <summary>Certificate orders Let's Encrypt's limits did not allow in this run, with the date they become possible.</summary>
        public string[] SslDeferred { get; set; } = Array.Empty<string>();

        /// <summary>Work a previous, interrupted run left owed (from the journal) that this run finished.</summary>
        public string[] FinishedPending { get; set; } = Array.Empty<string>();

        /// <summary>True when invalid desired entries held back every removal (see the RunCloudSyncPruneStopped error).</summary>
        public bool PruneStopped { get; set; }

        /// <summary>HTTP requests the sync sent (retries included).</summary>
        public int ApiCalls { get; set; }

        /// <summary>
        /// How the sync read the app: Unchanged (the source did not change since the last clean sync and nothing is owed: no
        /// call at all), Targeted (only the names that changed, each checked with RunCloud's search), or Full (the whole
        /// listing: the first sync, the daily full check, -Full, or when searching would cost as much).
        /// </summary>
        public string? Way { get; set; }

        /// <summary>Why that way, e.g. "source unchanged since 2026-12-01 10:00:00Z; next full check at 2026-12-02 09:50:00Z".</summary>
        public string? WayReason { get; set; }

        /// <summary>When the next full listing is due (UTC), when known.</summary>
        public DateTime? NextFullCheck { get; set; }

        /// <summary>
        /// The calls the real run sends: its reads (search pages or listing pages, the SSL state) and what applying sends
        /// (each add and removal, the SSL step). Under -WhatIf, the prediction; in a real run, compare with ApiCalls.
        /// </summary>
        public int PlannedCalls { get; set; }

        /// <summary>How long the sync took, in seconds (a number, so ConvertTo-Json and logs show it as one).</summary>
        public double Duration { get; set; }

        /// <summary>True under -WhatIf: nothing was changed, the lists show the plan.</summary>
        public bool WhatIf { get; set; }

        /// <summary>How many valid, distinct names the desired list held.</summary>
        public int DesiredCount { get; set; }

        /// <summary>Where the desired names were read: "list", "file ...", "Ultimate Multisite, database ...", "WordPress sites, ...".</summary>
        public string Source { get; set; } = "list";

        /// <summary>Each desired name with what the run did (or would do) with it, its www and redirection, and where it comes from (mapping id, stage, site).</summary>
        public RunCloudDesiredName[] DesiredNames { get; set; } = Array.Empty<RunCloudDesiredName>();

        /// <summary>Mapped names Ultimate Multisite does not serve, with the reason and what the run did with them (Remove when pruned).</summary>
        public RunCloudDesiredName[] NotServed { get; set; } = Array.Empty<RunCloudDesiredName>();

        /// <summary>
        /// Under -WhatIf, the ErrorId of the guard that would stop the real run before any change
        /// (RunCloudSyncTooManyRemovals, RunCloudSyncEmptySource); null when the run would go ahead.
        /// </summary>
        public string? StoppedBy { get; set; }

        /// <summary>True when nothing failed, no safety rule held part of the plan back, and (under -WhatIf) no guard would stop the run.</summary>
        public bool Success { get; set; }

        public override string ToString() =>
            $"web app {WebAppId}: {Added.Length} added, {Removed.Length} removed, {Unchanged.Length} unchanged, {Skipped.Length} skipped, {Failed.Length} failed"
            + (WhatIf ? " (what if)" : string.Empty);
    }
}
