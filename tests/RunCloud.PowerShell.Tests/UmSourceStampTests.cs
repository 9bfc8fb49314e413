using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// UM's cheap "has the network changed?" read (UmSourceStamp) against a real MariaDB: the same tables give the same
    /// stamp; anything the desired set is made of (a mapping added, edited without its date_modified, deleted; a site
    /// archived; the www setting; another network's table) gives another one.
    /// </summary>
    [Collection(MariaDbCollection.Name)]
    public class UmSourceStampTests
    {
        private readonly MariaDbFixture _db;

        public UmSourceStampTests(MariaDbFixture db) => _db = db;

        [Fact]
        public async Task TheStampChangesExactlyWhenTheDesiredSetsTablesDo()
        {
            const string database = "um_stamp";
            _db.Server.CreateNetworksDatabase(database);
            string root = Path.Combine(Path.GetTempPath(), "rc-wp-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "wp-config.php"), _db.WpConfig("wp_").Replace($"'{MariaDbFixture.Database}'", $"'{database}'"), new UTF8Encoding(false));
            IUmMappingReader reader = UmSources.CreateReader(new UmSourceOptions { WordPressPath = root, Timeout = TimeSpan.FromSeconds(30) });
            async Task<string> Stamp() => (await UmSourceStamp.ReadAsync(reader, CancellationToken.None)).Value;
            void Sql(string sql) => _db.Server.ExecuteAsRoot(sql, database);

            UmSourceStamp first = await UmSourceStamp.ReadAsync(reader, CancellationToken.None);
            Assert.Null(first.Snapshot); // the cheap read: aggregates, not the rows
            Assert.Contains("2 mapping table(s), 15 row(s)", first.Description);
            Assert.DoesNotContain(MariaDbServer.Password, first.Description);
            string stamp = first.Value;
            Assert.Equal(stamp, await Stamp());

            string previous = stamp;
            async Task<string> Changed(string what)
            {
                string now = await Stamp();
                Assert.True(now != previous, what + " did not change the stamp");
                previous = now;
                return now;
            }

            Sql("INSERT INTO wp_wu_domain_mappings (blog_id, domain, active, stage, date_created, date_modified) VALUES (2, 'new-mapping.com', 1, 'checking-dns', NOW(), NOW())");
            await Changed("a new mapping");
            Sql("UPDATE wp_wu_domain_mappings SET active = 0 WHERE domain = 'new-mapping.com'"); // date_modified kept
            await Changed("a mapping switched off without touching date_modified");
            Sql("DELETE FROM wp_wu_domain_mappings WHERE domain = 'new-mapping.com'");
            Assert.Equal(stamp, await Changed("a mapping deleted")); // the tables are as they were: so is the stamp
            Sql("UPDATE wp_blogs SET archived = 1 WHERE blog_id = 2");
            await Changed("a site archived");
            Sql("UPDATE wp_sitemeta SET meta_value = 'a:1:{s:25:\"auto_create_www_subdomain\";s:5:\"never\";}' WHERE meta_key = 'wp-ultimo_v2_settings' AND site_id = 1");
            await Changed("the www setting");
            Sql("UPDATE wp_wu_2_domain_mappings SET domain = 'renamed-client.org' WHERE domain = 'client-domain.org'");
            await Changed("a mapping of the second network's table");
            string settled = await Stamp();
            Assert.Equal(settled, await Stamp());

            // WP-CLI and REST have no cheap read: the whole snapshot is hashed, and handed back for the sync to use.
            UmNetworkSnapshot snapshot = await reader.ReadAsync(CancellationToken.None);
            UmSourceStamp whole = UmSourceStamp.Of(snapshot);
            Assert.Same(snapshot, whole.Snapshot);
            Assert.Equal(whole.Value, UmSourceStamp.Of(await reader.ReadAsync(CancellationToken.None)).Value);
            Assert.NotEqual(settled, whole.Value);
        }
    }
}
