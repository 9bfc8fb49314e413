using System;
using System.IO;
using System.Text;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>One MariaDB for every test class of the "MariaDB" collection, with the UM fixture networks loaded once.</summary>
    public sealed class MariaDbFixture : IDisposable
    {
        public const string Database = "um_networks";

        public MariaDbFixture()
        {
            Server = MariaDbServer.Start();
            Server.CreateNetworksDatabase(Database);
        }

        public MariaDbServer Server { get; }

        /// <summary>A WordPress root (a temp folder) whose wp-config.php points at the fixture database with <paramref name="prefix"/>.</summary>
        public string WordPressRoot(string prefix, bool subdomain = true, string? dbHost = null, string? password = null, string? extra = null)
        {
            string root = Path.Combine(Path.GetTempPath(), "rc-wp-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "wp-config.php"), WpConfig(prefix, subdomain, dbHost, password, extra), new UTF8Encoding(false));
            return root;
        }

        public string WpConfig(string prefix, bool subdomain = true, string? dbHost = null, string? password = null, string? extra = null) =>
            "<?php\n" +
            $"define( 'DB_NAME', '{Database}' );\n" +
            $"define( 'DB_USER', '{MariaDbServer.User}' );\n" +
            $"define( 'DB_PASSWORD', '{password ?? MariaDbServer.Password}' );\n" +
            $"define( 'DB_HOST', '{dbHost ?? "127.0.0.1:" + Server.Port}' );\n" +
            "define( 'DB_CHARSET', 'utf8mb4' );\n" +
            $"$table_prefix = '{prefix}';\n" +
            "define( 'WP_ALLOW_MULTISITE', true );\n" +
            "define( 'MULTISITE', true );\n" +
            $"define( 'SUBDOMAIN_INSTALL', {(subdomain ? "true" : "false")} );\n" +
            "define( 'DOMAIN_CURRENT_SITE', 'network.com' );\n" +
            (extra ?? string.Empty) +
            "if ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\n" +
            "require_once ABSPATH . 'wp-settings.php';\n";

        public void Dispose() => Server.Dispose();
    }
}
