using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>How a plan is applied: the per-add settings and the SSL step.</summary>
    internal sealed class SyncRunOptions
    {
        public bool WhatIf { get; set; }

        public bool Www { get; set; }

        /// <summary>none, www or non-www.</summary>
        public string Redirection { get; set; } = "none";

        /// <summary>Do not redeploy in this run; an owed redeploy stays in the journal for a later run.</summary>
        public bool NoSslReset { get; set; }

        /// <summary>Redeploy even when nothing changed and nothing is owed.</summary>
        public bool ResetSsl { get; set; }

        /// <summary>The command, recorded in the journal.</summary>
        public string Command { get; set; } = "Sync-RunCloudDomain";

        /// <summary>The SSL strategy's checks (DNS readiness, Let's Encrypt budget); defaults when null.</summary>
        public SslOptions? Ssl { get; set; }

        /// <summary>The app's domains as listed before the plan (the SSL step derives the names after the run from it; null lists again).</summary>
        public System.Collections.Generic.IReadOnlyList<Models.RunCloudDomain>? Existing { get; set; }
    }
}
