using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>
    /// A wp-config.php read the way PHP runs it, without PHP: its define()/const constants and $table_prefix, and
    /// those of every file it includes or requires with a literal path (relative to the including file, __DIR__ . '...',
    /// dirname(__FILE__) . '...', dirname(__DIR__) . '...'), in execution order, up to <see cref="MaxIncludeDepth"/> files
    /// deep; a loop is an error. An include this reader cannot follow (a computed path, or one inside a conditional) is
    /// remembered: a constant it may define is refused by <see cref="Problems"/> rather than guessed. WordPress's own
    /// bootstrap (require_once ABSPATH . 'wp-settings.php') ends the configuration.
    /// </summary>
    internal sealed class WpConfigFile
    {
        public const int MaxIncludeDepth = 8;

        private readonly HashSet<string> _once = new HashSet<string>(StringComparer.Ordinal);
        private int _sequence;
        private bool _ended;

        private WpConfigFile(string path) => Path = path;

        /// <summary>The wp-config.php the reading started from (full path).</summary>
        public string Path { get; }

        /// <summary>Every file read, wp-config.php first.</summary>
        public List<string> Files { get; } = new List<string>();

        public List<WpConfigReader.Definition> Definitions { get; } = new List<WpConfigReader.Definition>();

        public List<WpConfigReader.Assignment> TablePrefixAssignments { get; } = new List<WpConfigReader.Assignment>();

        /// <summary>Includes PHP runs (or may run) that this reader did not follow, with why.</summary>
        public List<WpConfigReader.Include> Unfollowed { get; } = new List<WpConfigReader.Include>();

        /// <summary>What was skipped harmlessly (an include of a missing file, which PHP only warns about).</summary>
        public List<string> Notes { get; } = new List<string>();

        /// <exception cref="WpConfigException">A file cannot be read or parsed, a required file is missing, includes loop or nest too deep.</exception>
        public static WpConfigFile Load(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            var config = new WpConfigFile(full);
            config.Walk(full, null, new List<string>());
            return config;
        }

        /// <summary>The first literal value PHP gives the constant (PHP keeps the first define), or null.</summary>
        public string? Value(string name) => Definitions.FirstOrDefault(d => d.Name == name)?.Value;

        public bool IsDefined(string name) => Definitions.Any(d => d.Name == name);

        /// <summary>$table_prefix's literal value (the last assignment wins in PHP), or null.</summary>
        public string? TablePrefix => TablePrefixAssignments.Count == 0 ? null : TablePrefixAssignments[TablePrefixAssignments.Count - 1].Value;

        /// <summary>
        /// Why the constant's value cannot be known without PHP: defined more than once, inside a conditional, from an
        /// expression, or (when <paramref name="mustBeKnown"/>, or when it is defined after one) possibly defined first in a
        /// file this reader could not follow. Empty when the value is certain.
        /// </summary>
        public List<string> Problems(string name, bool mustBeKnown)
        {
            var problems = new List<string>();
            var list = Definitions.Where(d => d.Name == name).ToList();
            if (list.Count > 1) problems.Add($"{name} is defined {list.Count} times ({Lines(list.Select(d => (d.File, d.Line)))})");
            foreach (var d in list.Where(d => d.Conditional)) problems.Add($"{name} is defined inside a conditional or block on {Where(d.File, d.Line)}");
            foreach (var d in list.Where(d => d.Expression != null))
            {
                problems.Add(d.Expression!.IndexOf("getenv", StringComparison.OrdinalIgnoreCase) >= 0
                    ? $"{name} on {Where(d.File, d.Line)} takes its value from {d.Expression} (the web server's environment, not this one)"
                    : $"{name} on {Where(d.File, d.Line)} has a value this reader cannot evaluate without PHP ({d.Expression})");
            }

            int first = list.Count > 0 ? list[0].Sequence : int.MaxValue;
            if (list.Count > 0 || mustBeKnown)
            {
                foreach (var inc in Unfollowed.Where(i => i.Sequence < first))
                {
                    problems.Add($"{name} may be defined by the file that {inc.Kind} on {Where(inc.File, inc.Line)} loads ({inc.Expression}), which this reader cannot follow: {inc.NotFollowed}");
                }
            }

            return problems;
        }

        /// <summary>Why $table_prefix cannot be known without PHP (assigned more than once, conditionally, from an expression, or possibly in a file not followed).</summary>
        public List<string> TablePrefixProblems()
        {
            var problems = new List<string>();
            var list = TablePrefixAssignments;
            if (list.Count == 0 && Unfollowed.Count == 0)
            {
                problems.Add("$table_prefix is not set");
                return problems;
            }

            if (list.Count > 1) problems.Add($"$table_prefix is set {list.Count} times ({Lines(list.Select(a => (a.File, a.Line)))})");
            foreach (var a in list.Where(a => a.Conditional)) problems.Add($"$table_prefix is set inside a conditional or block on {Where(a.File, a.Line)}");
            foreach (var a in list.Where(a => a.Expression != null)) problems.Add($"$table_prefix on {Where(a.File, a.Line)} has a value this reader cannot evaluate without PHP ({a.Expression})");
            int last = list.Count > 0 ? list[list.Count - 1].Sequence : -1;
            foreach (var inc in Unfollowed.Where(i => i.Sequence > last || list.Count == 0))
            {
                problems.Add($"$table_prefix may be set by the file that {inc.Kind} on {Where(inc.File, inc.Line)} loads ({inc.Expression}), which this reader cannot follow: {inc.NotFollowed}");
            }

            return problems;
        }

        /// <summary>"line 5" in wp-config.php itself, "line 3 of /path/secrets.php" in an included file.</summary>
        public string Where(string? file, int line) =>
            file == null || file == Path
                ? string.Format(CultureInfo.InvariantCulture, "line {0}", line)
                : string.Format(CultureInfo.InvariantCulture, "line {0} of {1}", line, file);

        private string Lines(IEnumerable<(string? File, int Line)> places)
        {
            var list = places.ToList();
            if (list.All(p => p.File == null || p.File == Path))
            {
                return (list.Count == 1 ? "line " : "lines ") + string.Join(", ", list.Select(p => p.Line.ToString(CultureInfo.InvariantCulture)));
            }

            return string.Join(", ", list.Select(p => Where(p.File, p.Line)));
        }

        private void Walk(string file, WpConfigReader.Include? from, List<string> stack)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                string how = from == null ? string.Empty : $" (loaded by {from.Kind} on {Where(from.File, from.Line)})";
                throw new WpConfigException($"Cannot read '{file}'{how}: {ex.Message} Pass the path of the WordPress site's wp-config.php, and run as a user who may read it.");
            }

            WpConfigReader.Result parsed;
            try
            {
                parsed = WpConfigReader.Parse(text);
            }
            catch (FormatException ex)
            {
                throw new WpConfigException($"'{file}' cannot be read as PHP: {ex.Message}. Fix the file (php -l checks it) and try again.");
            }

            Files.Add(file);
            var events = new List<(int Index, object Item)>();
            events.AddRange(parsed.Definitions.Select(d => (d.Index, (object)d)));
            events.AddRange(parsed.TablePrefix.Select(a => (a.Index, (object)a)));
            events.AddRange(parsed.Includes.Select(i => (i.Index, (object)i)));
            foreach (var (_, item) in events.OrderBy(e => e.Index))
            {
                if (_ended) return;
                switch (item)
                {
                    case WpConfigReader.Definition d:
                        d.File = file;
                        d.Sequence = _sequence++;
                        Definitions.Add(d);
                        break;
                    case WpConfigReader.Assignment a:
                        a.File = file;
                        a.Sequence = _sequence++;
                        TablePrefixAssignments.Add(a);
                        break;
                    case WpConfigReader.Include inc:
                        inc.File = file;
                        inc.Sequence = _sequence++;
                        Follow(inc, file, stack);
                        break;
                }
            }
        }

        private void Follow(WpConfigReader.Include inc, string file, List<string> stack)
        {
            if (inc.IsWordPressBootstrap && !inc.Conditional)
            {
                _ended = true;
                return;
            }

            if (inc.Conditional)
            {
                inc.NotFollowed = "it is inside a conditional or block, so PHP may or may not run it";
                Unfollowed.Add(inc);
                return;
            }

            if (inc.Path == null)
            {
                inc.NotFollowed = "its path is not a literal (only 'file.php', __DIR__ . '/file.php', dirname(__FILE__) . '/file.php' and dirname(__DIR__) . '/file.php' are followed)";
                Unfollowed.Add(inc);
                return;
            }

            string folder = System.IO.Path.GetDirectoryName(file) ?? string.Empty;
            if (inc.FromParent) folder = System.IO.Path.GetDirectoryName(folder) ?? folder;
            string target;
            try
            {
                target = System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(inc.Path) ? inc.Path : System.IO.Path.Combine(folder, inc.Path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                inc.NotFollowed = "its path is not valid here: " + ex.Message;
                Unfollowed.Add(inc);
                return;
            }

            if (stack.Contains(target) || target == Path)
            {
                throw new WpConfigException($"'{Path}' includes files in a loop: {string.Join(" -> ", new[] { Path }.Concat(stack).Concat(new[] { target }))}. PHP would fail or recurse there; fix the includes.");
            }

            if (stack.Count + 1 > MaxIncludeDepth)
            {
                throw new WpConfigException($"'{Path}' includes files more than {MaxIncludeDepth} deep ({Where(file, inc.Line)}: {inc.Expression}). Keep the constants in wp-config.php or one included file.");
            }

            if (!File.Exists(target))
            {
                if (inc.Required)
                {
                    throw new WpConfigException($"'{file}' requires '{target}' on line {inc.Line}, which does not exist here: PHP stops there with a fatal error. Run where the site's files are, or pass the constants another way.");
                }

                Notes.Add($"{Where(file, inc.Line)} includes '{target}', which does not exist: PHP warns and goes on, and so does this reader.");
                return;
            }

            if (inc.Kind.EndsWith("_once", StringComparison.Ordinal) && _once.Contains(target)) return;
            _once.Add(target);
            var next = new List<string>(stack) { target };
            Walk(target, inc, next);
        }
    }
}
