using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Sync.Status;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// One view of a network's health: every name the desired source knows (an Ultimate Multisite network, a file, a
    /// list, a manifest's targets) or the web app holds, with RunCloud's domain, DNS readiness, the certificate RunCloud's
    /// SSL state says covers it, with -Live what the server really serves, what the next sync would do (the sync's own
    /// planner and guards), and the problem with its fix. Read-only: GET requests, DNS queries and TLS handshakes only.
    /// -FailOn turns chosen states into errors (ErrorId RunCloudHealth&lt;Rule&gt;) for monitoring; -HtmlPath writes a
    /// self-contained report.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudNetworkStatus", DefaultParameterSetName = NamesSet, HelpUri = HelpUris.Base + "Get-RunCloudNetworkStatus.md")]
    [OutputType(typeof(RunCloudNetworkStatus))]
    [OutputType(typeof(RunCloudNetworkStatusSummary))]
    public sealed class GetRunCloudNetworkStatusCommand : RunCloudFleetCmdlet
    {
        private const string NamesSet = "Names";
        private const string WordPressSet = "WordPress";
        private const string RestSet = "Rest";
        private const string ManifestSet = "Manifest";

        /// <summary>ErrorId of an HTML report that could not be written.</summary>
        public const string ReportNotWrittenErrorId = "RunCloudStatusReportNotWritten";

        /// <summary>The desired list from -Name, the pipeline and -Path, gathered as Sync-RunCloudDomain gathers it.</summary>
        private DesiredListInput? _list;

        private DesiredListInput DesiredList => _list ??= new DesiredListInput(this);
        private readonly List<X509Certificate2> _roots = new List<X509Certificate2>();
        private readonly List<RunCloudDomain> _pipedDomains = new List<RunCloudDomain>();
        private IReadOnlyList<HealthRule> _rules = Array.Empty<HealthRule>();
        private DnsServerList? _dnsServers;
        private IRunCloudObject? _pipedTarget;
        private bool _namesGiven;

        /// <summary>The desired names. -Domain is an alias, as for Sync-RunCloudDomain.</summary>
        [Parameter(Position = 0, ParameterSetName = NamesSet)]
        [Alias("Domain")]
        [AllowEmptyCollection]
        [AllowEmptyString]
        public string[]? Name { get; set; }

        /// <summary>A text file (one name per line, # comments), a JSON array or a CSV with a Domain or Name column: what Sync-RunCloudDomain -Path reads.</summary>
        [Parameter(ParameterSetName = NamesSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>
        /// Desired names (strings, objects with a Domain or Name, domain objects), or the web app (or server) to look at:
        /// a piped web app is the target, never a name.
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>The WordPress root of an Ultimate Multisite network: its mappings are read from its database (as Get-RunCloudMappedDomain does).</summary>
        [Parameter(Mandatory = true, ParameterSetName = WordPressSet)]
        [ValidateNotNullOrEmpty]
        public string? WordPressPath { get; set; }

        /// <summary>wp-config.php itself, when it is not where -WordPressPath would find it.</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateNotNullOrEmpty]
        public string? WpConfigPath { get; set; }

        /// <summary>Database (default) or WpCli.</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        public RunCloudMappingSource? Via { get; set; }

        /// <summary>Extra arguments for every WP-CLI call, e.g. --allow-root.</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        [AllowEmptyCollection]
        public string[] WpCliArgument { get; set; } = Array.Empty<string>();

        /// <summary>The wp command or wp-cli.phar (default: wp on PATH).</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        [ValidateNotNullOrEmpty]
        public string? WpCliPath { get; set; }

        /// <summary>The network's address, for Ultimate Multisite's REST API.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RestSet)]
        [ValidateNotNull]
        public Uri? UltimateMultisiteUri { get; set; }

        /// <summary>UM's API key (user name) and API secret (password). -UltimateMultisiteCredential is an alias, as Sync-RunCloudDomain names it.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RestSet)]
        [Alias("UltimateMultisiteCredential")]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>UM's auto_create_www_subdomain, which the REST API does not tell (default Always).</summary>
        [Parameter(ParameterSetName = RestSet)]
        public UmWwwPolicy? WwwPolicy { get; set; }

        /// <summary>Seconds the Ultimate Multisite read may take (database, WP-CLI or REST).</summary>
        [Parameter(ParameterSetName = WordPressSet)]
        [Parameter(ParameterSetName = RestSet)]
        [Parameter(ParameterSetName = ManifestSet)]
        [ValidateRange(1, 3600)]
        public int SourceTimeoutSec { get; set; } = 60;

        /// <summary>A fleet manifest (see docs/fleet.md): every target's status, each with its own source and guards.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ManifestSet)]
        [ValidateNotNullOrEmpty]
        public string? Manifest { get; set; }

        // Not bound from the pipeline by property name: piped objects are names or the target (see InputObject).
        [Parameter]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>The guards of the sync whose next run NextSync shows: as Sync-RunCloudDomain takes them.</summary>
        [Parameter]
        public SwitchParameter Prune { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRemove { get; set; } = 10;

        [Parameter]
        [ValidateNotNull]
        public string[] Exclude { get; set; } = Array.Empty<string>();

        [Parameter]
        [AllowEmptyCollection]
        public string[] ProtectedName { get; set; } = { "*.runcloud.link" };

        [Parameter]
        public SwitchParameter AllowEmptySource { get; set; }

        [Parameter]
        public SwitchParameter AllowInvalidEntries { get; set; }

        /// <summary>As for the sync: top-level domains to accept besides the public suffix list's (a private network's lan or internal).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AllowTld { get; set; }

        /// <summary>Probe what the server serves for each name on the web app: TLS with the name as SNI.</summary>
        [Parameter]
        public SwitchParameter Live { get; set; }

        /// <summary>At most this many DNS lookups, TLS probes (and, in advanced SSL, certificate reads) at once.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 16;

        /// <summary>Per name: seconds for the DNS answer, and for the TLS connection and handshake.</summary>
        [Parameter]
        [ValidateRange(1, 120)]
        public int TimeoutSec { get; set; } = 10;

        /// <summary>Probe this address instead of the server's IP address (the name is still the SNI): a load balancer, a test endpoint.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Address { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 443;

        /// <summary>Trust only these roots for the live probe (certificates, or paths of PEM/DER files): a private or test CA.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public object[]? TrustedRoot { get; set; }

        /// <summary>Ask these DNS servers (address, address:port or a DNS-over-HTTPS URL) instead of the system's resolver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>The address names should point at, instead of the server's ipAddress from RunCloud.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IpAddress { get; set; }

        /// <summary>Do not query DNS (Dns is NotChecked); also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>A certificate ending within this many days makes a name Expiring (and is what a bare -FailOn Expiring means).</summary>
        [Parameter]
        [ValidateRange(0, 365)]
        public int ExpiringDays { get; set; } = 14;

        /// <summary>
        /// Rules that make the command write an error (ErrorId RunCloudHealth&lt;Rule&gt;) when a name breaks them:
        /// NotOnRunCloud, DnsNotReady, Uncovered, NotServed (needs -Live), Expired, Expiring or Expiring:&lt;days&gt;, NotMapped, SyncBlocked.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? FailOn { get; set; }

        /// <summary>Write one summary object (counts, rules, every name's status) instead of one object per name.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        /// <summary>Also write the status as one self-contained HTML page to this path.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? HtmlPath { get; set; }

        protected override void BeginProcessing()
        {
            if (Manifest != null)
            {
                string[] single = new[] { "ServerId", "WebAppId", "Prune", "MaxRemove", "Exclude", "ProtectedName", "AllowEmptySource", "AllowInvalidEntries", "AllowTld" }
                    .Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
                if (single.Length > 0)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"-Manifest cannot be combined with -{string.Join(", -", single)}: a manifest sets each target's web app and guards (see docs/fleet.md). Put them in the manifest, or look at one web app without -Manifest.", Manifest));
                }
            }

            try
            {
                _rules = HealthRule.ParseAll(FailOn, ExpiringDays);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message, FailOn));
            }

            if (!Live && _rules.Any(r => r.Kind == HealthRule.NotServed))
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    "-FailOn NotServed judges what the server serves, which only -Live probes: add -Live, or drop NotServed (Uncovered judges RunCloud's SSL state without a probe).", FailOn));
            }

            ProbeParameters.RequireIpAddressOrStop(this, "Address", Address, "Give the address to probe (the server's IP address is the default).");
            ProbeParameters.RequireIpAddressOrStop(this, "IpAddress", IpAddress);
            _roots.AddRange(ProbeParameters.TrustedRootsOrStop(this, TrustedRoot));

            try
            {
                DesiredList.AllowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message, AllowTld));
            }

            _dnsServers = ProbeParameters.DnsServersOrStop(this, DnsServer);
            if (HtmlPath != null) HtmlPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(HtmlPath);
            if (Name != null)
            {
                DesiredList.Add(Name);
                _namesGiven = true;
            }

            if (Path != null) DesiredList.ReadFile(Path, string.Empty);
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            switch (InputObject.BaseObject)
            {
                case RunCloudWebApp _:
                case RunCloudServer _:
                    if (Manifest != null)
                    {
                        ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Manifest takes no pipeline input: the manifest names each target.", InputObject));
                    }

                    BindOnePipedApp(ref _pipedTarget, (IRunCloudObject)InputObject.BaseObject, "Get-RunCloudNetworkStatus", "looks at one web app against one source",
                        "Look at each with its own source (Get-RunCloudWebApp ... | ForEach-Object { Get-RunCloudNetworkStatus -Path ... }), or list them in a manifest (-Manifest).");
                    return;
                case RunCloudSsl _:
                case RunCloudSyncPlan _:
                case RunCloudNetworkStatus _:
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"A {InputObject.BaseObject.GetType().Name} was piped to Get-RunCloudNetworkStatus, which takes desired names or the web app to look at. Pipe the web app (Get-RunCloudWebApp), or pass -WebAppId.", InputObject));
                    return;
            }

            if (ParameterSetName != NamesSet)
            {
                string from = ParameterSetName == ManifestSet ? "the manifest" : ParameterSetName == RestSet ? "-UltimateMultisiteUri" : "-WordPressPath";
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                    $"The desired names come from {from}: pipe nothing, or the web app to look at (Get-RunCloudWebApp). '{Shorten(InputObject)}' was piped.", InputObject));
            }

            _namesGiven = true;
            if (InputObject.BaseObject is RunCloudDomain piped) _pipedDomains.Add(piped);
            string? name = DesiredDomainSource.FromObject(InputObject, out string? problem);
            if (name != null) DesiredList.Add(new[] { name });
            else if (problem != null) DesiredList.AddProblem(Shorten(InputObject), "Not a domain: " + problem);
        }

        protected override void EndProcessing()
        {
            var clock = Stopwatch.StartNew();
            var results = new List<TargetResult>();
            if (Manifest != null)
            {
                FleetManifest manifest = LoadManifest(Manifest, out string directory);
                foreach (FleetTarget t in manifest.Targets)
                {
                    RunCloudConnection? connection = ConnectionFor(t.Connection, out string? problem);
                    if (connection == null)
                    {
                        ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.NotConnected, $"Manifest {manifest.Source}: {t.Describe()} {problem}", t.Connection, ErrorCategory.ConnectionError));
                    }

                    RedactSecretsOf(connection!);
                    SyncOptions options = Guards(t.Prune, t.MaxRemove, t.Exclude, t.ProtectedName, t.AllowEmptySource, t.AllowInvalidEntries, "manifest " + t.Describe());
                    var target = new TargetToCheck(connection!, t.ServerId, t.WebAppId, options, t.Index);
                    TargetResult? result = CheckTarget(target, () => ReadManifestSource(manifest, t, directory));
                    if (result != null) results.Add(result);
                }
            }
            else
            {
                if (ParameterSetName == NamesSet && !_namesGiven && Path == null)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        "Get-RunCloudNetworkStatus needs the desired names, as the sync takes them: -WordPressPath (an Ultimate Multisite network), -UltimateMultisiteUri, -Path (a file), -Name or a piped list, or -Manifest. "
                        + "To see a web app's names against an empty source, pass -Name @().", null));
                }

                var (connection, serverId, webAppId) = ResolveTarget();
                SyncOptions options = Guards(Prune, MaxRemove, Exclude, ProtectedName, AllowEmptySource, AllowInvalidEntries, null);
                var target = new TargetToCheck(connection, serverId, webAppId, options, null);
                TargetResult? result = CheckTarget(target, ReadOwnSource);
                if (result != null) results.Add(result);
            }

            Report(results, clock);
        }

        // ---------- the target ----------

        /// <summary>A piped web app (or server) through its own connection, else the parameters and the connection's defaults.</summary>
        private (RunCloudConnection Connection, long ServerId, long WebAppId) ResolveTarget()
        {
            var target = ResolveOneApp(_pipedTarget, ServerId, WebAppId, string.Empty);
            RedactSecretsOf(target.Connection);
            RefuseForeignDomains(_pipedDomains, target.Connection, "the web app looked at", "To compare names across accounts on purpose, pass them as strings (-Name ($domains.Name)).");
            return target;
        }

        private SyncOptions Guards(bool prune, int maxRemove, string[] exclude, string[] protectedName, bool allowEmpty, bool allowInvalid, string? where)
        {
            try
            {
                return new SyncOptions
                {
                    Prune = prune,
                    MaxRemove = maxRemove,
                    AllowEmptySource = allowEmpty,
                    AllowInvalidEntries = allowInvalid,
                    Exclude = NamePattern.ParseAll(exclude, "-Exclude"),
                    ProtectedName = NamePattern.ParseAll(protectedName, "-ProtectedName"),
                };
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, (where != null ? where + ": " : string.Empty) + ex.Message, null));
                throw;
            }
        }

        // ---------- the sources ----------

        /// <summary>This invocation's own source: the names (list, file, pipeline) or an Ultimate Multisite network.</summary>
        private Func<IReadOnlyList<RunCloudDomain>, DesiredSource> ReadOwnSource()
        {
            if (ParameterSetName == NamesSet)
            {
                string description = DesiredList.Description;
                List<DesiredEntry> entries = DesiredList.Entries();
                return _ => DesiredSource.FromEntries(description, entries);
            }

            if (Via == RunCloudMappingSource.Rest && ParameterSetName != RestSet)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Via Rest reads UM's REST API: pass -UltimateMultisiteUri and -Credential instead of -WordPressPath.", Via));
            }

            // The same reader options as Sync-RunCloudDomain -WordPressPath / -UltimateMultisiteUri (NetworkSourceReader).
            UmSourceOptions? options = NetworkSourceReader.FromParameters(this, ParameterSetName == RestSet ? RunCloudMappingSource.Rest : Via, WordPressPath, WpConfigPath,
                UltimateMultisiteUri, Credential, WwwPolicy, WpCliPath, WpCliArgument, SourceTimeoutSec, out string? problem);
            if (options == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, problem!, Via));
                throw new InvalidOperationException(problem);
            }

            UmNetworkSnapshot snapshot = ReadUm(options, (object?)UltimateMultisiteUri ?? WpConfigPath ?? WordPressPath);
            return onApp => DesiredSource.FromUm(snapshot, onApp.Select(d => d.Name));
        }

        /// <summary>A manifest target's source: its domains, its file, or its WordPress network (read as -WordPressPath reads one).</summary>
        private Func<IReadOnlyList<RunCloudDomain>, DesiredSource> ReadManifestSource(FleetManifest manifest, FleetTarget t, string directory)
        {
            switch (t.SourceKind)
            {
                case FleetSourceKind.Path:
                {
                    string full = System.IO.Path.IsPathRooted(t.SourcePath!) ? t.SourcePath! : System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, t.SourcePath!));
                    try
                    {
                        var problems = new List<(string Entry, string Problem)>();
                        List<string> names = DesiredDomainSource.ReadFile(full, File.ReadAllText(full), problems);
                        var skips = new List<RunCloudSyncSkip>();
                        names = DesiredDomainSource.WithKnownTopLevelDomains(names, skips, t.AllowTld);
                        var entries = problems.Select(p => new DesiredEntry(p.Entry, p.Problem)).Concat(skips.Select(p => new DesiredEntry(p.Name, p.Reason)))
                            .Concat(names.Select(n => new DesiredEntry(n))).ToList();
                        return _ => DesiredSource.FromEntries("file " + full, entries);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
                    {
                        throw new ManifestException($"Manifest {manifest.Source}: {t.Describe()}: field 'path': cannot read {full}: {ex.Message}");
                    }
                }

                case FleetSourceKind.WordPressPath:
                case FleetSourceKind.UltimateMultisiteUri:
                {
                    // As the sync reads a manifest's network (NetworkSourceReader.FromManifest): the same options, the same rule.
                    UmSourceOptions options;
                    try
                    {
                        options = NetworkSourceReader.FromManifest(t, directory, SourceTimeoutSec);
                    }
                    catch (UmReadException ex)
                    {
                        throw new SourceUnreadableException(ErrorRecords.FromUmRead(ex, t.Describe()));
                    }

                    UmNetworkSnapshot snapshot = ReadUm(options, (object?)t.UltimateMultisiteUri ?? t.SourcePath);
                    return onApp => DesiredSource.FromUm(snapshot, onApp.Select(d => d.Name));
                }

                default:
                    var invalid = new List<RunCloudSyncSkip>();
                    List<string> kept = DesiredDomainSource.WithKnownTopLevelDomains(t.Domains, invalid, t.AllowTld);
                    var list = invalid.Select(p => new DesiredEntry(p.Name, p.Reason)).Concat(kept.Select(d => new DesiredEntry(d))).ToList();
                    return _ => DesiredSource.FromEntries("manifest domains", list);
            }
        }

        private UmNetworkSnapshot ReadUm(UmSourceOptions options, object? target)
        {
            try
            {
                UmNetworkSnapshot snapshot = NetworkSourceReader.Snapshot(this, options);
                if (!snapshot.HasMappingTable)
                {
                    WriteWarning($"Ultimate Multisite's mapping table ({snapshot.TablePrefix}wu_domain_mappings) does not exist in {snapshot.Origin}: the desired names are the network's own hosts only.");
                }

                return snapshot;
            }
            catch (UmReadException ex)
            {
                throw new SourceUnreadableException(ErrorRecords.FromUmRead(ex, target));
            }
        }

        // ---------- one target ----------

        private TargetResult? CheckTarget(TargetToCheck target, Func<Func<IReadOnlyList<RunCloudDomain>, DesiredSource>> readSource)
        {
            string app = $"web app {target.WebAppId} (server {target.ServerId})" + (target.Index.HasValue ? $", manifest target {target.Index}" : string.Empty);
            RunCloudService service = ServiceFor(target.Connection);
            long before = target.Connection.RequestCount;

            // The source first, before any request: a source that cannot be read stops this target (never a guess).
            Func<IReadOnlyList<RunCloudDomain>, DesiredSource> source;
            try
            {
                source = readSource();
            }
            catch (SourceUnreadableException ex)
            {
                if (!target.Index.HasValue) ThrowTerminatingError(ex.Record);
                WriteError(ex.Record);
                return null;
            }
            catch (ManifestException ex)
            {
                WriteError(ErrorRecords.Invalid(ErrorIds.InvalidManifest, ex.Message, target.Index, ErrorCategory.ReadError));
                return null;
            }

            var progress = new StatusProgress();
            var record = new ProgressRecord(0x5C0E, "Get-RunCloudNetworkStatus", $"Reading the domains of {app}");
            var reader = new NetworkStatusReader(service, target.ServerId, target.WebAppId, new StatusCheckOptions
            {
                Live = Live,
                ThrottleLimit = ThrottleLimit,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                Address = Address,
                Port = Port,
                TrustedRoots = _roots.Count > 0 ? _roots : null,
                DnsServers = _dnsServers,
                IpAddress = IpAddress,
                SkipDnsReason = SkipDnsCheck ? "Not checked: -SkipDnsCheck." : DnsReadiness.SkippedByEnvironment() ? $"Not checked: {DnsReadiness.SkipVariable}=1 is set." : null,
                ExpiringDays = ExpiringDays,
            }, progress);

            try
            {
                WriteProgress(record);
                List<RunCloudDomain> current = Run(ct => reader.ListAsync(ct));
                DesiredSource desired = source(current);
                foreach (string warning in desired.Warnings) WriteWarning(warning);
                NetworkStatusDraft draft = NetworkStatusBuilder.Join(desired, current, target.Options);
                if (draft.InvalidListing != null)
                {
                    Complete(record);
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidResponse, $"{app}: {draft.InvalidListing}", app, ErrorCategory.InvalidResult));
                    return null;
                }

                WriteVerbose($"RunCloud: {app}: {current.Count} domain(s) on the app, {draft.Plan.Desired.Count} desired from {desired.Description}; the next sync would add {draft.Plan.ToAdd.Count} and remove {draft.Plan.ToRemove.Count}.");
                foreach (string invalid in draft.InvalidEntries) WriteWarning($"{app}: not a domain name, left out: {invalid}");
                if (draft.Blocked != null) WriteWarning($"{app}: the next sync would stop before any change: {draft.Blocked}");

                TargetSslState ssl = RunWithProgress(ct => reader.ReadSslAsync(current, ct), progress, record);
                StatusChecks checks = RunWithProgress(ct => reader.CheckAsync(draft, ssl, ct), progress, record);
                Complete(record);
                List<RunCloudNetworkStatus> statuses = NetworkStatusBuilder.Complete(draft, checks, target.ServerId, target.WebAppId, target.Index);
                return new TargetResult(app, desired.Description, statuses, draft, (int)(target.Connection.RequestCount - before), checks.Live?.Count ?? 0);
            }
            catch (RunCloudApiException ex)
            {
                Complete(record);
                if (!target.Index.HasValue) ThrowApiError(ex, app);
                WriteError(ErrorRecords.FromApi(ex, app));
                return null;
            }
        }

        /// <summary>
        /// Runs the checks of one phase on the thread pool and keeps the pipeline thread busy with what only it may do:
        /// the progress bar (done / total of the phase) and the verbose and debug lines the HTTP handlers log. Ctrl+C
        /// stops at once.
        /// </summary>
        private T RunWithProgress<T>(Func<CancellationToken, Task<T>> work, StatusProgress progress, ProgressRecord record)
        {
            bool verbose = PreferenceOn("Verbose", "VerbosePreference");
            bool debug = PreferenceOn("Debug", "DebugPreference");
            using var log = new PipelineLog(verbose, debug);
            CancellationToken token = CancelToken;
            Task<T> task;
            IRunCloudLog? previous = RunCloudLog.Current;
            SynchronizationContext? previousContext = SynchronizationContext.Current;
            try
            {
                SynchronizationContext.SetSynchronizationContext(null);
                RunCloudLog.Current = verbose || debug ? log : null; // flows with the work's execution context to the handlers
                task = Task.Run(() => work(token), token);
            }
            finally
            {
                RunCloudLog.Current = previous;
                SynchronizationContext.SetSynchronizationContext(previousContext);
            }

            string shown = string.Empty;
            while (true)
            {
                bool done = task.IsCompleted;
                foreach (PipelineMessage message in log.Drain())
                {
                    if (message.Kind == PipelineMessageKind.Verbose) WriteVerbose(message.Text);
                    else if (message.Kind == PipelineMessageKind.Debug) WriteDebug(message.Text);
                }

                if (done) break;
                if (token.IsCancellationRequested) throw new PipelineStoppedException();
                string phase = progress.Phase;
                int total = progress.Total, count = progress.Done;
                string status = total > 0 ? $"{phase} ({count} of {total})" : phase;
                if (status != shown && phase.Length > 0)
                {
                    shown = status;
                    record.StatusDescription = status;
                    record.PercentComplete = total == 0 ? 0 : Math.Min(100, count * 100 / total);
                    WriteProgress(record);
                }

                try
                {
                    task.Wait(200, token);
                }
                catch (OperationCanceledException)
                {
                    throw new PipelineStoppedException();
                }
                catch (AggregateException)
                {
                    // the work failed: GetResult below rethrows its own exception
                }
            }

            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (InvalidResponseDataException ex)
            {
                throw RunCloudApiException.InvalidData(ex, null, null);
            }
        }

        private bool PreferenceOn(string switchName, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(switchName, out object? value)) return value is SwitchParameter sp ? sp.IsPresent : value is bool b && b;
            object? pref = SessionState?.PSVariable.GetValue(preferenceVariable);
            return pref is ActionPreference ap ? ap != ActionPreference.SilentlyContinue && ap != ActionPreference.Ignore : false;
        }

        private void Complete(ProgressRecord record)
        {
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }

        // ---------- the report ----------

        private void Report(List<TargetResult> results, Stopwatch clock)
        {
            List<RunCloudNetworkStatus> all = results.SelectMany(r => r.Statuses).ToList();
            RunCloudNetworkStatusSummary summary = NetworkStatusBuilder.Summarize(all, _rules,
                results.Where(r => r.Draft.Blocked != null).Select(r => $"{r.App}: {r.Draft.Blocked}").ToList(),
                results.Select(r => r.App).ToList());
            summary.Sources = results.Select(r => r.Source).Distinct(StringComparer.Ordinal).ToArray();
            summary.InvalidEntries = results.SelectMany(r => r.Draft.InvalidEntries).ToArray();
            summary.Live = Live;
            summary.Probed = results.Sum(r => r.Probed);
            summary.ThrottleLimit = ThrottleLimit;
            summary.ApiCalls = results.Sum(r => r.ApiCalls);
            summary.CheckedAt = DateTime.UtcNow;
            summary.Duration = Math.Round(clock.Elapsed.TotalSeconds, 3);

            if (HtmlPath != null && WriteHtml(summary, HtmlPath)) summary.HtmlPath = HtmlPath;

            if (Summary) WriteObject(summary);
            else foreach (RunCloudNetworkStatus s in summary.Names) WriteObject(s);

            foreach (RunCloudHealthRuleResult failed in summary.FailedRules)
            {
                WriteError(ErrorRecords.HealthRuleFailed(failed.ErrorId, failed.Message, _rules.First(r => r.Text == failed.Rule).Fix(), summary));
            }
        }

        /// <summary>The report, written whole or not at all (a temp file beside it, then moved over it).</summary>
        private bool WriteHtml(RunCloudNetworkStatusSummary summary, string path)
        {
            string temp = path + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            try
            {
                string? folder = System.IO.Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder)) throw new DirectoryNotFoundException($"the folder {folder} does not exist");
                File.WriteAllText(temp, NetworkStatusHtml.Render(summary, DateTime.UtcNow), new UTF8Encoding(false));
                if (File.Exists(path)) File.Delete(path);
                File.Move(temp, path);
                WriteVerbose($"RunCloud: wrote the HTML report {path}.");
                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                WriteError(ErrorRecords.Invalid(ReportNotWrittenErrorId, $"The HTML report could not be written to {path}: {ex.Message} The status itself is complete.", path, ErrorCategory.WriteError));
                return false;
            }
        }

        private static string Shorten(PSObject value)
        {
            string text = value.ToString();
            return text.Length > 80 ? text.Substring(0, 80) + "…" : text;
        }

        private sealed class TargetToCheck
        {
            public TargetToCheck(RunCloudConnection connection, long serverId, long webAppId, SyncOptions options, int? index)
            {
                Connection = connection;
                ServerId = serverId;
                WebAppId = webAppId;
                Options = options;
                Index = index;
            }

            public RunCloudConnection Connection { get; }
            public long ServerId { get; }
            public long WebAppId { get; }
            public SyncOptions Options { get; }
            public int? Index { get; }
        }

        private sealed class TargetResult
        {
            public TargetResult(string app, string source, List<RunCloudNetworkStatus> statuses, NetworkStatusDraft draft, int apiCalls, int probed)
            {
                App = app;
                Source = source;
                Statuses = statuses;
                Draft = draft;
                ApiCalls = apiCalls;
                Probed = probed;
            }

            public string App { get; }
            public string Source { get; }
            public List<RunCloudNetworkStatus> Statuses { get; }
            public NetworkStatusDraft Draft { get; }
            public int ApiCalls { get; }
            public int Probed { get; }
        }

        /// <summary>A source that could not be read, carrying the error record to write.</summary>
        private sealed class SourceUnreadableException : Exception
        {
            public SourceUnreadableException(ErrorRecord record) : base(record.Exception.Message) => Record = record;

            public ErrorRecord Record { get; }
        }
    }
}
