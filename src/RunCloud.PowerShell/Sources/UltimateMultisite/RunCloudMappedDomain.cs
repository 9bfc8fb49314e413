using System;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// One row of Ultimate Multisite's domain mapping table ({prefix}wu_domain_mappings, or a second network's
    /// {prefix}wu_N_domain_mappings), whichever way it was read, with the site it maps to.
    /// </summary>
    public sealed class RunCloudMappedDomain
    {
        /// <summary>The mapped host name, lower-case, as UM stores it.</summary>
        public string Domain { get; set; } = string.Empty;

        /// <summary>The WordPress site (blog_id) the name maps to.</summary>
        public long BlogId { get; set; }

        /// <summary>The site's own address (its domain and path in {prefix}blogs, e.g. shop.network.tld/ or network.tld/shop/); null when the site does not exist.</summary>
        public string? SiteHost { get; set; }

        /// <summary>The network (site_id of {prefix}blogs, id of {prefix}site) the site belongs to; for a row of wu_N_domain_mappings with no such site, N.</summary>
        public long NetworkId { get; set; }

        /// <summary>UM's on/off switch for the mapping (the admin's; UM never clears it by itself).</summary>
        public bool Active { get; set; }

        /// <summary>checking-dns, checking-ssl-cert, done, done-without-ssl, failed or ssl-failed: UM's DNS and certificate checks. Reported, never a reason to remove.</summary>
        public string Stage { get; set; } = string.Empty;

        /// <summary>The site's primary domain (UM redirects the site's other addresses to it).</summary>
        public bool Primary { get; set; }

        /// <summary>UM serves the name over https.</summary>
        public bool Secure { get; set; }

        /// <summary>The row's id in its table.</summary>
        public long MappingId { get; set; }

        /// <summary>The table the row came from (e.g. wp_wu_domain_mappings); for REST and WP-CLI, the main table's name as UM reports it, or "wu_domain_mappings".</summary>
        public string Table { get; set; } = string.Empty;

        /// <summary>As stored (the database's local time; WordPress keeps it in UTC).</summary>
        public DateTime? DateCreated { get; set; }

        public DateTime? DateModified { get; set; }

        /// <summary>How the row was read.</summary>
        public RunCloudMappingSource Source { get; set; }

        /// <summary>UM routes the name: active and stage done or done-without-ssl (UM's own routing rule; the sync does not use it to remove).</summary>
        public bool Routed => Active && (Stage == "done" || Stage == "done-without-ssl");

        public override string ToString() => Domain;
    }
}
