using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// A plan's desired names as the plan and result objects show them: each with what the plan does with it, its www and
    /// redirection, and where it comes from (for an Ultimate Multisite network the mapping id, stage and site); the mapped
    /// names UM does not serve with the reason and what the plan does with them. Pure.
    /// </summary>
    internal static class DesiredNameReport
    {
        /// <summary>Where the plan's names were read: the source's description, else the caller's (a list, a file).</summary>
        public static string SourceOf(SyncPlan plan, string listDescription) => plan.Source?.Description ?? listDescription;

        /// <param name="plan">The plan.</param>
        /// <param name="listDescription">How a list's names are described ("list", "file names.txt").</param>
        /// <param name="defaultWww">The run's -Www, for names whose source has no policy.</param>
        /// <param name="defaultRedirection">The run's -Redirection, likewise.</param>
        public static RunCloudDesiredName[] Desired(SyncPlan plan, string listDescription, bool defaultWww, string defaultRedirection)
        {
            var toAdd = new HashSet<string>(plan.ToAdd, StringComparer.Ordinal);
            var unchanged = new HashSet<string>(plan.Unchanged, StringComparer.Ordinal);
            var result = new List<RunCloudDesiredName>(plan.Desired.Count);
            foreach (string name in plan.Desired)
            {
                plan.Entries.TryGetValue(name, out DesiredEntry? entry);
                bool www = (entry?.Www ?? defaultWww) && !name.StartsWith("www.", StringComparison.Ordinal);
                RunCloudDesiredName d = From(name, entry?.Origin, listDescription);
                d.Action = toAdd.Contains(name) ? RunCloudDesiredName.Add : unchanged.Contains(name) ? RunCloudDesiredName.Keep : RunCloudDesiredName.Skip;
                d.Www = www;
                d.Redirection = entry?.Redirection ?? defaultRedirection;
                result.Add(d);
            }

            foreach (NameOrigin covered in plan.Source?.Covered ?? new List<NameOrigin>())
            {
                RunCloudDesiredName d = From(covered.Name, covered, listDescription);
                d.Action = RunCloudDesiredName.Covered;
                d.CoveredBy = covered.CoveredBy;
                result.Add(d);
            }

            return result.ToArray();
        }

        /// <summary>
        /// Every mapping row the source does not serve (a name served another way too, e.g. a row holding a network's main
        /// domain): Remove when the plan prunes the name from the app, else None.
        /// </summary>
        public static RunCloudDesiredName[] NotServed(SyncPlan plan)
        {
            if (plan.Source == null) return Array.Empty<RunCloudDesiredName>();
            var removed = new HashSet<string>(plan.ToRemove.Select(SyncPlanner.Normalized), StringComparer.Ordinal);
            return plan.Source.NotServedRows.Select(o =>
            {
                RunCloudDesiredName d = From(o.Name, o, string.Empty);
                d.Action = removed.Contains(o.Name) ? RunCloudDesiredName.Remove : RunCloudDesiredName.None;
                d.NotServed = o.NotServed;
                d.NotServedReason = o.NotServedReason;
                return d;
            }).ToArray();
        }

        /// <summary>One verbose line per desired name whose source says more than "list", e.g. "add shop-example.com (www, redirect non-www; UM mapping 1, stage done, site 2 shop.network.com/)".</summary>
        public static string Line(RunCloudDesiredName d) =>
            $"{d.Action.ToLowerInvariant()} {d.Name} ({(d.Www ? "www" + (d.Redirection != "none" ? ", redirect " + d.Redirection : string.Empty) : "no www")}; {d.Source}"
            + (d.CoveredBy != null ? "; served by the wildcard " + d.CoveredBy : string.Empty) + ")";

        private static RunCloudDesiredName From(string name, NameOrigin? o, string listDescription) => new RunCloudDesiredName
        {
            Name = name,
            Source = o?.Short() ?? listDescription,
            Kind = o?.Kind ?? NameOrigin.ListKind,
            MappingId = o?.MappingId,
            Stage = o?.Stage,
            Active = o?.Active,
            BlogId = o?.BlogId,
            Site = o?.Site,
            Table = o?.Table,
            NetworkId = o?.NetworkId,
        };
    }
}
