using System.Globalization;
using System.Text.RegularExpressions;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Where a name of the desired source comes from: an Ultimate Multisite row (its id, stage, switch, site and table), a
    /// network's main domain, a site's own host, or a list. The sync's plan and result and the network status show it.
    /// </summary>
    internal sealed class NameOrigin
    {
        /// <summary>Kind: a row of a UM mapping table.</summary>
        public const string MappingKind = "Mapping";

        /// <summary>Kind: a network's main domain ({prefix}site).</summary>
        public const string NetworkKind = "NetworkMainDomain";

        /// <summary>Kind: a live site's own host ({prefix}blogs).</summary>
        public const string SiteKind = "SiteHost";

        /// <summary>Kind: a name of a list (names, a file, a manifest's domains).</summary>
        public const string ListKind = "List";

        private static readonly Regex s_extraTable = new Regex("_wu_[0-9]+_domain_mappings$", RegexOptions.CultureInvariant);

        public string Name { get; set; } = string.Empty;

        /// <summary>Mapping, NetworkMainDomain, SiteHost or List.</summary>
        public string Kind { get; set; } = ListKind;

        /// <summary>One line: "mapping 12 (stage done, site 2 shop.network.com/, wp_wu_domain_mappings)", "network 1's main domain", "list", "file names.txt".</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>The mapping row's id (Mapping only).</summary>
        public long? MappingId { get; set; }

        /// <summary>The mapping table the row is in (Mapping only).</summary>
        public string? Table { get; set; }

        public long? NetworkId { get; set; }

        public string? Site { get; set; }

        public long? BlogId { get; set; }

        public string? Stage { get; set; }

        public bool? Active { get; set; }

        /// <summary>Ultimate Multisite deliberately does not serve it: why (inactive, deleted or spam site, ...).</summary>
        public string? NotServed { get; set; }

        /// <summary>The not-served reason's short form (Inactive, SiteSpam, NetworkMainDomain, ...).</summary>
        public string? NotServedReason { get; set; }

        /// <summary>A site host a wildcard on the web app already serves: the wildcard.</summary>
        public string? CoveredBy { get; set; }

        /// <summary>The short form for a verbose line or a what-if action: "UM mapping 12, stage done, site 2 shop.network.com/".</summary>
        public string Short()
        {
            switch (Kind)
            {
                case MappingKind:
                    string site = BlogId.HasValue ? string.Format(CultureInfo.InvariantCulture, ", site {0}{1}", BlogId, Site != null ? " " + Site : string.Empty) : string.Empty;
                    // The main table goes without saying; an extra wu_N_domain_mappings table is named.
                    string table = Table != null && s_extraTable.IsMatch(Table) ? ", " + Table : string.Empty;
                    return string.Format(CultureInfo.InvariantCulture, "UM mapping {0}{1}{2}{3}{4}", MappingId, Stage != null ? ", stage " + Stage : string.Empty, Active == false ? ", inactive" : string.Empty, site, table);
                case NetworkKind:
                case SiteKind:
                    return "WordPress " + Source;
                default:
                    return Source;
            }
        }
    }
}
