using System;
using RunCloud.PowerShell.Sources.UltimateMultisite;

namespace RunCloud.PowerShell.Sources
{
    /// <summary>One web app of a fleet manifest, validated: the desired state of its domains and the guards of its sync.</summary>
    internal sealed class FleetTarget
    {
        /// <summary>Position in the manifest, from 1.</summary>
        public int Index { get; set; }

        /// <summary>The name of a connection opened with Connect-RunCloud -Name; null = the default connection.</summary>
        public string? Connection { get; set; }

        public long ServerId { get; set; }
        public long WebAppId { get; set; }
        public FleetSourceKind SourceKind { get; set; }
        public string[] Domains { get; set; } = Array.Empty<string>();

        /// <summary>For Path and WordPressPath: the path as written in the manifest (relative to the manifest's folder).</summary>
        public string? SourcePath { get; set; }

        /// <summary>For WordPressPath: how the network is read ("via": database, the default, or wpCli).</summary>
        public RunCloudMappingSource Via { get; set; } = RunCloudMappingSource.Database;

        /// <summary>For WordPressPath: wp-config.php itself, as written (relative to the manifest's folder); null: found under the root.</summary>
        public string? WpConfigPath { get; set; }

        /// <summary>For WordPressPath with via wpCli: the wp command (null: wp on the PATH) and extra arguments for every call.</summary>
        public string? WpCliPath { get; set; }

        public string[] WpCliArgument { get; set; } = Array.Empty<string>();

        /// <summary>For UltimateMultisiteUri: the network's address.</summary>
        public Uri? UltimateMultisiteUri { get; set; }

        /// <summary>For UltimateMultisiteUri: the NAMES of the environment variables holding UM's API key and secret (never the values).</summary>
        public string? UltimateMultisiteKeyVariable { get; set; }

        public string? UltimateMultisiteSecretVariable { get; set; }

        /// <summary>For UltimateMultisiteUri: UM's auto_create_www_subdomain, which its REST API does not tell (null: always, UM's default).</summary>
        public UmWwwPolicy? WwwPolicy { get; set; }

        public bool Prune { get; set; }
        public string[] Exclude { get; set; } = Array.Empty<string>();
        public string[] ProtectedName { get; set; } = { "*.runcloud.link" };
        public int MaxRemove { get; set; } = 10;
        public bool Www { get; set; }
        public string Redirection { get; set; } = "none";
        public bool NoSslReset { get; set; }

        /// <summary>Safety overrides (Sync-RunCloudDomain -AllowEmptySource / -AllowInvalidEntries).</summary>
        public bool AllowEmptySource { get; set; }
        public bool AllowInvalidEntries { get; set; }

        /// <summary>Top-level domains accepted besides the public suffix list's ("allowTld"; Sync-RunCloudDomain -AllowTld), normalised.</summary>
        public string[] AllowTld { get; set; } = Array.Empty<string>();

        /// <summary>How messages name the target: its index, connection and ids.</summary>
        public string Describe() => Describe(Index, Connection, ServerId, WebAppId);

        internal static string Describe(int index, string? connection, long? serverId, long? webAppId) =>
            $"target {index} (connection {connection ?? "<default>"}, server {(serverId.HasValue ? serverId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}, web app {(webAppId.HasValue ? webAppId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")})";
    }
}
