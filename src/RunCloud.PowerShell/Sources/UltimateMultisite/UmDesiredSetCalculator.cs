using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// The pure rule from a network snapshot to a desired set (no I/O). What is served and why:
    /// <list type="bullet">
    /// <item>every network's main domain;</item>
    /// <item>every mapping row with active = 1 whose site exists and is neither deleted nor spam, whatever its stage
    /// (UM's integration adds a name as soon as the row exists; the stage only tells how far UM's DNS and certificate
    /// checks got, and DNS readiness decides the certificate). Archived sites stay served: archiving is a reversible
    /// suspension, WordPress still routes the host (to its "archived or suspended" page), and a removed name would need
    /// a new certificate when the site comes back;</item>
    /// <item>every live site's own host (on subdomain installs, the subsites) unless a wildcard on the app covers it.</item>
    /// </list>
    /// Not served, with a reason: inactive rows (the admin's switch), rows of deleted or spam sites (WordPress shows
    /// their visitors an error page), rows of sites that do not exist, rows holding a network's main domain (a bug of
    /// UM 2.4.0-2.4.6 on subdirectory installs), rows of a wu_N table whose network does not exist, invalid names and
    /// later duplicates. Rows of extra wu_N_domain_mappings tables are served like the main table's (UM's integration
    /// added them) and named in <see cref="UmDesiredSet.ExtraTables"/> and a warning: UM's routing reads only the main table.
    /// www follows the owning network's auto_create_www_subdomain exactly as UM decides it, and a name never gets a
    /// second www.; redirection is non-www when www is added (UM's RunCloud integration), none otherwise.
    /// </summary>
    internal static class UmDesiredSetCalculator
    {
        private static readonly string[] s_multiPartSuffixes = { ".co.uk", ".com.au", ".co.nz", ".com.br", ".co.in" };

        /// <param name="snapshot">What a reader read.</param>
        /// <param name="namesOnApp">The names already on the web app (wildcards such as *.network.tld decide which site hosts are covered); may be null.</param>
        public static UmDesiredSet Compute(UmNetworkSnapshot snapshot, IEnumerable<string>? namesOnApp = null)
        {
            if (snapshot == null) throw new ArgumentNullException(nameof(snapshot));
            var set = new UmDesiredSet { Source = snapshot.Source, Origin = snapshot.Origin };
            set.Warnings.AddRange(snapshot.Warnings);
            set.ExtraTables.AddRange(snapshot.ExtraTables);

            var wildcards = (namesOnApp ?? Array.Empty<string>())
                .Select(n => (n ?? string.Empty).Trim().TrimEnd('.').ToLowerInvariant())
                .Where(n => n.StartsWith("*.", StringComparison.Ordinal) && n.Length > 2)
                .Distinct(StringComparer.Ordinal).ToList();

            var networks = new Dictionary<long, UmNetwork>();
            foreach (UmNetwork n in snapshot.Networks) if (!networks.ContainsKey(n.Id)) networks.Add(n.Id, n);
            var blogs = new Dictionary<long, UmBlog>();
            foreach (UmBlog b in snapshot.Blogs) if (!blogs.ContainsKey(b.BlogId)) blogs.Add(b.BlogId, b);

            var desired = new Dictionary<string, UmDesiredName>(StringComparer.Ordinal);
            var mainDomains = new Dictionary<string, long>(StringComparer.Ordinal);

            // 1. The networks' main domains.
            foreach (UmNetwork network in snapshot.Networks.OrderBy(n => n.Id))
            {
                var origin = new UmOrigin { Kind = UmOriginKind.NetworkMainDomain, NetworkId = network.Id };
                if (!TryName(network.Domain, out string name, out string error))
                {
                    set.Warnings.Add(string.Format(CultureInfo.InvariantCulture, "Network {0}'s main domain '{1}' is not a valid host name and is not served: {2}", network.Id, network.Domain, error));
                    continue;
                }

                if (!mainDomains.ContainsKey(name)) mainDomains.Add(name, network.Id);
                if (!set.MainDomains.Contains(name)) set.MainDomains.Add(name);
                Add(set, desired, name, network.WwwPolicy, origin);
            }

            // 2. The mapping rows, the main table's first (the reader's order), one desired entry per name.
            foreach (RunCloudMappedDomain row in snapshot.Mappings)
            {
                blogs.TryGetValue(row.BlogId, out UmBlog? blog);
                var origin = new UmOrigin
                {
                    Kind = UmOriginKind.Mapping,
                    MappingId = row.MappingId,
                    Stage = row.Stage,
                    Active = row.Active,
                    BlogId = row.BlogId,
                    SiteHost = blog?.SiteHost ?? row.SiteHost,
                    NetworkId = blog?.NetworkId ?? row.NetworkId,
                    Table = row.Table,
                };
                if (!TryName(row.Domain, out string name, out string error))
                {
                    NotServed(set, row.Domain, UmNotServedReason.InvalidName, "not a valid host name: " + error, origin);
                    continue;
                }

                string bare = name.StartsWith("www.", StringComparison.Ordinal) ? name.Substring(4) : name;
                if (mainDomains.TryGetValue(name, out long ownerNetwork) || mainDomains.TryGetValue(bare, out ownerNetwork))
                {
                    NotServed(set, name, UmNotServedReason.NetworkMainDomain, string.Format(CultureInfo.InvariantCulture,
                        "the row holds network {0}'s main domain (UM 2.4.0-2.4.6 wrote such rows by mistake on subdirectory installs); it is served as the network's own host, not as a customer mapping", ownerNetwork), origin);
                    continue;
                }

                if (!networks.ContainsKey(row.NetworkId) && blog == null)
                {
                    NotServed(set, name, UmNotServedReason.NetworkMissing, string.Format(CultureInfo.InvariantCulture,
                        "the row is in {0}, whose network {1} does not exist", row.Table, row.NetworkId), origin);
                    continue;
                }

                if (!row.Active)
                {
                    NotServed(set, name, UmNotServedReason.Inactive, "inactive (active = 0: the admin switched the mapping off)", origin);
                    continue;
                }

                if (blog == null)
                {
                    NotServed(set, name, UmNotServedReason.SiteMissing, string.Format(CultureInfo.InvariantCulture,
                        "site {0} does not exist: UM's routing finds no site to serve", row.BlogId), origin);
                    continue;
                }

                if (blog.Deleted)
                {
                    NotServed(set, name, UmNotServedReason.SiteDeleted, string.Format(CultureInfo.InvariantCulture,
                        "site {0} {1} is deleted: WordPress shows its visitors an error page", blog.BlogId, blog.SiteHost), origin);
                    continue;
                }

                if (blog.Spam)
                {
                    NotServed(set, name, UmNotServedReason.SiteSpam, string.Format(CultureInfo.InvariantCulture,
                        "site {0} {1} is marked spam: WordPress shows its visitors \"archived or suspended\"", blog.BlogId, blog.SiteHost), origin);
                    continue;
                }

                if (desired.TryGetValue(name, out UmDesiredName? first) && first.Origin.Kind == UmOriginKind.Mapping)
                {
                    NotServed(set, name, UmNotServedReason.Duplicate, "mapped again; " + first.Origin.Describe() + " is the one served", origin);
                    continue;
                }

                set.Protect(name);
                set.Protect("www." + bare);
                networks.TryGetValue(blog.NetworkId, out UmNetwork? owner);
                UmWwwPolicy policy = owner?.WwwPolicy ?? PolicyOfMain(snapshot, networks);

                // A wildcard on the app that covers a site's own subdomain row (subdomain installs, UM 2.4.0+) serves it already.
                string? wildcard = CoveringWildcard(name, wildcards);
                if (wildcard != null && string.Equals(name, blog.Domain, StringComparison.OrdinalIgnoreCase))
                {
                    set.Covered.Add(new UmCoveredName { Name = name, Wildcard = wildcard, Origin = origin });
                    set.Protect(wildcard); // the wildcard serves a live site: a prune must not remove it
                    continue;
                }

                Add(set, desired, name, policy, origin);
            }

            // 3. The live sites' own hosts (the subsites of a subdomain install; on a subdirectory install, the main domain
            //    again, or a site moved to a host of its own).
            foreach (UmBlog blog in snapshot.Blogs.OrderBy(b => b.BlogId))
            {
                if (blog.Deleted || blog.Spam) continue;
                var origin = new UmOrigin { Kind = UmOriginKind.SiteHost, BlogId = blog.BlogId, SiteHost = blog.SiteHost, NetworkId = blog.NetworkId };
                if (!TryName(blog.Domain, out string name, out string error))
                {
                    set.Warnings.Add(string.Format(CultureInfo.InvariantCulture, "Site {0}'s host '{1}' is not a valid host name and is not served: {2}", blog.BlogId, blog.Domain, error));
                    continue;
                }

                if (desired.ContainsKey(name) || set.Covered.Any(c => c.Name == name)) continue;
                set.Protect(name);
                string? wildcard = CoveringWildcard(name, wildcards);
                if (wildcard != null)
                {
                    set.Covered.Add(new UmCoveredName { Name = name, Wildcard = wildcard, Origin = origin });
                    set.Protect(wildcard);
                    continue;
                }

                networks.TryGetValue(blog.NetworkId, out UmNetwork? owner);
                Add(set, desired, name, owner?.WwwPolicy ?? PolicyOfMain(snapshot, networks), origin);
            }

            foreach (string table in snapshot.ExtraTables)
            {
                int rows = snapshot.Mappings.Count(m => m.Table == table);
                set.Warnings.Add(string.Format(CultureInfo.InvariantCulture,
                    "{0} holds {1} row(s): UM's RunCloud integration added their names, so they are served like the main table's, but UM's own routing reads only the main mapping table.", table, rows));
            }

            return set;
        }

        /// <summary>UM's should_create_www_subdomain: never for a www. name; always, never, or for main_only an apex name by UM's own heuristic.</summary>
        public static bool ShouldAddWww(string name, UmWwwPolicy policy)
        {
            string domain = (name ?? string.Empty).Trim().ToLowerInvariant();
            if (domain.StartsWith("www.", StringComparison.Ordinal)) return false;
            switch (policy)
            {
                case UmWwwPolicy.Never:
                    return false;
                case UmWwwPolicy.MainOnly:
                    string[] parts = domain.Split('.');
                    if (parts.Length <= 2) return true;
                    string lastTwo = "." + parts[parts.Length - 2] + "." + parts[parts.Length - 1];
                    return parts.Length == 3 && s_multiPartSuffixes.Contains(lastTwo, StringComparer.Ordinal);
                default:
                    return true;
            }
        }

        /// <summary>The wildcard (*.parent) that serves <paramref name="name"/>: exactly one label under it, as TLS and RunCloud match.</summary>
        internal static string? CoveringWildcard(string name, IEnumerable<string> wildcards)
        {
            int dot = name.IndexOf('.');
            if (dot <= 0) return null;
            string parent = name.Substring(dot + 1);
            foreach (string w in wildcards) if (string.Equals(w.Substring(2), parent, StringComparison.Ordinal)) return w;
            return null;
        }

        private static UmWwwPolicy PolicyOfMain(UmNetworkSnapshot snapshot, Dictionary<long, UmNetwork> networks) =>
            networks.TryGetValue(snapshot.MainNetworkId, out UmNetwork? main) ? main.WwwPolicy : UmWwwPolicy.Always;

        private static void Add(UmDesiredSet set, Dictionary<string, UmDesiredName> desired, string name, UmWwwPolicy policy, UmOrigin origin)
        {
            if (desired.ContainsKey(name)) return;
            bool www = ShouldAddWww(name, policy);
            var entry = new UmDesiredName { Name = name, Www = www, Redirection = www ? "non-www" : "none", Origin = origin };
            desired.Add(name, entry);
            set.Desired.Add(entry);
            set.Protect(name);
            if (www) set.Protect("www." + name);
        }

        private static void NotServed(UmDesiredSet set, string name, UmNotServedReason reason, string detail, UmOrigin origin) =>
            set.NotServed.Add(new UmNotServedName { Name = name, Reason = reason, Detail = detail, Origin = origin });

        private static bool TryName(string? raw, out string name, out string error)
        {
            if (DomainName.TryNormalize(raw, out name, out error) && !name.StartsWith("*.", StringComparison.Ordinal)) return true;
            if (error.Length == 0) error = "a wildcard is not a mapped host";
            return false;
        }
    }
}
