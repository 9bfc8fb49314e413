using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Sources
{
    /// <summary>
    /// Turns Sync-RunCloudDomain's inputs (strings, objects, files) into raw desired names. Nothing here validates a
    /// name: that is <see cref="DomainName"/>'s job, so every form reports invalid names the same way.
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

        /// <summary>Reads the raw names of a file. Problems with entries come back in <paramref name="problems"/>; a file that cannot be parsed at all throws <see cref="InvalidDataException"/>.</summary>
        public static List<string> ReadFile(string path, string content, List<(string Entry, string Problem)> problems)
        {
            content = content.TrimStart('\uFEFF');
            switch (Detect(path, content))
            {
                case FileFormat.Json:
                    return ReadJson(path, content, problems);
                case FileFormat.Csv:
                    return ReadCsv(path, content);
                default:
                    return ReadText(content);
            }
        }

        /// <summary>One name per line; '#' starts a comment (whole line or trailing); blank lines are ignored.</summary>
        public static List<string> ReadText(string content)
        {
            var names = new List<string>();
            foreach (string raw in content.Split('\n'))
            {
                string line = raw;
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash);
                line = line.Trim();
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
                throw new InvalidDataException($"{path} is not valid JSON: {ex.Message}", ex);
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
                else problems.Add((item.ToString(Formatting.None), problem ?? "it is empty."));
            }

            return names;
        }

        private static List<string> ReadCsv(string path, string content)
        {
            string[] lines = content.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("#", StringComparison.Ordinal)).ToArray();
            if (lines.Length == 0) return new List<string>();
            List<string> header = SplitCsvLine(lines[0]);
            // A Domain column, else a Name column (what Get-RunCloudDomain | Export-Csv writes, and Add-RunCloudDomain binds).
            int column = header.FindIndex(h => NameColumn(h) == 0);
            if (column < 0) column = header.FindIndex(h => NameColumn(h) == 1);
            if (column < 0)
            {
                throw new InvalidDataException($"{path} is read as CSV but its header ({lines[0]}) has no Domain or Name column.");
            }

            var names = new List<string>();
            foreach (string line in lines.Skip(1))
            {
                List<string> fields = SplitCsvLine(line);
                if (column < fields.Count && fields[column].Trim().Length > 0) names.Add(fields[column].Trim());
            }

            return names;
        }

        /// <summary>The column names that hold the desired names, by preference: 0 for Domain, 1 for Name, -1 for neither.</summary>
        private static int NameColumn(string header) => Array.FindIndex(s_nameProperties, p => string.Equals(header.Trim(), p, StringComparison.OrdinalIgnoreCase));

        /// <summary>RFC 4180 fields of one line: commas separate, double quotes quote, "" is a quote inside quotes.</summary>
        internal static List<string> SplitCsvLine(string line)
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
            return fields;
        }
    }
}
