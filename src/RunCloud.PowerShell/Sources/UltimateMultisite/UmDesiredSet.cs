using System;
using System.Collections.Generic;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// What a web app serving a UM network should hold, computed from one <see cref="UmNetworkSnapshot"/> by
    /// <see cref="UmDesiredSetCalculator"/>: the names to serve (with www and redirection, and where each comes from),
    /// the mapped names deliberately not served (with the reason), the site hosts a wildcard on the app already covers,
    /// and the protected names a prune must never remove.
    /// </summary>
    public sealed class UmDesiredSet
    {
        private readonly HashSet<string> _protected = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public RunCloudMappingSource Source { get; set; }

        /// <summary>Where the snapshot was read (never a secret).</summary>
        public string Origin { get; set; } = string.Empty;

        /// <summary>One entry per name, in a stable order: network main domains, then mapping rows, then site hosts.</summary>
        public List<UmDesiredName> Desired { get; } = new List<UmDesiredName>();

        public List<UmNotServedName> NotServed { get; } = new List<UmNotServedName>();

        public List<UmCoveredName> Covered { get; } = new List<UmCoveredName>();

        /// <summary>The networks' main domains.</summary>
        public List<string> MainDomains { get; } = new List<string>();

        /// <summary>The extra wu_N_domain_mappings tables read (UM's routing reads only the main table).</summary>
        public List<string> ExtraTables { get; } = new List<string>();

        public List<string> Warnings { get; } = new List<string>();

        /// <summary>
        /// Every name UM maps as active on a live site (and its www. variant: UM matches a host with and without www.),
        /// every network main domain and live site host: a prune must never remove one of them, whatever else it decides.
        /// </summary>
        public IReadOnlyCollection<string> Protected => _protected;

        public bool IsProtected(string name) => _protected.Contains(Trim(name));

        internal void Protect(string name) => _protected.Add(Trim(name));

        private static string Trim(string name) => (name ?? string.Empty).Trim().TrimEnd('.').ToLowerInvariant();
    }
}
