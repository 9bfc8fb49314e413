using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MySqlConnector;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Ultimate Multisite read straight from a real MariaDB: the fixture networks, the failure modes, 10,000 rows.</summary>
    [Collection(MariaDbCollection.Name)]
    public class UmDatabaseReaderTests
    {
        private readonly MariaDbFixture _db;

        public UmDatabaseReaderTests(MariaDbFixture db) => _db = db;

        private Task<UmNetworkSnapshot> Read(string root, int timeoutSeconds = 30) =>
            UmSources.CreateReader(new UmSourceOptions { WordPressPath = root, Timeout = TimeSpan.FromSeconds(timeoutSeconds) }).ReadAsync(CancellationToken.None);

        [Fact]
        public async Task ReadsEveryTableOfTheSubdomainNetworks()
        {
            UmNetworkSnapshot s = await Read(_db.WordPressRoot("wp_"));
            Assert.Equal(RunCloudMappingSource.Database, s.Source);
            Assert.True(s.SubdomainInstall);
            Assert.True(s.HasMappingTable);
            Assert.Equal(new[] { "network.com", "second.org" }, s.Networks.Select(n => n.Domain));
            Assert.Equal(UmWwwPolicy.Always, s.Networks[0].WwwPolicy);
            Assert.Equal(UmWwwPolicy.MainOnly, s.Networks[1].WwwPolicy);
            Assert.Equal("wp_wu_domain_mappings", s.Networks[0].MappingTable);
            Assert.Equal("wp_wu_2_domain_mappings", s.Networks[1].MappingTable);
            Assert.Equal(new[] { "wp_wu_2_domain_mappings" }, s.ExtraTables);
            Assert.Equal(7, s.Blogs.Count);
            Assert.Equal(15, s.Mappings.Count);
            Assert.DoesNotContain(MariaDbServer.Password, s.Origin);

            RunCloudMappedDomain shop = s.Mappings.Single(m => m.Domain == "shop-example.com");
            Assert.Equal(1, shop.MappingId);
            Assert.Equal(2, shop.BlogId);
            Assert.Equal("shop.network.com/", shop.SiteHost);
            Assert.Equal(1, shop.NetworkId);
            Assert.True(shop.Active && shop.Primary && shop.Secure);
            Assert.Equal("done", shop.Stage);
            Assert.Equal("wp_wu_domain_mappings", shop.Table);
            Assert.Equal(new DateTime(2025, 3, 2, 10, 0, 0), shop.DateCreated);
            Assert.True(shop.Routed);

            RunCloudMappedDomain client = s.Mappings.Single(m => m.Domain == "client-domain.org");
            Assert.Equal("wp_wu_2_domain_mappings", client.Table);
            Assert.Equal(2, client.NetworkId);
            Assert.Null(s.Mappings.Single(m => m.Domain == "orphan-site.com").SiteHost);
            Assert.False(s.Mappings.Single(m => m.Domain == "switched-off.com").Active);
        }

        [Fact]
        public async Task TheDesiredSetOfTheSubdomainNetworksFollowsUmsRules()
        {
            UmDesiredSet set = UmDesiredSetCalculator.Compute(await Read(_db.WordPressRoot("wp_")));
            string[] names = set.Desired.Select(d => d.Name).ToArray();
            Assert.Equal(new[]
            {
                "network.com", "second.org",
                "shop-example.com", "www.shop-alias.com", "pending-dns.com", "dns-failed.net", "archived-site.com", "shop.network.com",
                "blog.shop-example.co.uk", "shop-example.co.uk", "client-domain.org", "sub.client-domain.org",
                "paused.network.com", "client.second.org",
            }, names);
            UmDesiredName Of(string n) => set.Desired.Single(d => d.Name == n);
            Assert.True(Of("shop-example.com").Www);
            Assert.Equal("non-www", Of("shop-example.com").Redirection);
            Assert.False(Of("www.shop-alias.com").Www);
            Assert.Equal("none", Of("www.shop-alias.com").Redirection);
            Assert.True(Of("client-domain.org").Www);          // network 2: main_only, an apex name
            Assert.False(Of("sub.client-domain.org").Www);     // main_only, not apex
            Assert.False(Of("client.second.org").Www);
            Assert.True(Of("second.org").Www);
            Assert.Equal("mapping 3 (stage checking-dns, site 2 shop.network.com/, wp_wu_domain_mappings)", Of("pending-dns.com").Origin.Describe());
            Assert.Equal(UmOriginKind.SiteHost, Of("paused.network.com").Origin.Kind);

            UmNotServedReason Why(string n) => set.NotServed.Single(x => x.Name == n).Reason;
            Assert.Equal(UmNotServedReason.Inactive, Why("switched-off.com"));
            Assert.Equal(UmNotServedReason.SiteSpam, Why("spam-site.com"));
            Assert.Equal(UmNotServedReason.SiteDeleted, Why("deleted-site.com"));
            Assert.Equal(UmNotServedReason.SiteMissing, Why("orphan-site.com"));
            Assert.Equal(UmNotServedReason.Inactive, Why("old-client.org"));
            Assert.Equal(5, set.NotServed.Count);

            Assert.True(set.IsProtected("www.shop-example.com"));
            Assert.True(set.IsProtected("www.shop-alias.com"));
            Assert.True(set.IsProtected("shop.network.com"));
            Assert.False(set.IsProtected("switched-off.com"));
            Assert.False(set.IsProtected("spam-site.com"));
            Assert.Contains(set.Warnings, w => w.Contains("wp_wu_2_domain_mappings holds 3 row(s)"));
        }

        [Fact]
        public async Task TheMainDomainRowOfASubdirectoryInstallIsReportedNotServed()
        {
            UmNetworkSnapshot s = await Read(_db.WordPressRoot("sd_", subdomain: false));
            Assert.False(s.SubdomainInstall);
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(new[] { "subdir.net", "alpha-site.com", "beta-site.com" }, set.Desired.Select(d => d.Name));
            Assert.All(set.Desired, d => Assert.False(d.Www));   // never
            UmNotServedName row = Assert.Single(set.NotServed);
            Assert.Equal("subdir.net", row.Name);
            Assert.Equal(UmNotServedReason.NetworkMainDomain, row.Reason);
            Assert.Equal(UmOriginKind.NetworkMainDomain, set.Desired[0].Origin.Kind);
        }

        [Fact]
        public async Task ReadsTenThousandRows_OneQueryPerTable()
        {
            UmNetworkSnapshot s = await Read(_db.WordPressRoot("big_"));
            Assert.Equal(10_000, s.Mappings.Count);
            Assert.Equal(10_000, s.Mappings.Select(m => m.Domain).Distinct().Count());
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(200, set.NotServed.Count);                   // every 50th row is inactive
            Assert.Equal(1 + 100 + 9_800, set.Desired.Count);         // the main domain, 100 subsite hosts, 9,800 active rows
        }

        [Fact]
        public async Task AWrongPasswordIsATypedErrorThatNeverShowsThePassword()
        {
            var ex = await Assert.ThrowsAsync<UmReadException>(() => Read(_db.WordPressRoot("wp_", password: "Wrong-pw-4711")));
            Assert.Equal(UmReadFailure.Authentication, ex.Failure);
            Assert.Equal("RunCloudUmAuthentication", ex.ErrorId);
            Assert.Contains(MariaDbServer.User, ex.Message);
            Assert.Contains("DB_PASSWORD", ex.Message);
            Assert.DoesNotContain("Wrong-pw-4711", ex.ToString());
            Assert.DoesNotContain(MariaDbServer.Password, ex.ToString());
        }

        [Fact]
        public async Task AnUnknownSchemaNamesTheTableAndColumn()
        {
            var ex = await Assert.ThrowsAsync<UmReadException>(() => Read(_db.WordPressRoot("bad_")));
            Assert.Equal(UmReadFailure.Schema, ex.Failure);
            Assert.Equal("bad_wu_domain_mappings", ex.What);
            Assert.Contains("stage", ex.Message);
        }

        [Fact]
        public async Task AMissingWordPressTableIsASchemaError()
        {
            var ex = await Assert.ThrowsAsync<UmReadException>(() => Read(_db.WordPressRoot("nothere_")));
            Assert.Equal(UmReadFailure.Schema, ex.Failure);
            Assert.Equal("nothere_blogs", ex.What);
        }

        [Fact]
        public async Task ALockedTableFailsWithinTheTimeoutNamingTheTable()
        {
            using var holder = new MySqlConnection(_db.Server.RootConnectionString(MariaDbFixture.Database));
            await holder.OpenAsync();
            using (var cmd = new MySqlCommand("LOCK TABLES sd_wu_domain_mappings WRITE", holder)) await cmd.ExecuteNonQueryAsync();
            try
            {
                var ex = await Assert.ThrowsAsync<UmReadException>(() => Read(_db.WordPressRoot("sd_", subdomain: false), timeoutSeconds: 1));
                Assert.True(ex.Failure == UmReadFailure.Locked || ex.Failure == UmReadFailure.Timeout, ex.Failure + ": " + ex.Message);
                Assert.Equal("sd_wu_domain_mappings", ex.What);
            }
            finally
            {
                using var unlock = new MySqlCommand("UNLOCK TABLES", holder);
                await unlock.ExecuteNonQueryAsync();
            }
        }

        [Fact]
        public async Task ConnectsOverTheSocketForLocalhostColonSocket()
        {
            UmNetworkSnapshot s = await Read(_db.WordPressRoot("sd_", subdomain: false, dbHost: "localhost:" + _db.Server.Socket));
            Assert.Equal(3, s.Mappings.Count);
            Assert.Contains("socket", s.Origin);
        }

        [Fact]
        public async Task AnUnreachableServerIsAConnectionError()
        {
            var ex = await Assert.ThrowsAsync<UmReadException>(() => Read(_db.WordPressRoot("wp_", dbHost: "127.0.0.1:1"), timeoutSeconds: 3));
            Assert.Equal(UmReadFailure.Connection, ex.Failure);
            Assert.Contains("DB_HOST", ex.Message);
        }

        [Fact]
        public async Task AnAmbiguousDbConstantIsRefusedBeforeAnyConnection()
        {
            string root = _db.WordPressRoot("wp_", extra: "define( 'DB_HOST', 'other.example.com' );\n");
            var ex = await Assert.ThrowsAsync<UmReadException>(() => Read(root));
            Assert.Equal(UmReadFailure.Configuration, ex.Failure);
            Assert.Contains("DB_HOST is defined 2 times (lines 5, 12)", ex.Message);
        }
    }
}
