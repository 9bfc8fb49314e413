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
    /// Also <c>const NAME = value;</c>. Every definition is recorded with its line, and flagged when it sits inside a
    /// conditional (if/else/elseif/switch, braces or the alternative ':' syntax, or a function) or has a value this
    /// reader cannot evaluate without PHP (getenv(), an expression): the caller refuses such constants rather than
    /// guess which branch PHP would run. <see cref="Result.Values"/> keeps the first definition, as PHP does.
    /// </summary>
    internal static class WpConfigReader
    {
        private static readonly Regex s_define = new Regex(
            @"\bdefine\s*\(\s*(?<q>['""])(?<name>[A-Za-z_][A-Za-z0-9_]*)\k<q>\s*,\s*(?:(?<vq>['""])(?<value>(?:\\.|(?!\k<vq>)[^\\])*)\k<vq>|(?<number>-?\d+)|(?<bare>true|false|null))\s*(?:,\s*(?:true|false)\s*)?\)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        private static readonly Regex s_const = new Regex(
            @"\bconst\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:(?<vq>['""])(?<value>(?:\\.|(?!\k<vq>)[^\\])*)\k<vq>|(?<number>-?\d+)|(?<bare>true|false|null))\s*;",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        /// <summary>Any define/const of a name, whatever its value: to find the ones whose value is not a literal.</summary>
        private static readonly Regex s_anyDefinition = new Regex(
            @"\bdefine\s*\(\s*(?<q>['""])(?<name>[A-Za-z_][A-Za-z0-9_]*)\k<q>\s*,(?<rest>[^;]*)|\bconst\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=(?<rest>[^;]*)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        /// <summary><c>$table_prefix = 'wp_';</c> (the base prefix of the network's tables), as PHP assigns it.</summary>
        private static readonly Regex s_tablePrefix = new Regex(
            @"\$table_prefix\s*=\s*(?<rest>(?:'(?:\\.|[^'\\])*'|""(?:\\.|[^""\\])*""|[^;'""])*);",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private static readonly Regex s_stringLiteral = new Regex(
            @"^(?<vq>['""])(?<value>(?:\\.|(?!\k<vq>)[^\\])*)\k<vq>$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);

        /// <summary>include/require(_once), with or without parentheses.</summary>
        private static readonly Regex s_include = new Regex(
            @"(?<![\w$>:])(?<kind>include_once|require_once|include|require)\b\s*(?<expr>[^;]*);",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        internal sealed class Result
        {
            public Dictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
            public List<string> Duplicates { get; } = new List<string>();

            /// <summary>Every definition found, in file order.</summary>
            public List<Definition> Definitions { get; } = new List<Definition>();

            /// <summary>Every <c>$table_prefix = ...;</c>, in file order.</summary>
            public List<Assignment> TablePrefix { get; } = new List<Assignment>();

            /// <summary>Every include/require(_once), in file order.</summary>
            public List<Include> Includes { get; } = new List<Include>();
        }

        /// <summary>One <c>$table_prefix = ...;</c>.</summary>
        internal sealed class Assignment
        {
            public int Line { get; set; }
            public int Index { get; set; }
            public string? Value { get; set; }
            public string? Expression { get; set; }
            public bool Conditional { get; set; }
            public string? File { get; set; }
            public int Sequence { get; set; }
        }

        /// <summary>One include/require(_once) and its path when it is a literal this reader can follow.</summary>
        internal sealed class Include
        {
            public int Line { get; set; }
            public int Index { get; set; }

            /// <summary>include, include_once, require or require_once (lower-case).</summary>
            public string Kind { get; set; } = string.Empty;

            /// <summary>The path expression as written (shortened).</summary>
            public string Expression { get; set; } = string.Empty;

            /// <summary>The path relative to the including file's folder (or absolute), when the expression is a literal, __DIR__ . '...', dirname(__FILE__) . '...' or dirname(__DIR__) . '...'.</summary>
            public string? Path { get; set; }

            /// <summary>True for dirname(__DIR__)-style paths: relative to the including file's parent folder.</summary>
            public bool FromParent { get; set; }

            /// <summary>WordPress's own bootstrap (require_once ABSPATH . 'wp-settings.php'): the configuration ends there.</summary>
            public bool IsWordPressBootstrap { get; set; }

            public bool Conditional { get; set; }

            public string? File { get; set; }
            public int Sequence { get; set; }

            /// <summary>Why it was not followed (set by <see cref="WpConfigFile.Load"/>).</summary>
            public string? NotFollowed { get; set; }

            public bool Required => Kind.StartsWith("require", StringComparison.Ordinal);
        }

        /// <summary>One define()/const of a constant: its line, its value when literal, and whether PHP might not run it.</summary>
        internal sealed class Definition
        {
            public string Name { get; set; } = string.Empty;
            public int Line { get; set; }

            /// <summary>The literal value, or null when the value is an expression (getenv(), a ternary, a variable).</summary>
            public string? Value { get; set; }

            /// <summary>The value's text when it is not a literal (e.g. "getenv('RC_TOKEN')").</summary>
            public string? Expression { get; set; }

            /// <summary>Inside an if/else/elseif/switch/loop/function: PHP may or may not run it.</summary>
            public bool Conditional { get; set; }

            /// <summary>The position in the comment-free text (orders definitions against includes).</summary>
            public int Index { get; set; }

            /// <summary>The file it is in (set by <see cref="WpConfigFile.Load"/>; null for <see cref="Parse"/>).</summary>
            public string? File { get; set; }

            /// <summary>Its place in PHP's order of execution across included files (set by <see cref="WpConfigFile.Load"/>).</summary>
            public int Sequence { get; set; }
        }

        /// <exception cref="FormatException">The text cannot be read as PHP (an unterminated string or comment).</exception>
        public static Result Parse(string php)
        {
            string code = StripComments(php);
            bool[] conditional = ConditionalMap(code);
            var result = new Result();
            var literal = new Dictionary<int, (string Name, string Value)>();
            foreach (Regex rx in new[] { s_define, s_const })
            {
                foreach (Match m in rx.Matches(code)) literal[m.Index] = (m.Groups["name"].Value, LiteralValue(m));
            }

            foreach (Match m in s_anyDefinition.Matches(code))
            {
                var d = new Definition { Name = m.Groups["name"].Value, Line = LineOf(code, m.Index), Conditional = conditional[m.Index], Index = m.Index };
                if (literal.TryGetValue(m.Index, out var lit)) d.Value = lit.Value;
                else
                {
                    string rest = m.Groups["rest"].Value.Trim();
                    if (m.Value.StartsWith("define", StringComparison.OrdinalIgnoreCase) && rest.EndsWith(")", StringComparison.Ordinal)) rest = rest.Substring(0, rest.Length - 1).Trim();
                    d.Expression = Shorten(rest);
                }
                result.Definitions.Add(d);
                if (d.Value == null) continue;
                if (result.Values.ContainsKey(d.Name)) result.Duplicates.Add(d.Name);
                else result.Values[d.Name] = d.Value;
            }

            foreach (Match m in s_tablePrefix.Matches(code))
            {
                string rest = m.Groups["rest"].Value.Trim();
                var a = new Assignment { Line = LineOf(code, m.Index), Index = m.Index, Conditional = conditional[m.Index] };
                Match lit = s_stringLiteral.Match(rest);
                if (lit.Success && !(lit.Groups["vq"].Value == "\"" && lit.Groups["value"].Value.IndexOf('$') >= 0)) a.Value = Unescape(lit.Groups["value"].Value, lit.Groups["vq"].Value[0]);
                else a.Expression = Shorten(rest);
                result.TablePrefix.Add(a);
            }

            bool[] inString = StringMap(code);
            foreach (Match m in s_include.Matches(code))
            {
                if (inString[m.Index]) continue;
                string expr = m.Groups["expr"].Value.Trim();
                var inc = new Include
                {
                    Line = LineOf(code, m.Index),
                    Index = m.Index,
                    Kind = m.Groups["kind"].Value.ToLowerInvariant(),
                    Expression = Shorten(expr),
                    Conditional = conditional[m.Index],
                };
                ResolveIncludePath(expr, inc);
                result.Includes.Add(inc);
            }

            return result;
        }

        private static readonly Regex s_dirPrefix = new Regex(
            @"^(?<base>__DIR__|dirname\s*\(\s*__FILE__\s*\)|dirname\s*\(\s*__DIR__\s*\)|dirname\s*\(\s*__FILE__\s*,\s*2\s*\))\s*\.\s*(?<lit>.+)$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        private static void ResolveIncludePath(string expr, Include inc)
        {
            string e = expr;
            while (e.StartsWith("(", StringComparison.Ordinal) && e.EndsWith(")", StringComparison.Ordinal)) e = e.Substring(1, e.Length - 2).Trim();
            if (Regex.IsMatch(e, @"^ABSPATH\s*\.\s*(['""])wp-settings\.php\1$", RegexOptions.CultureInvariant))
            {
                inc.IsWordPressBootstrap = true;
                return;
            }

            Match dir = s_dirPrefix.Match(e);
            string literalText = dir.Success ? dir.Groups["lit"].Value.Trim() : e;
            Match lit = s_stringLiteral.Match(literalText);
            if (!lit.Success) return;
            string value = Unescape(lit.Groups["value"].Value, lit.Groups["vq"].Value[0]);
            if (lit.Groups["vq"].Value == "\"" && value.IndexOf('$') >= 0) return; // interpolated: not a literal
            if (value.Length == 0) return;
            if (dir.Success)
            {
                string b = dir.Groups["base"].Value;
                inc.FromParent = Regex.IsMatch(b, @"dirname\s*\(\s*__DIR__", RegexOptions.IgnoreCase) || Regex.IsMatch(b, @",\s*2\s*\)$");
                inc.Path = value.TrimStart('/', '\\');
                if (inc.Path.Length == 0) inc.Path = null;
            }
            else
            {
                inc.Path = value;
            }
        }

        private static string LiteralValue(Match m)
        {
            if (m.Groups["value"].Success) return Unescape(m.Groups["value"].Value, m.Groups["vq"].Value[0]);
            if (m.Groups["number"].Success) return m.Groups["number"].Value;
            return m.Groups["bare"].Value.ToLowerInvariant() == "null" ? string.Empty : m.Groups["bare"].Value.ToLowerInvariant();
        }

        private static int LineOf(string code, int index)
        {
            int line = 1;
            for (int i = 0; i < index && i < code.Length; i++) if (code[i] == '\n') line++;
            return line;
        }

        private static string Shorten(string text) => text.Length > 60 ? text.Substring(0, 60) + "…" : text;

        private static readonly Regex s_controlKeyword = new Regex(@"\b(if|else|elseif|switch|case|default|while|for|foreach|do|function)\b",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>
        /// For each position of comment-free code: true when a statement starting there may not run unconditionally
        /// (inside braces, inside an alternative-syntax if/while/for/foreach/switch block, or the single statement of a
        /// brace-less if/else). Strings are skipped.
        /// </summary>
        internal static bool[] ConditionalMap(string code)
        {
            var map = new bool[code.Length + 1];
            int depth = 0;
            int altDepth = 0;
            int statementStart = 0;
            for (int i = 0; i < code.Length; i++)
            {
                char c = code[i];
                if (c == '\'' || c == '"')
                {
                    int j = i + 1;
                    while (j < code.Length && code[j] != c) j += code[j] == '\\' ? 2 : 1;
                    for (int k = i; k <= j && k < code.Length; k++) map[k] = depth > 0 || altDepth > 0;
                    i = j;
                    continue;
                }

                string head = code.Substring(statementStart, i - statementStart);
                map[i] = depth > 0 || altDepth > 0 || s_controlKeyword.IsMatch(head);
                if (c == '{') { depth++; statementStart = i + 1; }
                else if (c == '}') { depth = Math.Max(0, depth - 1); statementStart = i + 1; }
                else if (c == ';')
                {
                    if (Regex.IsMatch(head, @"^\s*end(if|while|for|foreach|switch)\b", RegexOptions.IgnoreCase)) altDepth = Math.Max(0, altDepth - 1);
                    statementStart = i + 1;
                }
                else if (c == ':' && (i + 1 >= code.Length || code[i + 1] != ':') && (i == 0 || code[i - 1] != ':')
                         && Regex.IsMatch(head, @"^\s*(if|elseif|else|while|for|foreach|switch)\b", RegexOptions.IgnoreCase)
                         && Balanced(head))
                {
                    // if (...): ... endif;  (the alternative syntax)
                    if (!Regex.IsMatch(head, @"^\s*(elseif|else)\b", RegexOptions.IgnoreCase)) altDepth++;
                    statementStart = i + 1;
                }
            }

            return map;
        }

        /// <summary>For each position of comment-free code: true inside a quoted string.</summary>
        private static bool[] StringMap(string code)
        {
            var map = new bool[code.Length + 1];
            for (int i = 0; i < code.Length; i++)
            {
                char c = code[i];
                if (c != '\'' && c != '"') continue;
                int j = i + 1;
                while (j < code.Length && code[j] != c) j += code[j] == '\\' ? 2 : 1;
                for (int k = i; k <= j && k < code.Length; k++) map[k] = true;
                i = j;
            }

            return map;
        }

        private static bool Balanced(string text)
        {
            int open = 0;
            foreach (char ch in text)
            {
                if (ch == '(') open++;
                else if (ch == ')') open--;
            }

            return open == 0;
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
