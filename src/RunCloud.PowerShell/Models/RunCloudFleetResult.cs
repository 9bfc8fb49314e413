using System;
using System.Collections.Generic;

namespace RunCloud.PowerShell.Models
{
    /// <summary>What applying a plan did to one web app.</summary>
    public sealed class RunCloudFleetResult
    {
        public int Index { get; set; }
        public string? Connection { get; set; }
        public long ServerId { get; set; }
        public long WebAppId { get; set; }

        /// <summary>Applied, NoChange, Refused (live list drifted, an edited plan, another account, another run holds the app), Blocked (a guard, or an SSL step certain to be refused), Failed (a change failed), Declined (not confirmed), WhatIf.</summary>
        public string Status { get; set; } = "Applied";

        public string[] Added { get; set; } = Array.Empty<string>();
        public string[] Removed { get; set; } = Array.Empty<string>();

        /// <summary>Removals found gone already when sent (RunCloud answered 404): not removed by this run.</summary>
        public string[] AlreadyGone { get; set; } = Array.Empty<string>();
        public RunCloudSyncFailure[] Failed { get; set; } = Array.Empty<RunCloudSyncFailure>();
        /// <summary>True only when an SSL redeploy (or order) this run sent succeeded.</summary>
        public bool SslRedeployed { get; set; }
        public int PlannedCalls { get; set; }

        /// <summary>HTTP requests this target sent, retries included.</summary>
        public int ApiCalls { get; set; }
        public TimeSpan Duration { get; set; }
        public string? Message { get; set; }

        /// <summary>How the target's app was read: Unchanged (no call), Targeted (the changed names searched) or Full (listed); null when it was not read.</summary>
        public string? Way { get; set; }

        /// <summary>
        /// Why the target did not apply, as the ErrorId a script (and Invoke-RunCloudScheduledSync's exit code) can act on:
        /// the refusal's (a guard such as RunCloudTooManyRemovals, an SSL step certain to be refused, another run's lock, a
        /// plan that no longer fits) or the failed read's (RunCloudNotFound for a wrong id, RunCloudAuthenticationFailed
        /// for a refused credential); RunCloudSyncFailed when only single changes failed (see Failed). Null when it applied.
        /// </summary>
        public string? ErrorId { get; set; }

        public bool Success => Status == "Applied" || Status == "NoChange" || Status == "WhatIf";
        public string Account => Connection ?? "<default>";

        public override string ToString() => $"target {Index} web app {WebAppId} (server {ServerId}, {Account}): {Status}";
    }
}
