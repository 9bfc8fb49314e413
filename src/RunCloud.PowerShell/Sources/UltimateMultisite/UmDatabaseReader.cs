using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MySqlConnector;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// Reads a UM network straight from its MySQL/MariaDB database (no PHP, no WP-CLI): the schema first (every table and
    /// column this reader relies on, in one query of information_schema), then one query per table, all inside one
    /// read-only transaction with a consistent snapshot, so rows written meanwhile cannot make the tables disagree.
    /// A wrong password, a missing table or column, a lock held too long or a timeout is a <see cref="UmReadException"/>
    /// naming the database and the table; the password never appears in a message.
    /// </summary>
    internal sealed class UmDatabaseReader : IUmMappingReader
    {
        internal static readonly string[] MappingColumns = { "id", "blog_id", "domain", "active", "primary_domain", "secure", "stage", "date_created", "date_modified" };
        internal static readonly string[] KnownStages = { "checking-dns", "checking-ssl-cert", "done-without-ssl", "done", "failed", "ssl-failed" };
        private static readonly string[] s_blogColumns = { "blog_id", "site_id", "domain", "path", "archived", "spam", "deleted" };
        private static readonly string[] s_siteColumns = { "id", "domain", "path" };
        private static readonly string[] s_metaColumns = { "site_id", "meta_key", "meta_value" };

        private readonly UmDatabaseSettings _settings;

        public UmDatabaseReader(UmDatabaseSettings settings) => _settings = settings ?? throw new ArgumentNullException(nameof(settings));

        public RunCloudMappingSource Source => RunCloudMappingSource.Database;

        public string Origin => _settings.Describe();

        public async Task<UmNetworkSnapshot> ReadAsync(CancellationToken cancellationToken)
        {
            string prefix = _settings.TablePrefix;
            string blogsTable = prefix + "blogs", siteTable = prefix + "site", metaTable = prefix + "sitemeta", mainTable = prefix + "wu_domain_mappings";
            var extraPattern = new Regex("^" + Regex.Escape(prefix) + @"wu_(?<n>[0-9]+)_domain_mappings$", RegexOptions.CultureInvariant);
            string step = "the connection";
            try
            {
                using MySqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                step = "the transaction";
                await ExecuteAsync(connection, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);

                // 1. The schema: every table and column this reader relies on, checked before any row is read.
                step = "information_schema.COLUMNS";
                var columns = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                using (MySqlCommand cmd = Command(connection,
                           "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND (TABLE_NAME IN (@b, @s, @m) OR TABLE_NAME LIKE @like)"))
                {
                    cmd.Parameters.AddWithValue("@b", blogsTable);
                    cmd.Parameters.AddWithValue("@s", siteTable);
                    cmd.Parameters.AddWithValue("@m", metaTable);
                    cmd.Parameters.AddWithValue("@like", EscapeLike(prefix) + "wu\\_%domain\\_mappings");
                    using DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        string table = r.GetString(0);
                        if (!columns.TryGetValue(table, out HashSet<string>? set)) columns[table] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        set.Add(r.GetString(1));
                    }
                }

                RequireTable(columns, blogsTable, s_blogColumns, "WordPress's sites");
                RequireTable(columns, siteTable, s_siteColumns, "WordPress's networks");
                RequireTable(columns, metaTable, s_metaColumns, "WordPress's network options");
                var snapshot = new UmNetworkSnapshot
                {
                    Source = RunCloudMappingSource.Database,
                    Origin = Origin,
                    TablePrefix = prefix,
                    SubdomainInstall = _settings.SubdomainInstall,
                    HasMappingTable = columns.ContainsKey(mainTable),
                };
                var extraTables = columns.Keys.Select(t => (Table: t, Match: extraPattern.Match(t))).Where(x => x.Match.Success)
                    .Select(x => (x.Table, Network: long.Parse(x.Match.Groups["n"].Value, CultureInfo.InvariantCulture)))
                    .OrderBy(x => x.Network).ToList();
                if (snapshot.HasMappingTable) RequireTable(columns, mainTable, MappingColumns, "UM's domain mappings");
                foreach (var extra in extraTables) RequireTable(columns, extra.Table, MappingColumns, "UM's domain mappings of network " + extra.Network.ToString(CultureInfo.InvariantCulture));

                // 2. The networks.
                step = siteTable;
                using (MySqlCommand cmd = Command(connection, $"SELECT id, domain, path FROM `{siteTable}` ORDER BY id"))
                using (DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        snapshot.Networks.Add(new UmNetwork { Id = Long(r, 0), Domain = Text(r, 1).ToLowerInvariant(), Path = Text(r, 2) });
                    }
                }

                if (snapshot.Networks.Count == 0)
                {
                    throw new UmReadException(UmReadFailure.Schema, siteTable, $"{siteTable} in {Origin} has no network: this is not a WordPress multisite database (check $table_prefix and DB_NAME in {_settings.WpConfigPath}).");
                }

                snapshot.MainNetworkId = _settings.MainNetworkId ?? snapshot.Networks.Min(n => n.Id);

                // 3. The sites.
                step = blogsTable;
                using (MySqlCommand cmd = Command(connection, $"SELECT blog_id, site_id, domain, path, archived, spam, deleted FROM `{blogsTable}` ORDER BY blog_id"))
                using (DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        snapshot.Blogs.Add(new UmBlog
                        {
                            BlogId = Long(r, 0),
                            NetworkId = Long(r, 1),
                            Domain = Text(r, 2).ToLowerInvariant(),
                            Path = Text(r, 3),
                            Archived = Long(r, 4) != 0,
                            Spam = Long(r, 5) != 0,
                            Deleted = Long(r, 6) != 0,
                        });
                    }
                }

                // 4. UM's settings of every network (one query).
                step = metaTable + " (" + UmSettings.OptionName + ")";
                var settingsText = new Dictionary<long, string?>();
                using (MySqlCommand cmd = Command(connection, $"SELECT site_id, meta_value FROM `{metaTable}` WHERE meta_key = @k ORDER BY meta_id"))
                {
                    cmd.Parameters.AddWithValue("@k", UmSettings.OptionName);
                    using DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        long site = Long(r, 0);
                        if (!settingsText.ContainsKey(site)) settingsText[site] = r.IsDBNull(1) ? null : r.GetString(1);
                    }
                }

                foreach (UmNetwork network in snapshot.Networks)
                {
                    if (settingsText.TryGetValue(network.Id, out string? text))
                    {
                        network.HasUmSettings = true;
                        network.WwwPolicy = UmSettings.WwwPolicy(text, $"{metaTable} (network {network.Id}) of {Origin}");
                    }
                }

                // 5. The mapping tables: the main one, then each network's own.
                var blogs = snapshot.Blogs.ToDictionary(b => b.BlogId);
                if (snapshot.HasMappingTable)
                {
                    step = mainTable;
                    await ReadMappingsAsync(connection, mainTable, snapshot.MainNetworkId, snapshot, blogs, cancellationToken).ConfigureAwait(false);
                    UmNetwork? main = snapshot.Networks.FirstOrDefault(n => n.Id == snapshot.MainNetworkId);
                    if (main != null) main.MappingTable = mainTable;
                }

                foreach (var extra in extraTables)
                {
                    step = extra.Table;
                    snapshot.ExtraTables.Add(extra.Table);
                    UmNetwork? owner = snapshot.Networks.FirstOrDefault(n => n.Id == extra.Network);
                    if (owner != null) owner.MappingTable = extra.Table;
                    else snapshot.Warnings.Add($"{extra.Table} belongs to network {extra.Network}, which is not in {siteTable}: its rows are reported, not served.");
                    await ReadMappingsAsync(connection, extra.Table, extra.Network, snapshot, blogs, cancellationToken).ConfigureAwait(false);
                }

                step = "the transaction";
                await ExecuteAsync(connection, "COMMIT", cancellationToken).ConfigureAwait(false);
                return snapshot;
            }
            catch (MySqlException ex)
            {
                throw Translate(ex, step);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new UmReadException(UmReadFailure.Timeout, step, $"Reading {step} from {Origin} took longer than {_settings.TimeoutSeconds} s. Nothing was planned from a partial read; try again when the database is less busy.");
            }
        }


        /// <summary>
        /// The network options <paramref name="keys"/> of network <paramref name="networkId"/> ({prefix}sitemeta), in one query;
        /// absent keys are left out. For UM's stored credentials and WordPress's salt options.
        /// </summary>
        public async Task<Dictionary<string, string>> ReadNetworkOptionsAsync(long networkId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
        {
            string metaTable = _settings.TablePrefix + "sitemeta";
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (keys.Count == 0) return values;
            string step = "the connection";
            try
            {
                using MySqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                step = metaTable;
                var names = keys.Select((k, i) => "@k" + i.ToString(CultureInfo.InvariantCulture)).ToList();
                using MySqlCommand cmd = Command(connection, $"SELECT meta_key, meta_value FROM `{metaTable}` WHERE site_id = @site AND meta_key IN ({string.Join(", ", names)}) ORDER BY meta_id");
                cmd.Parameters.AddWithValue("@site", networkId);
                int n = 0;
                foreach (string key in keys) cmd.Parameters.AddWithValue(names[n++], key);
                using DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    string key = r.GetString(0);
                    if (!values.ContainsKey(key) && !r.IsDBNull(1)) values[key] = r.GetString(1);
                }

                return values;
            }
            catch (MySqlException ex)
            {
                throw Translate(ex, step);
            }
        }

        private async Task ReadMappingsAsync(MySqlConnection connection, string table, long tableNetwork, UmNetworkSnapshot snapshot,
            Dictionary<long, UmBlog> blogs, CancellationToken cancellationToken)
        {
            var unknownStages = new HashSet<string>(StringComparer.Ordinal);
            using MySqlCommand cmd = Command(connection,
                $"SELECT id, blog_id, domain, active, primary_domain, secure, stage, date_created, date_modified FROM `{table}` ORDER BY id");
            using DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                long blogId = Long(r, 1);
                blogs.TryGetValue(blogId, out UmBlog? blog);
                string stage = Text(r, 6);
                if (Array.IndexOf(KnownStages, stage) < 0) unknownStages.Add(stage);
                snapshot.Mappings.Add(new RunCloudMappedDomain
                {
                    MappingId = Long(r, 0),
                    BlogId = blogId,
                    Domain = Text(r, 2).Trim().ToLowerInvariant(),
                    Active = Long(r, 3) != 0,
                    Primary = Long(r, 4) != 0,
                    Secure = Long(r, 5) != 0,
                    Stage = stage,
                    DateCreated = Date(r, 7),
                    DateModified = Date(r, 8),
                    Table = table,
                    NetworkId = blog?.NetworkId ?? tableNetwork,
                    SiteHost = blog?.SiteHost,
                    Source = RunCloudMappingSource.Database,
                });
            }

            if (unknownStages.Count > 0)
            {
                snapshot.Warnings.Add($"{table} has rows in stages this module does not know ({string.Join(", ", unknownStages.OrderBy(s => s, StringComparer.Ordinal))}); they are treated like any other stage (stage is reported, never a reason to remove).");
            }
        }

        private async Task<MySqlConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var builder = new MySqlConnectionStringBuilder
            {
                Database = _settings.Database,
                UserID = _settings.User,
                Password = _settings.Password,
                ConnectionTimeout = (uint)Math.Max(1, Math.Min(_settings.TimeoutSeconds, 30)),
                DefaultCommandTimeout = (uint)Math.Max(1, _settings.TimeoutSeconds),
                Pooling = false,
                ConvertZeroDateTime = true,
                CharacterSet = "utf8mb4",
                ApplicationName = "RunCloud.PowerShell",
                PersistSecurityInfo = false,
            };
            if (_settings.Socket != null)
            {
                builder.Server = _settings.Socket;
                builder.ConnectionProtocol = MySqlConnectionProtocol.UnixSocket;
            }
            else
            {
                builder.Server = _settings.Host;
                builder.Port = (uint)_settings.Port;
            }

            var connection = new MySqlConnection(builder.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                // A table locked by another session (LOCK TABLES, a long ALTER) fails the read after this many seconds instead of hanging.
                await ExecuteAsync(connection, "SET SESSION lock_wait_timeout = " + Math.Max(1, _settings.TimeoutSeconds).ToString(CultureInfo.InvariantCulture)
                    + ", SESSION innodb_lock_wait_timeout = " + Math.Max(1, _settings.TimeoutSeconds).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        private MySqlCommand Command(MySqlConnection connection, string sql) =>
            new MySqlCommand(sql, connection) { CommandTimeout = Math.Max(1, _settings.TimeoutSeconds) };

        private async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
        {
            using MySqlCommand cmd = Command(connection, sql);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        private void RequireTable(Dictionary<string, HashSet<string>> columns, string table, string[] required, string what)
        {
            if (!columns.TryGetValue(table, out HashSet<string>? have))
            {
                throw new UmReadException(UmReadFailure.Schema, table,
                    $"{Origin} has no table {table} ({what}). Check DB_NAME and $table_prefix in {_settings.WpConfigPath}, and that the database user may read it; this must be a WordPress multisite database.");
            }

            string[] missing = required.Where(c => !have.Contains(c)).ToArray();
            if (missing.Length > 0)
            {
                throw new UmReadException(UmReadFailure.Schema, table,
                    $"{table} ({what}) in {Origin} lacks the column(s) {string.Join(", ", missing)}: an unknown schema (another version of UM or WordPress?). Nothing was read from it; read through WP-CLI (-Via WpCli) or UM's REST API instead, and report the schema.");
            }
        }

        private UmReadException Translate(MySqlException ex, string step)
        {
            string what = step;
            switch (ex.ErrorCode)
            {
                case MySqlErrorCode.AccessDenied:
                case MySqlErrorCode.PasswordNoMatch:
                    return new UmReadException(UmReadFailure.Authentication, what,
                        $"The database refused the user '{_settings.User}' ({Origin}): {ex.Message} Check DB_USER and DB_PASSWORD in {_settings.WpConfigPath}, or that this machine may connect as that user.", ex);
                case MySqlErrorCode.DatabaseAccessDenied:
                case MySqlErrorCode.TableAccessDenied:
                case MySqlErrorCode.ColumnAccessDenied:
                    return new UmReadException(UmReadFailure.Authentication, what,
                        $"The user '{_settings.User}' may not read {what} ({Origin}): {ex.Message} Grant it SELECT on the WordPress tables, or read through WP-CLI (-Via WpCli).", ex);
                case MySqlErrorCode.UnknownDatabase:
                    return new UmReadException(UmReadFailure.Schema, what, $"{Origin}: {ex.Message} Check DB_NAME in {_settings.WpConfigPath}.", ex);
                case MySqlErrorCode.NoSuchTable:
                case MySqlErrorCode.BadFieldError:
                    return new UmReadException(UmReadFailure.Schema, what, $"Reading {what} from {Origin} failed: {ex.Message} (the schema changed while it was read?). Nothing was planned from a partial read.", ex);
                case MySqlErrorCode.LockWaitTimeout:
                    return new UmReadException(UmReadFailure.Locked, what,
                        $"{what} in {Origin} stayed locked by another session for more than {_settings.TimeoutSeconds} s (a backup, an ALTER TABLE, LOCK TABLES). Nothing was planned from a partial read; try again later.", ex);
                case MySqlErrorCode.CommandTimeoutExpired:
                case MySqlErrorCode.QueryInterrupted:
                    return new UmReadException(UmReadFailure.Timeout, what,
                        $"Reading {what} from {Origin} took longer than {_settings.TimeoutSeconds} s. Nothing was planned from a partial read; try again when the database is less busy.", ex);
                case MySqlErrorCode.UnableToConnectToHost:
                    return new UmReadException(UmReadFailure.Connection, what,
                        $"Cannot reach the database server ({Origin}): {ex.Message} Check DB_HOST in {_settings.WpConfigPath}, and that this machine may reach it (firewall, bind-address, the socket's permissions).", ex);
                default:
                    return new UmReadException(ex.IsTransient ? UmReadFailure.Connection : UmReadFailure.Schema, what,
                        $"Reading {what} from {Origin} failed: {ex.Message} (MySQL error {(int)ex.ErrorCode}). Nothing was planned from a partial read.", ex);
            }
        }

        private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("_", "\\_").Replace("%", "\\%");

        private static long Long(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

        private static string Text(DbDataReader r, int i) => r.IsDBNull(i) ? string.Empty : Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture) ?? string.Empty;

        private static DateTime? Date(DbDataReader r, int i)
        {
            if (r.IsDBNull(i)) return null;
            object v = r.GetValue(i);
            if (v is DateTime dt) return dt == DateTime.MinValue ? (DateTime?)null : dt;
            return DateTime.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime parsed) ? parsed : (DateTime?)null;
        }
    }
}
