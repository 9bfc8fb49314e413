using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Plans a sync without changing anything: for one web app (Sync-RunCloudDomain's parameters) or every target of a
    /// manifest, the apply engine prepares exactly as a real run would (owed work from the journal, the live domains,
    /// the guards, the SSL strategy's read-only checks) and the plan says what applying would do, with the verdicts
    /// ("would be refused at SSL: ..."), the exact API calls and a fingerprint of the live list. -OutFile writes the
    /// reviewable plan document that Invoke-RunCloudSyncPlan applies.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "RunCloudSyncPlan", DefaultParameterSetName = WebAppSet, HelpUri = HelpUris.Base + "New-RunCloudSyncPlan.md")]
    [OutputType(typeof(RunCloudSyncPlan))]
    public sealed class NewRunCloudSyncPlanCommand : RunCloudFleetCmdlet
    {
        private const string WebAppSet = "WebApp";
        private const string ManifestSet = "Manifest";

        /// <summary>A fleet manifest (.json or .psd1): see docs/fleet.md.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ManifestSet)]
        [ValidateNotNullOrEmpty]
        public string Manifest { get; set; } = string.Empty;

        /// <summary>The desired names of the one web app.</summary>
        [Parameter(Position = 0, ParameterSetName = WebAppSet)]
        [AllowEmptyCollection]
        public string[]? Domain { get; set; }

        /// <summary>A file of desired names (text, JSON or CSV), as Sync-RunCloudDomain -Path.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The WordPress root of a multisite network: Ultimate Multisite's mappings and the network's own hosts, as Sync-RunCloudDomain -WordPressPath reads them.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateNotNullOrEmpty]
        public string? WordPressPath { get; set; }

        /// <summary>How the network is read: Database (default with -WordPressPath), WpCli, or Rest (default with -UltimateMultisiteUri).</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        public RunCloudMappingSource? Via { get; set; }

        /// <summary>wp-config.php itself, when it is not where -WordPressPath would find it.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateNotNullOrEmpty]
        public string? WpConfigPath { get; set; }

        /// <summary>The network's address, to read Ultimate Multisite's REST API.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateNotNull]
        public Uri? UltimateMultisiteUri { get; set; }

        /// <summary>UM's API key (user name) and API secret (password), for -UltimateMultisiteUri.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? UltimateMultisiteCredential { get; set; }

        /// <summary>With -UltimateMultisiteUri: UM's auto_create_www_subdomain (default Always).</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        public UmWwwPolicy? WwwPolicy { get; set; }

        /// <summary>With -Via WpCli: the wp command (default: wp on the PATH).</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [Alias("WpCli")]
        [ValidateNotNullOrEmpty]
        public string? WpCliPath { get; set; }

        /// <summary>With -Via WpCli: extra arguments for every WP-CLI call, e.g. --allow-root.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [AllowEmptyCollection]
        public string[]? WpCliArgument { get; set; }

        /// <summary>Seconds reading a WordPress network may take (with -Manifest, each target's).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int SourceTimeoutSec { get; set; } = 60;

        private protected override int NetworkTimeoutSec => SourceTimeoutSec;

        [Parameter(ParameterSetName = WebAppSet)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ParameterSetName = WebAppSet)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        [Parameter(ParameterSetName = WebAppSet)]
        public SwitchParameter Prune { get; set; }

        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateNotNull]
        public string[] Exclude { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = WebAppSet)]
        [AllowEmptyCollection]
        public string[] ProtectedName { get; set; } = { "*.runcloud.link" };

        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateRange(0, int.MaxValue)]
        public int MaxRemove { get; set; } = 10;

        [Parameter(ParameterSetName = WebAppSet)]
        public SwitchParameter Www { get; set; }

        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateSet("none", "www", "non-www", IgnoreCase = true)]
        public string Redirection { get; set; } = "none";

        [Parameter(ParameterSetName = WebAppSet)]
        public SwitchParameter NoSslReset { get; set; }

        /// <summary>Top-level domains to accept besides those of the public suffix list (a private network's lan or internal), as Sync-RunCloudDomain -AllowTld.</summary>
        [Parameter(ParameterSetName = WebAppSet)]
        [ValidateNotNullOrEmpty]
        public string[]? AllowTld { get; set; }

        /// <summary>Writes the plan document (JSON) here for review; Invoke-RunCloudSyncPlan -Path applies it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutFile { get; set; }

        /// <summary>How many targets are read at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 5;

        protected override void EndProcessing()
        {
            List<TargetInput> inputs;
            string? manifestName = null;
            if (ParameterSetName == ManifestSet)
            {
                FleetManifest manifest = LoadManifest(Manifest, out string directory);
                manifestName = Manifest;
                inputs = ReadInputs(manifest, directory);
            }
            else
            {
                inputs = new List<TargetInput> { SingleTarget() };
            }

            string? outPath = OutFile == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);

            // Planning is the real run's preparing without the change: the same guards and the same read-only SSL checks.
            List<FleetItem> items = ManifestItems(inputs, planOnly: true);
            try
            {
                PrepareAll(items, ThrottleLimit);
                PlansFromPrepared(items);
            }
            finally
            {
                foreach (FleetItem item in items) item.Prepared?.Dispose();
            }

            RunCloudSyncPlan[] plans = items.Select(i => i.Plan).ToArray();
            foreach (RunCloudSyncPlan plan in plans)
            {
                foreach (RunCloudSyncGuard g in plan.Guards.Where(g => g.Verdict == "Block" || g.Verdict == "Warn"))
                {
                    WriteWarning($"Target {plan.Index}, {plan.Target}: {g.Verdict} by {g.Name}: {g.Message}");
                }

                WriteObject(plan);
            }

            foreach (FleetItem item in items)
            {
                foreach (AppFailure problem in item.Prepared?.Problems ?? new List<AppFailure>()) WriteError(ErrorRecords.FromFailure(problem));
                if (item.Refusal != null) WriteError(ErrorRecords.Failed(ErrorIds.FleetTargetRefused, $"Target {item.Plan.Index}: {item.Refusal}", ErrorCategory.InvalidOperation, item.Plan));
            }

            if (outPath != null)
            {
                try
                {
                    File.WriteAllText(outPath, PlanDocument.Write(plans, manifestName), new UTF8Encoding(false));
                    WriteVerbose($"RunCloud: wrote the plan ({plans.Length} target(s), {plans.Sum(p => p.PlannedCalls)} API call(s) to apply) to {outPath}.");
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.InvalidInput, ErrorCategory.WriteError, outPath, $"Cannot write the plan to {outPath}: {ex.Message}"));
                }
            }
        }

        private TargetInput SingleTarget()
        {
            // A WordPress network is read first, before any request to RunCloud (planning reads nothing else of it).
            Func<IReadOnlyList<RunCloudDomain>, DesiredSource>? sourceOf = null;
            string[] network = new[] { "WordPressPath", "Via", "WpConfigPath", "UltimateMultisiteUri", "UltimateMultisiteCredential", "WwwPolicy", "WpCliPath", "WpCliArgument" }
                .Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
            if (network.Length > 0)
            {
                string[] list = new[] { "Domain", "Path" }.Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
                if (list.Length > 0)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput,
                        $"-{string.Join(", -", network)} read the desired names from a WordPress network, and -{string.Join(", -", list)} give a list: pass one source. Nothing was planned.", null));
                }

                UmSourceOptions? options = NetworkSourceReader.FromParameters(this, Via, WordPressPath, WpConfigPath, UltimateMultisiteUri, UltimateMultisiteCredential, WwwPolicy, WpCliPath, WpCliArgument, SourceTimeoutSec, out string? problem);
                if (options == null) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, problem + " Nothing was planned.", null));
                try
                {
                    sourceOf = NetworkSourceReader.Read(this, options!);
                }
                catch (UmReadException ex)
                {
                    ThrowTerminatingError(ErrorRecords.FromUmRead(ex, (object?)UltimateMultisiteUri ?? WpConfigPath ?? WordPressPath));
                }
            }

            HashSet<string> allowTld = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                allowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was planned.", AllowTld));
            }

            var connection = ResolveConnection();
            long serverId = ResolveServerId(connection, ServerId);
            var target = new FleetTarget
            {
                Index = 1,
                Connection = connection.Name,
                ServerId = serverId,
                WebAppId = ResolveWebAppId(connection, WebAppId, serverId),
                Prune = Prune,
                Exclude = Exclude,
                ProtectedName = ProtectedName,
                MaxRemove = MaxRemove,
                Www = Www,
                Redirection = Redirection.ToLowerInvariant(),
                NoSslReset = NoSslReset,
                AllowTld = allowTld.ToArray(),
            };
            var names = new List<string>(Domain ?? Array.Empty<string>());
            var problems = new List<RunCloudSyncSkip>();
            string description = "list";
            if (Path != null)
            {
                string resolved = ResolveFile(Path, "list of domains");
                var raw = new List<(string Entry, string Problem)>();
                try
                {
                    names.AddRange(DesiredDomainSource.ReadFile(resolved, File.ReadAllText(resolved), raw));
                }
                catch (InvalidDataException ex)
                {
                    ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.InvalidInput, ErrorCategory.InvalidData, Path, ex.Message + " Nothing was planned."));
                }

                problems.AddRange(raw.Select(r => new RunCloudSyncSkip(r.Entry, r.Problem)));
                description = Domain != null ? $"file {resolved} and a list" : $"file {resolved}";
            }

            names = DesiredDomainSource.WithKnownTopLevelDomains(names, problems, allowTld);
            var app = new AppTarget(ServiceFor(connection), StateKeys.For(connection, target.ServerId, target.WebAppId), connection.BaseUri.AbsoluteUri, target.ServerId, target.WebAppId, connection.Name);
            return new TargetInput(target, app, connection.KeyId, names, problems) { ListDescription = description, SourceOf = sourceOf };
        }
    }
}
