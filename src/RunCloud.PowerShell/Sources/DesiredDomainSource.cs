using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sources
{
    /// <summary>
    /// Turns Sync-RunCloudDomain's inputs (strings, objects, files) into raw desired names. The syntax of a name is
    /// <see cref="DomainName"/>'s job, so every form reports invalid names the same way. What only a source can tell
    /// is decided here, each as an invalid entry (adds of the valid names proceed, a prune is held back, the run says
    /// which entry and why): a file that ends mid-line and changed moments ago (a generator still writing it), a CSV
    /// row without its Domain value, and (<see cref="WithKnownTopLevelDomains"/>) a name whose top-level domain does
    /// not exist. A file that cannot be parsed at all (a JSON document cut short) is an error: nothing is read from it.
    /// </summary>
    internal static class DesiredDomainSource
    {
        /// <summary>Property names looked up on an object, in order (PowerShell property lookup ignores case, so Domain = domain).</summary>
        private static readonly string[] s_nameProperties = { "Domain", "Name" };

        /// <summary>
        /// The name carried by one pipeline object: a string as is; an object's Domain/domain or Name property; else
        /// the host of its url property (what <c>wp site list --format=json</c> gives). Null with a reason when none.
        /// </summary>
        public static string? FromObject(object? input, out string? problem)
        {
            problem = null;
            object? value = input is PSObject pso ? pso.BaseObject : input;
            switch (value)
            {
                case null:
                    return null;
                case string s:
                    return s;
                case JValue jv:
                    return jv.Type == JTokenType.String ? (string?)jv : Unusable(input, out problem);
                case JObject jo:
                    return FromLookup(name => jo.Properties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Value is JValue v
                        && v.Type == JTokenType.String ? (string?)v : null, input, out problem);
                case IDictionary dict:
                    return FromLookup(name =>
                    {
                        foreach (DictionaryEntry e in dict)
                        {
                            if (string.Equals(e.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase)) return Text(e.Value);
                        }

                        return null;
                    }, input, out problem);
            }

            PSObject wrapped = input as PSObject ?? PSObject.AsPSObject(value);
            return FromLookup(name => Text(wrapped.Properties[name]?.Value), input, out problem);
        }

        private static string? FromLookup(Func<string, string?> lookup, object? input, out string? problem)
        {
            problem = null;
            foreach (string property in s_nameProperties)
            {
                string? found = lookup(property);
                if (!string.IsNullOrWhiteSpace(found)) return found;
            }

            string? url = lookup("url");
            if (!string.IsNullOrWhiteSpace(url))
            {
                string text = url!.Trim();
                if (Uri.TryCreate(text.IndexOf("://", StringComparison.Ordinal) >= 0 ? text : "http://" + text, UriKind.Absolute, out Uri? uri)
                    && !string.IsNullOrEmpty(uri.Host))
                {
                    return uri.Host;
                }

                problem = $"its url '{text}' has no host name.";
                return null;
            }

            return Unusable(input, out problem);
        }

        private static string? Unusable(object? input, out string? problem)
        {
            problem = "it is not a string and has no Domain, Name or url property.";
            return null;
        }

        private static string? Text(object? value)
        {
            value = value is PSObject p ? p.BaseObject : value;
            return value switch
            {
                null => null,
                string s => s,
                JValue jv => jv.Type == JTokenType.String ? (string?)jv : null,
                _ => null,
            };
        }

        /// <summary>What a desired-names file holds.</summary>
        internal enum FileFormat { Text, Json, Csv }

        /// <summary>Decides by extension (.json, .csv; .txt/.list are text) and, for any other extension, by content.</summary>
        public static FileFormat Detect(string path, string content)
        {
            string ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext == ".json") return FileFormat.Json;
            if (ext == ".csv") return FileFormat.Csv;
            if (ext == ".txt" || ext == ".list") return FileFormat.Text;
            string trimmed = content.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.StartsWith("[", StringComparison.Ordinal) || trimmed.StartsWith("{", StringComparison.Ordinal)) return FileFormat.Json;
            string? firstLine = content.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal));
            if (firstLine != null && SplitCsvLine(firstLine).Any(h => NameColumn(h) >= 0)
                && (firstLine.IndexOf(',') >= 0 || string.Equals(firstLine.Trim('"'), "domain", StringComparison.OrdinalIgnoreCase)))
            {
                return FileFormat.Csv;
            }

            return FileFormat.Text;
        }

        /// <summary>
        /// A file that does not end with a line break and changed less than this before it was read may still be being
        /// written: its last line is an invalid entry (it may be a name cut short).
        /// </summary>
        public static readonly TimeSpan RecentlyChanged = TimeSpan.FromSeconds(10);

        /// <summary>Reads the raw names of a file (see <see cref="ReadFile(string, string, List{ValueTuple{string, string}}, DateTime?, DateTime)"/>), judging "changed moments ago" by the file's last write time and the clock.</summary>
        public static List<string> ReadFile(string path, string content, List<(string Entry, string Problem)> problems) =>
            ReadFile(path, content, problems, LastWriteUtc(path), DateTime.UtcNow);

        /// <summary>
        /// Reads the raw names of a file. Problems with entries come back in <paramref name="problems"/>, each with the
        /// entry as written and a message that names the line, the rule and the fix; a file that cannot be parsed at all
        /// throws <see cref="InvalidDataException"/>.
        /// </summary>
        /// <param name="lastWriteUtc">When the file last changed; null when unknown (the mid-line rule is then not applied).</param>
        /// <param name="nowUtc">The time it was read (tests inject both: no sleeping).</param>
        public static List<string> ReadFile(string path, string content, List<(string Entry, string Problem)> problems, DateTime? lastWriteUtc, DateTime nowUtc)
        {
            content = content.TrimStart('\uFEFF');
            FileFormat format = Detect(path, content);
            if (format == FileFormat.Json) return ReadJson(path, content, problems);

            // A JSON document cut short fails to parse; a text or CSV file cut short still reads, minus the end of its
            // last line: "shop.example.com" becomes "shop.exam", and the prune would remove the real name.
            string? cut = null;
            if (content.Length > 0 && !content.EndsWith("\n", StringComparison.Ordinal) && lastWriteUtc.HasValue && nowUtc - lastWriteUtc.Value < RecentlyChanged)
            {
                TimeSpan age = nowUtc - lastWriteUtc.Value;
                cut = $"the file {path} does not end with a line break and changed {(age < TimeSpan.Zero ? "just now" : age.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s")} before it was read, "
                    + "so a program may still be writing it and this line may be cut short. Run again once the file is complete (a generator should end it with a line break).";
            }

            return format == FileFormat.Csv ? ReadCsv(path, content, problems, cut) : ReadText(content, problems, cut);
        }

        /// <summary>One name per line; '#' starts a comment (whole line or trailing); blank lines are ignored.</summary>
        public static List<string> ReadText(string content) => ReadText(content, new List<(string Entry, string Problem)>(), null);

        private static List<string> ReadText(string content, List<(string Entry, string Problem)> problems, string? cut)
        {
            var names = new List<string>();
            string[] lines = content.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash);
                line = line.Trim();
                if (cut != null && i == lines.Length - 1)
                {
                    if (lines[i].Trim().Length > 0) problems.Add((line.Length > 0 ? line : lines[i].Trim(), $"Line {i + 1} may be cut short: {cut}"));
                    continue;
                }

                if (line.Length > 0) names.Add(line);
            }

            return names;
        }

        private static List<string> ReadJson(string path, string content, List<(string Entry, string Problem)> problems)
        {
            JToken root;
            try
            {
                root = JToken.Parse(content);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path} is not valid JSON: {ex.Message} (a file cut short, e.g. by a program still writing it, reads so too; run again once it is complete).", ex);
            }

            // An object holding the list ({"domains": [...]} or {"data": [...]}) is accepted too.
            if (root is JObject wrapper)
            {
                JProperty? list = wrapper.Properties().FirstOrDefault(p => p.Value is JArray
                    && (string.Equals(p.Name, "domains", StringComparison.OrdinalIgnoreCase) || string.Equals(p.Name, "data", StringComparison.OrdinalIgnoreCase)));
                root = list?.Value ?? throw new InvalidDataException($"{path} holds a JSON object; a JSON array of names (or of objects with a domain, name or url) was expected.");
            }

            if (!(root is JArray array))
            {
                throw new InvalidDataException($"{path} does not hold a JSON array of names (or of objects with a domain, name or url).");
            }

            var names = new List<string>();
            foreach (JToken item in array)
            {
                string? name = FromObject(item, out string? problem);
                if (name != null) names.Add(name);
                else problems.Add((item.ToString(Formatting.None), "Not a domain: " + (problem ?? "it is empty.")));
            }

            return names;
        }

        /// <summary>
        /// A CSV with a Domain column (found by its header, any case). A row that lacks the column (fewer fields than
        /// the header), has more fields than the header (a comma outside quotes shifts the columns), leaves a quote
        /// open, or has an empty Domain while other fields are filled is an invalid entry, never silently dropped; a
        /// row whose fields are all empty is a blank line.
        /// </summary>
        private static List<string> ReadCsv(string path, string content, List<(string Entry, string Problem)> problems, string? cut)
        {
            string[] lines = content.Split('\n');
            int headerAt = Array.FindIndex(lines, l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("#", StringComparison.Ordinal));
            if (headerAt < 0) return new List<string>();
            string headerLine = lines[headerAt].TrimEnd('\r');
            if (cut != null && headerAt == lines.Length - 1)
            {
                throw new InvalidDataException($"{path} holds only the start of a CSV header ({headerLine}): {cut}");
            }

            List<string> header = SplitCsvLine(headerLine);
            // A Domain column, else a Name column (what Get-RunCloudDomain | Export-Csv writes, and Add-RunCloudDomain binds).
            int column = header.FindIndex(h => NameColumn(h) == 0);
            if (column < 0) column = header.FindIndex(h => NameColumn(h) == 1);
            if (column < 0)
            {
                throw new InvalidDataException($"{path} is read as CSV but its header ({headerLine}) has no Domain or Name column.");
            }

            var names = new List<string>();
            int row = 0;
            for (int i = headerAt + 1; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd('\r');
                if (line.Trim().Length == 0 || line.TrimStart().StartsWith("#", StringComparison.Ordinal)) continue;
                row++;
                string where = $"Row {row} (line {i + 1}) of {path}";
                if (cut != null && i == lines.Length - 1)
                {
                    problems.Add((line, $"{where} may be cut short: {cut}"));
                    continue;
                }

                List<string> fields = SplitCsvLine(line, out bool unclosed);
                if (unclosed)
                {
                    problems.Add((line, $"{where} opens a quote it never closes, so its fields cannot be told apart. Close the quote (a quote inside a quoted field is written twice: \"\")."));
                    continue;
                }

                if (fields.All(f => f.Trim().Length == 0)) continue;
                if (fields.Count != header.Count)
                {
                    problems.Add((line, fields.Count < header.Count
                        ? $"{where} has {fields.Count} field(s) where the header has {header.Count}: " + (column < fields.Count
                            ? "fields are missing, so its Domain value may not be in its column. Complete the row."
                            : $"its Domain column (field {column + 1}) is missing. Complete the row.")
                        : $"{where} has {fields.Count} fields where the header has {header.Count}: a comma outside quotes shifts its columns. Quote the field that holds the comma."));
                    continue;
                }

                string value = fields[column].Trim();
                if (value.Length == 0)
                {
                    problems.Add((line, $"{where} has no value in its Domain column. Give the row its domain, or delete the row."));
                    continue;
                }

                names.Add(value);
            }

            return names;
        }

        /// <summary>
        /// The names that pass the top-level-domain rule (<see cref="DomainName.TopLevelDomainProblem"/>); each one that
        /// fails is added to <paramref name="problems"/> as an invalid entry, so adds of the others proceed and a prune
        /// is held back. A name that is not a domain name at all is kept for the planner, which reports it in its words.
        /// </summary>
        /// <param name="allowTld">Top-level domains allowed besides the public suffix list's (-AllowTld, a manifest's "allowTld").</param>
        public static List<string> WithKnownTopLevelDomains(IEnumerable<string> names, List<RunCloudSyncSkip> problems, ICollection<string>? allowTld)
        {
            var kept = new List<string>();
            foreach (string raw in names)
            {
                if (raw != null && DomainName.TryNormalize(raw, out string name, out _) && DomainName.TopLevelDomainProblem(name, allowTld) is string problem)
                {
                    problems.Add(new RunCloudSyncSkip(raw, problem));
                }
                else
                {
                    kept.Add(raw!);
                }
            }

            return kept;
        }

        private static DateTime? LastWriteUtc(string path)
        {
            try
            {
                return File.Exists(path) ? File.GetLastWriteTimeUtc(path) : (DateTime?)null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                return null;
            }
        }

        /// <summary>The column names that hold the desired names, by preference: 0 for Domain, 1 for Name, -1 for neither.</summary>
        private static int NameColumn(string header) => Array.FindIndex(s_nameProperties, p => string.Equals(header.Trim(), p, StringComparison.OrdinalIgnoreCase));

        /// <summary>RFC 4180 fields of one line: commas separate, double quotes quote, "" is a quote inside quotes.</summary>
        internal static List<string> SplitCsvLine(string line) => SplitCsvLine(line, out _);

        /// <param name="line">One line of the file.</param>
        /// <param name="unclosed">True when the line ends inside a quoted field.</param>
        internal static List<string> SplitCsvLine(string line, out bool unclosed)
        {
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else field.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
                else field.Append(c);
            }

            fields.Add(field.ToString());
            unclosed = quoted;
            return fields;
        }
    }
}
