using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Makes a web app's domains match a desired list: plans from one complete listing, adds, then (with -Prune)
    /// removes, then redeploys SSL once. Built to run unattended from a scheduled task: guards against a truncated
    /// source (-MaxRemove, empty list), never touches the primary domain, RunCloud-created names or excluded names,
    /// and a failed name does not stop the others.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "RunCloudDomain", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RunCloudSyncResult))]
    public sealed class SyncRunCloudDomainCommand : RunCloudApiCmdlet
    {
        /// <summary>Error id of the refusal to prune from an empty desired list.</summary>
        public const string EmptySourceErrorId = "RunCloudSyncEmptySource";

        private readonly List<string> _raw = new List<string>();
        private readonly List<RunCloudSyncSkip> _inputProblems = new List<RunCloudSyncSkip>();

        [Parameter(Position = 0)]
        [AllowEmptyCollection]
        [AllowEmptyString]
        public string[]? Domain { get; set; }

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

        /// <summary>More removals than this stop the whole sync before any change, unless -Force.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRemove { get; set; } = 10;

        /// <summary>No confirmation prompt; allows more removals than -MaxRemove and pruning from an empty list.</summary>
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
            if (NoSslReset && ResetSsl)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-ResetSsl and -NoSslReset contradict each other; pass one of them.", null));
            }

            if (Domain != null) _raw.AddRange(Domain);
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

                foreach (string slug in Site ?? Array.Empty<string>())
                {
                    if (string.IsNullOrWhiteSpace(slug)) continue;
                    string s = slug.Trim().TrimEnd('.');
                    _raw.Add(s.EndsWith("." + parent, StringComparison.OrdinalIgnoreCase) ? s : s + "." + parent);
                }
            }

            if (Path != null) ReadPath(Path);
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            string? name = DesiredDomainSource.FromObject(InputObject, out string? problem);
            if (name != null) _raw.Add(name);
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
                _raw.AddRange(DesiredDomainSource.ReadFile(resolved, content, problems));
            }
            catch (InvalidDataException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidInput, ErrorCategory.InvalidData, path)
                {
                    ErrorDetails = new ErrorDetails(ex.Message + " Nothing was changed."),
                });
            }

            foreach (var (entry, problem) in problems) _inputProblems.Add(new RunCloudSyncSkip(entry, "Not a domain: " + problem));
            WriteVerbose($"RunCloud: read {_raw.Count} name(s) from {resolved}.");
        }

        protected override void EndProcessing()
        {
            var clock = Stopwatch.StartNew();
            RunCloudConnection connection = ResolveConnection();
            long serverId = ResolveServerId(connection, ServerId);
            long webAppId = ResolveWebAppId(connection, WebAppId);
            long requestsBefore = connection.RequestCount;
            RunCloudService service = ServiceFor(connection);
            string app = $"web app {webAppId} (server {serverId})";

            // 1. The desired names, validated and de-duplicated; nothing invalid is ever sent.
            var skipped = new List<RunCloudSyncSkip>(_inputProblems);
            var desired = new List<string>();
            var desiredSet = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in _raw)
            {
                if (string.IsNullOrWhiteSpace(raw)) continue;
                if (!DomainName.TryNormalize(raw, out string name, out string problem))
                {
                    skipped.Add(new RunCloudSyncSkip(raw, problem));
                    continue;
                }

                if (desiredSet.Add(name)) desired.Add(name);
            }

            if (desired.Count == 0 && Prune && !Force)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"The desired domain list is empty ({_raw.Count} entries read, none valid), and -Prune would remove every removable domain of {app}. Nothing was changed. If that is really wanted, pass -Force."),
                    EmptySourceErrorId, ErrorCategory.InvalidData, app));
            }

            // 2. One complete listing.
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

            // 3. The plan.
            Func<string, bool> excluded = NameFilter(Exclude) ?? (_ => false);
            Func<string, bool> protectedName = NameFilter(ProtectedName) ?? (_ => false);
            var existingByName = new Dictionary<string, RunCloudDomain>(StringComparer.OrdinalIgnoreCase);
            foreach (RunCloudDomain d in existing) existingByName[d.Name] = d;

            var toAdd = new List<string>();
            var unchanged = new List<string>();
            foreach (string name in desired)
            {
                if (existingByName.ContainsKey(name)) unchanged.Add(name);
                else if (excluded(name)) skipped.Add(new RunCloudSyncSkip(name, "Excluded by -Exclude; not added."));
                else toAdd.Add(name);
            }

            var toRemove = new List<RunCloudDomain>();
            var kept = new List<string>();
            foreach (RunCloudDomain d in existing.Where(d => !desiredSet.Contains(d.Name)))
            {
                if (!Prune) kept.Add(d.Name);
                else if (d.IsPrimary) skipped.Add(new RunCloudSyncSkip(d.Name, "The primary domain of the web app is never removed."));
                else if (protectedName(d.Name)) skipped.Add(new RunCloudSyncSkip(d.Name, "Created by RunCloud (matches -ProtectedName); never removed."));
                else if (excluded(d.Name)) skipped.Add(new RunCloudSyncSkip(d.Name, "Excluded by -Exclude; not removed."));
                else toRemove.Add(d);
            }

            WriteVerbose($"RunCloud: plan for {app}: {existing.Count} on the app, {desired.Count} desired; {toAdd.Count} to add, {toRemove.Count} to remove, {unchanged.Count} unchanged, {kept.Count} kept (no -Prune), {skipped.Count} skipped.");
            foreach (string name in toAdd) WriteVerbose("RunCloud: plan: add " + name);
            foreach (RunCloudDomain d in toRemove) WriteVerbose($"RunCloud: plan: remove {d.Name} (id {d.Id})");
            foreach (RunCloudSyncSkip s in skipped) WriteVerbose($"RunCloud: plan: skip {s.Name}: {s.Reason}");

            bool whatIf = IsWhatIf();

            // 4. The guard against a truncated or wrong source: before any change.
            if (toRemove.Count > MaxRemove && !Force)
            {
                string message = $"The sync would remove {toRemove.Count} domains from {app}, more than -MaxRemove {MaxRemove}. Nothing was changed. "
                    + $"Check the source list; if the removals are intended, pass -MaxRemove {toRemove.Count} or -Force.";
                if (whatIf)
                {
                    WriteWarning(message);
                }
                else
                {
                    CompleteProgress(progress);
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.TooManyRemovals, ErrorCategory.LimitsExceeded, app)
                    {
                        ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"Sync-RunCloudDomain ... -MaxRemove {toRemove.Count}  (or -Force)" },
                    });
                }
            }

            // 5. Adds, then removals.
            var added = new List<string>();
            var addedDomains = new List<RunCloudDomain>();
            var removed = new List<string>();
            var failed = new List<RunCloudSyncFailure>();
            bool changed = false;
            int total = toAdd.Count + toRemove.Count;
            int done = 0;
            string redirection = Redirection.ToLowerInvariant();

            foreach (string name in toAdd)
            {
                ShowProgress(progress, ++done, total, $"Adding {name}");
                if (!Confirmed($"{name} on {app}", "Add domain")) continue;
                if (whatIf) { added.Add(name); continue; }
                var request = new DomainRequest { Name = name, Www = Www && !name.StartsWith("www.", StringComparison.Ordinal), Redirection = redirection };
                try
                {
                    AddResult result = Run(ct => service.AddDomainAsync(serverId, webAppId, request, ct, lookUpExisting: true));
                    if (result.Outcome == AddOutcome.AlreadyExists && result.Domain == null)
                    {
                        failed.Add(new RunCloudSyncFailure(name, "Add", ErrorIds.DomainAlreadyExists,
                            $"RunCloud says {name} is already taken, but it is not on {app}: another web app on the server probably serves it. Remove it there first."));
                        continue;
                    }

                    if (result.Outcome == AddOutcome.AlreadyExists)
                    {
                        unchanged.Add(name); // added by someone else since the listing
                        continue;
                    }

                    added.Add(name);
                    changed = true;
                    if (result.Domain != null) addedDomains.Add(result.Domain);
                    WriteVerbose($"RunCloud: added {name} to {app}.");
                }
                catch (RunCloudApiException ex)
                {
                    failed.Add(new RunCloudSyncFailure(name, "Add", ex.ErrorId, ex.Message));
                    WriteVerbose($"RunCloud: adding {name} failed: {ex.Message}");
                }
            }

            var sslModes = new Dictionary<(long, long), bool>();
            var appSsls = new Dictionary<(long, long), RunCloudSsl>(); // read once before the removals, reused by the SSL step
            SslOptions sslOptions = BuildSslOptions(SkipDnsCheck, DnsServer, AllowDuplicateCertificate);
            foreach (RunCloudDomain d in toRemove)
            {
                ShowProgress(progress, ++done, total, $"Removing {d.Name}");
                if (!Confirmed($"{d.Name} (id {d.Id}) on {app}", "Remove domain")) continue;
                if (whatIf) { removed.Add(d.Name); continue; }
                try
                {
                    Run(ct => SslStrategy.ReleaseDomainCertificateAsync(service, d, sslModes, ct, appSsls));
                    bool gone = Run(ct => service.RemoveDomainAsync(serverId, webAppId, d.Id, ct));
                    removed.Add(d.Name);
                    changed |= gone;
                    WriteVerbose(gone ? $"RunCloud: removed {d.Name} from {app}." : $"RunCloud: {d.Name} was already gone from {app}.");
                }
                catch (RunCloudApiException ex)
                {
                    failed.Add(new RunCloudSyncFailure(d.Name, "Remove", ex.ErrorId, ex.Message));
                    WriteVerbose($"RunCloud: removing {d.Name} failed: {ex.Message}");
                }
            }

            // 6. One SSL redeploy, when something changed.
            bool sslRedeployed = false;
            RunCloudDnsCheck[] sslNotReady = Array.Empty<RunCloudDnsCheck>();
            string[] sslDeferred = Array.Empty<string>();
            bool wouldChange = whatIf && (added.Count > 0 || removed.Count > 0);
            // Names an earlier run left without a certificate (DNS not ready yet) are retried even when nothing changed.
            bool waiting = !NoSslReset && !whatIf && SslStrategy.HasWaitingNames(connection.StateKey(serverId, webAppId));
            if (waiting) WriteVerbose($"RunCloud: {app} has names an earlier run could not cover yet (see its journal); checking them again.");
            if (!NoSslReset && (changed || wouldChange || ResetSsl || waiting))
            {
                progress.StatusDescription = "Redeploying the SSL certificate";
                WriteProgress(progress);
                if (whatIf)
                {
                    ShouldProcess(app, "Redeploy the SSL certificate once (if the web app has one)");
                }
                else if (Confirmed(app, "Redeploy the SSL certificate"))
                {
                    try
                    {
                        // The app's names after this run, from the one listing and the changes (no second listing); an add whose
                        // answer carried no domain object leaves the list unknown, and the strategy lists again.
                        List<RunCloudDomain>? after = addedDomains.Count == added.Count
                            ? existing.Where(d => !removed.Contains(d.Name, StringComparer.OrdinalIgnoreCase)).Concat(addedDomains).ToList()
                            : null;
                        if (appSsls.TryGetValue((serverId, webAppId), out RunCloudSsl? knownSsl)) sslOptions.KnownAppSsl = knownSsl;
                        SslRunResult ssl = Run(ct => SslStrategy.RunAsync(service, connection.StateKey(serverId, webAppId), connection.BaseUri.AbsoluteUri, serverId, webAppId, addedDomains, sslOptions, ct, after));
                        RedeployOutcome outcome = ssl.Outcome;
                        sslRedeployed = outcome == RedeployOutcome.Redeployed || (outcome == RedeployOutcome.PerDomain && ssl.Plan.Actions.Count > ssl.Failures.Count);
                        sslNotReady = ssl.Plan.NotReady.ToArray();
                        sslDeferred = ssl.Plan.Deferred.ToArray();
                        foreach (var (action, error) in ssl.Failures)
                        {
                            failed.Add(new RunCloudSyncFailure(action.Domain?.Name ?? app, "RedeploySsl", error.ErrorId, error.Message));
                        }

                        foreach (RunCloudDnsCheck check in sslNotReady)
                        {
                            WriteWarning($"No certificate requested for {check.Name} yet ({check.Status}): {check.Message} It stays on the app and is retried by the next run.");
                        }

                        WriteVerbose(outcome == RedeployOutcome.NoSsl
                            ? $"RunCloud: {app} has no SSL certificate; none was redeployed."
                            : $"RunCloud: SSL of {app} redeployed ({outcome}).");
                    }
                    catch (SslRefusedException ex)
                    {
                        failed.Add(new RunCloudSyncFailure(app, "RedeploySsl", ex.ErrorId, ex.Message + " " + ex.Hint));
                    }
                    catch (StateException ex)
                    {
                        failed.Add(new RunCloudSyncFailure(app, "RedeploySsl", ex.ErrorId, ex.Message));
                    }
                    catch (RunCloudApiException ex)
                    {
                        failed.Add(new RunCloudSyncFailure(app, "RedeploySsl", ex.ErrorId,
                            ex.Message + " The certificate may not cover the names just added: run again with -ResetSsl (the example script does so by itself), or Reset-RunCloudSsl."));
                    }
                }
            }

            CompleteProgress(progress);
            var syncResult = new RunCloudSyncResult
            {
                ServerId = serverId,
                WebAppId = webAppId,
                Added = added.ToArray(),
                Removed = removed.ToArray(),
                Unchanged = unchanged.ToArray(),
                Kept = kept.ToArray(),
                Skipped = skipped.ToArray(),
                Failed = failed.ToArray(),
                SslRedeployed = sslRedeployed,
                SslNotReady = sslNotReady,
                SslDeferred = sslDeferred,
                ApiCalls = (int)(connection.RequestCount - requestsBefore),
                Duration = clock.Elapsed,
                WhatIf = whatIf,
                Success = failed.Count == 0,
            };
            WriteObject(syncResult);

            if (failed.Count > 0)
            {
                string message = $"{failed.Count} change(s) failed on {app}: "
                    + string.Join("; ", failed.Take(3).Select(f => $"{f.Action} {f.Name}: {f.Message.TrimEnd('.')}"))
                    + (failed.Count > 3 ? $" (and {failed.Count - 3} more; see the Failed property of the result)" : string.Empty)
                    + ". The other changes were made; run the sync again to retry.";
                WriteError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.SyncFailed, ErrorCategory.NotSpecified, syncResult));
            }
        }

        private void ShowProgress(ProgressRecord progress, int done, int total, string status)
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
        private bool Confirmed(string target, string action) => ShouldProcessOrForce(Force, target, action) || IsWhatIf();

        private static string Show(PSObject value)
        {
            string text = value.ToString();
            return text.Length > 80 ? text.Substring(0, 80) + "…" : text;
        }
    }
}
