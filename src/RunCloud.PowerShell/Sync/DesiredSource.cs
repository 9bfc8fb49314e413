using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Sources.UltimateMultisite;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The desired side of a sync (and of a network status), read the way both read it: the entries the planner takes
    /// (each valid name with its own www and redirection when the source has a policy, and where it comes from), and for
    /// a WordPress network also the mapped names it deliberately does not serve, the site hosts a wildcard on the app
    /// covers, and the names a prune must never remove. <see cref="SyncPlanner.Plan(DesiredSource, IEnumerable{Models.RunCloudDomain}, SyncOptions)"/>
    /// plans from it; the sync's engine and Get-RunCloudNetworkStatus both go through that one call.
    /// </summary>
    internal sealed class DesiredSource
    {
        /// <summary>Kind: a list of names (the command line, the pipeline, a file, a manifest's domains).</summary>
        public const string ListKind = "List";

        /// <summary>Kind: an Ultimate Multisite network's mappings and its own hosts.</summary>
        public const string UltimateMultisiteKind = "UltimateMultisite";

        /// <summary>Kind: a WordPress network without Ultimate Multisite's table: its sites' hosts (what wp site list lists).</summary>
        public const string WordPressSitesKind = "WordPressSites";

        private readonly Func<string, bool> _protected;

        private DesiredSource(string kind, string description, Func<string, bool> isProtected)
        {
            Kind = kind;
            Description = description;
            _protected = isProtected;
        }

        /// <summary>List, UltimateMultisite or WordPressSites.</summary>
        public string Kind { get; }

        /// <summary>Where the names came from, for people ("Ultimate Multisite: database um@127.0.0.1:3306", "file names.txt", "list").</summary>
        public string Description { get; }

        /// <summary>What the planner takes, in source order.</summary>
        public List<DesiredEntry> Entries { get; } = new List<DesiredEntry>();

        /// <summary>Each desired, not-served or covered name (normalised) and where it comes from.</summary>
        public Dictionary<string, NameOrigin> Origins { get; } = new Dictionary<string, NameOrigin>(StringComparer.Ordinal);

        /// <summary>Mapped names Ultimate Multisite does not serve and nothing else in the source serves, in source order (one per name).</summary>
        public List<NameOrigin> NotServed { get; } = new List<NameOrigin>();

        /// <summary>
        /// Every mapping row Ultimate Multisite does not serve, with its reason, even when the name is served another way (a
        /// row holding a network's main domain, a second row of a mapped name): a plan reports each of them.
        /// </summary>
        public List<NameOrigin> NotServedRows { get; } = new List<NameOrigin>();

        /// <summary>Site hosts a wildcard on the web app serves, in source order.</summary>
        public List<NameOrigin> Covered { get; } = new List<NameOrigin>();

        /// <summary>The mapping tables read besides the main one (wu_N_domain_mappings of other networks).</summary>
        public List<string> ExtraTables { get; } = new List<string>();

        /// <summary>The networks' main domains (a WordPress network only).</summary>
        public List<string> MainDomains { get; } = new List<string>();

        /// <summary>How many names the source protects from a prune (a WordPress network only; with their www. variants).</summary>
        public int ProtectedCount { get; private set; }

        /// <summary>Every name the source protects, for a plan file (so applying it later checks them again).</summary>
        public IReadOnlyCollection<string> ProtectedNames { get; private set; } = Array.Empty<string>();

        public List<string> Warnings { get; } = new List<string>();

        /// <summary>A name a prune must never remove because the source serves it (UM: every active mapping and its www. variant).</summary>
        public bool IsProtected(string name) => _protected(name);

        /// <summary>The source protects names of its own (a WordPress network); a list protects none.</summary>
        public bool HasProtection { get; private set; }

        /// <summary>What the plan says when it keeps a name the source protects.</summary>
        public string ProtectionReason => Kind == UltimateMultisiteKind
            ? "Ultimate Multisite serves it (an active mapping or its www. variant, a network's main domain, a site host, or a wildcard serving one): never removed."
            : "The WordPress network serves it (a network's main domain, a site host or its www. variant, or a wildcard serving one): never removed.";

        /// <summary>A list (names, a file, a manifest's domains): each entry as the sync reads it.</summary>
        public static DesiredSource FromEntries(string description, IEnumerable<DesiredEntry> entries)
        {
            var source = new DesiredSource(ListKind, description, _ => false);
            foreach (DesiredEntry entry in entries)
            {
                source.Entries.Add(entry);
                if (entry.Problem == null && DomainName.TryNormalize(entry.Raw, out string name, out _) && !source.Origins.ContainsKey(name))
                {
                    source.Origins.Add(name, entry.Origin ?? new NameOrigin { Name = name, Source = description });
                }
            }

            return source;
        }

        /// <summary>
        /// A WordPress network read by one of the Ultimate Multisite readers, its desired set computed against the names on
        /// the app (whose wildcards cover site hosts), each name with UM's www and redirection. Without UM's mapping table
        /// (UM is not installed) the same rule gives the network's own hosts: its main domains and live sites, what
        /// <c>wp site list</c> lists, with no www policy of their own (the run's applies).
        /// </summary>
        public static DesiredSource FromUm(UmNetworkSnapshot snapshot, IEnumerable<string> namesOnApp)
        {
            UmDesiredSet set = UmDesiredSetCalculator.Compute(snapshot, namesOnApp);
            bool um = snapshot.HasMappingTable;
            string tables = string.Join(", ", new[] { um ? (snapshot.TablePrefix ?? string.Empty) + "wu_domain_mappings" : null }.Concat(set.ExtraTables).Where(t => t != null && t.Length > 0));
            string description = um
                ? $"Ultimate Multisite, {set.Origin}" + (snapshot.Source == RunCloudMappingSource.Rest ? string.Empty : $" (table(s) {tables})")
                : $"WordPress sites, {set.Origin} (Ultimate Multisite's table {snapshot.TablePrefix}wu_domain_mappings does not exist)";
            var source = new DesiredSource(um ? UltimateMultisiteKind : WordPressSitesKind, description, set.IsProtected)
            {
                HasProtection = true,
                ProtectedCount = set.Protected.Count,
                ProtectedNames = set.Protected.OrderBy(n => n, StringComparer.Ordinal).ToArray(),
            };
            source.Warnings.AddRange(set.Warnings);
            source.ExtraTables.AddRange(set.ExtraTables);
            source.MainDomains.AddRange(set.MainDomains);
            foreach (UmDesiredName d in set.Desired)
            {
                NameOrigin origin = Origin(d.Name, d.Origin);
                // UM's www policy is UM's: without its table the names have none, and the run's -Www / -Redirection apply.
                source.Entries.Add(new DesiredEntry(d.Name) { Www = um ? d.Www : (bool?)null, Redirection = um ? d.Redirection : null, Origin = origin });
                source.Origins[d.Name] = origin;
            }

            foreach (UmCoveredName c in set.Covered)
            {
                if (source.Origins.ContainsKey(c.Name)) continue;
                NameOrigin origin = Origin(c.Name, c.Origin);
                origin.CoveredBy = c.Wildcard;
                source.Origins[c.Name] = origin;
                source.Covered.Add(origin);
            }

            foreach (UmNotServedName n in set.NotServed)
            {
                if (!DomainName.TryNormalize(n.Name, out string name, out _)) name = n.Name;
                NameOrigin origin = Origin(name, n.Origin);
                origin.NotServed = n.Detail;
                origin.NotServedReason = n.Reason.ToString();
                source.NotServedRows.Add(origin);
                if (source.Origins.ContainsKey(name)) continue;
                source.Origins[name] = origin;
                source.NotServed.Add(origin);
            }

            return source;
        }

        /// <summary>How a reader read the network, in words.</summary>
        public static string Via(RunCloudMappingSource source) => source switch
        {
            RunCloudMappingSource.WpCli => "WP-CLI",
            RunCloudMappingSource.Rest => "UM's REST API",
            _ => "database",
        };

        private static NameOrigin Origin(string name, UmOrigin o) => new NameOrigin
        {
            Name = name,
            Kind = o.Kind switch
            {
                UmOriginKind.Mapping => NameOrigin.MappingKind,
                UmOriginKind.NetworkMainDomain => NameOrigin.NetworkKind,
                _ => NameOrigin.SiteKind,
            },
            Source = o.Describe(),
            MappingId = o.Kind == UmOriginKind.Mapping ? o.MappingId : null,
            Table = o.Kind == UmOriginKind.Mapping ? o.Table : null,
            NetworkId = o.NetworkId,
            Site = o.SiteHost,
            BlogId = o.BlogId,
            Stage = o.Kind == UmOriginKind.Mapping ? o.Stage : null,
            Active = o.Kind == UmOriginKind.Mapping ? o.Active : null,
        };
    }
}
