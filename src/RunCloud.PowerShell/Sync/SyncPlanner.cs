using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The pure heart of Sync-RunCloudDomain: (desired entries, the app's current domains, options) -> <see cref="SyncPlan"/>.
    /// No HTTP, no PowerShell, no clock: every safety rule of a sync is decided here and tested on its own.
    /// Rules, in order:
    /// 1. Server items are checked: one without a valid id, name or type makes the plan InvalidResponse (nothing is
    ///    changed). Server names are normalised exactly like input (IDN to punycode, lower case, trailing dot).
    /// 2. Desired entries are normalised; invalid ones are listed; the names recoverable from them are kept safe.
    /// 3. Empty desired list + -Prune = EmptySource, unless AllowEmptySource.
    /// 4. With -Prune, an invalid entry stops the prune (adds proceed) unless AllowInvalidEntries; a recovered name
    ///    is never removed either way. The primary, -ProtectedName and -Exclude names are never removed, nor a name the
    ///    source itself protects (SourceProtects: what an Ultimate Multisite network maps).
    /// 5. More removals than MaxRemove = TooManyRemovals.
    /// A name the source protects is never removed with or without its www. (a WordPress network serves a host both ways):
    /// that rule is the planner's, so every path that plans (a sync, a saved plan, the network status) keeps it.
    /// </summary>
    internal static class SyncPlanner
    {
        /// <summary>
        /// The one planning path for a desired source (a list or a WordPress network): the source's own protection joins
        /// the guards, then the rules below. The sync's engine (after its listing) and Get-RunCloudNetworkStatus both call
        /// this, so a sync and a status can never plan differently.
        /// </summary>
        public static SyncPlan Plan(DesiredSource source, IEnumerable<RunCloudDomain> current, SyncOptions options)
        {
            if (source.HasProtection)
            {
                Func<string, bool>? earlier = options.SourceProtects;
                options = options.Clone();
                options.SourceProtects = earlier == null ? source.IsProtected : name => source.IsProtected(name) || earlier(name);
                options.SourceProtectsReason = source.ProtectionReason;
            }

            SyncPlan plan = Plan(source.Entries, current, options);
            plan.Source = source;
            return plan;
        }

        /// <summary>A name the source protects, as it stands or with / without its www. prefix.</summary>
        internal static bool ProtectedBySource(SyncOptions options, string name) => ProtectedBySource(options.SourceProtects, name);

        /// <summary>A name <paramref name="protects"/> protects, as it stands or with / without its www. prefix.</summary>
        internal static bool ProtectedBySource(Func<string, bool>? protects, string name)
        {
            if (protects == null) return false;
            if (protects(name)) return true;
            // One www. either way, as a host matches (www.www.x is not a variant of x, nor of www.x).
            if (name.StartsWith("www.", StringComparison.Ordinal))
            {
                string bare = name.Substring(4);
                return bare.Length > 0 && !bare.StartsWith("www.", StringComparison.Ordinal) && protects(bare);
            }

            return !name.StartsWith("*.", StringComparison.Ordinal) && protects("www." + name);
        }

        public static SyncPlan Plan(IEnumerable<DesiredEntry> entries, IEnumerable<RunCloudDomain> current, SyncOptions options)
        {
            var plan = new SyncPlan();

            // 1. The server's listing.
            var serverProblems = new List<string>();
            var currentList = new List<(string Name, RunCloudDomain Domain)>();
            int index = 0;
            foreach (RunCloudDomain d in current)
            {
                index++;
                if (d.Problem != null)
                {
                    serverProblems.Add($"item {index} {d.Describe()}: {d.Problem}");
                    continue;
                }

                if (!DomainName.TryNormalize(d.Name, out string name, out string problem, allowSingleLabel: true))
                {
                    serverProblems.Add($"item {index} {d.Describe()}: {problem}");
                    continue;
                }

                currentList.Add((name, d));
                if (!plan.Current.ContainsKey(name)) plan.Current[name] = d;
            }

            if (serverProblems.Count > 0)
            {
                plan.Verdict = SyncVerdict.InvalidResponse;
                plan.VerdictMessage = $"RunCloud's list of domains has {serverProblems.Count} invalid item(s): "
                    + string.Join("; ", serverProblems.Take(5)) + (serverProblems.Count > 5 ? $" (and {serverProblems.Count - 5} more)" : string.Empty)
                    + ". Nothing was changed: a plan built on such a list could remove the wrong domain. Check the web app in RunCloud's panel and run again.";
                return plan;
            }

            // 2. The desired names.
            var desiredSet = new HashSet<string>(StringComparer.Ordinal);
            foreach (DesiredEntry entry in entries)
            {
                if (entry.Problem == null && string.IsNullOrWhiteSpace(entry.Raw)) continue; // blank lines
                string problem = entry.Problem ?? string.Empty;
                if (entry.Problem == null && DomainName.TryNormalize(entry.Raw, out string name, out problem))
                {
                    if (desiredSet.Add(name))
                    {
                        plan.Desired.Add(name);
                        plan.Entries[name] = entry;
                    }

                    continue;
                }

                var skip = new RunCloudSyncSkip(entry.Raw, problem);
                plan.InvalidEntries.Add(skip);
                plan.Skipped.Add(skip);
                foreach (string recovered in Recover(entry.Raw)) plan.RecoveredNames.Add(recovered);
            }

            // 3. Empty source.
            if (plan.Desired.Count == 0 && options.Prune && !options.AllowEmptySource)
            {
                plan.Verdict = SyncVerdict.EmptySource;
                plan.VerdictMessage = $"The desired domain list is empty ({plan.InvalidEntries.Count} invalid entr{(plan.InvalidEntries.Count == 1 ? "y" : "ies")}), "
                    + "and -Prune would remove every removable domain of the web app. Nothing was changed. "
                    + "If the list is really meant to be empty, pass -AllowEmptySource.";
                return plan;
            }

            Func<string, bool> excluded = name => options.Exclude.Any(p => p.IsMatch(name));
            Func<string, bool> protectedName = name => options.ProtectedName.Any(p => p.IsMatch(name));

            foreach (string name in plan.Desired)
            {
                if (plan.Current.ContainsKey(name)) plan.Unchanged.Add(name);
                else if (excluded(name)) plan.Skipped.Add(new RunCloudSyncSkip(name, "Excluded by -Exclude; not added.", RunCloudSyncSkip.Excluded));
                else plan.ToAdd.Add(name);
            }

            // 4. Removals.
            bool pruneStopped = options.Prune && plan.InvalidEntries.Count > 0 && !options.AllowInvalidEntries;
            var candidates = new List<RunCloudDomain>();
            var seenIds = new HashSet<long>();
            foreach (var (name, d) in currentList)
            {
                if (desiredSet.Contains(name) || !seenIds.Add(d.Id)) continue;
                if (!options.Prune) plan.Kept.Add(name);
                else if (d.IsPrimary) plan.Skipped.Add(new RunCloudSyncSkip(name, "The primary domain of the web app is never removed.", RunCloudSyncSkip.Primary));
                else if (plan.RecoveredNames.Contains(name)) plan.Skipped.Add(new RunCloudSyncSkip(name, "Named by an invalid entry of the desired list; never removed. Fix the entry.", RunCloudSyncSkip.Invalid));
                else if (protectedName(name)) plan.Skipped.Add(new RunCloudSyncSkip(name, "Created by RunCloud (matches -ProtectedName); never removed.", RunCloudSyncSkip.Protected));
                else if (ProtectedBySource(options, name)) plan.Skipped.Add(new RunCloudSyncSkip(name, options.SourceProtectsReason, RunCloudSyncSkip.Protected));
                else if (excluded(name)) plan.Skipped.Add(new RunCloudSyncSkip(name, "Excluded by -Exclude; not removed.", RunCloudSyncSkip.Excluded));
                else candidates.Add(d);
            }

            if (pruneStopped)
            {
                foreach (RunCloudDomain d in candidates) plan.Kept.Add(Normalized(d));
                plan.PruneStoppedMessage = $"{plan.InvalidEntries.Count} entr{(plan.InvalidEntries.Count == 1 ? "y" : "ies")} of the desired list "
                    + $"{(plan.InvalidEntries.Count == 1 ? "is" : "are")} invalid ({string.Join("; ", plan.InvalidEntries.Take(3).Select(s => $"'{s.Name}': {s.Reason}"))}"
                    + (plan.InvalidEntries.Count > 3 ? $"; and {plan.InvalidEntries.Count - 3} more" : string.Empty)
                    + $"), so nothing was removed ({candidates.Count} removal(s) held back); valid names were still added. "
                    + "Fix the entries, or pass -AllowInvalidEntries to prune anyway (names recoverable from an invalid entry are still never removed).";
                return plan;
            }

            plan.ToRemove.AddRange(candidates);

            // 5. The removal limit.
            if (plan.ToRemove.Count > options.MaxRemove)
            {
                plan.Verdict = SyncVerdict.TooManyRemovals;
                plan.VerdictMessage = $"The sync would remove {plan.ToRemove.Count} domains, more than -MaxRemove {options.MaxRemove}. Nothing was changed. "
                    + $"Check the source list; if the removals are intended, pass -MaxRemove {plan.ToRemove.Count}.";
            }

            return plan;
        }

        /// <summary>The server name in the form used for comparing.</summary>
        public static string Normalized(RunCloudDomain d) =>
            DomainName.TryNormalize(d.Name, out string name, out _, allowSingleLabel: true) ? name : d.Name;

        /// <summary>
        /// The names an invalid entry most likely meant: the host of a URL, the name before a port or a path, the part
        /// after '@', each word of a line holding several. Only valid names are returned.
        /// </summary>
        public static IEnumerable<string> Recover(string? raw)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (string.IsNullOrWhiteSpace(raw)) return found;
            foreach (string word in raw!.Split(new[] { ' ', '\t', ',', ';', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries))
            {
                string text = word.Trim().Trim('"', '\'', '<', '>', '(', ')');
                if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && !string.IsNullOrEmpty(uri.Host) && text.IndexOf("://", StringComparison.Ordinal) > 0)
                {
                    text = uri.IdnHost.Length > 0 ? uri.IdnHost : uri.Host;
                }

                int at = text.LastIndexOf('@');
                if (at >= 0) text = text.Substring(at + 1);
                int cut = text.IndexOfAny(new[] { '/', '\\', '?', '#', ':' });
                if (cut >= 0) text = text.Substring(0, cut);
                if (DomainName.TryNormalize(text, out string name, out _)) found.Add(name);
            }

            return found;
        }
    }
}
