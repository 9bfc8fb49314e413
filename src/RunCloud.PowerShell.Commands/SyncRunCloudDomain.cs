using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Makes a web app's domains match a desired list. The cmdlet gathers the input and the one target (a piped web app,
    /// or the ids and defaults) and hands a desired-list request to the apply engine (<see cref="AppSyncEngine"/>): the
    /// app's lock, owed work from its journal, one complete listing, the pure plan and its guard verdicts (-MaxRemove,
    /// empty list, invalid entries, invalid listing items, primary/protected/excluded names), the SSL strategy's own
    /// checks before any change, then journal, adds, removals and SSL once. -Force only skips confirmation; each rule has
    /// its own explicit override. See docs/safety.md.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "RunCloudDomain", DefaultParameterSetName = "Domains", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Sync-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudSyncResult))]
    [OutputType(typeof(RunCloudFleetResult), typeof(RunCloudFleetSummary), ParameterSetName = new[] { "Manifest" })]
    public sealed class SyncRunCloudDomainCommand : RunCloudFleetCmdlet
    {
        private protected override bool WritesUsageAtEnd => true;

        /// <summary>Error id of the refusal to prune from an empty desired list.</summary>
        public const string EmptySourceErrorId = ErrorIds.SyncEmptySource;

        /// <summary>Under -WhatIf, the ErrorId of the guard that would stop the real run.</summary>
        private string? _stoppedBy;

        /// <summary>Error id of a prune held back because the desired list has invalid entries.</summary>
        public const string PruneStoppedErrorId = ErrorIds.SyncPruneStopped;

        /// <summary>The desired list from -Name, -SubdomainOf/-Site, the pipeline and -Path (not used with a WordPress network).</summary>
        private DesiredListInput? _list;

        private DesiredListInput DesiredList => _list ??= new DesiredListInput(this);

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

        /// <summary>
        /// The WordPress root of a multisite network: the desired names are Ultimate Multisite's mappings (active rows of
        /// live sites, with the network's www policy) plus the network's own hosts, read from its database (DB_* in
        /// wp-config.php; no PHP or WP-CLI needed) before any request to RunCloud; without UM's table, the network's sites.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WordPressPath { get; set; }

        /// <summary>How the network is read: Database (default with -WordPressPath), WpCli, or Rest (default with -UltimateMultisiteUri).</summary>
        [Parameter]
        public RunCloudMappingSource? Via { get; set; }

        /// <summary>wp-config.php itself, when it is not where -WordPressPath would find it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WpConfigPath { get; set; }

        /// <summary>The network's address, to read Ultimate Multisite's REST API (https, or http on a loopback address).</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? UltimateMultisiteUri { get; set; }

        /// <summary>UM's API key (user name) and API secret (password), for -UltimateMultisiteUri.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? UltimateMultisiteCredential { get; set; }

        /// <summary>With -UltimateMultisiteUri: UM's auto_create_www_subdomain, which its REST API does not tell (default Always, UM's default).</summary>
        [Parameter]
        public UmWwwPolicy? WwwPolicy { get; set; }

        /// <summary>With -Via WpCli: the wp command or wp-cli.phar (default: wp on the PATH).</summary>
        [Parameter]
        [Alias("WpCli")]
        [ValidateNotNullOrEmpty]
        public string? WpCliPath { get; set; }

        /// <summary>With -Via WpCli: extra arguments for every WP-CLI call, e.g. --allow-root.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? WpCliArgument { get; set; }

        /// <summary>Seconds reading the network may take (database, WP-CLI or REST); with -Manifest, for each target's network.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int SourceTimeoutSec { get; set; } = 60;

        private protected override int NetworkTimeoutSec => SourceTimeoutSec;

        /// <summary>The WordPress network to read (from -WordPressPath / -UltimateMultisiteUri), null for a list.</summary>
        private UmSourceOptions? _network;

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

        /// <summary>
        /// List the whole app, whatever changed. Without it a run reads only what changed since the last clean sync (nothing
        /// at all when nothing did); once the last full check is older than -ReconcileEvery it checks the app for changes
        /// made in RunCloud's dashboard: with one call (the drift check) until the last full listing is older than
        /// -FullListEvery, listing it in full whenever that one call cannot vouch for the app.
        /// </summary>
        [Parameter]
        public SwitchParameter Full { get; set; }

        /// <summary>How old the last full check (a listing or a drift check that vouched) may get before a run checks the app again (default one day).</summary>
        [Parameter]
        public TimeSpan ReconcileEvery { get; set; } = ChangeDetector.DefaultReconcileEvery;

        /// <summary>How old the last full listing may get before the full check lists the whole app instead of the one-call drift check (default seven days).</summary>
        [Parameter]
        public TimeSpan FullListEvery { get; set; } = ChangeDetector.DefaultFullListEvery;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Manifest != null)
            {
                string[] single = new[] { "Domain", "Path", "SubdomainOf", "Site", "ServerId", "WebAppId", "Prune", "Exclude", "ProtectedName", "MaxRemove", "AllowEmptySource", "AllowInvalidEntries", "AllowTld", "Www", "Redirection", "NoSslReset", "ResetSsl",
                    "WordPressPath", "Via", "WpConfigPath", "UltimateMultisiteUri", "UltimateMultisiteCredential", "WwwPolicy", "WpCliPath", "WpCliArgument" }
                    .Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
                if (single.Length > 0)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"-Manifest cannot be combined with -{string.Join(", -", single)}: a manifest sets each target's names and guards (see docs/fleet.md). Put them in the manifest, or sync one web app without -Manifest.", Manifest));
                }
            }

            if (ReconcileEvery <= TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"-ReconcileEvery {ReconcileEvery} must be longer than zero, e.g. 1.00:00:00 (a day) or 06:00:00; -Full lists the app on one run.", ReconcileEvery));
            }

            if (FullListEvery <= TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"-FullListEvery {FullListEvery} must be longer than zero, e.g. 7.00:00:00 (a week); -Full lists the app on one run.", FullListEvery));
            }

            if (Manifest != null) return;

            if (NoSslReset && ResetSsl)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-ResetSsl and -NoSslReset contradict each other; pass one of them.", null));
            }

            try
            {
                DesiredList.AllowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was changed.", AllowTld));
            }

            string[] network = new[] { "WordPressPath", "Via", "WpConfigPath", "UltimateMultisiteUri", "UltimateMultisiteCredential", "WwwPolicy", "WpCliPath", "WpCliArgument" }
                .Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
            if (network.Length > 0)
            {
                string[] list = new[] { "Name", "Path", "SubdomainOf", "Site" }.Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
                if (list.Length > 0)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"-{string.Join(", -", network)} read the desired names from a WordPress network, and -{string.Join(", -", list)} give a list: pass one source. "
                        + "(The network's mappings and hosts are the whole desired list: a prune removes what it does not map.) Nothing was changed.", null));
                }

                _network = NetworkSourceReader.FromParameters(this, Via, WordPressPath, WpConfigPath, UltimateMultisiteUri, UltimateMultisiteCredential, WwwPolicy, WpCliPath, WpCliArgument, SourceTimeoutSec, out string? networkProblem);
                if (_network == null) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, networkProblem + " Nothing was changed.", null));
                return;
            }

            if (Name != null) DesiredList.Add(Name);
            if (Site != null && Site.Length > 0 && SubdomainOf == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Site needs -SubdomainOf (the parent domain, e.g. -SubdomainOf example.com -Site shop,blog).", Site));
            }

            if (SubdomainOf != null)
            {
                if (!DomainName.TryNormalize(SubdomainOf, out string parent, out string problem))
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, "-SubdomainOf: " + problem, SubdomainOf));
                }

                string? unknownTld = DomainName.TopLevelDomainProblem(parent, DesiredList.AllowTld);
                if (unknownTld != null) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, "-SubdomainOf: " + unknownTld, SubdomainOf));

                var sites = new List<string>();
                foreach (string slug in Site ?? Array.Empty<string>())
                {
                    if (string.IsNullOrWhiteSpace(slug)) continue;
                    string s = slug.Trim().TrimEnd('.');
                    sites.Add(s.EndsWith("." + parent, StringComparison.OrdinalIgnoreCase) ? s : s + "." + parent);
                }

                DesiredList.Add(sites);
            }

            if (Path != null)
            {
                DesiredList.ReadFile(Path, " Nothing was changed.");
                WriteVerbose($"RunCloud: read {DesiredList.Names.Count} name(s) from {DesiredList.File}.");
            }
        }

        protected override void ProcessRecord()
        {
            if (Manifest != null && InputObject != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Manifest takes no pipeline input: the manifest lists each target's names.", InputObject));
            }

            if (InputObject == null) return;
            switch (InputObject.BaseObject)
            {
                case RunCloudWebApp _:
                case RunCloudServer _:
                    // A piped web app (or server) is the TARGET of the sync, never a desired name.
                    BindOnePipedApp(ref _pipedTarget, (IRunCloudObject)InputObject.BaseObject, "Sync-RunCloudDomain", "syncs one web app",
                        "Sync each with its own list (Get-RunCloudWebApp ... | ForEach-Object { Sync-RunCloudDomain -Path ... }), or list them in a manifest (-Manifest). Nothing was changed.");
                    return;
                case RunCloudSyncPlan plan:
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"A sync plan ({plan.Target}) was piped to Sync-RunCloudDomain, which syncs a desired list. Pipe plans to Invoke-RunCloudSyncPlan. Nothing was changed.", plan));
                    return;
                case RunCloudSsl ssl:
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"An SSL certificate object (web app {ssl.WebAppId}) was piped to Sync-RunCloudDomain, which takes desired names or the web app to sync. Pipe the web app (Get-RunCloudWebApp), or pass -WebAppId. Nothing was changed.", ssl));
                    return;
            }

            if (_network != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    $"The desired names come from the WordPress network ({(object?)WordPressPath ?? UltimateMultisiteUri}): pipe nothing, or the web app to sync (Get-RunCloudWebApp). '{Show(InputObject)}' was piped. Nothing was changed.", InputObject));
            }

            // Strings, domain objects (their names: copying one app's names to another), objects with a Domain/Name/url.
            if (InputObject.BaseObject is RunCloudDomain piped) _pipedDomains.Add(piped);
            string? name = DesiredDomainSource.FromObject(InputObject, out string? problem);
            if (name != null) DesiredList.Add(new[] { name });
            else if (problem != null) DesiredList.AddProblem(Show(InputObject), "Not a domain: " + problem);
        }

        /// <summary>The web app (or server) piped in: the one target of this sync, through its own connection.</summary>
        private IRunCloudObject? _pipedTarget;

        /// <summary>Domain objects piped in: their names are desired names, for a target named explicitly on their own account.</summary>
        private readonly List<RunCloudDomain> _pipedDomains = new List<RunCloudDomain>();

        /// <summary>
        /// The sync's one target: a piped web app (its connection, server and id; -ServerId/-WebAppId must agree), a piped
        /// server (its connection and id, the web app from -WebAppId or the connection's default on that server), or the
        /// parameters and the connection's defaults. Anything else stops the command before any request.
        /// </summary>
        private (RunCloudConnection Connection, long ServerId, long WebAppId) ResolveTarget()
        {
            var target = ResolveOneApp(_pipedTarget, ServerId, WebAppId, " Nothing was changed.");
            if (_pipedDomains.Count == 0) return target;

            // Piped domains are names, never the target: which app gets them must be said, and on their own account.
            if (_pipedTarget == null && !OnCommandLine(nameof(WebAppId)))
            {
                RunCloudDomain first = _pipedDomains[0];
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    $"Domain objects were piped to Sync-RunCloudDomain (the first: {first.Name} of web app {first.WebAppId}), but no web app was named to receive them. "
                    + "Their names are the desired list, not the target: pass -WebAppId (and -ServerId) of the app to sync, or pipe the web app and pass the names with -Name. Nothing was changed.", first));
            }

            RefuseForeignDomains(_pipedDomains, target.Connection, "the sync's target", "Nothing was changed. To copy names between accounts on purpose, pass them as strings (-Name ($domains.Name)).");
            return target;
        }

        protected override void EndProcessing()
        {
            if (Manifest != null)
            {
                SyncManifest(Manifest);
                return;
            }

            var clock = Stopwatch.StartNew();

            // The WordPress network is read first, before any request to RunCloud: a network that cannot be read (a wrong
            // password, a locked table, an unknown schema) stops the run before anything is asked or changed.
            Func<IReadOnlyList<RunCloudDomain>, DesiredSource>? sourceOf = null;
            if (_network != null)
            {
                try
                {
                    sourceOf = NetworkSourceReader.Read(this, _network);
                }
                catch (UmReadException ex)
                {
                    ThrowTerminatingError(ErrorRecords.FromUmRead(ex, (object?)UltimateMultisiteUri ?? WpConfigPath ?? WordPressPath));
                    return;
                }
            }

            var (connection, serverId, webAppId) = ResolveTarget();
            long requestsBefore = connection.RequestCount;
            string app = $"web app {webAppId} (server {serverId})";
            bool whatIf = IsWhatIf();

            SslOptions ssl = SslParameters.BuildOrStop(this, SkipDnsCheck, DnsServer, AllowDuplicateCertificate);

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
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was changed.", null));
                return;
            }

            List<DesiredEntry> entries = DesiredList.Entries();

            // Early guard (no request yet): an empty desired list with -Prune.
            SyncPlan early = SyncPlanner.Plan(entries, Array.Empty<RunCloudDomain>(), options);
            if (sourceOf == null && early.Verdict == SyncVerdict.EmptySource && !whatIf)
            {
                ThrowTerminatingError(ErrorRecords.Failed(EmptySourceErrorId, $"{app}: {early.VerdictMessage}", ErrorCategory.InvalidData, app, "Sync-RunCloudDomain ... -Prune -AllowEmptySource"));
            }

            var runOptions = new AppRunOptions
            {
                Command = "Sync-RunCloudDomain",
                Www = Www,
                Redirection = Redirection.ToLowerInvariant(),
                NoSslReset = NoSslReset,
                ResetSsl = ResetSsl,
                Ssl = ssl,
                WhatIf = whatIf,
                LockTimeout = TimeSpan.FromSeconds(LockTimeout),
                ChangeDetection = true,
                Full = Full,
                ReconcileEvery = ReconcileEvery,
                FullListEvery = FullListEvery,
                Clock = () => connection.Clock.UtcNow,
            };
            var target = new AppTarget(ServiceFor(connection), StateKeys.For(connection, serverId, webAppId), connection.BaseUri.AbsoluteUri, serverId, webAppId, connection.Name);
            var progress = new ProgressRecord(0x5C0D, "Sync-RunCloudDomain", $"Reading the domains of {app}");
            WriteProgress(progress);
            var host = new CmdletApplyHost(this, step => ShouldProcessOrForce(Force, step.Target, step.Action) || whatIf, progress: progress);
            try
            {
                AppRequest request = sourceOf != null ? AppRequest.ForSource(sourceOf, options, runOptions) : AppRequest.ForDesired(entries, options, runOptions);
                AppApply.Run(this, target, request, host,
                    p => Review(p, app, whatIf, progress),
                    (p, outcome) => Report(p, outcome, connection, app, whatIf, clock, requestsBefore));
            }
            catch (StateException ex)
            {
                ThrowTerminatingError(ErrorRecords.FromState(ex, app));
            }
            catch (RunCloudApiException ex)
            {
                ThrowTerminatingError(ErrorRecords.FromApi(ex, app));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        /// <summary>
        /// The plan, before any change: shown in verbose lines; a guard or an SSL step certain to be refused stops the run
        /// (under -WhatIf: a warning and StoppedBy, and the what-if lines still show what the real run would have done).
        /// </summary>
        private bool Review(PreparedApply p, string app, bool whatIf, ProgressRecord progress)
        {
            SyncPlan plan = p.Plan;
            int existing = p.Live?.Count ?? 0;
            if (plan.Source != null)
            {
                DesiredSource source = plan.Source;
                foreach (string warning in source.Warnings) WriteWarning(warning);
                if (source.Kind == DesiredSource.UltimateMultisiteKind && (OnCommandLine(nameof(Www)) || OnCommandLine(nameof(Redirection))))
                {
                    WriteWarning("-Www and -Redirection apply to names without a policy of their own: Ultimate Multisite's names follow the network's auto_create_www_subdomain (www, redirect non-www, as UM's RunCloud integration adds them).");
                }

                WriteVerbose($"RunCloud: desired names from {source.Description}: {plan.Desired.Count} to serve, {source.Covered.Count} covered by a wildcard on the app, "
                    + $"{source.NotServedRows.Count} mapping row(s) not served, {source.ProtectedCount} name(s) protected from any prune.");
                foreach (RunCloudDesiredName d in DesiredNameReport.Desired(plan, DesiredList.Description, Www, Redirection.ToLowerInvariant())) WriteVerbose("RunCloud: source: " + DesiredNameReport.Line(d));
                foreach (NameOrigin n in source.NotServedRows) WriteVerbose($"RunCloud: source: not served: {n.Name}: {n.NotServed} ({n.Short()}).");
            }

            WriteVerbose($"RunCloud: plan for {app}: {existing} on the app{(p.LiveFromRecord ? " (as the last sync recorded it)" : string.Empty)}, {plan.Desired.Count} desired; {plan.ToAdd.Count} to add, {plan.ToRemove.Count} to remove, {plan.Unchanged.Count} unchanged, {plan.Kept.Count} kept, {plan.Skipped.Count} skipped.");
            if (p.Decision != null)
            {
                WriteVerbose($"RunCloud: plan for {app}: read {p.Decision.Way} ({p.Decision.Reason}); calls: {p.PreparingCalls} to read, {p.ApplyCalls} to apply, {p.PreparingCalls + p.ApplyCalls} in all.");
            }

            foreach (string name in plan.ToAdd) WriteVerbose("RunCloud: plan: add " + name);
            foreach (RunCloudDomain d in plan.ToRemove) WriteVerbose($"RunCloud: plan: remove {d.Name} (id {d.Id})");
            foreach (RunCloudSyncSkip s in plan.Skipped) WriteVerbose($"RunCloud: plan: skip {s.Name}: {s.Reason}");
            AppRefusal? refusal = p.Refusal;
            if (refusal == null) return true;
            if (whatIf && refusal.ErrorId != ErrorIds.InvalidResponse)
            {
                WriteWarning(refusal.Message);
                _stoppedBy ??= refusal.ErrorId;
                return true;
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            ThrowTerminatingError(ErrorRecords.FromRefusal(refusal, app, p.RefusalException));
            return false;
        }

        /// <summary>The result object (only what this run observed) and the errors of what failed or was held back.</summary>
        private void Report(PreparedApply p, AppOutcome outcome, RunCloudConnection connection, string app, bool whatIf, Stopwatch clock, long requestsBefore)
        {
            SyncPlan plan = p.Plan;
            RunCloudSyncFailure[] failed = outcome.Failures.Select(f => new RunCloudSyncFailure(f.Failure.Name, f.Failure.Action, f.ErrorId, Clean(f.Message))).ToArray();
            var syncResult = new RunCloudSyncResult
            {
                ServerId = p.Target.ServerId,
                WebAppId = p.Target.WebAppId,
                Added = outcome.Added.ToArray(),
                Removed = outcome.Removed.ToArray(),
                AlreadyGone = outcome.AlreadyGone.ToArray(),
                Unchanged = plan.Unchanged.Concat(outcome.AlsoUnchanged).ToArray(),
                Kept = plan.Kept.ToArray(),
                Skipped = plan.Skipped.ToArray(),
                Failed = failed,
                SslRedeployed = outcome.SslRedeployed,
                SslNotReady = outcome.SslNotReady.ToArray(),
                SslDeferred = outcome.SslDeferred.ToArray(),
                FinishedPending = outcome.FinishedPending.ToArray(),
                PruneStopped = plan.PruneStoppedMessage != null,
                ApiCalls = (int)(connection.RequestCount - requestsBefore),
                Way = p.Decision?.Way.ToString(),
                WayReason = p.Decision?.Reason,
                NextFullCheck = p.Decision?.NextFullCheck ?? (p.Decision?.ListedAt + ReconcileEvery),
                PlannedCalls = p.PreparingCalls + p.ApplyCalls,
                Duration = Math.Round(clock.Elapsed.TotalSeconds, 3),
                WhatIf = whatIf,
                DesiredCount = plan.Desired.Count,
                Source = DesiredNameReport.SourceOf(plan, DesiredList.Description),
                DesiredNames = DesiredNameReport.Desired(plan, DesiredList.Description, Www, Redirection.ToLowerInvariant()),
                NotServed = DesiredNameReport.NotServed(plan),
                StoppedBy = _stoppedBy,
                Success = failed.Length == 0 && plan.PruneStoppedMessage == null && _stoppedBy == null,
            };
            foreach (string finished in outcome.FinishedPending) WriteWarning($"RunCloud: {app}: finished {finished}.");
            WriteObject(syncResult);

            if (plan.PruneStoppedMessage != null)
            {
                WriteError(ErrorRecords.Failed(PruneStoppedErrorId, $"{app}: {plan.PruneStoppedMessage}", ErrorCategory.InvalidData, syncResult,
                    "Fix the invalid entries, or pass -AllowInvalidEntries."));
            }

            if (failed.Length > 0)
            {
                string message = $"{failed.Length} change(s) failed on {app}: "
                    + string.Join("; ", failed.Take(3).Select(f => $"{f.Action} {f.Name}: {f.Message.TrimEnd('.')}"))
                    + (failed.Length > 3 ? $" (and {failed.Length - 3} more; see the Failed property of the result)" : string.Empty)
                    + ". The other changes were made; run the sync again to retry.";
                WriteError(ErrorRecords.Failed(ErrorIds.SyncFailed, message, ErrorCategory.NotSpecified, syncResult));
            }
        }

        /// <summary>
        /// -Manifest: every target's lock, then each target prepared (journal, listing, plan, SSL preflight), confirmed on the
        /// pipeline thread and applied as soon as its own plan is ready (no second listing: the plan is seconds old, and each
        /// target holds its lock from before the first request to the end). With -MaxCalls (a cap over the whole run) and
        /// under -WhatIf every target is prepared first, then all are confirmed in the manifest's order and applied.
        /// </summary>
        private void SyncManifest(string path)
        {
            FleetManifest manifest = LoadManifest(path, out string directory);
            List<FleetItem> items = ManifestItems(ReadInputs(manifest, directory), planOnly: false, Full, ReconcileEvery, FullListEvery);
            if (MaxCalls <= 0 && !IsWhatIf())
            {
                PrepareConfirmApply(items, ThrottleLimit, Force);
                return;
            }

            PrepareAll(items, ThrottleLimit);
            PlansFromPrepared(items);
            ApplyAll(items, verify: false, ThrottleLimit, MaxCalls, Force, callsAlreadySpent: items.Sum(i => i.PrepareCalls));
        }

        private static string Show(PSObject value)
        {
            string text = value.ToString();
            return text.Length > 80 ? text.Substring(0, 80) + "…" : text;
        }
    }
}
