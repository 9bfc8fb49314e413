using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Makes a web app's domains match a desired list. The cmdlet gathers the input, takes the app's cross-process
    /// lock, reads one complete listing, asks the pure <see cref="SyncPlanner"/> for a plan and its guard verdicts
    /// (-MaxRemove, empty list, invalid entries, invalid listing items, primary/protected/excluded names), and hands
    /// the plan to <see cref="SyncExecutor"/>, which journals before the first change, adds, removes and redeploys SSL
    /// once. -Force only skips confirmation; each rule has its own explicit override. See docs/safety.md.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "RunCloudDomain", DefaultParameterSetName = "Domains", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Sync-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudSyncResult))]
    [OutputType(typeof(RunCloudFleetResult), typeof(RunCloudFleetSummary), ParameterSetName = new[] { "Manifest" })]
    public sealed class SyncRunCloudDomainCommand : RunCloudFleetCmdlet
    {
        /// <summary>Error id of the refusal to prune from an empty desired list.</summary>
        public const string EmptySourceErrorId = "RunCloudSyncEmptySource";

        /// <summary>Under -WhatIf, the ErrorId of the guard that would stop the real run.</summary>
        private string? _stoppedBy;

        /// <summary>Error id of a prune held back because the desired list has invalid entries.</summary>
        public const string PruneStoppedErrorId = "RunCloudSyncPruneStopped";

        private readonly List<string> _raw = new List<string>();
        private readonly List<RunCloudSyncSkip> _inputProblems = new List<RunCloudSyncSkip>();
        private HashSet<string> _allowTld = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The desired domain names. -Domain is an alias: the domain is -Name everywhere.</summary>
        [Parameter(Position = 0)]
        [Alias("Domain", "DomainName", "HostName")]
        [AllowEmptyCollection]
        [AllowEmptyString]
        public string[]? Name { get; set; }

        /// <summary>
        /// A fleet manifest (.json or .psd1, see docs/fleet.md): plans every target, then applies the plans at once, up to
        /// -ThrottleLimit targets side by side. Each target's guards come from the manifest.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = "Manifest")]
        [ValidateNotNullOrEmpty]
        public string? Manifest { get; set; }

        /// <summary>With -Manifest: how many targets run at once.</summary>
        [Parameter(ParameterSetName = "Manifest")]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 5;

        /// <summary>With -Manifest: the most API calls the run may send, planning included (0 = no cap); a plan over it is refused before any change.</summary>
        [Parameter(ParameterSetName = "Manifest")]
        [ValidateRange(0, int.MaxValue)]
        public int MaxCalls { get; set; }

        /// <summary>Strings, or objects with a Domain/domain or Name property, or a url (its host is taken).</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>A text file (one name per line, # comments), a JSON array (of names or objects), or a CSV with a Domain column.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The parent domain of a subdomain network: each -Site slug becomes slug.&lt;SubdomainOf&gt;.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SubdomainOf { get; set; }

        [Parameter]
        [AllowEmptyCollection]
        public string[]? Site { get; set; }

        // Not inherited from RunCloudWebAppCmdlet on purpose: there they bind by property name from the pipeline, and
        // here piped objects are desired names (a piped domain of another app must not retarget the sync).
        [Parameter]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>Remove the app's names that are not in the desired list. Without it nothing is ever removed.</summary>
        [Parameter]
        public SwitchParameter Prune { get; set; }

        /// <summary>Wildcards of names never added nor removed.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] Exclude { get; set; } = Array.Empty<string>();

        /// <summary>Wildcards of names on the app that are never removed: RunCloud's own test domains by default.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[] ProtectedName { get; set; } = { "*.runcloud.link" };

        /// <summary>More removals than this stop the whole sync before any change; raise it to allow more.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRemove { get; set; } = 10;

        /// <summary>With -Prune, allow an empty desired list (every removable domain goes).</summary>
        [Parameter]
        public SwitchParameter AllowEmptySource { get; set; }

        /// <summary>With -Prune, prune even when some desired entries are invalid (names recoverable from them are still never removed).</summary>
        [Parameter]
        public SwitchParameter AllowInvalidEntries { get; set; }

        /// <summary>
        /// Top-level domains to accept besides those of the public suffix list (a private network's lan or internal).
        /// Without it a desired name with any other last label is an invalid entry (a name cut short or mistyped).
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AllowTld { get; set; }

        /// <summary>Seconds to wait for another run on the same web app to finish (runs are serialised per app across processes).</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public int LockTimeout { get; set; } = 300;

        /// <summary>No confirmation prompt. Lifts no safety rule: see -MaxRemove, -AllowEmptySource, -AllowInvalidEntries.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter NoSslReset { get; set; }

        /// <summary>
        /// Redeploy the SSL certificate even when this run changes nothing: the way to finish a previous run whose
        /// redeploy failed (the example scheduled-task script passes it after such a run).
        /// </summary>
        [Parameter]
        public SwitchParameter ResetSsl { get; set; }

        /// <summary>Request certificates without checking that the names point at the server. Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        /// <summary>Added names also serve www.&lt;name&gt; (never for a name that starts with www.).</summary>
        [Parameter]
        public SwitchParameter Www { get; set; }

        [Parameter]
        [ValidateSet("none", "www", "non-www", IgnoreCase = true)]
        public string Redirection { get; set; } = "none";

        protected override void BeginProcessing()
        {
            if (Manifest != null)
            {
                string[] single = new[] { "Domain", "Path", "SubdomainOf", "Site", "ServerId", "WebAppId", "Prune", "Exclude", "ProtectedName", "MaxRemove", "AllowEmptySource", "AllowInvalidEntries", "AllowTld", "Www", "Redirection", "NoSslReset", "ResetSsl" }
                    .Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
                if (single.Length > 0)
                {
                    ThrowTerminatingError(Invalid(ErrorIds.InvalidInput,
                        $"-Manifest cannot be combined with -{string.Join(", -", single)}: a manifest sets each target's names and guards (see docs/fleet.md). Put them in the manifest, or sync one web app without -Manifest.", Manifest));
                }

                return;
            }

            if (NoSslReset && ResetSsl)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-ResetSsl and -NoSslReset contradict each other; pass one of them.", null));
            }

            try
            {
                _allowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was changed.", AllowTld));
            }

            if (Name != null) AddDesired(Name);
            if (Site != null && Site.Length > 0 && SubdomainOf == null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-Site needs -SubdomainOf (the parent domain, e.g. -SubdomainOf example.com -Site shop,blog).", Site));
            }

            if (SubdomainOf != null)
            {
                if (!DomainName.TryNormalize(SubdomainOf, out string parent, out string problem))
                {
                    ThrowTerminatingError(Invalid(ErrorIds.InvalidDomainName, "-SubdomainOf: " + problem, SubdomainOf));
                }

                string? unknownTld = DomainName.TopLevelDomainProblem(parent, _allowTld);
                if (unknownTld != null) ThrowTerminatingError(Invalid(ErrorIds.InvalidDomainName, "-SubdomainOf: " + unknownTld, SubdomainOf));

                var sites = new List<string>();
                foreach (string slug in Site ?? Array.Empty<string>())
                {
                    if (string.IsNullOrWhiteSpace(slug)) continue;
                    string s = slug.Trim().TrimEnd('.');
                    sites.Add(s.EndsWith("." + parent, StringComparison.OrdinalIgnoreCase) ? s : s + "." + parent);
                }

                AddDesired(sites);
            }

            if (Path != null) ReadPath(Path);
        }

        protected override void ProcessRecord()
        {
            if (Manifest != null && InputObject != null)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-Manifest takes no pipeline input: the manifest lists each target's names.", InputObject));
            }

            if (InputObject == null) return;
            string? name = DesiredDomainSource.FromObject(InputObject, out string? problem);
            if (name != null) AddDesired(new[] { name });
            else if (problem != null) _inputProblems.Add(new RunCloudSyncSkip(Show(InputObject), "Not a domain: " + problem));
        }

        private void ReadPath(string path)
        {
            string resolved;
            string content;
            try
            {
                resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).FirstOrDefault()
                    ?? throw new FileNotFoundException($"{path} was not found.");
                content = File.ReadAllText(resolved);
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is IOException || ex is UnauthorizedAccessException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidInput, ErrorCategory.ReadError, path)
                {
                    ErrorDetails = new ErrorDetails($"Cannot read the desired domains from {path}: {ex.Message} Nothing was changed."),
                });
                return;
            }

            var problems = new List<(string Entry, string Problem)>();
            try
            {
                AddDesired(DesiredDomainSource.ReadFile(resolved, content, problems));
            }
            catch (InvalidDataException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidInput, ErrorCategory.InvalidData, path)
                {
                    ErrorDetails = new ErrorDetails(ex.Message + " Nothing was changed."),
                });
            }

            foreach (var (entry, problem) in problems) _inputProblems.Add(new RunCloudSyncSkip(entry, problem));
            WriteVerbose($"RunCloud: read {_raw.Count} name(s) from {resolved}.");
        }

        /// <summary>Desired names from any source; one whose top-level domain does not exist becomes an invalid entry (see DesiredDomainSource).</summary>
        private void AddDesired(IEnumerable<string> names) =>
            _raw.AddRange(DesiredDomainSource.WithKnownTopLevelDomains(names, _inputProblems, _allowTld));

        protected override void EndProcessing()
        {
            if (Manifest != null)
            {
                SyncManifest(Manifest);
                return;
            }

            var clock = Stopwatch.StartNew();
            RunCloudConnection connection = ResolveConnection();
            long serverId = ResolveServerId(connection, ServerId);
            long webAppId = ResolveWebAppId(connection, WebAppId, serverId);
            long requestsBefore = connection.RequestCount;
            RunCloudService service = ServiceFor(connection);
            string app = $"web app {webAppId} (server {serverId})";
            bool whatIf = IsWhatIf();

            SyncOptions options;
            try
            {
                options = new SyncOptions
                {
                    Prune = Prune,
                    MaxRemove = MaxRemove,
                    AllowEmptySource = AllowEmptySource,
                    AllowInvalidEntries = AllowInvalidEntries,
                    Exclude = NamePattern.ParseAll(Exclude, "-Exclude"),
                    ProtectedName = NamePattern.ParseAll(ProtectedName, "-ProtectedName"),
                };
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was changed.", null));
                return;
            }

            var entries = _inputProblems.Select(p => new DesiredEntry(p.Name, p.Reason)).Concat(_raw.Select(r => new DesiredEntry(r))).ToList();

            // Early guard (no request yet): an empty desired list with -Prune.
            SyncPlan early = SyncPlanner.Plan(entries, Array.Empty<RunCloudDomain>(), options);
            if (early.Verdict == SyncVerdict.EmptySource && whatIf)
            {
                // The plan says the real run would stop here (StoppedBy, Success false), and goes on to show the rest.
                WriteWarning($"{app}: {early.VerdictMessage}");
                _stoppedBy = EmptySourceErrorId;
            }
            else if (early.Verdict == SyncVerdict.EmptySource)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(early.VerdictMessage), EmptySourceErrorId, ErrorCategory.InvalidData, app)
                {
                    ErrorDetails = new ErrorDetails($"{app}: {early.VerdictMessage}") { RecommendedAction = "Sync-RunCloudDomain ... -Prune -AllowEmptySource" },
                });
            }

            // One run per app at a time, across processes; the journal of unfinished work lives beside the lock.
            JournalStore store;
            AppStateKey key = StateKeys.For(connection, serverId, webAppId);
            AppLock? appLock = null;
            try
            {
                store = JournalStore.Default();
                if (!whatIf) appLock = store.Lock(key, TimeSpan.FromSeconds(LockTimeout), CancelToken, "Sync-RunCloudDomain");
            }
            catch (StateException ex)
            {
                ThrowTerminatingError(StateError(ex, app));
                return;
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            try
            {
                Sync(connection, service, serverId, webAppId, app, whatIf, options, entries, store, key, clock, requestsBefore);
            }
            finally
            {
                appLock?.Dispose();
            }
        }

        private void Sync(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId, string app, bool whatIf,
            SyncOptions options, List<DesiredEntry> entries, JournalStore store, AppStateKey key, Stopwatch clock, long requestsBefore)
        {
            // 1. One complete listing.
            var progress = new ProgressRecord(0x5C0D, "Sync-RunCloudDomain", $"Reading the domains of {app}");
            WriteProgress(progress);
            List<RunCloudDomain> existing;
            try
            {
                existing = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
            }
            catch (RunCloudApiException ex)
            {
                CompleteProgress(progress);
                ThrowApiError(ex, app);
                return;
            }

            CrashPoint.Reached("listed");

            // 2. The plan and its guards, before any change.
            SyncPlan plan = SyncPlanner.Plan(entries, existing, options);
            WriteVerbose($"RunCloud: plan for {app}: {existing.Count} on the app, {plan.Desired.Count} desired; {plan.ToAdd.Count} to add, {plan.ToRemove.Count} to remove, {plan.Unchanged.Count} unchanged, {plan.Kept.Count} kept, {plan.Skipped.Count} skipped.");
            foreach (string name in plan.ToAdd) WriteVerbose("RunCloud: plan: add " + name);
            foreach (RunCloudDomain d in plan.ToRemove) WriteVerbose($"RunCloud: plan: remove {d.Name} (id {d.Id})");
            foreach (RunCloudSyncSkip s in plan.Skipped) WriteVerbose($"RunCloud: plan: skip {s.Name}: {s.Reason}");

            switch (plan.Verdict)
            {
                case SyncVerdict.InvalidResponse:
                    CompleteProgress(progress);
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(plan.VerdictMessage), ErrorIds.InvalidResponse, ErrorCategory.InvalidResult, app)
                    {
                        ErrorDetails = new ErrorDetails($"{app}: {plan.VerdictMessage}"),
                    });
                    return;
                case SyncVerdict.EmptySource when whatIf:
                    _stoppedBy ??= EmptySourceErrorId;
                    break;
                case SyncVerdict.EmptySource:
                    CompleteProgress(progress);
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(plan.VerdictMessage), EmptySourceErrorId, ErrorCategory.InvalidData, app)
                    {
                        ErrorDetails = new ErrorDetails($"{app}: {plan.VerdictMessage}") { RecommendedAction = "Sync-RunCloudDomain ... -Prune -AllowEmptySource" },
                    });
                    return;
                case SyncVerdict.TooManyRemovals:
                    string message = $"{app}: {plan.VerdictMessage}";
                    if (whatIf)
                    {
                        WriteWarning(message);
                        _stoppedBy ??= ErrorIds.TooManyRemovals;
                        break;
                    }

                    CompleteProgress(progress);
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.TooManyRemovals, ErrorCategory.LimitsExceeded, app)
                    {
                        ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"Sync-RunCloudDomain ... -MaxRemove {plan.ToRemove.Count}" },
                    });
                    return;
            }

            // 3. Apply it, journalled.
            var host = new CmdletSyncHost(this, progress);
            var executor = new SyncExecutor(service, serverId, webAppId, store, key, connection.BaseUri.AbsoluteUri, host);
            SyncOutcome outcome;
            try
            {
                outcome = executor.Execute(plan, new SyncRunOptions
                {
                    WhatIf = whatIf,
                    Www = Www,
                    Redirection = Redirection.ToLowerInvariant(),
                    NoSslReset = NoSslReset,
                    ResetSsl = ResetSsl,
                    Command = "Sync-RunCloudDomain",
                    Ssl = BuildSslOptions(SkipDnsCheck, DnsServer, AllowDuplicateCertificate),
                    Existing = existing,
                });
            }
            catch (StateException ex)
            {
                CompleteProgress(progress);
                ThrowTerminatingError(StateError(ex, app));
                return;
            }

            CompleteProgress(progress);
            var failed = outcome.Failed;
            var syncResult = new RunCloudSyncResult
            {
                ServerId = serverId,
                WebAppId = webAppId,
                Added = outcome.Added.ToArray(),
                Removed = outcome.Removed.ToArray(),
                Unchanged = plan.Unchanged.Concat(outcome.AlsoUnchanged).ToArray(),
                Kept = plan.Kept.ToArray(),
                Skipped = plan.Skipped.ToArray(),
                Failed = failed.ToArray(),
                SslRedeployed = outcome.SslRedeployed,
                SslNotReady = outcome.SslNotReady.ToArray(),
                SslDeferred = outcome.SslDeferred.ToArray(),
                FinishedPending = outcome.FinishedPending.ToArray(),
                PruneStopped = plan.PruneStoppedMessage != null,
                ApiCalls = (int)(connection.RequestCount - requestsBefore),
                Duration = Math.Round(clock.Elapsed.TotalSeconds, 3),
                WhatIf = whatIf,
                DesiredCount = plan.Desired.Count,
                StoppedBy = _stoppedBy,
                Success = failed.Count == 0 && plan.PruneStoppedMessage == null && _stoppedBy == null,
            };
            foreach (string finished in outcome.FinishedPending) WriteWarning($"RunCloud: {app}: finished {finished}.");
            WriteObject(syncResult);

            if (plan.PruneStoppedMessage != null)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"{app}: {plan.PruneStoppedMessage}"), PruneStoppedErrorId, ErrorCategory.InvalidData, syncResult)
                {
                    ErrorDetails = new ErrorDetails($"{app}: {plan.PruneStoppedMessage}") { RecommendedAction = "Fix the invalid entries, or pass -AllowInvalidEntries." },
                });
            }

            if (failed.Count > 0)
            {
                string message = $"{failed.Count} change(s) failed on {app}: "
                    + string.Join("; ", failed.Take(3).Select(f => $"{f.Action} {f.Name}: {f.Message.TrimEnd('.')}"))
                    + (failed.Count > 3 ? $" (and {failed.Count - 3} more; see the Failed property of the result)" : string.Empty)
                    + ". The other changes were made; run the sync again to retry.";
                WriteError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.SyncFailed, ErrorCategory.NotSpecified, syncResult));
            }
        }

        /// <summary>-Manifest: plan every target, then apply the plans at once (no second listing: the plan is seconds old).</summary>
        private void SyncManifest(string path)
        {
            FleetManifest manifest = LoadManifest(path, out string directory);
            var inputs = ReadInputs(manifest, directory);
            RunCloudSyncPlan[] plans = PlanAll(inputs, ThrottleLimit);
            ApplyAll(plans, verify: false, ThrottleLimit, MaxCalls, Force, callsAlreadySpent: plans.Sum(p => p.PlanningCalls));
        }

        private static ErrorRecord StateError(StateException ex, string app) =>
            new ErrorRecord(ex, ex.ErrorId, ex is AppLockedException ? ErrorCategory.ResourceBusy : ErrorCategory.ResourceUnavailable, app)
            {
                ErrorDetails = new ErrorDetails(ex.Message),
            };

        /// <summary>The executor's view of this cmdlet: Run, ShouldProcess (-Force skips the prompt), Write*.</summary>
        private sealed class CmdletSyncHost : ISyncHost
        {
            private readonly SyncRunCloudDomainCommand _cmdlet;
            private readonly ProgressRecord _progress;

            public CmdletSyncHost(SyncRunCloudDomainCommand cmdlet, ProgressRecord progress)
            {
                _cmdlet = cmdlet;
                _progress = progress;
            }

            public T Run<T>(Func<System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> work) => _cmdlet.Run(work);

            public bool Confirm(string target, string action) => _cmdlet.Confirmed(target, action);

            public void Verbose(string text) => _cmdlet.WriteVerbose(text);

            public void Warning(string text) => _cmdlet.WriteWarning(text);

            public void Progress(string status, int done, int total) => _cmdlet.ShowProgress(_progress, done, total, status);
        }

        internal void ShowProgress(ProgressRecord progress, int done, int total, string status)
        {
            progress.StatusDescription = $"{status} ({done} of {total})";
            progress.PercentComplete = total == 0 ? 100 : Math.Min(100, done * 100 / total);
            WriteProgress(progress);
        }

        private void CompleteProgress(ProgressRecord progress)
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }

        /// <summary>Under -WhatIf a step is part of the plan, not sent: the plan goes on as if it had been confirmed.</summary>
        internal bool Confirmed(string target, string action) => ShouldProcessOrForce(Force, target, action) || IsWhatIf();

        private static string Show(PSObject value)
        {
            string text = value.ToString();
            return text.Length > 80 ? text.Substring(0, 80) + "…" : text;
        }
    }
}
