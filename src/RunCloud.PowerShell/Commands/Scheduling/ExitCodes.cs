using System;
using System.Collections.Generic;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sync.Status;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// Which exit code an ErrorId means for an unattended run (the table of docs/sync.md), and which of two codes wins
    /// when a run meets both: the one a person must act on first.
    /// </summary>
    internal static class ExitCodes
    {
        /// <summary>RunCloud refused the credentials: replace them (or fix the plan's API access); the next run will not heal it.</summary>
        private static readonly HashSet<string> s_credentials = new HashSet<string>(StringComparer.Ordinal)
        {
            ErrorIds.AuthenticationFailed, ErrorIds.Forbidden,
        };

        /// <summary>A wrong command line, file, manifest, id or credential source: a re-run alone will not help.</summary>
        private static readonly HashSet<string> s_configuration = new HashSet<string>(StringComparer.Ordinal)
        {
            ErrorIds.CredentialsNotFound, ErrorIds.InvalidWpConfig, ErrorIds.InvalidBaseUri, ErrorIds.InvalidInput, ErrorIds.MissingServerId,
            ErrorIds.MissingWebAppId, ErrorIds.InvalidDomainName, ErrorIds.NotFound, ErrorIds.InvalidManifest, ErrorIds.InvalidPlan, ErrorIds.NotConnected,
            ErrorIds.ConfirmationRequired, ErrorIds.ServerNotFound, ErrorIds.WebAppNotFound, ErrorIds.InvalidLogPath,
            "RunCloudJournalUnreadable", "RunCloudStateUnavailable", "ParameterBindingFailed", "CommandNotFoundException",

            // A WordPress network that cannot be read as configured: wp-config.php, the database's password or UM's API
            // key refused, a schema or a value this module does not know, WP-CLI missing or failing, a stored credential
            // it cannot open. (Locked, Timeout, Connection, Truncated and Rest are transient: the next run retries, 3.)
            "RunCloudUmConfiguration", "RunCloudUmAuthentication", "RunCloudUmSchema", "RunCloudUmUnreadableData", "RunCloudUmWpCli", "RunCloudUmCredential",
        };

        /// <summary>A safety rule held (part of) the run back before any change: check the source, or lift the rule for one run.</summary>
        private static readonly HashSet<string> s_guard = new HashSet<string>(StringComparer.Ordinal)
        {
            ErrorIds.TooManyRemovals, "RunCloudSyncEmptySource", "RunCloudSyncPruneStopped", ErrorIds.FleetTargetBlocked, ErrorIds.TooManyCalls,
            "RunCloudSslTooManyNames",
        };

        /// <summary>The code a run-level error means (an error that stopped a command, or a whole target).</summary>
        public static RunCloudSyncExitCode ForRun(string? fullyQualifiedErrorId)
        {
            string id = ErrorIdOf(fullyQualifiedErrorId);
            if (IsHealth(id)) return RunCloudSyncExitCode.HealthCheckFailed;
            if (id == ErrorIds.QuotaReached) return RunCloudSyncExitCode.QuotaReached;
            if (s_credentials.Contains(id)) return RunCloudSyncExitCode.CredentialsRefused;
            if (s_configuration.Contains(id)) return RunCloudSyncExitCode.Configuration;
            if (s_guard.Contains(id)) return RunCloudSyncExitCode.Guard;
            return RunCloudSyncExitCode.RetryNextRun;
        }

        /// <summary>
        /// The code one failed change means (an add, a removal, an SSL order): refused credentials are 4; anything else (a
        /// 5xx, a 422 on one name, a 404 for a domain already gone) may heal by the next run.
        /// </summary>
        public static RunCloudSyncExitCode ForItem(string? errorId)
        {
            string id = ErrorIdOf(errorId);
            if (IsHealth(id)) return RunCloudSyncExitCode.HealthCheckFailed;
            if (id == ErrorIds.QuotaReached) return RunCloudSyncExitCode.QuotaReached;
            if (s_credentials.Contains(id)) return RunCloudSyncExitCode.CredentialsRefused;
            if (s_guard.Contains(id)) return RunCloudSyncExitCode.Guard;
            return RunCloudSyncExitCode.RetryNextRun;
        }

        /// <summary>A failed -FailOn rule of Get-RunCloudNetworkStatus (RunCloudHealth&lt;Rule&gt;): exit code 5.</summary>
        public static bool IsHealth(string id) => id.StartsWith(HealthRule.ErrorIdPrefix, StringComparison.Ordinal);

        /// <summary>The code of a run that met both: 4, then 1, then 6 (the quota), then 2, then 3, then 5 (a health finding), then 0.</summary>
        public static RunCloudSyncExitCode Worst(RunCloudSyncExitCode a, RunCloudSyncExitCode b) => Rank(a) >= Rank(b) ? a : b;

        private static int Rank(RunCloudSyncExitCode code) => code switch
        {
            RunCloudSyncExitCode.CredentialsRefused => 7,
            RunCloudSyncExitCode.Configuration => 6,
            RunCloudSyncExitCode.QuotaReached => 4,
            RunCloudSyncExitCode.Guard => 3,
            RunCloudSyncExitCode.RetryNextRun => 2,
            RunCloudSyncExitCode.HealthCheckFailed => 1,
            _ => 0,
        };

        /// <summary>What a code asks of the operator, for the log's last line and the result's message.</summary>
        public static string Advice(RunCloudSyncExitCode code) => code switch
        {
            RunCloudSyncExitCode.Success => "in sync.",
            RunCloudSyncExitCode.Configuration => "fix the configuration named above (command line, file, manifest, credential source); a re-run alone will not help.",
            RunCloudSyncExitCode.Guard => "a safety rule held changes back: check the source list; if the removals are intended, lift the rule for one run (e.g. -MaxRemove).",
            RunCloudSyncExitCode.RetryNextRun => "the next run retries what failed; check the ERROR lines if it repeats.",
            RunCloudSyncExitCode.CredentialsRefused => "RunCloud refused the credentials: replace the token (or key and secret), or check the plan's API access. This does not heal by itself.",
            RunCloudSyncExitCode.HealthCheckFailed => "the sync ran, and names break the -FailOn health rules named above: fix them as each line says (Get-RunCloudNetworkStatus shows every name).",
            RunCloudSyncExitCode.QuotaReached => "the account's API calls this month passed the hard share of its monthly quota: the sync stopped before sending. Get-RunCloudApiUsage shows where they went; raise the quota (-MonthlyQuota, \"monthlyQuota\") or -QuotaStopPercent, or wait for the 1st (UTC).",
            _ => string.Empty,
        };

        /// <summary>The ErrorId of a FullyQualifiedErrorId ("RunCloudX,RunCloud.PowerShell.Commands.Y" -> "RunCloudX").</summary>
        public static string ErrorIdOf(string? fullyQualifiedErrorId)
        {
            if (string.IsNullOrEmpty(fullyQualifiedErrorId)) return string.Empty;
            int comma = fullyQualifiedErrorId!.IndexOf(',');
            return comma < 0 ? fullyQualifiedErrorId : fullyQualifiedErrorId.Substring(0, comma);
        }
    }
}
