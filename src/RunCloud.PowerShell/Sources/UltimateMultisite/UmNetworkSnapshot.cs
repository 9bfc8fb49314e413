using System.Collections.Generic;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// Everything the desired set is computed from, as one reader saw it: the networks, their sites, the install
    /// type, UM's www policy per network and every mapping row of every UM mapping table. The three readers fill the
    /// same shape, so the same network read three ways gives the same desired set.
    /// </summary>
    internal sealed class UmNetworkSnapshot
    {
        public RunCloudMappingSource Source { get; set; }

        /// <summary>Where it was read from (a database and host, a WordPress path, a REST address); never a secret.</summary>
        public string Origin { get; set; } = string.Empty;

        /// <summary>$table_prefix (the base prefix of the network's tables); null when the reader cannot know it (REST).</summary>
        public string? TablePrefix { get; set; }

        /// <summary>SUBDOMAIN_INSTALL: every site is &lt;sub&gt;.network.tld.</summary>
        public bool SubdomainInstall { get; set; }

        /// <summary>The main network's id (its table is {prefix}wu_domain_mappings).</summary>
        public long MainNetworkId { get; set; } = 1;

        /// <summary>UM's main mapping table was found (false: UM is not installed, or never created its table).</summary>
        public bool HasMappingTable { get; set; }

        public List<UmNetwork> Networks { get; } = new List<UmNetwork>();

        public List<UmBlog> Blogs { get; } = new List<UmBlog>();

        /// <summary>Every row of every mapping table, the main table's first.</summary>
        public List<RunCloudMappedDomain> Mappings { get; } = new List<RunCloudMappedDomain>();

        /// <summary>The {prefix}wu_N_domain_mappings tables found besides the main one, in network order.</summary>
        public List<string> ExtraTables { get; } = new List<string>();

        /// <summary>What the reader noticed but could still read (e.g. an unknown stage, a table for a network that does not exist).</summary>
        public List<string> Warnings { get; } = new List<string>();
    }
}
