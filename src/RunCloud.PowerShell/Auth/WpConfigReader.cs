using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>
    /// Reads <c>define('NAME', 'value');</c> constants from a WordPress wp-config.php without running PHP:
    /// single or double quotes, any spacing, numbers, and comments (// # and /* */, so commented-out defines are ignored).
    /// PHP keeps the first definition of a constant; so does this reader, and it reports the later ones.
    /// </summary>
    internal static class WpConfigReader
    {
        private static readonly Regex s_define = new Regex(
            @"\bdefine\s*\(\s*(?<q>['""])(?<name>[A-Za-z_][A-Za-z0-9_]*)\k<q>\s*,\s*(?:(?<vq>['""])(?<value>(?:\\.|(?!\k<vq>)[^\\])*)\k<vq>|(?<number>-?\d+)|(?<bare>true|false|null))\s*(?:,\s*(?:true|false)\s*)?\)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        internal sealed class Result
        {
            public Dictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
            public List<string> Duplicates { get; } = new List<string>();
        }

        /// <exception cref="FormatException">The text cannot be read as PHP (an unterminated string or comment).</exception>
        public static Result Parse(string php)
        {
            string code = StripComments(php);
            var result = new Result();
            foreach (Match m in s_define.Matches(code))
            {
                string name = m.Groups["name"].Value;
                string value;
                if (m.Groups["value"].Success) value = Unescape(m.Groups["value"].Value, m.Groups["vq"].Value[0]);
                else if (m.Groups["number"].Success) value = m.Groups["number"].Value;
                else value = m.Groups["bare"].Value.ToLowerInvariant() == "null" ? string.Empty : m.Groups["bare"].Value.ToLowerInvariant();

                if (result.Values.ContainsKey(name)) result.Duplicates.Add(name);
                else result.Values[name] = value;
            }

            return result;
        }

        /// <summary>Removes PHP comments outside strings; keeps string contents (a '#' in a secret is not a comment).</summary>
        internal static string StripComments(string php)
        {
            var sb = new StringBuilder(php.Length);
            int i = 0;
            int line = 1;
            while (i < php.Length)
            {
                char c = php[i];
                char next = i + 1 < php.Length ? php[i + 1] : '\0';
                if (c == '\n') line++;
                if (c == '\'' || c == '"')
                {
                    int startLine = line;
                    sb.Append(c);
                    i++;
                    while (i < php.Length && php[i] != c)
                    {
                        if (php[i] == '\\' && i + 1 < php.Length) { sb.Append(php[i]); i++; }
                        if (php[i] == '\n') line++;
                        sb.Append(php[i]);
                        i++;
                    }

                    if (i >= php.Length)
                    {
                        throw new FormatException(string.Format(CultureInfo.InvariantCulture,
                            "a string opened with {0} on line {1} is never closed", c, startLine));
                    }

                    sb.Append(c);
                    i++;
                }
                else if (c == '/' && next == '*')
                {
                    int startLine = line;
                    int end = php.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw new FormatException(string.Format(CultureInfo.InvariantCulture, "a /* comment opened on line {0} is never closed", startLine));
                    }

                    for (int k = i; k < end; k++) if (php[k] == '\n') { line++; sb.Append('\n'); }
                    sb.Append(' ');
                    i = end + 2;
                }
                else if ((c == '/' && next == '/') || c == '#')
                {
                    while (i < php.Length && php[i] != '\n') i++;
                }
                else
                {
                    sb.Append(c);
                    i++;
                }
            }

            return sb.ToString();
        }

        private static string Unescape(string raw, char quote)
        {
            if (raw.IndexOf('\\') < 0) return raw;
            var sb = new StringBuilder(raw.Length);
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '\\' && i + 1 < raw.Length)
                {
                    char n = raw[i + 1];
                    if (n == '\\' || n == quote || (quote == '"' && n == '$')) { sb.Append(n); i++; continue; }
                    if (quote == '"' && n == 'n') { sb.Append('\n'); i++; continue; }
                    if (quote == '"' && n == 't') { sb.Append('\t'); i++; continue; }
                }

                sb.Append(raw[i]);
            }

            return sb.ToString();
        }
    }
}
