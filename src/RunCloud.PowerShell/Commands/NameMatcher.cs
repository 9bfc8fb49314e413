using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// A name filter that also remembers which exact (wildcard-free) names it matched, so the names that matched
    /// nothing can be reported afterwards, as Get-ChildItem does: an exact name not found is an error, a wildcard
    /// that matches nothing is silence.
    /// </summary>
    internal sealed class NameMatcher
    {
        private readonly Func<string, bool>? _filter;
        private readonly List<string> _exact;
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public NameMatcher(string[]? patterns)
        {
            _filter = Filter(patterns);
            _exact = (patterns ?? Array.Empty<string>()).Where(p => !WildcardPattern.ContainsWildcardCharacters(p)).ToList();
        }

        public Func<T, bool>? For<T>(Func<T, string> name)
        {
            if (_filter == null) return null;
            return item =>
            {
                string n = name(item);
                if (!_filter(n)) return false;
                _seen.Add(n);
                return true;
            };
        }

        public IEnumerable<string> Missing => _exact.Where(e => !_seen.Contains(e)).Distinct(StringComparer.OrdinalIgnoreCase);

        /// <summary>RunCloud's server-side search narrows a listing when a single name pattern has a literal part.</summary>
        public static string? SearchText(string[]? patterns)
        {
            if (patterns == null || patterns.Length != 1) return null;
            string literal = new string(patterns[0].TakeWhile(c => c != '*' && c != '?' && c != '[' && c != '`').ToArray());
            if (literal.Length < 2 && patterns[0].IndexOfAny(new[] { '*', '?', '[' }) >= 0)
            {
                // e.g. '*.old.example.com': search for the longest literal run instead of the empty prefix
                literal = patterns[0].Split('*', '?', '[', ']').OrderByDescending(x => x.Length).First();
            }

            return literal.Length >= 2 ? literal : null;
        }

        /// <summary>A wildcard filter on a name, or null for none.</summary>
        public static Func<string, bool>? Filter(string[]? patterns)
        {
            if (patterns == null || patterns.Length == 0) return null;
            WildcardPattern[] compiled = patterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
            return name => compiled.Any(p => p.IsMatch(name));
        }
    }
}
