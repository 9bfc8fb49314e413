using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RunCloud.Emulator
{
    /// <summary>
    /// The registered domain of a host name by the Public Suffix List (ICANN and private sections), as Let's Encrypt
    /// computes it for its certificates-per-registered-domain limit: "www.example.com" -> "example.com",
    /// "new.blog.example.co.uk" -> "example.co.uk". The list is embedded in the dll (the module's src/RunCloud.PowerShell/Input/PublicSuffixList.dat,
    /// refreshed by tools/Update-PublicSuffixList.ps1), so nothing is read from the machine at run time. Rules follow the list's
    /// algorithm (https://publicsuffix.org/list/): the longest matching rule wins, "*." rules match any one label,
    /// "!" exceptions override them, and a name no rule matches has its last label as suffix. IDN rules are compared in
    /// their ASCII (punycode) form, as names reach RunCloud.
    /// </summary>
    public static class PublicSuffixList
    {
        private static readonly Lazy<Rules> Loaded = new Lazy<Rules>(Load);

        private sealed class Rules
        {
            public readonly HashSet<string> Exact = new HashSet<string>(StringComparer.Ordinal);
            public readonly HashSet<string> Wildcard = new HashSet<string>(StringComparer.Ordinal);
            public readonly HashSet<string> Exception = new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>How many rules the embedded list has (a sanity figure for tests and diagnostics).</summary>
        public static int RuleCount
        {
            get { var r = Loaded.Value; return r.Exact.Count + r.Wildcard.Count + r.Exception.Count; }
        }

        private static Rules Load()
        {
            var rules = new Rules();
            var idn = new IdnMapping();
            using (var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("RunCloud.Emulator.Data.public_suffix_list.dat")
                ?? throw new InvalidOperationException("The emulator's embedded Public Suffix List is missing: rebuild RunCloud.Emulator."))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
            {
                string? line;
                while ((line = reader.ReadLine()) != null)
                {
                    line = line.Trim();
                    if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal)) continue;
                    var set = rules.Exact;
                    if (line.StartsWith("!", StringComparison.Ordinal)) { set = rules.Exception; line = line.Substring(1); }
                    else if (line.StartsWith("*.", StringComparison.Ordinal)) { set = rules.Wildcard; line = line.Substring(2); }
                    string ascii;
                    try { ascii = idn.GetAscii(line).ToLowerInvariant(); }
                    catch (ArgumentException) { ascii = line.ToLowerInvariant(); }
                    set.Add(ascii);
                }
            }
            return rules;
        }

        /// <summary>The public suffix of a host name ("co.uk" for "a.b.co.uk"); a leading "*." (wildcard domain) is ignored.</summary>
        public static string PublicSuffix(string hostName)
        {
            var labels = Labels(hostName);
            int at = SuffixStart(labels);
            return string.Join(".", labels, at, labels.Length - at);
        }

        /// <summary>The registered domain (public suffix plus one label); null when the name is itself a public suffix.</summary>
        public static string? RegisteredDomain(string hostName)
        {
            var labels = Labels(hostName);
            if (labels.Length == 0) return null;
            int at = SuffixStart(labels);
            if (at == 0) return null;
            return string.Join(".", labels, at - 1, labels.Length - at + 1);
        }

        private static string[] Labels(string hostName)
        {
            var n = (hostName ?? "").Trim().TrimEnd('.').ToLowerInvariant();
            if (n.StartsWith("*.", StringComparison.Ordinal)) n = n.Substring(2);
            return n.Length == 0 ? new string[0] : n.Split('.');
        }

        /// <summary>The index of the first label of the public suffix.</summary>
        private static int SuffixStart(string[] labels)
        {
            var r = Loaded.Value;
            int best = labels.Length - 1; // the default rule "*": the last label
            for (int i = 0; i < labels.Length; i++)
            {
                var candidate = string.Join(".", labels, i, labels.Length - i);
                if (r.Exception.Contains(candidate)) return i + 1; // an exception rule prevails: its parent is the suffix
                bool match = r.Exact.Contains(candidate);
                if (!match && i + 1 < labels.Length && r.Wildcard.Contains(string.Join(".", labels, i + 1, labels.Length - i - 1))) match = true;
                if (match) { best = Math.Min(best, i); }
            }
            // The longest matching rule is the one starting earliest; exceptions were checked on the way.
            return best;
        }
    }
}
