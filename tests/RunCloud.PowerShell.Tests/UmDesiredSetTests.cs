using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The pure rule from a UM snapshot to the desired set, case by case (no I/O).</summary>
    public class UmDesiredSetTests
    {
        private static UmNetworkSnapshot Network(UmWwwPolicy policy = UmWwwPolicy.Always, bool subdomain = true)
        {
            var s = new UmNetworkSnapshot { Source = RunCloudMappingSource.Database, SubdomainInstall = subdomain, HasMappingTable = true, MainNetworkId = 1 };
            s.Networks.Add(new UmNetwork { Id = 1, Domain = "network.com", WwwPolicy = policy, MappingTable = "wp_wu_domain_mappings" });
            s.Blogs.Add(new UmBlog { BlogId = 1, NetworkId = 1, Domain = "network.com" });
            s.Blogs.Add(new UmBlog { BlogId = 2, NetworkId = 1, Domain = subdomain ? "shop.network.com" : "network.com", Path = subdomain ? "/" : "/shop/" });
            return s;
        }

        private static RunCloudMappedDomain Row(long id, string domain, long blog = 2, bool active = true, string stage = "done", string table = "wp_wu_domain_mappings", long network = 1) =>
            new RunCloudMappedDomain { MappingId = id, Domain = domain, BlogId = blog, Active = active, Stage = stage, Table = table, NetworkId = network };

        [Theory]
        [InlineData(UmWwwPolicy.Always, "example.com", true)]
        [InlineData(UmWwwPolicy.Always, "deep.sub.example.com", true)]
        [InlineData(UmWwwPolicy.Always, "www.example.com", false)]
        [InlineData(UmWwwPolicy.Always, "WWW.Example.com", false)]
        [InlineData(UmWwwPolicy.Never, "example.com", false)]
        [InlineData(UmWwwPolicy.MainOnly, "example.com", true)]
        [InlineData(UmWwwPolicy.MainOnly, "sub.example.com", false)]
        [InlineData(UmWwwPolicy.MainOnly, "example.co.uk", true)]
        [InlineData(UmWwwPolicy.MainOnly, "example.com.au", true)]
        [InlineData(UmWwwPolicy.MainOnly, "example.co.in", true)]
        [InlineData(UmWwwPolicy.MainOnly, "shop.example.co.uk", false)]
        [InlineData(UmWwwPolicy.MainOnly, "example.org.uk", false)]   // UM's own list of multi-part suffixes, not the public suffix list
        [InlineData(UmWwwPolicy.MainOnly, "www.example.com", false)]
        public void WwwFollowsUmsShouldCreateWwwSubdomain(UmWwwPolicy policy, string name, bool www) =>
            Assert.Equal(www, UmDesiredSetCalculator.ShouldAddWww(name, policy));

        [Theory]
        [InlineData("checking-dns")]
        [InlineData("checking-ssl-cert")]
        [InlineData("done")]
        [InlineData("done-without-ssl")]
        [InlineData("failed")]
        [InlineData("ssl-failed")]
        [InlineData("a-stage-of-a-future-version")]
        public void EveryStageIsServed_StageIsReportedNeverAReason(string stage)
        {
            var s = Network();
            s.Mappings.Add(Row(7, "customer.com", stage: stage));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            UmDesiredName d = set.Desired.Single(x => x.Name == "customer.com");
            Assert.Equal(stage, d.Origin.Stage);
            Assert.Contains("stage " + stage, d.Origin.Describe());
            Assert.True(set.IsProtected("customer.com"));
        }

        [Fact]
        public void AnInactiveRowIsNotServedAndNotProtected()
        {
            var s = Network();
            s.Mappings.Add(Row(1, "off.com", active: false));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.DoesNotContain(set.Desired, d => d.Name == "off.com");
            Assert.Equal(UmNotServedReason.Inactive, set.NotServed.Single().Reason);
            Assert.False(set.IsProtected("off.com"));
            Assert.False(set.IsProtected("www.off.com"));
        }

        [Theory]
        [InlineData(false, true, false, UmNotServedReason.SiteSpam)]
        [InlineData(false, false, true, UmNotServedReason.SiteDeleted)]
        [InlineData(true, true, false, UmNotServedReason.SiteSpam)]
        public void RowsOfSpamOrDeletedSitesAreNotServed(bool archived, bool spam, bool deleted, UmNotServedReason reason)
        {
            var s = Network();
            s.Blogs[1].Archived = archived;
            s.Blogs[1].Spam = spam;
            s.Blogs[1].Deleted = deleted;
            s.Mappings.Add(Row(1, "customer.com"));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(reason, set.NotServed.Single().Reason);
            Assert.DoesNotContain(set.Desired, d => d.Name == "customer.com" || d.Name == "shop.network.com");
            Assert.False(set.IsProtected("customer.com"));
        }

        [Fact]
        public void ArchivedSitesStayServed()
        {
            var s = Network();
            s.Blogs[1].Archived = true;
            s.Mappings.Add(Row(1, "customer.com"));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Contains(set.Desired, d => d.Name == "customer.com");
            Assert.Contains(set.Desired, d => d.Name == "shop.network.com");
            Assert.Empty(set.NotServed);
        }

        [Fact]
        public void ARowOfAMissingSiteIsNotServed()
        {
            var s = Network();
            s.Mappings.Add(Row(1, "lost.com", blog: 42));
            Assert.Equal(UmNotServedReason.SiteMissing, UmDesiredSetCalculator.Compute(s).NotServed.Single().Reason);
        }

        [Theory]
        [InlineData("network.com")]
        [InlineData("www.network.com")]
        [InlineData("NETWORK.com.")]
        public void ARowHoldingTheMainDomainIsReportedNotServed_TheMainDomainIsServedAsTheNetworksOwn(string row)
        {
            var s = Network(subdomain: false);
            s.Mappings.Add(Row(1, row, stage: "checking-dns"));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(UmNotServedReason.NetworkMainDomain, set.NotServed.Single().Reason);
            UmDesiredName main = set.Desired.Single(d => d.Name == "network.com");
            Assert.Equal(UmOriginKind.NetworkMainDomain, main.Origin.Kind);
            Assert.Equal(new[] { "network.com" }, set.MainDomains);
            Assert.True(set.IsProtected("network.com"));
        }

        [Fact]
        public void NeverASecondWww()
        {
            var s = Network();
            s.Mappings.Add(Row(1, "www.customer.com"));
            UmDesiredName d = UmDesiredSetCalculator.Compute(s).Desired.Single(x => x.Name == "www.customer.com");
            Assert.False(d.Www);
            Assert.Equal("none", d.Redirection);
        }

        [Theory]
        [InlineData(UmWwwPolicy.Always, true)]
        [InlineData(UmWwwPolicy.MainOnly, true)]
        [InlineData(UmWwwPolicy.Never, false)]
        public void WwwAndRedirectionFollowThePolicyOfTheSitesNetwork(UmWwwPolicy policy, bool www)
        {
            var s = Network(UmWwwPolicy.Always);
            s.Networks.Add(new UmNetwork { Id = 2, Domain = "second.org", WwwPolicy = policy });
            s.Blogs.Add(new UmBlog { BlogId = 9, NetworkId = 2, Domain = "second.org" });
            s.Mappings.Add(Row(1, "their-shop.com", blog: 9, table: "wp_wu_2_domain_mappings", network: 2));
            s.ExtraTables.Add("wp_wu_2_domain_mappings");
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            UmDesiredName d = set.Desired.Single(x => x.Name == "their-shop.com");
            Assert.Equal(www, d.Www);
            Assert.Equal(www ? "non-www" : "none", d.Redirection);
            Assert.Equal("wp_wu_2_domain_mappings", d.Origin.Table);
            Assert.Equal(new[] { "wp_wu_2_domain_mappings" }, set.ExtraTables);
            Assert.Contains(set.Warnings, w => w.StartsWith("wp_wu_2_domain_mappings holds 1 row(s)"));
            Assert.True(set.IsProtected("www.their-shop.com"));   // UM matches the host with and without www., whatever the policy
            Assert.True(set.IsProtected("their-shop.com"));
        }

        [Fact]
        public void ARowOfATableWhoseNetworkIsGoneIsNotServed()
        {
            var s = Network();
            s.Mappings.Add(Row(1, "ghost.com", blog: 77, table: "wp_wu_5_domain_mappings", network: 5));
            Assert.Equal(UmNotServedReason.NetworkMissing, UmDesiredSetCalculator.Compute(s).NotServed.Single().Reason);
        }

        [Fact]
        public void AWildcardOnTheAppCoversSubsiteHosts_ButNotDeeperOnesOrCustomDomains()
        {
            var s = Network();
            s.Blogs.Add(new UmBlog { BlogId = 3, NetworkId = 1, Domain = "a.b.network.com" });
            s.Mappings.Add(Row(1, "shop.network.com", stage: "checking-dns"));   // UM 2.4.0+: the subsite's own row
            s.Mappings.Add(Row(2, "customer.com"));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s, new[] { "*.network.com", "network.com" });
            Assert.Equal(new[] { "shop.network.com" }, set.Covered.Select(c => c.Name));
            Assert.Equal("*.network.com", set.Covered[0].Wildcard);
            Assert.Equal(new[] { "network.com", "customer.com", "a.b.network.com" }, set.Desired.Select(d => d.Name));
            Assert.True(set.IsProtected("shop.network.com"));   // covered: never added, never removed
        }

        [Fact]
        public void WithoutAWildcardSubsiteHostsAreDesired_OnceEach()
        {
            var s = Network();
            s.Mappings.Add(Row(1, "shop.network.com", stage: "checking-dns"));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(new[] { "network.com", "shop.network.com" }, set.Desired.Select(d => d.Name));
            Assert.Equal(UmOriginKind.Mapping, set.Desired[1].Origin.Kind);
        }

        [Fact]
        public void ADuplicateNameInAnExtraTableIsReported_TheMainTablesRowWins()
        {
            var s = Network();
            s.Networks.Add(new UmNetwork { Id = 2, Domain = "second.org" });
            s.Blogs.Add(new UmBlog { BlogId = 9, NetworkId = 2, Domain = "second.org" });
            s.Mappings.Add(Row(1, "customer.com"));
            s.Mappings.Add(Row(1, "customer.com", blog: 9, table: "wp_wu_2_domain_mappings", network: 2));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal("wp_wu_domain_mappings", set.Desired.Single(d => d.Name == "customer.com").Origin.Table);
            UmNotServedName dup = set.NotServed.Single();
            Assert.Equal(UmNotServedReason.Duplicate, dup.Reason);
            Assert.Equal("wp_wu_2_domain_mappings", dup.Origin.Table);
        }

        [Theory]
        [InlineData("https://customer.com/")]
        [InlineData("customer .com")]
        [InlineData("*.customer.com")]
        [InlineData("")]
        public void AnInvalidNameIsNotServed(string bad)
        {
            var s = Network();
            s.Mappings.Add(Row(1, bad));
            Assert.Equal(UmNotServedReason.InvalidName, UmDesiredSetCalculator.Compute(s).NotServed.Single().Reason);
        }

        [Fact]
        public void InternationalNamesArePunycoded()
        {
            var s = Network();
            s.Mappings.Add(Row(1, "bücher.de"));
            Assert.Contains(UmDesiredSetCalculator.Compute(s).Desired, d => d.Name == "xn--bcher-kva.de");
        }

        [Fact]
        public void SpamAndDeletedSubsitesAreNotDesiredAsHosts_NorProtected()
        {
            var s = Network();
            s.Blogs.Add(new UmBlog { BlogId = 3, NetworkId = 1, Domain = "bad.network.com", Spam = true });
            s.Blogs.Add(new UmBlog { BlogId = 4, NetworkId = 1, Domain = "old.network.com", Deleted = true });
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(new[] { "network.com", "shop.network.com" }, set.Desired.Select(d => d.Name));
            Assert.False(set.IsProtected("bad.network.com"));
            Assert.False(set.IsProtected("old.network.com"));
        }

        [Fact]
        public void TheProtectedSetHoldsEveryServedNameAndItsWwwVariant()
        {
            var s = Network(UmWwwPolicy.Never);
            s.Mappings.Add(Row(1, "customer.com"));
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            // UM matches a host with and without www., whatever the www policy: the www. variant is never pruned.
            Assert.True(set.IsProtected("www.customer.com"));
            Assert.True(set.IsProtected("CUSTOMER.com."));
            Assert.All(set.Desired, d => Assert.True(set.IsProtected(d.Name)));
        }

        [Fact]
        public void TheSnapshotsWarningsAndSourceCarryOver()
        {
            var s = Network();
            s.Source = RunCloudMappingSource.Rest;
            s.Origin = "UM's REST API at https://network.com/wp-json/";
            s.Warnings.Add("taken as 'always'");
            UmDesiredSet set = UmDesiredSetCalculator.Compute(s);
            Assert.Equal(RunCloudMappingSource.Rest, set.Source);
            Assert.Equal(s.Origin, set.Origin);
            Assert.Contains("taken as 'always'", set.Warnings);
        }
    }
}
