namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// How an unattended run ends (Invoke-RunCloudScheduledSync sets $LASTEXITCODE to it; the command lines that
    /// Register-RunCloudSyncTask writes exit with it). One table, in docs/sync.md and the cmdlet's help. When one run
    /// meets several outcomes, the one that needs a person first wins: CredentialsRefused, then Configuration, then
    /// Guard, then RetryNextRun, then HealthCheckFailed: code 5 (the -FailOn health rules) ranks below every other code,
    /// so a run that failed never reports only a health finding.
    /// </summary>
    public enum RunCloudSyncExitCode
    {
        /// <summary>In sync, or nothing to do (under -WhatIf: the real run would go ahead).</summary>
        Success = 0,

        /// <summary>Bad parameters or configuration (a file, a manifest, a credential source): a re-run alone will not help.</summary>
        Configuration = 1,

        /// <summary>A guard stopped (part of) the run before any change: -MaxRemove, an empty source, invalid entries with -Prune, -MaxCalls.</summary>
        Guard = 2,

        /// <summary>Some changes failed, or RunCloud could not be reached: the next run retries them.</summary>
        RetryNextRun = 3,

        /// <summary>RunCloud refused the credentials (401/403): this does not heal by itself.</summary>
        CredentialsRefused = 4,

        /// <summary>
        /// The sync ran, and names break a -FailOn health rule (Get-RunCloudNetworkStatus: not on RunCloud, DNS not
        /// pointed, no certificate, not served, expiring...): each is an ERROR line with the names and the fix.
        /// </summary>
        HealthCheckFailed = 5,

        /// <summary>
        /// The account's API calls this month passed the hard share of its -MonthlyQuota (90% unless -QuotaStopPercent
        /// says otherwise): the sync stopped before sending. Raise the quota, or wait for the 1st (UTC).
        /// </summary>
        QuotaReached = 6,
    }
}
