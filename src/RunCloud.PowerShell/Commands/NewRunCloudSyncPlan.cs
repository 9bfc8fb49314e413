using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Plans a sync without changing anything: for one web app (Sync-RunCloudDomain's parameters) or every target of a
    /// manifest, reads the live domains and writes what applying would do, with guard verdicts, the exact API calls and
    /// a fingerprint of the live list. -OutFile writes the reviewable plan document that Invoke-RunCloudSyncPlan applies.
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
            RunCloudSyncPlan[] plans = PlanAll(inputs, ThrottleLimit);
            foreach (RunCloudSyncPlan plan in plans)
            {
                foreach (RunCloudSyncGuard g in plan.Guards.Where(g => g.Verdict == "Block" || g.Verdict == "Warn"))
                {
                    WriteWarning($"Target {plan.Index}, {plan.Target}: {g.Verdict} by {g.Name}: {g.Message}");
                }

                WriteObject(plan);
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
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidInput, ErrorCategory.WriteError, outPath)
                    {
                        ErrorDetails = new ErrorDetails($"Cannot write the plan to {outPath}: {ex.Message}"),
                    });
                }
            }
        }

        private TargetInput SingleTarget()
        {
            HashSet<string> allowTld = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                allowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was planned.", AllowTld));
            }

            var connection = ResolveConnection();
            var target = new FleetTarget
            {
                Index = 1,
                Connection = connection.Name,
                ServerId = ResolveServerId(connection, ServerId),
                WebAppId = ResolveWebAppId(connection, WebAppId),
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
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidInput, ErrorCategory.InvalidData, Path) { ErrorDetails = new ErrorDetails(ex.Message + " Nothing was planned.") });
                }

                problems.AddRange(raw.Select(r => new RunCloudSyncSkip(r.Entry, r.Problem)));
            }

            names = DesiredDomainSource.WithKnownTopLevelDomains(names, problems, allowTld);
            return new TargetInput(target, ServiceFor(connection), connection.BaseUri.AbsoluteUri, connection.KeyId, names, problems);
        }
    }
}
