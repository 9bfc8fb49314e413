using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// How a command chooses some of an app's domains by name (Remove-RunCloudSsl -Name, Reset-RunCloudSsl -Domain):
    /// names or wildcards, each matching a domain in either form (punycode or Unicode) or by its name as RunCloud lists
    /// it, so every command that chooses domains chooses the same ones for the same words.
    /// </summary>
    internal static class DomainPatterns
    {
        private static readonly char[] s_wildcards = { '*', '?', '[' };

        /// <summary>
        /// The patterns of <paramref name="names"/>; null when one is not a valid name or wildcard, with the failure
        /// (InvalidDomainName, naming every value given) added to the app's problems: nothing is chosen from a typo.
        /// </summary>
        public static List<NamePattern>? ParseOrReport(PreparedApply p, IReadOnlyList<string> names, string parameter, string action)
        {
            try
            {
                return names.Select(n => NamePattern.Parse(n, parameter)).ToList();
            }
            catch (ArgumentException ex)
            {
                p.Problems.Add(new AppFailure(new RunCloudSyncFailure(string.Join(", ", names), action, ErrorIds.InvalidDomainName, ex.Message), ex, names));
                return null;
            }
        }

        /// <summary>True when <paramref name="pattern"/> chooses <paramref name="domain"/>.</summary>
        public static bool Matches(NamePattern pattern, RunCloudDomain domain) =>
            pattern.IsMatch(SyncPlanner.Normalized(domain)) || string.Equals(pattern.Text, domain.Name, StringComparison.OrdinalIgnoreCase);

        /// <summary>True when <paramref name="text"/> is a wildcard (one that matches nothing is silence, not an error).</summary>
        public static bool IsWildcard(string text) => text.IndexOfAny(s_wildcards) >= 0;
    }
}
