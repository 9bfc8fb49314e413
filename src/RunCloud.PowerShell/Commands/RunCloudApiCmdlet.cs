using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Newtonsoft.Json.Linq;
using System.Net;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Base of every cmdlet that calls RunCloud: the -Connection parameter and the server/web app defaults.</summary>
    public abstract class RunCloudApiCmdlet : RunCloudCmdlet
    {
        /// <summary>
        /// The connection to use instead of the default one from Connect-RunCloud (so one script can use two accounts):
        /// the object, or the name given to Connect-RunCloud -Name.
        /// </summary>
        [Parameter]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completion.ConnectionNameCompleter))]
        public RunCloudConnection? Connection { get; set; }

        /// <summary>
        /// The connection for an object that came down the pipeline: its own, unless -Connection names another
        /// account, which is an error before any request (it would act on a same-named item of the wrong account).
        /// </summary>
        private protected RunCloudConnection ResolveConnectionFor(IRunCloudObject item, object target)
        {
            IRunCloudConnection? own = (item as IConnectionBound)?.Connection;
            if (own != null && Connection != null && !ReferenceEquals(own, Connection))
            {
                ThrowTerminatingError(Invalid(ErrorIds.ConnectionMismatch,
                    $"The piped object {target} was read through the connection {own}, but -Connection is {Connection}. Nothing was sent. "
                    + "Drop -Connection (the object's own connection is used), or read the object through the connection you mean.", target));
            }

            return own as RunCloudConnection ?? ResolveConnection();
        }

        private RunCloudConnection? _resolved;
        private RunCloudService? _service;
        private RunCloudConnection? _serviceConnection;

        /// <summary>
        /// The one step every API cmdlet shares (PSOpenAD's ProcessRecordWithSession pattern): resolve the connection
        /// once per invocation, then hand it and its Api service on. Cmdlets override
        /// <see cref="ProcessRecordWithConnection"/> instead of repeating the lookup in each ProcessRecord.
        /// </summary>
        protected override void ProcessRecord()
        {
            RunCloudConnection connection = ResolveConnection();
            ProcessRecordWithConnection(connection, ServiceFor(connection));
        }

        /// <summary>Per input record, with the resolved connection and its Api service.</summary>
        private protected virtual void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
        }

        /// <summary>The Api service of the resolved connection, made once per invocation.</summary>
        private protected RunCloudService ServiceFor(RunCloudConnection connection)
        {
            if (_service == null || !ReferenceEquals(_serviceConnection, connection))
            {
                _service = connection.CreateService(Log);
                _serviceConnection = connection;
            }

            return _service;
        }

        /// <summary>-Connection, else this runspace's default; resolved once per invocation. Not connected stops the command.</summary>
        private protected RunCloudConnection ResolveConnection()
        {
            if (_resolved != null) return _resolved;
            RunCloudConnection? connection = Connection ?? RunCloudSession.Current;
            if (connection == null)
            {
                var named = ConnectionRegistry.Names();
                string message = "Not connected to RunCloud. Run Connect-RunCloud first (or pass -Connection)."
                    + (named.Count > 0 ? $" Named connections are open ({string.Join(", ", named)}): pass -Connection <name>." : string.Empty);
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(message),
                    ErrorIds.NotConnected, ErrorCategory.ConnectionError, null)
                {
                    ErrorDetails = new ErrorDetails(message)
                    {
                        RecommendedAction = "Connect-RunCloud -Token (Read-Host -AsSecureString 'API token') -ServerId <id> -WebAppId <id>",
                    },
                });
            }

            RedactSecretsOf(connection!);
            return _resolved = connection!;
        }

        private protected long ResolveServerId(RunCloudConnection connection, long? serverId)
        {
            long? id = serverId ?? connection.ServerId;
            if (!id.HasValue)
            {
                ThrowTerminatingError(Invalid(ErrorIds.MissingServerId,
                    "No server id: pass -ServerId, or give Connect-RunCloud a default with -ServerId (or WU_RUNCLOUD_SERVER_ID). Get-RunCloudServer lists your servers.", null));
            }

            return id!.Value;
        }

        /// <summary>
        /// The web app id: the given one, else the connection's default, which belongs to the connection's default
        /// server; with another server (e.g. a piped server object) that default would name a pair that does not exist,
        /// so it is an error before any request.
        /// </summary>
        private protected long ResolveWebAppId(RunCloudConnection connection, long? webAppId, long serverId)
        {
            if (!webAppId.HasValue && connection.WebAppId.HasValue && connection.ServerId.HasValue && connection.ServerId.Value != serverId)
            {
                ThrowTerminatingError(Invalid(ErrorIds.MissingWebAppId,
                    $"No web app id for server {serverId}: the connection's default web app {connection.WebAppId} is on server {connection.ServerId}, not {serverId}, so it was not used and nothing was sent. "
                    + $"Pass -WebAppId for a web app on server {serverId} (Get-RunCloudWebApp -ServerId {serverId} lists them), or pipe web app objects instead of server objects.", serverId));
            }

            return ResolveWebAppId(connection, webAppId);
        }

        private protected long ResolveWebAppId(RunCloudConnection connection, long? webAppId)
        {
            long? id = webAppId ?? connection.WebAppId;
            if (!id.HasValue)
            {
                ThrowTerminatingError(Invalid(ErrorIds.MissingWebAppId,
                    "No web app id: pass -WebAppId, or give Connect-RunCloud a default with -WebAppId (or WU_RUNCLOUD_APP_ID). Get-RunCloudWebApp lists the server's web apps.", null));
            }

            return id!.Value;
        }

        /// <summary>
        /// Streams a list to the pipeline page by page through the Api layer's page iterator (perPage 40), honouring
        /// -First and -Skip without fetching more pages than needed, and showing progress when the list spans more than
        /// one page. <paramref name="open"/> opens the listing at a given first page.
        /// </summary>
        /// <returns>True when every page was read (not cut short by -First), so a name not seen is not there.</returns>
        private protected bool WritePaged<T>(Func<int, PageIterator> open, Func<JObject, T> map, Func<T, bool>? filter, string activity)
        {
            ulong skip = PagingParameters?.Skip ?? 0;
            ulong first = PagingParameters?.First ?? ulong.MaxValue;
            if (first == 0) return false;
            int perPage = RunCloudApiClient.MaxPerPage;
            int startPage = 1;
            ulong seen = 0;
            ulong written = 0;
            if (filter == null && skip >= (ulong)perPage)
            {
                startPage = (int)(skip / (ulong)perPage) + 1; // jump straight to the page holding the first wanted item
                seen = (ulong)(startPage - 1) * (ulong)perPage;
            }

            PageIterator pages = open(startPage);
            var progress = new ProgressRecord(Math.Abs(activity.GetHashCode() % 100000) + 1, activity, "Reading page 1");
            bool showedProgress = false;
            try
            {
                IReadOnlyList<JObject>? items;
                while ((items = Run(ct => pages.NextAsync(ct))) != null)
                {
                    int current = pages.Page;
                    if (pages.TotalPages > 1)
                    {
                        // A new record each time: hosts may keep the object, so reusing one would rewrite history.
                        progress = new ProgressRecord(progress.ActivityId, activity, $"Page {current} of {pages.TotalPages}")
                        {
                            PercentComplete = Math.Min(100, current * 100 / pages.TotalPages.Value),
                        };
                        WriteProgress(progress);
                        showedProgress = true;
                    }

                    if (PagingParameters != null && PagingParameters.IncludeTotalCount && current == 1 && filter == null)
                    {
                        WriteObject(PagingParameters.NewTotalCount((ulong)(pages.Total ?? items.Count), 1.0));
                    }

                    foreach (JObject item in items)
                    {
                        T value;
                        try
                        {
                            value = map(item);
                        }
                        catch (InvalidResponseDataException ex)
                        {
                            // One malformed item (a control character in a name, an id that is not a number) is an
                            // invalid item: reported with its id, the rest of the listing still written.
                            WriteApiError(RunCloudApiException.InvalidData(ex, "GET", null), ServerText.Escape(item["id"]?.ToString()));
                            continue;
                        }

                        if (value is IConnectionBound bound) bound.Connection = _serviceConnection ?? ResolveConnection();
                        if (filter != null && !filter(value)) continue;
                        if (seen++ < skip) continue;
                        WriteObject(value);
                        if (++written >= first) return false; // cut short by -First: unseen names may still be there
                    }
                }

                return true;
            }
            finally
            {
                if (showedProgress)
                {
                    WriteProgress(new ProgressRecord(progress.ActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
                }
            }
        }

        /// <summary>
        /// A name filter that also remembers which exact (wildcard-free) names it matched, so the names that matched
        /// nothing can be reported afterwards, as Get-ChildItem does: an exact name not found is an error, a wildcard
        /// that matches nothing is silence.
        /// </summary>
        private protected sealed class NameMatcher
        {
            private readonly Func<string, bool>? _filter;
            private readonly List<string> _exact;
            private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            public NameMatcher(string[]? patterns)
            {
                _filter = NameFilter(patterns);
                _exact = (patterns ?? Array.Empty<string>()).Where(p => !WildcardPattern.ContainsWildcardCharacters(p)).ToList();
            }

            public Func<T, bool>? For<T>(Func<T, string> name)
            {
                if (_filter == null) return null;
                return item =>
                {
                    string n = name(item);
                    if (!_filter(n)) return false;
                    _seen.Add(n);
                    return true;
                };
            }

            public IEnumerable<string> Missing => _exact.Where(e => !_seen.Contains(e)).Distinct(StringComparer.OrdinalIgnoreCase);
        }

        private protected void WriteNotFound(string errorId, string message, object target) =>
            WriteError(new ErrorRecord(new ItemNotFoundException(message), errorId, ErrorCategory.ObjectNotFound, target));

        /// <summary>RunCloud's server-side search narrows a listing when a single name pattern has a literal part.</summary>
        private protected static string? SearchText(string[]? patterns)
        {
            if (patterns == null || patterns.Length != 1) return null;
            string literal = new string(patterns[0].TakeWhile(c => c != '*' && c != '?' && c != '[' && c != '`').ToArray());
            if (literal.Length < 2 && patterns[0].IndexOfAny(new[] { '*', '?', '[' }) >= 0)
            {
                // e.g. '*.old.example.com': search for the longest literal run instead of the empty prefix
                literal = patterns[0].Split('*', '?', '[', ']').OrderByDescending(x => x.Length).First();
            }

            return literal.Length >= 2 ? literal : null;
        }

        /// <summary>A wildcard filter on a name, or null for none.</summary>
        private protected static Func<string, bool>? NameFilter(string[]? patterns)
        {
            if (patterns == null || patterns.Length == 0) return null;
            WildcardPattern[] compiled = patterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
            return name => compiled.Any(p => p.IsMatch(name));
        }

        /// <summary>True under -WhatIf or $WhatIfPreference.</summary>
        private protected bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w)) return w is SwitchParameter ws && ws.IsPresent;
            object? pref = SessionState.PSVariable.GetValue("WhatIfPreference");
            return pref is SwitchParameter sp ? sp.IsPresent : pref is bool b && b;
        }

        /// <summary>-Force skips the confirmation prompt but never -WhatIf, and an explicit -Confirm still asks.</summary>
        private protected bool ShouldProcessOrForce(bool force, string target, string action)
        {
            bool confirmAsked = MyInvocation.BoundParameters.TryGetValue("Confirm", out object? c) && c is SwitchParameter sp && sp.IsPresent;
            if (force && !confirmAsked && !IsWhatIf()) return true;
            return Ask(target, action);
        }

        /// <summary>
        /// ShouldProcess, except that a prompt PowerShell cannot show (pwsh -NonInteractive, a scheduled task) stops the
        /// command with what to pass instead of PowerShell's bare "NonInteractive mode" error.
        /// </summary>
        private protected bool Ask(string target, string action)
        {
            try
            {
                return ShouldProcess(target, action);
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is System.Management.Automation.Host.HostException)
            {
                string message = $"{MyInvocation.MyCommand.Name} asks before it does \"{action}\" on {target}, but PowerShell cannot ask here "
                    + "(it runs non-interactively, e.g. pwsh -NonInteractive or a scheduled task). Nothing was changed. "
                    + "To go ahead without asking, pass -Confirm:$false (or -Force where the command has it); to see what would happen, pass -WhatIf.";
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message, ex), ErrorIds.ConfirmationRequired, ErrorCategory.InvalidOperation, target)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"{MyInvocation.MyCommand.Name} ... -Confirm:$false" },
                });
                return false;
            }
        }

        /// <summary>The per-app locks and journals of this command (Add-/Remove-RunCloudDomain -ResetSsl, Reset-RunCloudSsl); released on Dispose.</summary>
        private AppRuns? _appRuns;

        private protected AppRuns AppRuns(string command) =>
            _appRuns ??= new AppRuns(JournalStore.Default(), command, TimeSpan.FromSeconds(300), CancelToken);

        private protected override void ReleaseResources()
        {
            _appRuns?.Dispose();
            _appRuns = null;
        }

        /// <summary>
        /// Locks the app and, when a previous run left work owed on it, says so (this command finishes it). A lock held
        /// elsewhere or an unreadable journal stops the command before any change.
        /// </summary>
        private protected AppJournal? EnterApp(string command, RunCloudConnection connection, long serverId, long webAppId, ChangedApps? changed = null)
        {
            AppJournal? pending;
            try
            {
                pending = AppRuns(command).Enter(StateKeys.For(connection, serverId, webAppId), connection.BaseUri.AbsoluteUri);
            }
            catch (StateException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.ErrorId, ex is AppLockedException ? ErrorCategory.ResourceBusy : ErrorCategory.ResourceUnavailable,
                    $"web app {webAppId} (server {serverId})") { ErrorDetails = new ErrorDetails(ex.Message) });
                return null;
            }

            if (pending != null && changed != null)
            {
                changed.Touch(connection, serverId, webAppId).PreviouslyOwed = pending.SslRedeployPending || pending.SslDomains.Count > 0;
            }

            if (pending != null)
            {
                WriteWarning($"A previous run ({pending.WrittenBy ?? "unknown command"}, {pending.UpdatedAt:u}) left work unfinished on web app {webAppId} (server {serverId}): "
                    + SyncExecutor.Describe(pending) + ". This command finishes it.");
            }

            return pending;
        }

        /// <summary>Before a change that -ResetSsl will follow with a redeploy: the journal owes it, so a crash cannot lose it.</summary>
        private protected void OweSsl(string command, RunCloudConnection connection, long serverId, long webAppId, string reason, RunCloudDomain? domain = null)
        {
            try
            {
                AppRuns(command).OweSsl(StateKeys.For(connection, serverId, webAppId), reason, domain);
            }
            catch (StateException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, $"web app {webAppId} (server {serverId})") { ErrorDetails = new ErrorDetails(ex.Message) });
            }
        }

        /// <summary>
        /// -ResetSsl of Add- and Remove-RunCloudDomain: redeploys each touched web app's certificate ONCE, after the
        /// whole pipeline, when a domain really changed or a previous run left a redeploy owed (the journal); the
        /// journal is cleared only when the redeploy succeeded.
        /// </summary>
        private protected void RedeployChangedApps(string command, ChangedApps changed, bool force, SslOptions? options = null)
        {
            options ??= new SslOptions();
            foreach (ChangedApp app in changed.Apps)
            {
                AppStateKey key = StateKeys.For(app.Connection, app.ServerId, app.WebAppId);
                AppJournal? journal = AppRuns(command).Journal(key);
                bool owedBefore = app.PreviouslyOwed;
                if (!app.Changed && !owedBefore)
                {
                    // This command owed a redeploy for changes it did not make after all: nothing is owed.
                    try { AppRuns(command).SslDone(key); }
                    catch (StateException ex) { WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, app.WebAppId) { ErrorDetails = new ErrorDetails(ex.Message) }); }
                    continue;
                }

                string target = $"web app {app.WebAppId} on server {app.ServerId}";
                if (!ShouldProcessOrForce(force, target, "Redeploy the SSL certificate")) continue;
                RunCloudService service = ServiceFor(app.Connection);
                var domains = new List<RunCloudDomain>(app.Added);
                if (journal != null)
                {
                    foreach (JournalDomain j in journal.SslDomains)
                    {
                        if (!domains.Exists(d => d.Id == j.Id)) domains.Add(new RunCloudDomain { Id = j.Id, Name = j.Name, ServerId = app.ServerId, WebAppId = app.WebAppId, Connection = app.Connection });
                    }
                }

                try
                {
                    // Through the SSL strategy (name count, DNS readiness, Let's Encrypt budget; per changed domain in advanced
                    // mode), recording into this app's journal (its "ssl" extension), which AppRuns saves.
                    options.Journal = AppRuns(command).OpenJournal(key);
                    options.KnownAppSsl = null;
                    SslRunResult result;
                    try
                    {
                        result = Run(ct => SslStrategy.RunAsync(service, key, app.Connection.BaseUri.AbsoluteUri, app.ServerId, app.WebAppId, domains, options, ct));
                    }
                    finally
                    {
                        AppRuns(command).Save(key);
                    }

                    if (result.Outcome == RedeployOutcome.NoSsl)
                    {
                        WriteWarning($"The {target} has no SSL certificate, so none was redeployed. Install one with Reset-RunCloudSsl -ServerId {app.ServerId} -WebAppId {app.WebAppId}.");
                    }
                    else
                    {
                        WriteVerbose($"RunCloud: SSL of the {target} brought up to date ({result.Outcome}, {result.Plan.Actions.Count} order(s)).");
                    }

                    ReportSslRun(result, target, owedInJournal: true);
                    if (result.Failures.Count > 0) continue; // what failed stays owed in the journal for the next run
                    if (owedBefore) WriteWarning($"RunCloud: {target}: finished the SSL redeploy a previous run left owed ({journal?.SslReason}).");
                    AppRuns(command).SslDone(key);
                }
                catch (SslRefusedException ex)
                {
                    // Refused before any order (too many names, nothing to cover): the redeploy stays owed.
                    WriteApiError(ex, target);
                }
                catch (RunCloudApiException ex)
                {
                    ErrorRecord record = ErrorRecords.FromApi(ex, target);
                    record.ErrorDetails = new ErrorDetails(ex.Message + " The certificate may not cover the app's names; the redeploy stays owed in the journal, and the next "
                        + "Sync-RunCloudDomain, Add-/Remove-RunCloudDomain -ResetSsl or Reset-RunCloudSsl on this app finishes it.");
                    WriteError(record);
                }
                catch (StateException ex)
                {
                    WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, target) { ErrorDetails = new ErrorDetails(ex.Message) });
                }
            }
        }

        /// <summary>Warns about names not DNS-ready or deferred by Let's Encrypt's budget, and writes each failed order as an error.</summary>
        private protected void ReportSslRun(SslRunResult result, object target, bool owedInJournal = false)
        {
            foreach (RunCloud.PowerShell.Models.RunCloudDnsCheck check in result.Plan.NotReady)
            {
                WriteWarning($"No certificate requested for {check.Name} yet ({check.Status}): {check.Message} It is remembered and retried by the next run.");
            }

            foreach (string deferred in result.Plan.Deferred) WriteWarning("Certificate deferred by Let's Encrypt's limits: " + deferred);
            foreach (var (action, error) in result.Failures)
            {
                ErrorRecord record = ErrorRecords.FromApi(error, action.Domain ?? target);
                if (owedInJournal)
                {
                    record.ErrorDetails = new ErrorDetails(ErrorRecords.WithoutHint(error) + " The certificate may not cover the app's names; the order stays owed in the journal, and the next "
                        + "Sync-RunCloudDomain, Add-/Remove-RunCloudDomain -ResetSsl or Reset-RunCloudSsl on this app finishes it.") { RecommendedAction = error.Hint };
                }

                WriteError(record);
            }
        }

        /// <summary>The SSL strategy's options from the common -SkipDnsCheck / -DnsServer / -AllowDuplicateCertificate parameters.</summary>
        private protected SslOptions BuildSslOptions(bool skipDnsCheck, string[]? dnsServer, bool allowDuplicate) => new SslOptions
        {
            SkipDnsCheck = skipDnsCheck || DnsReadiness.SkippedByEnvironment(),
            DnsServers = ParseDnsServers(dnsServer),
            AllowDuplicate = allowDuplicate,
        };

        /// <summary>-DnsServer values (resolver addresses or DNS-over-HTTPS URLs); a bad one stops the command with what to give instead.</summary>
        private protected DnsServerList? ParseDnsServers(string[]? servers)
        {
            if (servers == null || servers.Length == 0) return null;
            var result = new DnsServerList();
            foreach (string text in servers)
            {
                if (!result.TryAdd(text, out string problem)) ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, $"-DnsServer: {problem}.", text));
            }

            return result;
        }

        internal static ErrorRecord Invalid(string errorId, string message, object? target, ErrorCategory category = ErrorCategory.InvalidArgument) =>
            new ErrorRecord(new ArgumentException(message), errorId, category, target);

        /// <summary>Writes an API failure as a non-terminating error for one item, with its ErrorId, category and target.</summary>
        private protected void WriteApiError(RunCloudApiException ex, object? target) => WriteError(ErrorRecords.FromApi(ex, target));

        /// <summary>For a bad invocation (wrong credentials, unknown server/app): the API error stops the command.</summary>
        private protected void ThrowApiError(RunCloudApiException ex, object? target) => ThrowTerminatingError(ErrorRecords.FromApi(ex, target));
    }
}
