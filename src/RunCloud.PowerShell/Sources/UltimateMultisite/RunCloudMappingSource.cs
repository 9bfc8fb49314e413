namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>How Ultimate Multisite's mappings were read.</summary>
    public enum RunCloudMappingSource
    {
        /// <summary>Straight from the network's MySQL/MariaDB database (DB_* and $table_prefix from wp-config.php).</summary>
        Database,

        /// <summary>Through WP-CLI on the WordPress host (wp wu domain list, wp site list, wp eval).</summary>
        WpCli,

        /// <summary>Through UM's REST API (GET /wp-json/wu/v2/domain) with its API key and secret.</summary>
        Rest,
    }
}
