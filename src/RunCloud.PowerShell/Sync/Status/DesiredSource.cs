using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources.UltimateMultisite;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// The desired side of a status, read the way the sync reads it: the entries the planner takes (names and the
    /// entries already refused while reading), where each name comes from, and for an Ultimate Multisite network also the
    /// mapped names it deliberately does not serve, the site hosts a wildcard on the app covers, and the names a prune
    /// must never remove.
    /// </summary>
    internal sealed class DesiredSource
    {
        private readonly Func<string, bool> _protected;

        private DesiredSource(string description, Func<string, bool> isProtected)
        {
            Description = description;
            _protected = isProtected;
        }

        /// <summary>Where the names came from, for people ("Ultimate Multisite: database um@127.0.0.1:3306", "file names.txt", "list").</summary>
        public string Description { get; }

        /// <summary>What the planner takes, in source order.</summary>
        public List<DesiredEntry> Entries { get; } = new List<DesiredEntry>();

        /// <summary>Each desired, not-served or covered name (normalised) and where it comes from.</summary>
        public Dictionary<string, NameOrigin> Origins { get; } = new Dictionary<string, NameOrigin>(StringComparer.Ordinal);

        /// <summary>Mapped names Ultimate Multisite does not serve, in source order.</summary>
        public List<NameOrigin> NotServed { get; } = new List<NameOrigin>();

        /// <summary>Site hosts a wildcard on the web app serves, in source order.</summary>
        public List<NameOrigin> Covered { get; } = new List<NameOrigin>();

        public List<string> Warnings { get; } = new List<string>();

        /// <summary>A name a prune must never remove because the source serves it (UM: every active mapping and its www. variant).</summary>
        public bool IsProtected(string name) => _protected(name);

        /// <summary>The source protects names of its own (an Ultimate Multisite network); a list protects none.</summary>
        public bool HasProtection { get; private set; }

        /// <summary>A list (names, a file, a manifest's domains): each entry as the sync reads it.</summary>
        public static DesiredSource FromEntries(string description, IEnumerable<DesiredEntry> entries)
        {
            var source = new DesiredSource(description, _ => false);
            foreach (DesiredEntry entry in entries)
            {
                source.Entries.Add(entry);
                if (entry.Problem == null && DomainName.TryNormalize(entry.Raw, out string name, out _) && !source.Origins.ContainsKey(name))
                {
                    source.Origins.Add(name, new NameOrigin { Name = name, Source = description });
                }
            }

            return source;
        }

        /// <summary>An Ultimate Multisite network, its desired set computed against the names on the app (whose wildcards cover site hosts).</summary>
        public static DesiredSource FromUm(UmNetworkSnapshot snapshot, IEnumerable<string> namesOnApp)
        {
            UmDesiredSet set = UmDesiredSetCalculator.Compute(snapshot, namesOnApp);
            var source = new DesiredSource("Ultimate Multisite: " + set.Origin, set.IsProtected) { HasProtection = true };
            source.Warnings.AddRange(set.Warnings);
            foreach (UmDesiredName d in set.Desired)
            {
                source.Entries.Add(new DesiredEntry(d.Name));
                source.Origins[d.Name] = Origin(d.Name, d.Origin);
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
                if (source.Origins.ContainsKey(name)) continue;
                NameOrigin origin = Origin(name, n.Origin);
                origin.NotServed = n.Detail;
                source.Origins[name] = origin;
                source.NotServed.Add(origin);
            }

            return source;
        }

        private static NameOrigin Origin(string name, UmOrigin o) => new NameOrigin
        {
            Name = name,
            Source = o.Describe(),
            Site = o.SiteHost,
            BlogId = o.BlogId,
            Stage = o.Kind == UmOriginKind.Mapping ? o.Stage : null,
            Active = o.Kind == UmOriginKind.Mapping ? o.Active : null,
        };
    }
}
