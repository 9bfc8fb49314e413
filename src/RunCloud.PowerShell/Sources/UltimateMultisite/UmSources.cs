using System;
using System.IO;
using RunCloud.PowerShell.Auth;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// The narrow entry point of this layer: a reader for the options, and the pure desired-set rule.
    /// <code>
    /// IUmMappingReader reader = UmSources.CreateReader(options);
    /// UmNetworkSnapshot snapshot = await reader.ReadAsync(ct);            // throws UmReadException, never partial
    /// UmDesiredSet set = UmDesiredSetCalculator.Compute(snapshot, namesOnApp);
    /// </code>
    /// </summary>
    internal static class UmSources
    {
        /// <exception cref="UmReadException">The options cannot work (no wp-config.php, an ambiguous one, a plain-http REST address, no WP-CLI).</exception>
        public static IUmMappingReader CreateReader(UmSourceOptions options)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            switch (options.Via)
            {
                case RunCloudMappingSource.Rest:
                    if (options.UltimateMultisiteUri == null) throw new UmReadException(UmReadFailure.Configuration, "-UltimateMultisiteUri", "Reading through UM's REST API needs -UltimateMultisiteUri (the network's address) and -Credential (UM's API key and secret).");
                    return new UmRestReader(options.UltimateMultisiteUri, options.ApiKey ?? string.Empty, options.ApiSecret ?? new System.Security.SecureString(), options.WwwPolicy, options.Timeout, options.RestHandler);
                case RunCloudMappingSource.WpCli:
                    if (options.WordPressPath == null && options.WpConfigPath == null)
                    {
                        throw new UmReadException(UmReadFailure.Configuration, "-WordPressPath", "Reading through WP-CLI needs -WordPressPath (the WordPress root, WP-CLI's --path).");
                    }

                    string root = options.WordPressPath ?? Path.GetDirectoryName(Path.GetFullPath(options.WpConfigPath!))!;
                    return new UmWpCliReader(options.WpCliRunner ?? new WpCliProcessRunner(options.WpCliPath, options.Timeout), root, options.WpCliArguments);
                default:
                    return new UmDatabaseReader(DatabaseSettings(options));
            }
        }

        /// <summary>The database settings from wp-config.php (-WpConfigPath, or found under -WordPressPath).</summary>
        public static UmDatabaseSettings DatabaseSettings(UmSourceOptions options)
        {
            string path = options.WpConfigPath ?? FindWpConfig(options.WordPressPath
                ?? throw new UmReadException(UmReadFailure.Configuration, "-WordPressPath", "Reading the database needs -WordPressPath (the WordPress root) or -WpConfigPath."));
            WpConfigFile config;
            try
            {
                config = WpConfigFile.Load(path);
            }
            catch (WpConfigException ex)
            {
                throw new UmReadException(UmReadFailure.Configuration, path, ex.Message, ex);
            }

            UmDatabaseSettings settings = UmDatabaseSettings.FromWpConfig(config);
            settings.TimeoutSeconds = (int)Math.Max(1, Math.Min(options.Timeout.TotalSeconds, 3600));
            return settings;
        }

        /// <summary>
        /// wp-config.php as WordPress finds it (wp-load.php): in the root, or one folder up when that folder is not itself
        /// a WordPress root (has no wp-settings.php).
        /// </summary>
        public static string FindWpConfig(string wordPressPath)
        {
            string root = Path.GetFullPath(wordPressPath);
            if (File.Exists(root) && Path.GetFileName(root).Equals("wp-config.php", StringComparison.OrdinalIgnoreCase)) return root;
            string inRoot = Path.Combine(root, "wp-config.php");
            if (File.Exists(inRoot)) return inRoot;
            string? parent = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            if (parent != null)
            {
                string above = Path.Combine(parent, "wp-config.php");
                if (File.Exists(above) && !File.Exists(Path.Combine(parent, "wp-settings.php"))) return above;
            }

            throw new UmReadException(UmReadFailure.Configuration, root,
                Directory.Exists(root)
                    ? $"No wp-config.php in '{root}' or the folder above it (where WordPress looks). Pass the WordPress root with -WordPressPath, or the file with -WpConfigPath."
                    : $"'{root}' does not exist. Pass the WordPress root (the folder with wp-config.php) with -WordPressPath.");
        }
    }
}
