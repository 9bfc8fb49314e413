using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// A WordPress network as the desired source of every command that takes one (Sync-RunCloudDomain, New-RunCloudSyncPlan,
    /// a manifest's targets, Invoke-RunCloudScheduledSync through them, Get-RunCloudNetworkStatus): the reader's options
    /// from the parameters or a manifest target, the read itself BEFORE any request to RunCloud (all or nothing: a
    /// <see cref="UmReadException"/> names what could not be read), and the desired source the engine computes after its
    /// listing (Ultimate Multisite's mappings when its table exists, else the network's sites: <see cref="DesiredSource.FromUm"/>).
    /// </summary>
    internal static class NetworkSourceReader
    {
        /// <summary>
        /// The options a command's parameters describe; a contradiction is a bad invocation, returned as the problem (the
        /// caller stops with it before anything is read).
        /// </summary>
        public static UmSourceOptions? FromParameters(PSCmdlet cmdlet, RunCloudMappingSource? via, string? wordPressPath, string? wpConfigPath,
            Uri? uri, PSCredential? credential, UmWwwPolicy? wwwPolicy, string? wpCliPath, string[]? wpCliArgument, int timeoutSec, out string? problem)
        {
            problem = null;
            RunCloudMappingSource how = via ?? (uri != null ? RunCloudMappingSource.Rest : RunCloudMappingSource.Database);
            bool local = wordPressPath != null || wpConfigPath != null;
            if (how == RunCloudMappingSource.Rest)
            {
                if (uri == null || credential == null)
                {
                    problem = "-Via Rest reads Ultimate Multisite's REST API: pass -UltimateMultisiteUri (the network's address) and -UltimateMultisiteCredential (UM's API key as the user name, its API secret as the password).";
                    return null;
                }

                if (wordPressPath != null)
                {
                    problem = "-UltimateMultisiteUri reads the network through UM's REST API, and -WordPressPath reads it on this host: pass one of them.";
                    return null;
                }
            }
            else
            {
                if (uri != null || credential != null)
                {
                    problem = $"-Via {how} reads the network on this host (-WordPressPath); -UltimateMultisiteUri and -UltimateMultisiteCredential are for -Via Rest. Pass one way.";
                    return null;
                }

                if (!local)
                {
                    problem = "Pass -WordPressPath (the WordPress root, where wp-config.php is) or -WpConfigPath; or -UltimateMultisiteUri with -UltimateMultisiteCredential for UM's REST API.";
                    return null;
                }

                if (wwwPolicy != null)
                {
                    problem = "-WwwPolicy is for -Via Rest only (UM's REST API does not tell the network's www setting); the database and WP-CLI read it from UM's settings.";
                    return null;
                }
            }

            if (how != RunCloudMappingSource.WpCli && ((wpCliArgument?.Length ?? 0) > 0 || wpCliPath != null))
            {
                problem = "-WpCliPath and -WpCliArgument are used only with -Via WpCli; the network is read " + (how == RunCloudMappingSource.Rest ? "through UM's REST API." : "from its database (wp-config.php's DB_* settings). Add -Via WpCli to read it with WP-CLI.");
                return null;
            }

            return new UmSourceOptions
            {
                Via = how,
                WordPressPath = wordPressPath == null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(wordPressPath),
                WpConfigPath = wpConfigPath == null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(wpConfigPath),
                UltimateMultisiteUri = uri,
                ApiKey = credential?.UserName,
                ApiSecret = credential?.Password,
                WwwPolicy = wwwPolicy,
                WpCliPath = wpCliPath,
                WpCliArguments = wpCliArgument ?? Array.Empty<string>(),
                Timeout = TimeSpan.FromSeconds(timeoutSec),
            };
        }

        /// <summary>
        /// A manifest target's network ("wordPressPath" with "via", "wpConfigPath", "wpCliPath", "wpCliArgument"; or
        /// "ultimateMultisiteUri" with the names of the environment variables holding UM's key and secret). Relative paths
        /// start from the manifest's folder. A variable that is not set is a <see cref="UmReadException"/> (Configuration).
        /// </summary>
        public static UmSourceOptions FromManifest(FleetTarget t, string directory, int timeoutSec)
        {
            string? Full(string? path) => path == null ? null : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
            if (t.SourceKind == FleetSourceKind.UltimateMultisiteUri)
            {
                string key = Variable(t.UltimateMultisiteKeyVariable!, "ultimateMultisiteKeyVariable", t);
                string secret = Variable(t.UltimateMultisiteSecretVariable!, "ultimateMultisiteSecretVariable", t);
                var secure = new SecureString();
                foreach (char c in secret) secure.AppendChar(c);
                secure.MakeReadOnly();
                return new UmSourceOptions
                {
                    Via = RunCloudMappingSource.Rest,
                    UltimateMultisiteUri = t.UltimateMultisiteUri,
                    ApiKey = key,
                    ApiSecret = secure,
                    WwwPolicy = t.WwwPolicy,
                    Timeout = TimeSpan.FromSeconds(timeoutSec),
                };
            }

            return new UmSourceOptions
            {
                Via = t.Via,
                WordPressPath = Full(t.SourcePath),
                WpConfigPath = Full(t.WpConfigPath),
                WpCliPath = t.WpCliPath,
                WpCliArguments = t.WpCliArgument,
                Timeout = TimeSpan.FromSeconds(timeoutSec),
            };
        }

        private static string Variable(string name, string field, FleetTarget t)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                throw new UmReadException(UmReadFailure.Configuration, name,
                    $"{t.Describe()}: the environment variable {name} (its '{field}') is not set, so UM's REST API cannot be read. Set it for the account the run uses (a scheduled task's environment).");
            }

            return value!;
        }

        /// <summary>
        /// Reads the network now (on the calling cmdlet's pipeline thread, cancellable with Ctrl+C) and says in -Verbose
        /// what was read; the returned function computes the desired source against the app's names after the listing.
        /// </summary>
        /// <exception cref="UmReadException">Anything could not be read completely (nothing is planned from a partial read).</exception>
        public static Func<IReadOnlyList<RunCloudDomain>, DesiredSource> Read(RunCloudCmdlet cmdlet, UmSourceOptions options, string prefix = "")
        {
            UmNetworkSnapshot snapshot = Snapshot(cmdlet, options, prefix);
            return onApp => DesiredSource.FromUm(snapshot, onApp.Select(d => d.Name));
        }

        /// <summary>The snapshot, read now; see <see cref="Read"/>.</summary>
        public static UmNetworkSnapshot Snapshot(RunCloudCmdlet cmdlet, UmSourceOptions options, string prefix = "")
        {
            IUmMappingReader? reader = null;
            try
            {
                reader = UmSources.CreateReader(options);
                cmdlet.WriteVerbose($"RunCloud: {prefix}reading the WordPress network: {reader.Origin}.");
                IUmMappingReader r = reader;
                UmNetworkSnapshot snapshot = cmdlet.Run(ct => r.ReadAsync(ct));
                cmdlet.WriteVerbose($"RunCloud: {prefix}" + Describe(snapshot));
                return snapshot;
            }
            finally
            {
                (reader as IDisposable)?.Dispose();
            }
        }

        /// <summary>Which source was read, in words: UM's mappings (rows, tables) or, without UM's table, the network's sites.</summary>
        internal static string Describe(UmNetworkSnapshot s)
        {
            string via = DesiredSource.Via(s.Source);
            string counts = $"{s.Blogs.Count} site(s), {s.Networks.Count} network(s)";
            if (!s.HasMappingTable)
            {
                return $"Ultimate Multisite's table {s.TablePrefix}wu_domain_mappings does not exist in {s.Origin}: the desired names are the network's own hosts "
                    + $"(its main domain(s) and live sites: what wp site list lists), read through the {via}; {counts}.";
            }

            var tables = new List<string>();
            if (s.Source != RunCloudMappingSource.Rest) tables.Add((s.TablePrefix ?? string.Empty) + "wu_domain_mappings");
            tables.AddRange(s.ExtraTables);
            return $"the desired names are Ultimate Multisite's mappings, read through the {via} ({s.Origin}): {s.Mappings.Count} row(s)"
                + (tables.Count > 0 ? $" in {string.Join(", ", tables)}" : string.Empty) + $"; {counts}.";
        }
    }
}
