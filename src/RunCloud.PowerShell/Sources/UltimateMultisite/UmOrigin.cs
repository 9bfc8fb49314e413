using System.Collections.Generic;
using System.Globalization;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>Where a desired or refused name comes from: the mapping row (id, stage, site, table) or the network/site that owns it.</summary>
    public sealed class UmOrigin
    {
        public UmOriginKind Kind { get; set; }

        /// <summary>The row's id (Mapping only).</summary>
        public long? MappingId { get; set; }

        /// <summary>UM's stage of the row (Mapping only).</summary>
        public string? Stage { get; set; }

        public bool? Active { get; set; }

        public long? BlogId { get; set; }

        /// <summary>The site's own domain and path.</summary>
        public string? SiteHost { get; set; }

        public long NetworkId { get; set; }

        /// <summary>The mapping table (Mapping only).</summary>
        public string? Table { get; set; }

        /// <summary>One line for a plan or -WhatIf, e.g. "mapping 12 (stage done, site 5 shop.network.tld/, wp_wu_domain_mappings)".</summary>
        public string Describe()
        {
            switch (Kind)
            {
                case UmOriginKind.Mapping:
                    var parts = new List<string>(4);
                    if (Stage != null) parts.Add("stage " + Stage);
                    if (Active == false) parts.Add("inactive");
                    if (BlogId != null) parts.Add(string.Format(CultureInfo.InvariantCulture, "site {0}{1}", BlogId, SiteHost != null ? " " + SiteHost : string.Empty));
                    if (Table != null) parts.Add(Table);
                    return string.Format(CultureInfo.InvariantCulture, "mapping {0} ({1})", MappingId, string.Join(", ", parts));
                case UmOriginKind.NetworkMainDomain:
                    return string.Format(CultureInfo.InvariantCulture, "network {0}'s main domain", NetworkId);
                default:
                    return string.Format(CultureInfo.InvariantCulture, "site {0} {1} (network {2})", BlogId, SiteHost, NetworkId);
            }
        }

        public override string ToString() => Describe();
    }
}
