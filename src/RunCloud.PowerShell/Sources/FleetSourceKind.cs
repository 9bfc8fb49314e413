namespace RunCloud.PowerShell.Sources
{
    /// <summary>Where a target's desired names come from.</summary>
    internal enum FleetSourceKind
    {
        Domains,
        Path,
        /// <summary>A WordPress network on this machine: Ultimate Multisite's mappings (its database, or WP-CLI), or its sites without UM.</summary>
        WordPressPath,

        /// <summary>An Ultimate Multisite network read through its REST API.</summary>
        UltimateMultisiteUri,
    }
}
