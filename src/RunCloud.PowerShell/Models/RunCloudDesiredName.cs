namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// One name of a sync's desired source, with what the plan does with it and where it comes from: for an Ultimate
    /// Multisite network the mapping row (id, stage, switch, site, table), the network or the site; for a list, the list.
    /// A sync plan and a sync result list these (DesiredNames; the mapped names UM does not serve in NotServed).
    /// </summary>
    public sealed class RunCloudDesiredName
    {
        /// <summary>Action: not on the web app; the sync adds it.</summary>
        public const string Add = "Add";

        /// <summary>Action: on the web app already; nothing to do.</summary>
        public const string Keep = "Keep";

        /// <summary>Action: held back by a rule (-Exclude, an invalid entry); see the plan's Skipped.</summary>
        public const string Skip = "Skip";

        /// <summary>Action: a site host a wildcard on the web app serves; neither added nor removed.</summary>
        public const string Covered = "Covered";

        /// <summary>Action (not served): on the web app and pruned.</summary>
        public const string Remove = "Remove";

        /// <summary>Action (not served): not on the web app, or on it and left in place (no -Prune, a rule, another source serves it).</summary>
        public const string None = "None";

        public string Name { get; set; } = string.Empty;

        /// <summary>Add, Keep, Skip or Covered for a desired name; Remove or None for a name not served.</summary>
        public string Action { get; set; } = None;

        /// <summary>Added with www.&lt;name&gt; too (the network's auto_create_www_subdomain, or the run's -Www for a list).</summary>
        public bool Www { get; set; }

        /// <summary>none, www or non-www.</summary>
        public string Redirection { get; set; } = "none";

        /// <summary>Where the name comes from, in words: "UM mapping 12, stage done, site 2 shop.network.com/", "UM network 1's main domain", "list".</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>Mapping, NetworkMainDomain, SiteHost or List.</summary>
        public string Kind { get; set; } = "List";

        /// <summary>The Ultimate Multisite mapping row's id (Mapping only).</summary>
        public long? MappingId { get; set; }

        /// <summary>UM's stage of the row: reported, never a reason to remove.</summary>
        public string? Stage { get; set; }

        /// <summary>UM's active switch of the row.</summary>
        public bool? Active { get; set; }

        /// <summary>The WordPress site (blog id) the row or host belongs to.</summary>
        public long? BlogId { get; set; }

        /// <summary>The site's own domain and path.</summary>
        public string? Site { get; set; }

        /// <summary>The mapping table the row is in (wp_wu_domain_mappings, or an extra wp_wu_N_domain_mappings).</summary>
        public string? Table { get; set; }

        public long? NetworkId { get; set; }

        /// <summary>For a site host a wildcard serves: the wildcard on the web app.</summary>
        public string? CoveredBy { get; set; }

        /// <summary>For a mapped name UM does not serve: why (Inactive, SiteSpam, SiteDeleted, SiteMissing, NetworkMainDomain, ...).</summary>
        public string? NotServedReason { get; set; }

        /// <summary>For a mapped name UM does not serve: the reason in words.</summary>
        public string? NotServed { get; set; }

        public override string ToString() => $"{Name}: {Action} ({Source})";
    }
}
