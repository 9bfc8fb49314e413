using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using RunCloud.PowerShell.Auth;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// How to reach a WordPress network's database, from its wp-config.php (and the files it includes): DB_NAME, DB_USER,
    /// DB_PASSWORD, DB_HOST (host, host:port, host:/socket, :/socket, [ipv6]:port, as WordPress's wpdb::parse_db_host reads
    /// it; like PHP's mysqli, a Unix socket is used only for an empty host or localhost), $table_prefix and SUBDOMAIN_INSTALL.
    /// Each must be defined once, unconditionally, with a literal value; otherwise the error names the lines.
    /// </summary>
    internal sealed class UmDatabaseSettings
    {
        /// <summary>Where mysqli looks for the server's socket when DB_HOST is localhost with no socket (Debian/Ubuntu, RHEL, macOS).</summary>
        internal static readonly string[] DefaultSockets = { "/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock", "/var/lib/mysql/mysql.sock", "/tmp/mysql.sock" };

        public string WpConfigPath { get; set; } = string.Empty;
        public string Host { get; set; } = "localhost";
        public int Port { get; set; } = 3306;

        /// <summary>A Unix socket path, or null for TCP.</summary>
        public string? Socket { get; set; }

        public string Database { get; set; } = string.Empty;
        public string User { get; set; } = string.Empty;

        /// <summary>DB_PASSWORD: only ever put into the connection, never into a message.</summary>
        internal string Password { get; set; } = string.Empty;

        public string TablePrefix { get; set; } = "wp_";
        public bool SubdomainInstall { get; set; }

        /// <summary>PRIMARY_NETWORK_ID or SITE_ID_CURRENT_SITE when defined: the main network (else the lowest id of {prefix}site).</summary>
        public long? MainNetworkId { get; set; }

        /// <summary>Seconds to wait for a table lock or a query (lock_wait_timeout and the command timeout).</summary>
        public int TimeoutSeconds { get; set; } = 30;

        /// <summary>The loaded configuration (salts for UM's encrypted credentials).</summary>
        public WpConfigFile? Config { get; set; }

        /// <summary>"database 'wp' on 127.0.0.1:3306 as 'um'", never the password.</summary>
        public string Describe() =>
            string.Format(CultureInfo.InvariantCulture, "database '{0}' on {1} as '{2}'", Database, Socket != null ? "socket " + Socket : Host + ":" + Port.ToString(CultureInfo.InvariantCulture), User);

        /// <exception cref="UmReadException">A setting is missing or ambiguous (Failure = Configuration).</exception>
        public static UmDatabaseSettings FromWpConfig(WpConfigFile config)
        {
            var problems = new List<string>();
            foreach (string name in new[] { "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST" })
            {
                problems.AddRange(config.Problems(name, mustBeKnown: true));
                if (!config.IsDefined(name) && config.Unfollowed.Count == 0) problems.Add($"{name} is not defined");
            }

            problems.AddRange(config.TablePrefixProblems());
            problems.AddRange(config.Problems("SUBDOMAIN_INSTALL", mustBeKnown: !config.IsDefined("VHOST")));
            problems.AddRange(config.Problems("VHOST", mustBeKnown: false));
            problems.AddRange(config.Problems("PRIMARY_NETWORK_ID", mustBeKnown: false));
            problems.AddRange(config.Problems("SITE_ID_CURRENT_SITE", mustBeKnown: false));
            if (problems.Count > 0)
            {
                throw new UmReadException(UmReadFailure.Configuration, config.Path,
                    $"'{config.Path}' does not give the database settings unambiguously: {string.Join("; ", problems.Distinct())}. Nothing was read: "
                    + "PHP decides such values per request, and a guess could read another network. Define each once, unconditionally, with a literal value, "
                    + "or read through WP-CLI (-Via WpCli), which asks PHP itself.");
            }

            var settings = new UmDatabaseSettings
            {
                WpConfigPath = config.Path,
                Config = config,
                Database = config.Value("DB_NAME") ?? string.Empty,
                User = config.Value("DB_USER") ?? string.Empty,
                Password = config.Value("DB_PASSWORD") ?? string.Empty,
                TablePrefix = config.TablePrefix ?? string.Empty,
                SubdomainInstall = config.IsDefined("SUBDOMAIN_INSTALL")
                    ? IsTrue(config.Value("SUBDOMAIN_INSTALL"))
                    : string.Equals(config.Value("VHOST"), "yes", StringComparison.OrdinalIgnoreCase),
            };
            if (!Regex.IsMatch(settings.TablePrefix, "^[A-Za-z0-9_]+$"))
            {
                throw new UmReadException(UmReadFailure.Configuration, config.Path,
                    $"$table_prefix in '{config.Path}' is '{settings.TablePrefix}': WordPress allows only letters, digits and underscores there. Fix wp-config.php.");
            }

            string? network = config.Value("PRIMARY_NETWORK_ID") ?? config.Value("SITE_ID_CURRENT_SITE");
            if (network != null && long.TryParse(network, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0) settings.MainNetworkId = id;
            settings.ParseHost(config.Value("DB_HOST") ?? "localhost");
            return settings;
        }

        /// <summary>PHP truthiness of a literal define value: '' , '0' and false are false.</summary>
        private static bool IsTrue(string? value) => !(string.IsNullOrEmpty(value) || value == "0" || value == "false");

        /// <summary>wpdb::parse_db_host, then mysqli's rule: the socket only for an empty host or localhost.</summary>
        internal void ParseHost(string dbHost)
        {
            string host = dbHost.Trim();
            string? socket = null;
            int socketAt = host.IndexOf(":/", StringComparison.Ordinal);
            if (socketAt >= 0)
            {
                socket = host.Substring(socketAt + 1);
                host = host.Substring(0, socketAt);
            }

            int? port = null;
            Match m = host.Count(c => c == ':') > 1
                ? Regex.Match(host, @"^(?:\[)?(?<host>[0-9a-fA-F:]+)(?:\]:(?<port>\d+))?")
                : Regex.Match(host, @"^(?<host>[^:/]*)(?::(?<port>\d+))?");
            if (m.Success)
            {
                host = m.Groups["host"].Value;
                if (m.Groups["port"].Success && int.TryParse(m.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p > 0 && p < 65536) port = p;
            }

            bool local = host.Length == 0 || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);
            Host = host.Length == 0 ? "localhost" : host;
            Port = port ?? 3306;
            Socket = null;
            if (local && socket != null) Socket = socket;
            else if (local && port == null && Path.DirectorySeparatorChar == '/')
            {
                Socket = DefaultSockets.FirstOrDefault(File.Exists);
            }
        }
    }
}
