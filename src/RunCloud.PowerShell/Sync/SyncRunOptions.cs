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
    }
}
