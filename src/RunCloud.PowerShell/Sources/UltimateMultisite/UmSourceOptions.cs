using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Security;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>How to read a UM network: the cmdlet (and, later, the sync's WordPress source) fills this and asks <see cref="UmSources.CreateReader"/>.</summary>
    internal sealed class UmSourceOptions
    {
        public RunCloudMappingSource Via { get; set; } = RunCloudMappingSource.Database;

        /// <summary>The WordPress root (wp-config.php is found there as WordPress finds it; WP-CLI's --path).</summary>
        public string? WordPressPath { get; set; }

        /// <summary>wp-config.php itself (wins over the one found under <see cref="WordPressPath"/>).</summary>
        public string? WpConfigPath { get; set; }

        public Uri? UltimateMultisiteUri { get; set; }
        public string? ApiKey { get; set; }
        public SecureString? ApiSecret { get; set; }

        /// <summary>For REST, which cannot read it: UM's auto_create_www_subdomain.</summary>
        public UmWwwPolicy? WwwPolicy { get; set; }

        /// <summary>Extra arguments for every WP-CLI call (e.g. --allow-root, --url=...).</summary>
        public IReadOnlyList<string> WpCliArguments { get; set; } = Array.Empty<string>();

        /// <summary>The wp command (default: wp on PATH).</summary>
        public string? WpCliPath { get; set; }

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Test seams.</summary>
        public HttpMessageHandler? RestHandler { get; set; }

        public IWpCliRunner? WpCliRunner { get; set; }
    }
}
