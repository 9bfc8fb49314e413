using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Input
{
    /// <summary>
    /// A -Exclude / -ProtectedName / -Name wildcard (*, ?, [abc]) normalised like a domain name: a literal name goes
    /// through <see cref="DomainName.TryNormalize"/> (IDN to punycode, lower case, trailing dot dropped); in a
    /// pattern each label without wildcard characters does. A name matches when its punycode form or its Unicode form
    /// matches, so 'bücher.example.com', 'BÜCHER.example.com.' and 'xn--bcher-kva.example.com' all protect the same domain.
    /// Pure: no PowerShell.
    /// </summary>
    internal sealed class NamePattern
    {
        private static readonly IdnMapping s_idn = new IdnMapping();
        private readonly Matcher _ascii;
        private readonly Matcher _unicode;

        private NamePattern(string text, Matcher ascii, Matcher unicode)
        {
            Text = text;
            _ascii = ascii;
            _unicode = unicode;
        }

        public string Text { get; }

        /// <summary>Builds the matcher; a literal that is not a valid name is an error naming it.</summary>
        public static NamePattern Parse(string pattern, string parameter)
        {
            if (pattern == null || pattern.Trim().Length == 0)
            {
                throw new ArgumentException($"{parameter} has an empty entry. Pass names or wildcards such as *.example.com.");
            }

            string text = pattern.Trim();
            bool hasWildcard = text.IndexOfAny(new[] { '*', '?', '[' }) >= 0;
            if (!hasWildcard || (text.StartsWith("*.", StringComparison.Ordinal) && text.IndexOfAny(new[] { '*', '?', '[' }, 1) < 0))
            {
                if (!DomainName.TryNormalize(text, out string name, out string problem, allowSingleLabel: true))
                {
                    throw new ArgumentException($"{parameter} '{text}': {problem}");
                }

                if (!hasWildcard) return new NamePattern(name, Literal(name), Literal(ToUnicode(name)));
                // '*.example.com' as a pattern matches any name under example.com (not only the wildcard domain itself).
                text = name;
            }

            if (text.EndsWith(".", StringComparison.Ordinal)) text = text.Substring(0, text.Length - 1);
            string ascii = string.Join(".", text.Split('.').Select(label => label.IndexOfAny(new[] { '*', '?', '[' }) >= 0
                ? label.ToLowerInvariant()
                : AsciiLabel(label)));
            return new NamePattern(text, Glob(ascii), Glob(text.ToLowerInvariant()));
        }

        public static IReadOnlyList<NamePattern> ParseAll(IEnumerable<string>? patterns, string parameter) =>
            (patterns ?? Array.Empty<string>()).Select(p => Parse(p, parameter)).ToList();

        /// <summary><paramref name="name"/> is a normalised (punycode, lower-case) domain name.</summary>
        public bool IsMatch(string name) => _ascii.IsMatch(name) || _unicode.IsMatch(ToUnicode(name));

        public override string ToString() => Text;

        internal static string ToUnicode(string name)
        {
            try { return s_idn.GetUnicode(name.StartsWith("*.", StringComparison.Ordinal) ? name.Substring(2) : name).ToLowerInvariant(); }
            catch (ArgumentException) { return name; }
        }

        private static string AsciiLabel(string label)
        {
            try { return label.Length == 0 ? label : s_idn.GetAscii(label).ToLowerInvariant(); }
            catch (ArgumentException) { return label.ToLowerInvariant(); }
        }

        private static Matcher Literal(string name) => new Matcher(name, literal: true);

        private static Matcher Glob(string pattern) => new Matcher(pattern, literal: false);

        /// <summary>
        /// One side of a pattern. An ASCII pattern of '*' and '?' (every default and most -Exclude/-ProtectedName patterns) is
        /// matched by hand against an ASCII name: a Regex costs a fresh process milliseconds to build and run the first time,
        /// and every sync parses the default -ProtectedName '*.runcloud.link'. A '[...]' class, and any text outside printable
        /// ASCII (Unicode case rules, a line break before the end), go to the regular expression this matcher agrees with
        /// (an xunit case compares the two on generated patterns and names).
        /// </summary>
        internal sealed class Matcher
        {
            private readonly string _pattern;
            private readonly bool _literal;
            private readonly bool _byHand;
            private Regex? _regex;

            public Matcher(string pattern, bool literal)
            {
                _pattern = pattern;
                _literal = literal;
                _byHand = PlainAscii(pattern) && (literal || pattern.IndexOf('[') < 0);
            }

            public bool IsMatch(string name)
            {
                if (_byHand && PlainAscii(name)) return _literal ? Same(_pattern, name) : Wild(_pattern, name);
                Regex regex = _regex ??= _literal
                    ? new Regex("^" + Regex.Escape(_pattern) + "$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)
                    : GlobRegex(_pattern);
                return regex.IsMatch(name);
            }

            private static bool Same(string a, string b)
            {
                if (a.Length != b.Length) return false;
                for (int i = 0; i < a.Length; i++)
                {
                    if (!SameChar(a[i], b[i])) return false;
                }

                return true;
            }

            /// <summary>'*' any run of characters, '?' any one, the rest itself (ignoring case): greedy, back to the last '*'.</summary>
            private static bool Wild(string pattern, string name)
            {
                int p = 0, n = 0, star = -1, resume = 0;
                while (n < name.Length)
                {
                    if (p < pattern.Length && pattern[p] == '*')
                    {
                        star = p++;
                        resume = n;
                    }
                    else if (p < pattern.Length && (pattern[p] == '?' || SameChar(pattern[p], name[n])))
                    {
                        p++;
                        n++;
                    }
                    else if (star >= 0)
                    {
                        p = star + 1;
                        n = ++resume;
                    }
                    else
                    {
                        return false;
                    }
                }

                while (p < pattern.Length && pattern[p] == '*') p++;
                return p == pattern.Length;
            }

            /// <summary>ASCII letters in either case alike, as the expression's IgnoreCase has them.</summary>
            private static bool SameChar(char a, char b) => a == b || (Fold(a) == Fold(b) && Fold(a) >= 'a' && Fold(a) <= 'z');

            private static char Fold(char c) => c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;

            private static bool PlainAscii(string text)
            {
                foreach (char c in text)
                {
                    if (c < ' ' || c > '~') return false;
                }

                return true;
            }
        }

        /// <summary>The wildcard as a regular expression: '*' '.*', '?' '.', '[...]' a class, the rest escaped; whole name, case ignored.</summary>
        internal static Regex GlobRegex(string pattern)
        {
            var sb = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*') sb.Append(".*");
                else if (c == '?') sb.Append('.');
                else if (c == '[')
                {
                    int end = pattern.IndexOf(']', i + 1);
                    if (end < 0) { sb.Append(@"\["); continue; }
                    sb.Append('[').Append(pattern.Substring(i + 1, end - i - 1).Replace("\\", "\\\\")).Append(']');
                    i = end;
                }
                else sb.Append(Regex.Escape(c.ToString()));
            }

            return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        }
    }
}
