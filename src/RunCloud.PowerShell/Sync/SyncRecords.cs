using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Reads and writes a <see cref="SyncRecord"/>: its metadata in the app's journal, its lists in the applied set beside
    /// it, a text file of one line per item (tab-separated, escaped, fast to read for 100,000 domains):
    /// <code>
    /// RunCloud.PowerShell applied set 1
    /// desired &lt;name, or ! and an invalid entry&gt; &lt;entry fingerprint&gt;
    /// domain  &lt;id&gt; &lt;name&gt; &lt;type&gt; &lt;www 0|1&gt; &lt;redirection&gt; &lt;wildcard 0|1&gt;
    /// </code>
    /// The journal holds the set's SHA-256: a set that is missing, torn, edited or from another run does not match, and the
    /// record is not used (the next run lists in full). The caller holds the app's lock.
    /// </summary>
    internal static class SyncRecords
    {
        private const string Header = "RunCloud.PowerShell applied set 1";

        /// <summary>The record of the app's last clean sync, or null when there is none that can be trusted.</summary>
        public static SyncRecord? Load(JournalStore store, AppStateKey key, AppJournal? journal)
        {
            SyncRecord? record = ChangeDetector.Read(journal);
            if (record == null) return null;
            string? text = store.LoadApplied(key);
            if (text == null || !string.Equals(Hash(text), record.AppliedHash, StringComparison.Ordinal)) return null;
            return Parse(text, record) ? record : null;
        }

        /// <summary>Writes the applied set, then the journal that vouches for it (under the app's lock).</summary>
        public static void Save(JournalStore store, AppStateKey key, AppJournal journal, SyncRecord record, DateTime nowUtc)
        {
            string text = Format(record);
            record.AppliedHash = Hash(text);
            record.DomainCount = record.Domains.Count;
            store.SaveApplied(key, text);
            journal.SetExtension(SyncRecord.Owner, record.ToJson());
            store.Save(key, journal, nowUtc);
        }

        internal static string Format(SyncRecord record)
        {
            var sb = new StringBuilder(64 * (record.Desired.Count + record.Domains.Count) + 64);
            sb.Append(Header).Append('\n');
            foreach (KeyValuePair<string, string> d in record.Desired.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                sb.Append("desired\t").Append(Escape(d.Key)).Append('\t').Append(Escape(d.Value)).Append('\n');
            }

            foreach (SyncRecordDomain d in record.Domains)
            {
                sb.Append("domain\t").Append(d.Id.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(Escape(d.Name)).Append('\t').Append(Escape(d.Type))
                    .Append('\t').Append(d.Www ? '1' : '0').Append('\t').Append(Escape(d.Redirection)).Append('\t').Append(d.Wildcard ? '1' : '0').Append('\n');
            }

            return sb.ToString();
        }

        internal static bool Parse(string text, SyncRecord record)
        {
            string[] lines = text.Split('\n');
            if (lines.Length == 0 || lines[0] != Header) return false;
            var desired = new Dictionary<string, string>(StringComparer.Ordinal);
            var domains = new List<SyncRecordDomain>();
            for (int i = 1; i < lines.Length; i++)
            {
                string line = lines[i];
                if (line.Length == 0) continue;
                string[] f = line.Split('\t');
                if (f[0] == "desired" && f.Length == 3)
                {
                    desired[Unescape(f[1])] = Unescape(f[2]);
                }
                else if (f[0] == "domain" && f.Length == 7 && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                {
                    domains.Add(new SyncRecordDomain { Id = id, Name = Unescape(f[2]), Type = Unescape(f[3]), Www = f[4] == "1", Redirection = Unescape(f[5]), Wildcard = f[6] == "1" });
                }
                else
                {
                    return false;
                }
            }

            record.Desired = desired;
            record.Domains = domains;
            return true;
        }

        private static string Escape(string text)
        {
            if (text.IndexOfAny(new[] { '\\', '\t', '\n', '\r' }) < 0) return text;
            return text.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");
        }

        private static string Unescape(string text)
        {
            if (text.IndexOf('\\') < 0) return text;
            var sb = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c != '\\' || i + 1 == text.Length) { sb.Append(c); continue; }
                char n = text[++i];
                sb.Append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            }

            return sb.ToString();
        }

        internal static string Hash(string text)
        {
            using (SHA256 sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
                var sb = new StringBuilder(64);
                foreach (byte b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
                return sb.ToString();
            }
        }
    }
}
