using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The fingerprint of a desired set as the engine sees it: every entry (a valid one by its normalised name, an invalid
    /// one by its text and problem) with every public property of a simple type it carries (text, number, flag: a
    /// per-name www or redirection is covered the day an entry carries one, without a change here; an object describing
    /// where the entry came from is not part of it), and the options that shape the plan: -Prune, -MaxRemove,
    /// -AllowEmptySource, -AllowInvalidEntries, -Exclude, -ProtectedName, what the source protects, the run's -Www and
    /// -Redirection. Two desired sets with the same fingerprint give the same plan against the same app. Pure.
    /// </summary>
    internal sealed class DesiredFingerprint
    {
        /// <summary>Bumped when what goes into the fingerprint changes: every record then reads as changed (one full run).</summary>
        private const string Format = "desired-v1";

        private static readonly ConcurrentDictionary<Type, PropertyInfo[]> s_properties = new ConcurrentDictionary<Type, PropertyInfo[]>();

        private DesiredFingerprint(string whole, string options, Dictionary<string, string> entries)
        {
            Whole = whole;
            Options = options;
            Entries = entries;
        }

        /// <summary>Of everything (options and entries).</summary>
        public string Whole { get; }

        /// <summary>Of the options alone.</summary>
        public string Options { get; }

        /// <summary>Desired name (or "!" + an invalid entry's text) → its entry's fingerprint.</summary>
        public Dictionary<string, string> Entries { get; }

        public static DesiredFingerprint Compute(IEnumerable<DesiredEntry> entries, SyncOptions guards, AppRunOptions run)
        {
            var options = new StringBuilder(Format).Append('\n');
            Line(options, "prune", guards.Prune);
            Line(options, "maxRemove", guards.MaxRemove);
            Line(options, "allowEmptySource", guards.AllowEmptySource);
            Line(options, "allowInvalidEntries", guards.AllowInvalidEntries);
            Line(options, "exclude", string.Join(",", guards.Exclude.Select(p => p.Text).OrderBy(t => t, StringComparer.Ordinal)));
            Line(options, "protectedName", string.Join(",", guards.ProtectedName.Select(p => p.Text).OrderBy(t => t, StringComparer.Ordinal)));
            Line(options, "sourceProtects", guards.SourceProtects == null ? "none" : guards.SourceProtectsKey ?? "set");
            Line(options, "sourceProtectsReason", guards.SourceProtects == null ? string.Empty : guards.SourceProtectsReason);
            Line(options, "www", run.Www);
            Line(options, "redirection", run.Redirection);
            string optionsHash;
            using (SHA256 first = SHA256.Create()) optionsHash = Hash(first, options.ToString(), 16);

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            using SHA256 sha = SHA256.Create();
            foreach (DesiredEntry entry in entries)
            {
                if (entry.Problem == null && string.IsNullOrWhiteSpace(entry.Raw)) continue; // the planner skips blank lines too
                string name = string.Empty;
                bool valid = entry.Problem == null && DomainName.TryNormalize(entry.Raw, out name, out _);
                string key = valid ? name : "!" + entry.Raw.Trim();
                string hash = Hash(sha, Canonical(entry, valid ? key : null), 8);
                // The same name twice (two spellings of it): both entries count, in a fixed order.
                map[key] = map.TryGetValue(key, out string? before) ? string.Join("+", new[] { before, hash }.OrderBy(h => h, StringComparer.Ordinal)) : hash;
            }

            var whole = new StringBuilder(optionsHash).Append('\n');
            foreach (KeyValuePair<string, string> kv in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) whole.Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
            return new DesiredFingerprint(Hash(sha, whole.ToString(), 16), optionsHash, map);
        }

        /// <summary>The names whose entries differ between two fingerprints' maps: added, removed or changed (invalid entries included, with their "!").</summary>
        public static List<string> Changed(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> now)
        {
            var changed = new List<string>();
            foreach (KeyValuePair<string, string> kv in now)
            {
                if (!before.TryGetValue(kv.Key, out string? old) || !string.Equals(old, kv.Value, StringComparison.Ordinal)) changed.Add(kv.Key);
            }

            changed.AddRange(before.Keys.Where(k => !now.ContainsKey(k)));
            return changed.Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToList();
        }

        /// <summary>An entry as text: its simple public properties, sorted by name; a valid entry's text is its normalised name.</summary>
        private static string Canonical(DesiredEntry entry, string? name)
        {
            var sb = new StringBuilder();
            foreach (PropertyInfo p in s_properties.GetOrAdd(entry.GetType(), SimpleProperties))
            {
                object? value = p.GetValue(entry);
                if (p.Name == nameof(DesiredEntry.Raw) && name != null) value = name;
                sb.Append(p.Name).Append('=').Append(Text(value)).Append('\n');
            }

            return sb.ToString();
        }

        private static PropertyInfo[] SimpleProperties(Type type) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && IsSimple(p.PropertyType))
                .OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();

        private static bool IsSimple(Type t)
        {
            Type u = Nullable.GetUnderlyingType(t) ?? t;
            return u.IsPrimitive || u.IsEnum || u == typeof(string) || u == typeof(decimal) || u == typeof(DateTime) || u == typeof(TimeSpan);
        }

        private static string Text(object? value) => value switch
        {
            null => "\u2400",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        private static void Line(StringBuilder sb, string name, object? value) => sb.Append(name).Append('=').Append(Text(value)).Append('\n');

        private static string Hash(SHA256 sha, string text, int bytes)
        {
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            var sb = new StringBuilder(bytes * 2);
            for (int i = 0; i < bytes; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }
}
