namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>Where a name of the desired source comes from: an Ultimate Multisite row, network or site (with its site, stage and switch), or a list.</summary>
    internal sealed class NameOrigin
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>One line: "mapping 12 (stage done, site 2 shop.network.com/, wp_wu_domain_mappings)", "network 1's main domain", "list", "file names.txt".</summary>
        public string Source { get; set; } = string.Empty;

        public string? Site { get; set; }

        public long? BlogId { get; set; }

        public string? Stage { get; set; }

        public bool? Active { get; set; }

        /// <summary>Ultimate Multisite deliberately does not serve it: why (inactive, deleted or spam site, ...).</summary>
        public string? NotServed { get; set; }

        /// <summary>A site host a wildcard on the web app already serves: the wildcard.</summary>
        public string? CoveredBy { get; set; }
    }
}
