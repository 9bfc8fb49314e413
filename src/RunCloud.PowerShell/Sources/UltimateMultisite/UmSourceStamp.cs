using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// A cheap "has the network changed?" of an Ultimate Multisite source, read before its rows: the sync keeps the stamp
    /// of its last clean run, and the same stamp again means nothing the desired set is made of changed, so the run needs
    /// neither the rows nor RunCloud. From the database: per mapping table its row count, latest date_modified and a
    /// checksum of the columns the desired set uses (so an edit that kept date_modified is seen too); the sites' count and
    /// checksum (archived, spam, deleted, domain, path), the networks', and a checksum of UM's settings per network (the
    /// www policy lives there), all in one read-only transaction (a few aggregate queries, one row each). WP-CLI and UM's
    /// REST API have no such cheap read: the whole snapshot is read and hashed (they cost no RunCloud call), and handed
    /// back so the caller does not read it twice.
    /// </summary>
    internal sealed class UmSourceStamp
    {
        private UmSourceStamp(string value, string description, UmNetworkSnapshot? snapshot)
        {
            Value = value;
            Description = description;
            Snapshot = snapshot;
        }

        /// <summary>The stamp: 32 hex digits; equal stamps mean an unchanged source.</summary>
        public string Value { get; }

        /// <summary>What it was made of, for -Verbose (no secret).</summary>
        public string Description { get; }

        /// <summary>The snapshot read to make it (WP-CLI, REST), or null (the database's cheap read).</summary>
        public UmNetworkSnapshot? Snapshot { get; }

        /// <summary>The reader's stamp: the database's aggregate read, or the whole snapshot hashed.</summary>
        public static async Task<UmSourceStamp> ReadAsync(IUmMappingReader reader, CancellationToken ct)
        {
            if (reader is UmDatabaseReader database)
            {
                var (text, description) = await database.ReadStampTextAsync(ct).ConfigureAwait(false);
                return new UmSourceStamp(Hash("db\n" + text), description, null);
            }

            UmNetworkSnapshot snapshot = await reader.ReadAsync(ct).ConfigureAwait(false);
            return Of(snapshot);
        }

        /// <summary>The stamp of a snapshot already read: every field of it, hashed.</summary>
        public static UmSourceStamp Of(UmNetworkSnapshot snapshot)
        {
            string json = JsonConvert.SerializeObject(snapshot, new JsonSerializerSettings { DateTimeZoneHandling = DateTimeZoneHandling.Utc, Culture = CultureInfo.InvariantCulture });
            return new UmSourceStamp(Hash("snapshot\n" + json), $"{snapshot.Mappings.Count} mapping(s), {snapshot.Blogs.Count} site(s) read from {snapshot.Origin}", snapshot);
        }

        private static string Hash(string text)
        {
            using (SHA256 sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
                var sb = new StringBuilder(32);
                for (int i = 0; i < 16; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
                return sb.ToString();
            }
        }

        public override string ToString() => Value;
    }
}
