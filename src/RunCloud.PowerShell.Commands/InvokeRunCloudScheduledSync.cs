using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Commands.Scheduling;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The one entry point for unattended runs (a scheduled task, a systemd timer, cron): runs a fleet manifest, or one web
    /// app's source (a file, a WordPress network, names), through Sync-RunCloudDomain; writes a rotating log that never
    /// holds a secret; and ends with an exit code the scheduler acts on ($LASTEXITCODE; the command lines
    /// Register-RunCloudSyncTask writes exit with it): 0 in sync, 1 configuration, 2 a guard, 3 retry next run, 4 credentials
    /// refused, 5 a -FailOn health rule broken after the sync (Get-RunCloudNetworkStatus with the same source and target).
    /// It calls the public cmdlets and reads their results and ErrorIds, so it follows them as they change.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "RunCloudScheduledSync", DefaultParameterSetName = ManifestSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
        HelpUri = HelpUris.Base + "Invoke-RunCloudScheduledSync.md")]
    [OutputType(typeof(RunCloudScheduledSyncResult))]
    public sealed class InvokeRunCloudScheduledSyncCommand : RunCloudCmdlet
    {
        private const string ManifestSet = "Manifest";
        private const string PathSet = "Path";
        private const string WordPressSet = "WordPress";
        private const string RestSet = "UltimateMultisite";
        private const string NameSet = "Name";

        /// <summary>A fleet manifest (.json or .psd1, docs/fleet.md); its "connections" map opens the accounts unattended.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet)]
        [ValidateNotNullOrEmpty]
        public string Manifest { get; set; } = string.Empty;

        [Parameter(ParameterSetName = ManifestSet)]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 5;

        [Parameter(ParameterSetName = ManifestSet)]
        [ValidateRange(0, int.MaxValue)]
        public int MaxCalls { get; set; }

        /// <summary>One web app's desired names from a file: one name per line (# comments), a JSON array, or a CSV with a Domain or Name column.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>
        /// One web app's desired names from a WordPress network (as Sync-RunCloudDomain -WordPressPath): Ultimate
        /// Multisite's mappings and the network's own hosts, read from its database by default (-Via); without UM's table,
        /// the network's sites.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = WordPressSet)]
        [ValidateNotNullOrEmpty]
        public string WordPressPath { get; set; } = string.Empty;

        /// <summary>How the network is read: Database (the default) or WpCli; -WpCli or -WpCliArgument alone mean WpCli (as tasks registered before -Via did).</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        public RunCloudMappingSource? Via { get; set; }

        /// <summary>With -Via WpCli: the wp command or wp-cli.phar (default: wp on the PATH).</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        [Alias("WpCliPath")]
        [ValidateNotNullOrEmpty]
        public string? WpCli { get; set; }

        [Parameter(ParameterSetName = WordPressSet)]
        [AllowEmptyCollection]
        public string[] WpCliArgument { get; set; } = Array.Empty<string>();

        /// <summary>One web app's desired names from an Ultimate Multisite network read through its REST API (another machine).</summary>
        [Parameter(Mandatory = true, ParameterSetName = RestSet)]
        [ValidateNotNull]
        public Uri? UltimateMultisiteUri { get; set; }

        /// <summary>UM's API key (user name) and API secret (password).</summary>
        [Parameter(Mandatory = true, ParameterSetName = RestSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? UltimateMultisiteCredential { get; set; }

        /// <summary>UM's auto_create_www_subdomain, which its REST API does not tell (default Always, UM's default).</summary>
        [Parameter(ParameterSetName = RestSet)]
        public UmWwwPolicy? WwwPolicy { get; set; }

        /// <summary>Seconds reading the network may take (database, WP-CLI or REST); with -Manifest, each target's.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int SourceTimeoutSec { get; set; } = 60;

        /// <summary>One web app's desired names, given directly.</summary>
        [Parameter(Mandatory = true, ParameterSetName = NameSet)]
        [Alias("Domain", "DomainName", "HostName")]
        [ValidateNotNull]
        [AllowEmptyCollection]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>A wp-config.php that holds the credentials and ids (Ultimate Multisite's WU_RUNCLOUD_* constants).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string? WpConfigPath { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string? BaseUri { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        public SwitchParameter Prune { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNull]
        public string[] Exclude { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRemove { get; set; } = 10;

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        public SwitchParameter Www { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = NameSet)]
        public SwitchParameter NoSslReset { get; set; }

        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>
        /// After the sync, check the network's health with Get-RunCloudNetworkStatus (same source, target and guards) and
        /// exit 5 when names break these rules: NotOnRunCloud, DnsNotReady, Uncovered, NotServed (needs -Live), Expired,
        /// Expiring or Expiring:&lt;days&gt;, NotMapped, SyncBlocked.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? FailOn { get; set; }

        /// <summary>The health check also probes what the server serves over TLS (Get-RunCloudNetworkStatus -Live).</summary>
        [Parameter]
        public SwitchParameter Live { get; set; }

        /// <summary>After the sync, write the network status as a self-contained HTML page here (replaced each run).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatusHtmlPath { get; set; }

        /// <summary>List every web app in full this run, whatever changed (see Sync-RunCloudDomain -Full).</summary>
        [Parameter]
        public SwitchParameter Full { get; set; }

        /// <summary>How old the last full check of an app (a listing or a drift check that vouched) may get before a run checks it again (default one day).</summary>
        [Parameter]
        public TimeSpan ReconcileEvery { get; set; } = Sync.ChangeDetector.DefaultReconcileEvery;

        /// <summary>How old the last full listing of an app may get before the full check lists it instead of the one-call drift check (default seven days).</summary>
        [Parameter]
        public TimeSpan FullListEvery { get; set; } = Sync.ChangeDetector.DefaultFullListEvery;

        /// <summary>
        /// The account's API calls a month, for the connection this run opens (environment or -WpConfigPath; a manifest's
        /// connections say theirs with "monthlyQuota"): a run past -QuotaStopPercent of it stops before sending (exit code 6).
        /// </summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long? MonthlyQuota { get; set; }

        /// <summary>With -MonthlyQuota: the share, in percent, past which a run stops before sending (default 90).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int QuotaStopPercent { get; set; } = 90;

        /// <summary>The log file (default: scheduled-sync.log in the logs folder of the module's state folder).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LogPath { get; set; }

        [Parameter]
        [ValidateRange(100L, long.MaxValue)]
        public long LogMaxBytes { get; set; } = 1024 * 1024;

        [Parameter]
        [ValidateRange(1, 100)]
        public int LogKeep { get; set; } = 5;

        private RotatingLog? _log;
        private readonly List<RunCloudConnection> _secretsOf = new List<RunCloudConnection>();
        private readonly List<(string Name, RunCloudConnection Connection)> _registered = new List<(string, RunCloudConnection)>();
        private readonly List<RunCloudConnection> _opened = new List<RunCloudConnection>();
        private System.Management.Automation.PowerShell? _inner;
        private RunCloudSyncExitCode _code = RunCloudSyncExitCode.Success;
        private string? _reason;
        private string? _firstFailure;
        private int _failures;
        private bool _whatIf;

        /// <summary>What the health check passes to Get-RunCloudNetworkStatus: the sync's own source, target and guards.</summary>
        private Dictionary<string, object?>? _health;

        /// <summary>The default log: &lt;state folder&gt;/logs/scheduled-sync.log.</summary>
        internal static string DefaultLogPath(string fileName = "scheduled-sync.log") => System.IO.Path.Combine(StateFolder.Resolve(), "logs", fileName);

        private protected override bool WritesUsageAtEnd => true;

        protected override void ProcessRecord()
        {
            var clock = Stopwatch.StartNew();
            _whatIf = IsWhatIf();
            var result = new RunCloudScheduledSyncResult { StartedAt = DateTime.UtcNow, WhatIf = _whatIf, Source = DescribeSource() };
            string logPath = LogPath != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath) : DefaultLogPath();
            _log = new RotatingLog(logPath, LogMaxBytes, LogKeep);
            try
            {
                _log.Open();
                result.LogPath = logPath;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException || ex is System.Security.SecurityException)
            {
                _log = null;
                string message = $"-LogPath {logPath} {(ex is IOException && ex.Message.StartsWith("is a directory", StringComparison.Ordinal) ? ex.Message : "cannot be written: " + ex.Message)} "
                    + "Pass -LogPath with a file in a folder this account can write. Nothing was synced.";
                Fail(RunCloudSyncExitCode.Configuration, message);
                Finish(result, clock, ErrorIds.InvalidLogPath);
                return;
            }

            try
            {
                Line("INFO", $"Sync started{(_whatIf ? " (-WhatIf: plan only, nothing is changed)" : string.Empty)}: {result.Source}"
                    + (ParameterSetName == ManifestSet ? "." : $", prune {Prune.IsPresent}, max remove {MaxRemove}."));
                if (!HealthRulesAreValid()) { Finish(result, clock, null); return; }
                if (ReconcileEvery <= TimeSpan.Zero)
                {
                    Fail(RunCloudSyncExitCode.Configuration, $"-ReconcileEvery {ReconcileEvery} must be longer than zero (e.g. 1.00:00:00). Nothing was synced.");
                    Finish(result, clock, null);
                    return;
                }

                if (FullListEvery <= TimeSpan.Zero)
                {
                    Fail(RunCloudSyncExitCode.Configuration, $"-FullListEvery {FullListEvery} must be longer than zero (e.g. 7.00:00:00). Nothing was synced.");
                    Finish(result, clock, null);
                    return;
                }

                if (MyInvocation.BoundParameters.ContainsKey(nameof(QuotaStopPercent)) && !MonthlyQuota.HasValue)
                {
                    Fail(RunCloudSyncExitCode.Configuration, "-QuotaStopPercent is a share of -MonthlyQuota: pass -MonthlyQuota too. Nothing was synced.");
                    Finish(result, clock, null);
                    return;
                }

                if (ParameterSetName == ManifestSet) RunManifest(result);
                else RunSingle(result);
                if (_health != null && _code != RunCloudSyncExitCode.Configuration && _code != RunCloudSyncExitCode.CredentialsRefused) RunHealthCheck(result);
            }
            finally
            {
                CloseConnections();
            }

            Finish(result, clock, null);
        }

        protected override void StopProcessing()
        {
            _inner?.BeginStop(null, null);
            base.StopProcessing();
        }

        private protected override void ReleaseResources()
        {
            CloseConnections();
            _log?.Dispose();
            _log = null;
            base.ReleaseResources();
        }

        /// <summary>How the network is read: -Via, else WP-CLI when -WpCli or -WpCliArgument say so (tasks registered before -Via), else the database.</summary>
        private RunCloudMappingSource NetworkVia() =>
            Via ?? (MyInvocation.BoundParameters.ContainsKey(nameof(WpCli)) || WpCliArgument.Length > 0 ? RunCloudMappingSource.WpCli : RunCloudMappingSource.Database);

        private string DescribeSource() => ParameterSetName switch
        {
            ManifestSet => $"manifest {Manifest}",
            PathSet => $"file {Path}",
            WordPressSet => $"WordPress network at {WordPressPath} ({(NetworkVia() == RunCloudMappingSource.WpCli ? "WP-CLI" : "database")})",
            RestSet => $"Ultimate Multisite at {UltimateMultisiteUri} (REST API)",
            _ => $"{Name.Length} name(s) given",
        };

        // ------------------------------------------------------------------ one web app

        private void RunSingle(RunCloudScheduledSyncResult result)
        {
            result.Targets = 1;
            var sync = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            switch (ParameterSetName)
            {
                case PathSet:
                    string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                    if (!File.Exists(file))
                    {
                        Fail(RunCloudSyncExitCode.Configuration, $"The desired names file {file} does not exist. Check -Path (relative paths start from the current folder, which a scheduler sets to the task's working directory).");
                        return;
                    }

                    sync["Path"] = file;
                    Line("INFO", $"Reading the desired names from {file}.");
                    break;
                case WordPressSet:
                    // Read by Sync-RunCloudDomain itself, before any request to RunCloud (a network it cannot read stops it there).
                    sync["WordPressPath"] = SessionState.Path.GetUnresolvedProviderPathFromPSPath(WordPressPath);
                    sync["Via"] = NetworkVia();
                    if (WpConfigPath != null) sync["WpConfigPath"] = WpConfigPath;
                    if (WpCli != null) sync["WpCliPath"] = WpCli;
                    if (WpCliArgument.Length > 0) sync["WpCliArgument"] = WpCliArgument;
                    if (NetworkVia() == RunCloudMappingSource.WpCli && Via == null) Line("INFO", "-WpCli / -WpCliArgument given without -Via: the network is read with WP-CLI.");
                    sync["SourceTimeoutSec"] = SourceTimeoutSec;
                    break;
                case RestSet:
                    sync["UltimateMultisiteUri"] = UltimateMultisiteUri;
                    sync["UltimateMultisiteCredential"] = UltimateMultisiteCredential;
                    if (WwwPolicy != null) sync["WwwPolicy"] = WwwPolicy;
                    sync["SourceTimeoutSec"] = SourceTimeoutSec;
                    break;
                default:
                    sync["Name"] = Name;
                    break;
            }

            RunCloudConnection? connection = OpenSingleConnection();
            if (connection == null) return;
            long before = connection.RequestCount;

            sync["Connection"] = connection;
            if (ServerId.HasValue) sync["ServerId"] = ServerId.Value;
            if (WebAppId.HasValue) sync["WebAppId"] = WebAppId.Value;
            AddChangeDetection(sync);
            if (Prune) sync["Prune"] = true;
            if (Exclude.Length > 0) sync["Exclude"] = Exclude;
            sync["MaxRemove"] = MaxRemove;
            if (Www) sync["Www"] = true;
            if (NoSslReset) sync["NoSslReset"] = true;
            AddCommon(sync);

            if (FailOn != null || StatusHtmlPath != null)
            {
                // The same source (the file, the names, the same WordPress network read the same way), target and guards.
                _health = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["Connection"] = connection };
                foreach (string key in new[] { "Path", "Name", "ServerId", "WebAppId", "Prune", "Exclude", "MaxRemove", "WordPressPath", "Via", "WpConfigPath", "WpCliPath", "WpCliArgument", "SourceTimeoutSec", "UltimateMultisiteUri", "WwwPolicy" })
                {
                    if (sync.TryGetValue(key, out object? value)) _health[key] = value;
                }

                if (ParameterSetName == RestSet) _health["Credential"] = UltimateMultisiteCredential;
            }

            Inner run = Invoke("Sync-RunCloudDomain", typeof(SyncRunCloudDomainCommand), sync, null);
            result.ApiCalls = (int)(connection.RequestCount - before);
            RunCloudSyncResult? synced = run.Output.Select(o => o.BaseObject).OfType<RunCloudSyncResult>().FirstOrDefault();
            foreach (WarningRecord w in run.Warnings) Line("WARN", w.Message);
            if (run.Terminating != null)
            {
                RunCloudSyncExitCode stopped = ExitCodes.ForRun(run.Terminating.FullyQualifiedErrorId);
                string what = stopped == RunCloudSyncExitCode.CredentialsRefused ? "RunCloud refused the credentials; the sync stopped before any change" : "Sync stopped before any change";
                Fail(stopped, $"{what}: {Text(run.Terminating)} [{ExitCodes.ErrorIdOf(run.Terminating.FullyQualifiedErrorId)}]");
                return;
            }

            if (synced == null)
            {
                foreach (ErrorRecord e in run.Errors) Fail(ExitCodes.ForRun(e.FullyQualifiedErrorId), $"{Text(e)} [{ExitCodes.ErrorIdOf(e.FullyQualifiedErrorId)}]");
                if (_code == RunCloudSyncExitCode.Success) Fail(RunCloudSyncExitCode.RetryNextRun, "Sync-RunCloudDomain returned no result.");
                return;
            }

            string would = _whatIf ? "would be " : string.Empty;
            if (synced.Way != null) Line("INFO", $"Read {synced.Way}: {synced.WayReason} ({result.ApiCalls} API calls{(_whatIf ? $"; the real run sends {synced.PlannedCalls}" : string.Empty)}).");
            if (ParameterSetName == PathSet)
            {
                int invalid = synced.Skipped.Count(s => s.Kind == RunCloudSyncSkip.Invalid);
                Line("INFO", $"Read {synced.DesiredCount} name(s) from {Path}" + (invalid > 0 ? $" and {invalid} entr{(invalid == 1 ? "y" : "ies")} that are not domain names." : "."));
            }
            else if (ParameterSetName == WordPressSet || ParameterSetName == RestSet)
            {
                // Which source was read: Ultimate Multisite's mappings, or (without its table) the network's sites.
                Line("INFO", $"Desired: {synced.DesiredCount} name(s) from {synced.Source}"
                    + (synced.NotServed.Length > 0 ? $"; {synced.NotServed.Length} mapped name(s) not served ({string.Join(", ", synced.NotServed.GroupBy(n => n.NotServedReason).Select(g => $"{g.Count()} {g.Key}"))})." : "."));
            }

            foreach (string finished in synced.FinishedPending) Line("WARN", "finished what a previous run left owed: " + finished);
            foreach (string name in synced.Added) Line("INFO", $"{would}added {name}");
            foreach (string name in synced.Removed) Line("INFO", $"{would}removed {name}");
            foreach (RunCloudDesiredName d in synced.NotServed.Where(n => n.Action == RunCloudDesiredName.Remove))
            {
                // Why a mapped name went: UM does not serve it (switched off, a deleted or spam site).
                Line("INFO", $"{d.Name} is not served ({d.NotServed}): {(_whatIf ? "it would be removed" : "removed")}.");
            }

            // The primary domain, RunCloud's own names and -Exclude names are skipped by design: INFO. A bad entry is WARN.
            foreach (RunCloudSyncSkip skip in synced.Skipped) Line(skip.Kind == RunCloudSyncSkip.Invalid ? "WARN" : "INFO", $"skipped {skip.Name}: {skip.Reason}");
            foreach (RunCloudDnsCheck check in synced.SslNotReady) Line("WARN", $"no certificate for {check.Name} yet ({check.Status}): {check.Message}");
            foreach (string deferred in synced.SslDeferred) Line("WARN", "certificate deferred by Let's Encrypt's limits: " + deferred);
            foreach (RunCloudSyncFailure failure in synced.Failed)
            {
                Line("ERROR", $"FAILED {failure.Action} {failure.Name} [{failure.ErrorId}]: {failure.Message}");
                Failed($"{failure.Action} {failure.Name} [{failure.ErrorId}]", ExitCodes.ForItem(failure.ErrorId));
            }

            if (synced.PruneStopped) Fail(RunCloudSyncExitCode.Guard, "Invalid entries in the source held every removal back (see the WARN lines); fix them, or pass -AllowInvalidEntries to Sync-RunCloudDomain for one run.");
            if (synced.StoppedBy != null)
            {
                Fail(RunCloudSyncExitCode.Guard, $"Plan: the real run would stop before any change [{synced.StoppedBy}]: {synced.DesiredCount} name(s) desired, {synced.Removed.Length} removal(s) planned. "
                    + $"Check the source; if the removals are intended, pass -MaxRemove {synced.Removed.Length} for one run.");
            }

            foreach (ErrorRecord e in run.Errors)
            {
                string id = ExitCodes.ErrorIdOf(e.FullyQualifiedErrorId);
                if (id == ErrorIds.SyncFailed || id == SyncRunCloudDomainCommand.PruneStoppedErrorId) continue; // the result above says it
                Line("ERROR", $"{Text(e)} [{id}]");
                Fail(ExitCodes.ForItem(id), null);
            }

            result.Added = synced.Added.Length;
            result.Removed = synced.Removed.Length;
            result.Failed = synced.Failed.Length;
            result.Skipped = synced.Skipped.Length;
            Line(_code == RunCloudSyncExitCode.Success ? "INFO" : "ERROR", _whatIf
                ? $"Plan ({synced.Duration:0.0} s): {synced.Added.Length} to add, {synced.Removed.Length} to remove, {synced.Unchanged.Length} unchanged, {synced.Skipped.Length} skipped; nothing was changed (-WhatIf)."
                : $"Sync ended in {synced.Duration:0.0} s: {synced.Added.Length} added, {synced.Removed.Length} removed, {synced.Unchanged.Length} unchanged, {synced.Skipped.Length} skipped, "
                  + $"{synced.Failed.Length} failed; SSL redeployed: {synced.SslRedeployed}; {result.ApiCalls} API calls.");
        }

        /// <summary>
        /// The connection of one app's run: with -WpConfigPath or -BaseUri, or when this session has no default connection,
        /// one of its own opened with Connect-RunCloud (environment variables or wp-config.php; named, so the session's
        /// default is left alone) and closed at the end; otherwise the session's default.
        /// </summary>
        private RunCloudConnection? OpenSingleConnection()
        {
            if (WpConfigPath == null && BaseUri == null && RunCloudSession.Current is RunCloudConnection current)
            {
                Line("INFO", $"Connection: the session's default ({current}).");
                if (MonthlyQuota.HasValue && current.Usage != null)
                {
                    current.Usage.MonthlyQuota = MonthlyQuota.Value;
                    current.Usage.StopShare = QuotaStopPercent / 100.0;
                }

                return Track(current);
            }

            // Not validated with GET ping: a run that finds nothing changed sends no call at all, and the first call a run
            // that needs RunCloud sends finds a refused credential just the same (exit code 4).
            var connect = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Name"] = "scheduled-sync-" + Guid.NewGuid().ToString("N").Substring(0, 12),
                ["PassThru"] = true,
                ["SkipValidation"] = true,
            };
            if (MonthlyQuota.HasValue)
            {
                connect["MonthlyQuota"] = MonthlyQuota.Value;
                connect["QuotaStopPercent"] = QuotaStopPercent;
            }

            if (WpConfigPath != null) connect["WpConfigPath"] = WpConfigPath;
            if (BaseUri != null) connect["BaseUri"] = BaseUri;

            // A WordPress network is read before any request to RunCloud (one that cannot be read must stop the run with
            // nothing asked of RunCloud): no ping here; refused credentials surface on the sync's first call (exit code 4).
            if (ParameterSetName == WordPressSet || ParameterSetName == RestSet) connect["SkipValidation"] = true;
            if (ServerId.HasValue) connect["ServerId"] = ServerId.Value;
            if (WebAppId.HasValue) connect["WebAppId"] = WebAppId.Value;
            Inner run = Invoke("Connect-RunCloud", typeof(ConnectRunCloudCommand), connect, null);
            RunCloudConnection? connection = run.Output.Select(o => o.BaseObject).OfType<RunCloudConnection>().FirstOrDefault();
            if (connection != null)
            {
                _registered.Add((connection.Name!, connection));
                Track(connection);
            }

            foreach (WarningRecord w in run.Warnings) Line("WARN", w.Message);
            ErrorRecord? error = run.Terminating ?? run.Errors.FirstOrDefault();
            if (error != null || connection == null)
            {
                RunCloudSyncExitCode code = error == null ? RunCloudSyncExitCode.Configuration : ExitCodes.ForRun(error.FullyQualifiedErrorId);
                string what = code == RunCloudSyncExitCode.CredentialsRefused ? "RunCloud refused the credentials"
                    : code == RunCloudSyncExitCode.Configuration ? "The connection is not configured" : "Cannot reach RunCloud";
                Fail(code, $"{what}: {(error == null ? "Connect-RunCloud returned no connection." : Text(error))} [{ExitCodes.ErrorIdOf(error?.FullyQualifiedErrorId)}]");
                return null;
            }

            Line("INFO", $"Connection: credentials from {connection.CredentialSource}; {connection.AuthenticationKind} {connection.KeyId}; API {connection.ApiVersion} at {connection.BaseUri} "
                + "(not checked with a call of its own: the sync's first call, if it needs one, checks it)"
                + (connection.MonthlyQuota.HasValue ? $"; monthly quota {connection.MonthlyQuota:N0}, stop at {connection.QuotaStopPercent}%." : "."));
            return connection;
        }

        // ------------------------------------------------------------------ a manifest

        private void RunManifest(RunCloudScheduledSyncResult result)
        {
            string manifestPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Manifest);
            FleetManifest? manifest = TryReadManifest(manifestPath);
            RunCloudConnection? defaultConnection = null;
            if (manifest != null)
            {
                result.Targets = manifest.Targets.Count;
                var connections = new ManifestConnections(manifest, System.IO.Path.GetDirectoryName(manifestPath) ?? ".");
                foreach (string name in manifest.Targets.Select(t => t.Connection).Where(n => n != null).Distinct(StringComparer.OrdinalIgnoreCase)!)
                {
                    if (ConnectionRegistry.Get(name) is RunCloudConnection open)
                    {
                        Line("INFO", $"Connection '{name}': already open in this session ({open}); it wins over the manifest's description.");
                        Track(open);
                        continue;
                    }

                    RunCloudConnection? opened;
                    try
                    {
                        opened = connections.Open(name, this);
                    }
                    catch (ManifestConnectionException ex)
                    {
                        Fail(ExitCodes.ForRun(ex.ErrorId), $"{ex.Message} [{ex.ErrorId}]");
                        return;
                    }

                    if (opened == null) continue; // Sync-RunCloudDomain says a target names a connection nobody opened
                    _opened.Add(opened);
                    Track(opened);
                    // Registered for this run only, so the fleet's targets find it by name (and it is closed at the end).
                    if (ConnectionRegistry.Register(name, opened) is RunCloudConnection replaced && !ReferenceEquals(replaced, opened)) ConnectionRegistry.Register(name, replaced);
                    else _registered.Add((name, opened));
                    Line("INFO", $"Connection '{name}': credentials from {opened.CredentialSource}; {opened.AuthenticationKind} {opened.KeyId}; API {opened.ApiVersion} at {opened.BaseUri}.");
                }

                if (manifest.Targets.Any(t => t.Connection == null))
                {
                    defaultConnection = RunCloudSession.Current;
                    if (defaultConnection == null && EnvironmentHasCredentials())
                    {
                        var connect = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
                        {
                            ["Name"] = "scheduled-sync-" + Guid.NewGuid().ToString("N").Substring(0, 12),
                            ["PassThru"] = true,
                            ["SkipValidation"] = true,
                        };
                        if (MonthlyQuota.HasValue)
                        {
                            connect["MonthlyQuota"] = MonthlyQuota.Value;
                            connect["QuotaStopPercent"] = QuotaStopPercent;
                        }

                        Inner run = Invoke("Connect-RunCloud", typeof(ConnectRunCloudCommand), connect, null);
                        defaultConnection = run.Output.Select(o => o.BaseObject).OfType<RunCloudConnection>().FirstOrDefault();
                        foreach (WarningRecord w in run.Warnings) Line("WARN", w.Message);
                        if (defaultConnection == null)
                        {
                            ErrorRecord? error = run.Terminating ?? run.Errors.FirstOrDefault();
                            Fail(error == null ? RunCloudSyncExitCode.Configuration : ExitCodes.ForRun(error.FullyQualifiedErrorId),
                                $"The connection for targets without \"connection\" (from the environment) could not be opened: {(error == null ? "no connection" : Text(error))}");
                            return;
                        }

                        _registered.Add((defaultConnection.Name!, defaultConnection));
                        Line("INFO", $"Connection for targets without \"connection\": credentials from {defaultConnection.CredentialSource}; API {defaultConnection.ApiVersion} at {defaultConnection.BaseUri}.");
                    }

                    if (defaultConnection != null) Track(defaultConnection);
                }
            }

            var sync = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Manifest"] = manifestPath,
                ["ThrottleLimit"] = ThrottleLimit,
            };
            if (MaxCalls > 0) sync["MaxCalls"] = MaxCalls;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(SourceTimeoutSec))) sync["SourceTimeoutSec"] = SourceTimeoutSec;
            if (defaultConnection != null) sync["Connection"] = defaultConnection;
            AddChangeDetection(sync);
            AddCommon(sync);

            if (FailOn != null || StatusHtmlPath != null)
            {
                _health = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["Manifest"] = manifestPath };
                if (sync.ContainsKey("SourceTimeoutSec")) _health["SourceTimeoutSec"] = SourceTimeoutSec;
                if (defaultConnection != null) _health["Connection"] = defaultConnection;
            }

            Inner runSync = Invoke("Sync-RunCloudDomain", typeof(SyncRunCloudDomainCommand), sync, null);
            foreach (WarningRecord w in runSync.Warnings) Line("WARN", w.Message);
            if (runSync.Terminating != null)
            {
                Fail(ExitCodes.ForRun(runSync.Terminating.FullyQualifiedErrorId), $"Sync stopped before any change: {Text(runSync.Terminating)} [{ExitCodes.ErrorIdOf(runSync.Terminating.FullyQualifiedErrorId)}]");
                return;
            }

            var targets = runSync.Output.Select(o => o.BaseObject).OfType<RunCloudFleetResult>().ToList();
            RunCloudFleetSummary? summary = runSync.Output.Select(o => o.BaseObject).OfType<RunCloudFleetSummary>().FirstOrDefault();
            string would = _whatIf ? "would be " : string.Empty;
            var probed = new Dictionary<string, RunCloudSyncExitCode>(StringComparer.OrdinalIgnoreCase);
            int probes = 0;
            foreach (RunCloudFleetResult r in targets)
            {
                string target = $"target {r.Index} ({r.Account}, server {r.ServerId}, web app {r.WebAppId})";
                foreach (string name in r.Added) Line("INFO", $"{target}: {would}added {name}");
                foreach (string name in r.Removed) Line("INFO", $"{target}: {would}removed {name}");
                foreach (RunCloudSyncFailure f in r.Failed) Line("ERROR", $"{target}: FAILED {f.Action} {f.Name} [{f.ErrorId}]: {f.Message}");
                if (r.Status == "Failed" || r.Status == "Blocked" || r.Status == "Refused") _firstFailure ??= $"{target}: {r.Status}" + (r.ErrorId != null ? $" [{r.ErrorId}]" : string.Empty);
                if (r.Way != null && r.Status != "Failed") Line("INFO", $"{target}: read {r.Way}.");
                string level = r.Success ? "INFO" : r.Status == "Blocked" ? "WARN" : "ERROR";
                string why = !r.Success && r.ErrorId != null && r.ErrorId != ErrorIds.SyncFailed ? $" [{r.ErrorId}]" : string.Empty;
                Line(level, $"{target}: {r.Status}{why}" + (string.IsNullOrEmpty(r.Message) ? "." : ": " + r.Message));
                switch (r.Status)
                {
                    case "Blocked":
                        // A guard (or an SSL step certain to be refused, or the monthly quota) held the target back before any change.
                        Fail(r.ErrorId == ErrorIds.QuotaReached ? RunCloudSyncExitCode.QuotaReached : RunCloudSyncExitCode.Guard, null);
                        break;
                    case "Refused":
                        // Another run held the app (retry), or a plan, account or connection no longer fits (configuration).
                        Fail(r.ErrorId != null ? ExitCodes.ForRun(r.ErrorId) : RunCloudSyncExitCode.RetryNextRun, null);
                        break;
                    case "Declined":
                        Fail(RunCloudSyncExitCode.RetryNextRun, null);
                        break;
                    case "Failed":
                        if (r.Failed.Length > 0)
                        {
                            foreach (RunCloudSyncFailure f in r.Failed) Failed($"{target}: {f.Action} {f.Name} [{f.ErrorId}]", ExitCodes.ForItem(f.ErrorId));
                        }
                        else if (r.ErrorId != null && r.ErrorId != ErrorIds.FleetTargetFailed)
                        {
                            // The target failed as a whole; its ErrorId says why: a wrong id is configuration (1), a refused
                            // credential 4, anything else (a 5xx, a timeout) the next run retries (3).
                            Fail(ExitCodes.ForRun(r.ErrorId), null);
                        }
                        else
                        {
                            // No ErrorId to go by: ask the account once whether RunCloud still accepts its credentials, so a
                            // revoked token ends with 4, not 3.
                            if (!probed.TryGetValue(r.Account, out RunCloudSyncExitCode code))
                            {
                                code = Probe(r.Connection != null ? ConnectionRegistry.Get(r.Connection) : defaultConnection ?? RunCloudSession.Current);
                                probed[r.Account] = code;
                                probes++;
                            }

                            Fail(code, null);
                        }

                        break;
                }
            }

            foreach (ErrorRecord e in runSync.Errors)
            {
                string id = ExitCodes.ErrorIdOf(e.FullyQualifiedErrorId);
                if (id == ErrorIds.FleetTargetBlocked || id == ErrorIds.FleetTargetFailed || id == ErrorIds.FleetTargetRefused) continue; // the target lines above say it
                Line("ERROR", $"{Text(e)} [{id}]");
                Fail(ExitCodes.ForItem(id), null);
            }

            result.Targets = targets.Count;
            result.Added = targets.Where(t => t.Status != "WhatIf").Sum(t => t.Added.Length);
            result.Removed = targets.Where(t => t.Status != "WhatIf").Sum(t => t.Removed.Length);
            result.Failed = targets.Sum(t => Math.Max(t.Failed.Length, t.Status == "Failed" ? 1 : 0));
            result.ApiCalls = (summary?.ApiCalls ?? 0) + probes;
            if (_whatIf)
            {
                result.Added = targets.Sum(t => t.Added.Length);
                result.Removed = targets.Sum(t => t.Removed.Length);
            }

            Line(_code == RunCloudSyncExitCode.Success ? "INFO" : "ERROR", summary == null
                ? "Sync-RunCloudDomain -Manifest returned no summary."
                : $"{(_whatIf ? "Plan" : "Sync ended")} in {summary.Duration.TotalSeconds:0.0} s: {summary.Targets} target(s); {summary.Applied} applied, {summary.NoChange} unchanged, "
                  + $"{summary.Blocked} blocked, {summary.Refused} refused, {summary.Failed} failed; {result.Added} {would}added, {result.Removed} {would}removed; {result.ApiCalls} API calls.");
        }

        /// <summary>The manifest read here too, to open its connections before the sync; null when it cannot be read (Sync-RunCloudDomain then says why).</summary>
        private FleetManifest? TryReadManifest(string path)
        {
            try
            {
                return File.Exists(path) ? ManifestFile.Read(this, path, Manifest) : null;
            }
            catch (Exception ex) when (ex is ManifestException || ex is RuntimeException || ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static bool EnvironmentHasCredentials()
        {
            try
            {
                CredentialResolver.FromEnvironment(Environment.GetEnvironmentVariable);
                return true;
            }
            catch (Exception ex) when (ex is CredentialNotFoundException || ex is InvalidIdException)
            {
                // Connect-RunCloud would say the same; without credentials the targets without "connection" are refused by name.
                return ex is InvalidIdException;
            }
        }

        /// <summary>One GET ping on a target's account: refused credentials are exit code 4, anything else 3.</summary>
        private RunCloudSyncExitCode Probe(RunCloudConnection? connection)
        {
            if (connection == null) return RunCloudSyncExitCode.RetryNextRun;
            var test = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["Connection"] = connection, ["Detailed"] = true };
            Inner run = Invoke("Test-RunCloudConnection", typeof(TestRunCloudConnectionCommand), test, null);
            RunCloudConnectionTest? answer = run.Output.Select(o => o.BaseObject).OfType<RunCloudConnectionTest>().FirstOrDefault();
            if (answer == null || answer.Success) return RunCloudSyncExitCode.RetryNextRun;
            RunCloudSyncExitCode code = ExitCodes.ForItem(answer.ErrorId);
            if (code == RunCloudSyncExitCode.CredentialsRefused) Line("ERROR", $"Connection {connection}: {answer.Message} [{answer.ErrorId}]");
            return code;
        }

        // ------------------------------------------------------------------ the health check

        /// <summary>-FailOn read strictly before anything runs: a typo is a configuration error (exit 1), never a check turned off.</summary>
        private bool HealthRulesAreValid()
        {
            if (FailOn == null) return true;
            try
            {
                IReadOnlyList<Sync.Status.HealthRule> rules = Sync.Status.HealthRule.ParseAll(FailOn, 14);
                if (!Live && rules.Any(r => r.Kind == Sync.Status.HealthRule.NotServed))
                {
                    Fail(RunCloudSyncExitCode.Configuration, "-FailOn NotServed judges what the server serves, which only -Live probes: add -Live, or drop NotServed. Nothing was synced.");
                    return false;
                }

                return true;
            }
            catch (ArgumentException ex)
            {
                Fail(RunCloudSyncExitCode.Configuration, ex.Message + " Nothing was synced.");
                return false;
            }
        }

        /// <summary>
        /// Get-RunCloudNetworkStatus after the sync, with the sync's source, target and guards: every -FailOn rule that
        /// names break is an ERROR line (the names and the fix) and exit code 5, which ranks below every other code; the
        /// summary goes into the result, and the HTML report is written when asked.
        /// </summary>
        private void RunHealthCheck(RunCloudScheduledSyncResult result)
        {
            var status = new Dictionary<string, object?>(_health!, StringComparer.OrdinalIgnoreCase) { ["Summary"] = true };
            if (FailOn != null) status["FailOn"] = FailOn;
            if (Live) status["Live"] = true;
            if (StatusHtmlPath != null) status["HtmlPath"] = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatusHtmlPath);
            if (SkipDnsCheck) status["SkipDnsCheck"] = true;
            if (DnsServer != null) status["DnsServer"] = DnsServer;
            Inner run = Invoke("Get-RunCloudNetworkStatus", typeof(GetRunCloudNetworkStatusCommand), status, null);
            foreach (WarningRecord w in run.Warnings) Line("WARN", "health: " + w.Message);
            if (run.Terminating != null)
            {
                Fail(ExitCodes.ForRun(run.Terminating.FullyQualifiedErrorId), $"The health check could not run: {Text(run.Terminating)} [{ExitCodes.ErrorIdOf(run.Terminating.FullyQualifiedErrorId)}]");
                return;
            }

            RunCloudNetworkStatusSummary? summary = run.Output.Select(o => o.BaseObject).OfType<RunCloudNetworkStatusSummary>().FirstOrDefault();
            if (summary != null)
            {
                string states = string.Join(", ", summary.States.Where(c => c.Count > 0).Select(c => $"{c.Count} {c.State}"));
                result.Health = states;
                result.HealthFailedRules = summary.FailedRules.Select(r => $"{r.Rule}: {string.Join(", ", r.Names)}").ToArray();
                result.HealthReport = summary.HtmlPath;
                Line("INFO", $"Health: {summary.Total} name(s): {states}" + (summary.HtmlPath != null ? $"; report {summary.HtmlPath}" : string.Empty) + ".");
            }

            foreach (ErrorRecord e in run.Errors)
            {
                string id = ExitCodes.ErrorIdOf(e.FullyQualifiedErrorId);
                Line("ERROR", $"health: {Text(e)} [{id}]");
                if (ExitCodes.IsHealth(id)) _firstFailure ??= $"health rule {id.Substring(Sync.Status.HealthRule.ErrorIdPrefix.Length)}";
                Fail(ExitCodes.ForItem(id), null);
            }
        }

        // ------------------------------------------------------------------ shared

        /// <summary>-Full, -ReconcileEvery and -FullListEvery, passed on to Sync-RunCloudDomain.</summary>
        private void AddChangeDetection(Dictionary<string, object?> sync)
        {
            if (Full) sync["Full"] = true;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(ReconcileEvery))) sync["ReconcileEvery"] = ReconcileEvery;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(FullListEvery))) sync["FullListEvery"] = FullListEvery;
        }

        private void AddCommon(Dictionary<string, object?> sync)
        {
            sync["Force"] = true;
            sync["Confirm"] = false;
            if (_whatIf) sync["WhatIf"] = true;
            if (SkipDnsCheck) sync["SkipDnsCheck"] = true;
            if (DnsServer != null) sync["DnsServer"] = DnsServer;
        }

        private sealed class Inner
        {
            public Collection<PSObject> Output = new Collection<PSObject>();
            public List<ErrorRecord> Errors = new List<ErrorRecord>();
            public List<WarningRecord> Warnings = new List<WarningRecord>();
            public ErrorRecord? Terminating;
        }

        /// <summary>
        /// Runs one of this module's cmdlets (bound to its type, so no function or alias of the same name can stand in) in
        /// this runspace, collecting its output, errors and warnings instead of letting them reach the host; its verbose
        /// lines are passed on. A terminating error is returned, not thrown; Ctrl+C still stops everything.
        /// </summary>
        private Inner Invoke(string name, Type type, Dictionary<string, object?> parameters, IEnumerable<object>? input)
        {
            var inner = new Inner();
            using System.Management.Automation.PowerShell ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand(new CmdletInfo(name, type));
            foreach (KeyValuePair<string, object?> p in parameters) ps.AddParameter(p.Key, p.Value);
            // A pipeline nested in a running command writes its warnings to the host, never into ps.Streams.Warning (nor
            // merged into its output): -WarningVariable collects them, to be logged as WARN lines (a source's warning,
            // work a previous run left owed).
            string warnings = "RunCloudScheduledSyncWarnings" + Guid.NewGuid().ToString("N");
            ps.AddParameter("WarningVariable", warnings);
            ps.AddParameter("ErrorAction", ActionPreference.Continue);
            ps.AddParameter("WarningAction", ActionPreference.Continue);
            if (MyInvocation.BoundParameters.ContainsKey("Verbose")) ps.AddParameter("Verbose", MyInvocation.BoundParameters["Verbose"]);
            _inner = ps;
            try
            {
                inner.Output = input == null ? ps.Invoke() : ps.Invoke(input);
            }
            catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
            {
                inner.Terminating = ex.ErrorRecord;
            }
            finally
            {
                _inner = null;
            }

            if (CancelToken.IsCancellationRequested || ps.InvocationStateInfo.State == PSInvocationState.Stopped) throw new PipelineStoppedException();
            inner.Errors.AddRange(ps.Streams.Error.Where(e => inner.Terminating == null || !ReferenceEquals(e, inner.Terminating)));
            inner.Warnings.AddRange(ps.Streams.Warning);
            if (SessionState.PSVariable.Get(warnings) is PSVariable collected)
            {
                foreach (object? w in collected.Value as IEnumerable ?? Array.Empty<object>())
                {
                    if ((w is PSObject pso ? pso.BaseObject : w) is WarningRecord record && !inner.Warnings.Contains(record)) inner.Warnings.Add(record);
                }

                SessionState.PSVariable.Remove(collected);
            }
            foreach (VerboseRecord v in ps.Streams.Verbose) WriteVerbose(v.Message);
            if (inner.Terminating == null && ps.Streams.Error.Count > 0 && inner.Output.Count == 0 && ps.HadErrors
                && ps.Streams.Error[ps.Streams.Error.Count - 1].Exception is RuntimeException)
            {
                // Some hosts report a terminating error only in the error stream.
                inner.Terminating = inner.Errors[inner.Errors.Count - 1];
                inner.Errors.RemoveAt(inner.Errors.Count - 1);
            }

            return inner;
        }

        private RunCloudConnection Track(RunCloudConnection connection)
        {
            if (!_secretsOf.Contains(connection)) _secretsOf.Add(connection);
            return connection;
        }

        /// <summary>One failed change: counted, and the first one named in the result's message.</summary>
        private void Failed(string what, RunCloudSyncExitCode code)
        {
            _failures++;
            _firstFailure ??= what;
            Fail(code, null);
        }

        /// <summary>Remembers the worst outcome so far and, with a reason, logs it as an ERROR line.</summary>
        private void Fail(RunCloudSyncExitCode code, string? reason)
        {
            if (reason != null) Line("ERROR", reason);
            RunCloudSyncExitCode worst = ExitCodes.Worst(_code, code);
            if (worst != _code || (_reason == null && reason != null)) _reason = reason ?? _reason;
            _code = worst;
        }

        /// <summary>One log line, secrets of every connection this run used masked; also on the information stream (-InformationAction Continue shows it).</summary>
        private void Line(string level, string message)
        {
            string clean = Mask(message);
            string line = _log?.Write(level, clean) ?? RotatingLog.OneLine(clean);
            WriteInformation(new InformationRecord(line, "Invoke-RunCloudScheduledSync") { Tags = { "RunCloud", level } });
        }

        private string Mask(string text)
        {
            var secrets = new List<string>();
            foreach (RunCloudConnection c in _secretsOf) secrets.AddRange(c.SecretsForRedaction());
            return Redactor.Clean(text, secrets);
        }

        /// <summary>Ends the run: the last log line, $LASTEXITCODE, the result, and (for any code but 0) one error naming it.</summary>
        private void Finish(RunCloudScheduledSyncResult result, Stopwatch clock, string? errorId)
        {
            result.ExitCode = _code;
            result.Duration = Math.Round(clock.Elapsed.TotalSeconds, 3);
            string? why = _reason ?? (_firstFailure == null ? null
                : _failures > 1 ? $"{_failures} changes failed, the first: {_firstFailure}." : $"Failed: {_firstFailure}.");
            result.Message = Mask(_code == RunCloudSyncExitCode.Success ? ExitCodes.Advice(_code) : (why != null ? why + " " : string.Empty) + ExitCodes.Advice(_code));
            if (_log != null) Line(_code == RunCloudSyncExitCode.Success ? "INFO" : "ERROR", $"Exit code {(int)_code} ({_code}): {ExitCodes.Advice(_code)}");
            _log?.Dispose();
            _log = null;
            SessionState.PSVariable.Set("global:LASTEXITCODE", (int)_code);
            WriteObject(result);
            if (_code == RunCloudSyncExitCode.Success) return;
            string id = errorId ?? _code switch
            {
                RunCloudSyncExitCode.Configuration => ErrorIds.ScheduledSyncConfiguration,
                RunCloudSyncExitCode.Guard => ErrorIds.ScheduledSyncGuard,
                RunCloudSyncExitCode.CredentialsRefused => ErrorIds.ScheduledSyncCredentials,
                RunCloudSyncExitCode.HealthCheckFailed => ErrorIds.ScheduledSyncHealth,
                RunCloudSyncExitCode.QuotaReached => ErrorIds.ScheduledSyncQuota,
                _ => ErrorIds.ScheduledSyncRetry,
            };
            ErrorCategory category = _code switch
            {
                RunCloudSyncExitCode.Configuration => ErrorCategory.InvalidArgument,
                RunCloudSyncExitCode.Guard => ErrorCategory.LimitsExceeded,
                RunCloudSyncExitCode.CredentialsRefused => ErrorCategory.AuthenticationError,
                RunCloudSyncExitCode.HealthCheckFailed => ErrorCategory.InvalidResult,
                RunCloudSyncExitCode.QuotaReached => ErrorCategory.LimitsExceeded,
                _ => ErrorCategory.ResourceUnavailable,
            };
            string message = $"Exit code {(int)_code} ({_code}): {result.Message}" + (result.LogPath != null ? $" Log: {result.LogPath}" : string.Empty);
            WriteError(ErrorRecords.Create(new InvalidOperationException(message), id, category, result, message));
        }

        private void CloseConnections()
        {
            foreach ((string name, RunCloudConnection connection) in _registered)
            {
                if (ReferenceEquals(ConnectionRegistry.Get(name), connection)) ConnectionRegistry.Remove(name);
                connection.Dispose();
            }

            _registered.Clear();
            foreach (RunCloudConnection c in _opened) c.Dispose();
            _opened.Clear();
        }

        private static string Text(ErrorRecord e) => e.ErrorDetails?.Message is string m && m.Length > 0 ? m : e.Exception?.Message ?? e.ToString();

        private static string Shorten(string text) => text.Length > 200 ? text.Substring(0, 200) + "..." : text;
    }
}
