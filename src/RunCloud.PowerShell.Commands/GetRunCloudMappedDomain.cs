using System;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Sources.UltimateMultisite;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Reads the domains Ultimate Multisite maps on a WordPress network, straight from its database (the default),
    /// through WP-CLI, or through UM's REST API, and writes one object per mapping row; with -Desired, the names a
    /// RunCloud web app serving the network should hold (and those deliberately not served, and why).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudMappedDomain", DefaultParameterSetName = LocalSet, HelpUri = HelpUris.Base + "Get-RunCloudMappedDomain.md")]
    [OutputType(typeof(RunCloudMappedDomain))]
    [OutputType(typeof(UmDesiredSet))]
    public sealed class GetRunCloudMappedDomainCommand : RunCloudCmdlet
    {
        private const string LocalSet = "Local";
        private const string RestSet = "Rest";

        /// <summary>The WordPress root: wp-config.php is found there (or one folder up, as WordPress does); WP-CLI's --path.</summary>
        [Parameter(Position = 0, ParameterSetName = LocalSet)]
        [ValidateNotNullOrEmpty]
        public string? WordPressPath { get; set; }

        /// <summary>wp-config.php itself, when it is not where -WordPressPath would find it.</summary>
        [Parameter(ParameterSetName = LocalSet)]
        [ValidateNotNullOrEmpty]
        public string? WpConfigPath { get; set; }

        /// <summary>Database (default for -WordPressPath), WpCli, or Rest (default for -UltimateMultisiteUri).</summary>
        [Parameter]
        public RunCloudMappingSource? Via { get; set; }

        /// <summary>The network's address, for UM's REST API (https, or http on a loopback address).</summary>
        [Parameter(Mandatory = true, ParameterSetName = RestSet)]
        [ValidateNotNull]
        public Uri? UltimateMultisiteUri { get; set; }

        /// <summary>UM's API key (user name) and API secret (password).</summary>
        [Parameter(Mandatory = true, ParameterSetName = RestSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>UM's auto_create_www_subdomain, which the REST API does not tell (default Always, UM's default).</summary>
        [Parameter(ParameterSetName = RestSet)]
        public UmWwwPolicy? WwwPolicy { get; set; }

        /// <summary>Extra arguments for every WP-CLI call, e.g. --allow-root.</summary>
        [Parameter(ParameterSetName = LocalSet)]
        [AllowEmptyCollection]
        public string[] WpCliArgument { get; set; } = Array.Empty<string>();

        /// <summary>The wp command or wp-cli.phar (default: wp on PATH).</summary>
        [Parameter(ParameterSetName = LocalSet)]
        [ValidateNotNullOrEmpty]
        public string? WpCliPath { get; set; }

        /// <summary>Write the desired set (what a web app serving the network should hold) instead of the rows.</summary>
        [Parameter]
        public SwitchParameter Desired { get; set; }

        /// <summary>With -Desired: the names already on the web app; a wildcard among them (*.network.tld) covers the site hosts under it.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[] NameOnApp { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 60;

        protected override void EndProcessing()
        {
            RunCloudMappingSource via = Via ?? (ParameterSetName == RestSet ? RunCloudMappingSource.Rest : RunCloudMappingSource.Database);
            if ((via == RunCloudMappingSource.Rest) != (ParameterSetName == RestSet))
            {
                string message = via == RunCloudMappingSource.Rest
                    ? "-Via Rest reads UM's REST API: pass -UltimateMultisiteUri and -Credential (UM's API key and secret)."
                    : $"-Via {via} reads the WordPress host: pass -WordPressPath (or -WpConfigPath), not -UltimateMultisiteUri.";
                ThrowTerminatingError(ErrorRecords.Invalid(Http.ErrorIds.InvalidInput, message, via));
            }

            if (ParameterSetName == LocalSet && WordPressPath == null && WpConfigPath == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(Http.ErrorIds.InvalidInput,
                    "Pass -WordPressPath (the WordPress root) or -WpConfigPath; or -UltimateMultisiteUri with -Credential for UM's REST API.", null));
            }

            var options = new UmSourceOptions
            {
                Via = via,
                WordPressPath = WordPressPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(WordPressPath),
                WpConfigPath = WpConfigPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(WpConfigPath),
                UltimateMultisiteUri = UltimateMultisiteUri,
                ApiKey = Credential?.UserName,
                ApiSecret = Credential?.Password,
                WwwPolicy = WwwPolicy,
                WpCliArguments = WpCliArgument ?? Array.Empty<string>(),
                WpCliPath = WpCliPath,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
            };

            UmNetworkSnapshot snapshot;
            IUmMappingReader? reader = null;
            try
            {
                reader = UmSources.CreateReader(options);
                WriteVerbose($"UM: reading {reader.Origin}.");
                IUmMappingReader r = reader;
                snapshot = Run(ct => r.ReadAsync(ct));
            }
            catch (UmReadException ex)
            {
                WriteError(ErrorRecords.FromUmRead(ex, (object?)UltimateMultisiteUri ?? WpConfigPath ?? WordPressPath));
                return;
            }
            finally
            {
                (reader as IDisposable)?.Dispose();
            }

            WriteVerbose($"UM: {snapshot.Mappings.Count} mapping(s) in {(snapshot.HasMappingTable ? 1 : 0) + snapshot.ExtraTables.Count} table(s), {snapshot.Blogs.Count} site(s), {snapshot.Networks.Count} network(s), from {snapshot.Origin}.");
            if (!snapshot.HasMappingTable)
            {
                WriteWarning($"Ultimate Multisite's mapping table ({snapshot.TablePrefix}wu_domain_mappings) does not exist in {snapshot.Origin}: UM is not installed there, or has not created it yet.");
            }

            if (!Desired)
            {
                foreach (string warning in snapshot.Warnings) WriteWarning(warning);
                foreach (RunCloudMappedDomain row in snapshot.Mappings) WriteObject(row);
                return;
            }

            UmDesiredSet set = UmDesiredSetCalculator.Compute(snapshot, NameOnApp);
            foreach (string warning in set.Warnings) WriteWarning(warning);
            WriteVerbose($"UM: {set.Desired.Count} name(s) to serve, {set.NotServed.Count} mapped name(s) not served, {set.Covered.Count} covered by a wildcard, {set.Protected.Count} protected from pruning.");
            foreach (UmNotServedName name in set.NotServed) WriteVerbose($"UM: not served: {name.Name}: {name.Detail} [{name.Origin.Describe()}].");
            WriteObject(set);
        }
    }
}
