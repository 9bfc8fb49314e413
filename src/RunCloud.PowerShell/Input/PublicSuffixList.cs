using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RunCloud.PowerShell.Input
{
    /// <summary>
    /// Which top-level domains exist, and which names are public suffixes (co.uk, com.au: names are registered under
    /// them, no site has one as its name): the ICANN section of the public suffix list (https://publicsuffix.org/),
    /// shipped in the dll as the embedded resource Input/PublicSuffixList.dat, which tools/Update-PublicSuffixList.ps1
    /// writes (from Debian's /usr/share/publicsuffix, or a download). Nothing is read from disk or the network at run
    /// time, so every machine gives the same answer. <see cref="Shipped"/> parses it once, on first use or when
    /// <see cref="Prepare"/> starts it early (not at import).
    /// Rules are compared in punycode and lower case, the form <see cref="DomainName.TryNormalize"/> gives.
    /// </summary>
    internal sealed class PublicSuffixList
    {
        public const string ResourceName = "RunCloud.PowerShell.Input.PublicSuffixList.dat";
        private const string BeginIcann = "// ===BEGIN ICANN DOMAINS===";
        private const string EndIcann = "// ===END ICANN DOMAINS===";

        private static readonly Lazy<PublicSuffixList> s_shipped = new Lazy<PublicSuffixList>(LoadShipped);
        private static readonly IdnMapping s_idn = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = true };
        private static readonly char[] s_blank = { ' ', '\t' };

        private readonly HashSet<string> _rules = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _wildcards = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _exceptions = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _topLevel = new HashSet<string>(StringComparer.Ordinal);

        private PublicSuffixList()
        {
        }

        /// <summary>The list shipped with the module.</summary>
        public static PublicSuffixList Shipped => s_shipped.Value;

        /// <summary>
        /// Starts reading <see cref="Shipped"/> on the thread pool, for a caller about to wait on the network before the
        /// names it checks (Connect-RunCloud's ping): the first check then finds it read, or waits for the read under way,
        /// never reads it twice. A failure is left for the first check to report.
        /// </summary>
        public static void Prepare() => Prepare(s_shipped);

        /// <summary>What <see cref="Prepare()"/> does for <paramref name="list"/>; the task ends when the read has.</summary>
        internal static System.Threading.Tasks.Task Prepare(Lazy<PublicSuffixList> list)
        {
            if (list.IsValueCreated) return System.Threading.Tasks.Task.CompletedTask;
            return System.Threading.Tasks.Task.Run(() =>
            {
                try
                {
                    _ = list.Value;
                }
                catch (Exception)
                {
                    // Lazy keeps the exception: the first check throws it, where it is reported.
                }
            });
        }

        /// <summary>How many rules the list holds.</summary>
        public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

        /// <summary>How many top-level domains the list knows.</summary>
        public int TopLevelCount => _topLevel.Count;

        /// <summary>
        /// Reads a public_suffix_list.dat (the shipped copy, or the published file): one rule per line, "//" comments;
        /// when the ICANN section markers are present only that section is read. Throws
        /// <see cref="InvalidDataException"/> naming the line of a rule that is not one.
        /// </summary>
        public static PublicSuffixList Parse(TextReader reader)
        {
            // One pass, no LINQ: the shipped list is read on the first desired name of a run, so it must cost little.
            var list = new PublicSuffixList();
            var outside = new List<(int Line, string Text)>();
            bool inIcann = false, sawBegin = false, sawEnd = false;
            int number = 0;
            string? read;
            while ((read = reader.ReadLine()) != null)
            {
                number++;
                string line = read.Trim();
                if (line.Length == 0) continue;
                if (line.StartsWith("//", StringComparison.Ordinal))
                {
                    if (line == BeginIcann) { inIcann = sawBegin = true; }
                    else if (line == EndIcann) { inIcann = false; sawEnd = true; }
                    continue;
                }

                if (inIcann) list.Add(line, number);
                else if (!sawBegin) outside.Add((number, line)); // a list without section markers is all rules
            }

            if (sawBegin != sawEnd) throw new InvalidDataException("The public suffix list has one ICANN section marker without the other.");
            if (!sawBegin)
            {
                foreach (var (line, text) in outside) list.Add(text, line);
            }

            if (list._topLevel.Count == 0) throw new InvalidDataException("The public suffix list holds no rule.");
            return list;
        }

        private void Add(string line, int number)
        {
            int space = line.IndexOfAny(s_blank);
            string rule = space < 0 ? line : line.Substring(0, space);
            bool exception = rule[0] == '!';
            bool wildcard = rule.StartsWith("*.", StringComparison.Ordinal);
            string? ascii = Ascii(exception ? rule.Substring(1) : wildcard ? rule.Substring(2) : rule);
            if (ascii == null)
            {
                throw new InvalidDataException($"Line {number} of the public suffix list ('{line}') is not a rule: a rule is a host name, '*.' before one, or '!' before one.");
            }

            (exception ? _exceptions : wildcard ? _wildcards : _rules).Add(ascii);
            _topLevel.Add(ascii.Substring(ascii.LastIndexOf('.') + 1));
        }

        /// <summary>True when <paramref name="label"/> (punycode, lower case) is a top-level domain.</summary>
        public bool IsTopLevelDomain(string label) => _topLevel.Contains(label);

        /// <summary>
        /// True when the whole name (punycode, lower case, no wildcard) is a public suffix itself: a rule, or matched
        /// by a wildcard rule and not excepted (*.ck makes foo.ck one, !www.ck keeps www.ck a registrable name).
        /// </summary>
        public bool IsPublicSuffix(string name)
        {
            if (_rules.Contains(name)) return true;
            if (_exceptions.Contains(name)) return false;
            int dot = name.IndexOf('.');
            return dot > 0 && _wildcards.Contains(name.Substring(dot + 1));
        }

        private static PublicSuffixList LoadShipped()
        {
            using Stream? stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(ResourceName);
            if (stream == null)
            {
                throw new InvalidOperationException($"The module's public suffix list ({ResourceName}) is missing from the dll: the build is broken. Rebuild the module.");
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            return Parse(reader);
        }

        private static string? Ascii(string body)
        {
            if (body.Length == 0) return null;
            // The shipped copy is punycode already: only a rule with other characters goes through IdnMapping (slow the first time).
            if (IsAsciiName(body)) return body;
            string ascii;
            try
            {
                ascii = s_idn.GetAscii(body).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return null;
            }

            return IsAsciiName(ascii) ? ascii : null;
        }

        /// <summary>Labels of a-z, 0-9 and '-', none empty.</summary>
        private static bool IsAsciiName(string name)
        {
            bool labelStart = true;
            foreach (char c in name)
            {
                if (c == '.')
                {
                    if (labelStart) return false;
                    labelStart = true;
                }
                else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                {
                    labelStart = false;
                }
                else
                {
                    return false;
                }
            }

            return !labelStart;
        }
    }
}
