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
        private readonly Regex _ascii;
        private readonly Regex _unicode;

        private NamePattern(string text, Regex ascii, Regex unicode)
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

        private static Regex Literal(string name) =>
            new Regex("^" + Regex.Escape(name) + "$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static Regex Glob(string pattern)
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
