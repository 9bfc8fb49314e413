using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Commands.Scheduling;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.Sync;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A sync planned from an Ultimate Multisite network, with no I/O: the planner's rule that a name the source protects
    /// is never removed (with or without www.), each desired name's own www, redirection and origin, the plan file that
    /// keeps them, a manifest's network fields, and which UM read failures an unattended run reports as configuration.
    /// </summary>
    public class UmSyncPlanningTests
    {
        private static RunCloudDomain D(long id, string name, string type = "alias") =>
            RunCloudDomain.FromJson(new JObject { ["id"] = id, ["name"] = name, ["type"] = type }, 1, 2);

        private static SyncOptions Prune(int maxRemove = 10) => new SyncOptions
        {
            Prune = true,
            MaxRemove = maxRemove,
            ProtectedName = NamePattern.ParseAll(new[] { "*.runcloud.link" }, "-ProtectedName"),
        };

        /// <summary>network.com (www main_only), a subsite, an active mapping, an inactive one, one of a spam site, a www. row.</summary>
        private static UmNetworkSnapshot Network()
        {
            var s = new UmNetworkSnapshot { Source = RunCloudMappingSource.Database, Origin = "database 'wp' on db:3306 as 'u'", TablePrefix = "wp_", SubdomainInstall = true, HasMappingTable = true, MainNetworkId = 1 };
            s.Networks.Add(new UmNetwork { Id = 1, Domain = "network.com", WwwPolicy = UmWwwPolicy.MainOnly, MappingTable = "wp_wu_domain_mappings" });
            s.Blogs.Add(new UmBlog { BlogId = 1, NetworkId = 1, Domain = "network.com", Path = "/" });
            s.Blogs.Add(new UmBlog { BlogId = 2, NetworkId = 1, Domain = "shop.network.com", Path = "/" });
            s.Blogs.Add(new UmBlog { BlogId = 3, NetworkId = 1, Domain = "spam.network.com", Path = "/", Spam = true });
            s.Mappings.Add(new RunCloudMappedDomain { MappingId = 7, BlogId = 2, Domain = "shop-custom.com", Active = true, Stage = "checking-dns", Table = "wp_wu_domain_mappings", NetworkId = 1 });
            s.Mappings.Add(new RunCloudMappedDomain { MappingId = 8, BlogId = 2, Domain = "off.com", Active = false, Stage = "done", Table = "wp_wu_domain_mappings", NetworkId = 1 });
            s.Mappings.Add(new RunCloudMappedDomain { MappingId = 9, BlogId = 3, Domain = "spam-custom.com", Active = true, Stage = "done", Table = "wp_wu_domain_mappings", NetworkId = 1 });
            s.Mappings.Add(new RunCloudMappedDomain { MappingId = 10, BlogId = 2, Domain = "www.shop-alias.com", Active = true, Stage = "done", Table = "wp_wu_domain_mappings", NetworkId = 1 });
            return s;
        }

        [Fact]
        public void ThePlannerNeverRemovesANameTheSourceProtects_WithOrWithoutWww_WhateverMaxRemoveSays()
        {
            // The source protects shop-custom.com (and its www.) and www.shop-alias.com; the app holds the other variants.
            var protectedNames = new HashSet<string>(StringComparer.Ordinal) { "shop-custom.com", "www.shop-custom.com", "www.shop-alias.com" };
            RunCloudDomain[] app =
            {
                D(1, "main.example.com", "primary"), D(2, "www.www.shop-custom.com"), D(3, "shop-alias.com"), D(4, "old.example.com"), D(5, "www.shop-custom.com"),
            };
            SyncOptions options = Prune(maxRemove: 2);
            options.SourceProtects = protectedNames.Contains;
            options.SourceProtectsReason = "UM maps it.";
            SyncPlan plan = SyncPlanner.Plan(new[] { new DesiredEntry("main.example.com"), new DesiredEntry("shop-custom.com") }, app, options);

            Assert.Equal(SyncVerdict.Proceed, plan.Verdict);
            // shop-alias.com is protected through its www. form (UM routes a host with and without www.).
            Assert.Contains(plan.Skipped, s => s.Name == "shop-alias.com" && s.Kind == RunCloudSyncSkip.Protected && s.Reason == "UM maps it.");
            Assert.Contains(plan.Skipped, s => s.Name == "www.shop-custom.com" && s.Kind == RunCloudSyncSkip.Protected);
            // A name two www. away is not a variant: it goes, with the name nobody maps; both within -MaxRemove 2.
            Assert.Equal(new[] { "www.www.shop-custom.com", "old.example.com" }, plan.ToRemove.Select(d => d.Name));
        }

        [Fact]
        public void TheSourcesProtectionIsThePlannersRule_EveryPathThatPlansASourceKeepsIt()
        {
            // Not a filter at the edge: SyncPlanner.Plan(source, ...) joins the source's protection to the guards itself,
            // and a protected name is kept even when it is not desired (an inactive mapping's www. variant of a live one).
            DesiredSource source = DesiredSource.FromUm(Network(), Array.Empty<string>());
            RunCloudDomain[] app =
            {
                D(1, "network.com", "primary"), D(2, "shop-alias.com"), D(3, "off.com"), D(4, "spam-custom.com"), D(5, "nobody.example.com"), D(6, "x.runcloud.link"),
            };
            SyncPlan plan = SyncPlanner.Plan(source, app, Prune());

            Assert.Same(source, plan.Source);
            Assert.Equal(new[] { "off.com", "spam-custom.com", "nobody.example.com" }, plan.ToRemove.Select(d => d.Name));
            RunCloudSyncSkip alias = Assert.Single(plan.Skipped, s => s.Name == "shop-alias.com");
            Assert.Equal(RunCloudSyncSkip.Protected, alias.Kind);
            Assert.StartsWith("Ultimate Multisite serves it", alias.Reason);
            Assert.Equal(new[] { "network.com", "shop-custom.com", "www.shop-alias.com", "shop.network.com" }, plan.Desired);
            Assert.Equal(new[] { "shop-custom.com", "www.shop-alias.com", "shop.network.com" }, plan.ToAdd);

            // The same source without its protection would prune shop-alias.com: the rule is what keeps it.
            SyncPlan bare = SyncPlanner.Plan(source.Entries, app, Prune());
            Assert.Contains(bare.ToRemove, d => d.Name == "shop-alias.com");
        }

        [Fact]
        public void EachDesiredNameCarriesItsOwnWwwRedirectionAndOrigin()
        {
            DesiredSource source = DesiredSource.FromUm(Network(), Array.Empty<string>());
            SyncPlan plan = SyncPlanner.Plan(source, new[] { D(1, "network.com", "primary") }, Prune());
            DesiredEntry custom = plan.Entries["shop-custom.com"];
            Assert.True(custom.Www);                       // main_only: a two-label name gets www.
            Assert.Equal("non-www", custom.Redirection);   // what UM's RunCloud integration sends
            Assert.Equal(7, custom.Origin!.MappingId);
            Assert.Equal("checking-dns", custom.Origin.Stage);
            Assert.Equal("UM mapping 7, stage checking-dns, site 2 shop.network.com/", custom.Origin.Short());
            DesiredEntry sub = plan.Entries["shop.network.com"];
            Assert.False(sub.Www);                         // main_only: a subsite's host does not
            Assert.Equal("none", sub.Redirection);
            Assert.Equal("WordPress site 2 shop.network.com/ (network 1)", sub.Origin!.Short());

            RunCloudDesiredName[] names = DesiredNameReport.Desired(plan, "list", defaultWww: false, defaultRedirection: "none");
            Assert.Equal(new[] { RunCloudDesiredName.Keep, RunCloudDesiredName.Add, RunCloudDesiredName.Add, RunCloudDesiredName.Add }, names.Select(n => n.Action));
            RunCloudDesiredName n7 = Assert.Single(names, n => n.MappingId == 7);
            Assert.Equal(("shop-custom.com", true, "non-www", "checking-dns", 2L, "shop.network.com/"), (n7.Name, n7.Www, n7.Redirection, n7.Stage!, n7.BlogId!.Value, n7.Site!));
            RunCloudDesiredName[] notServed = DesiredNameReport.NotServed(plan);
            Assert.Equal(new[] { ("off.com", "Inactive"), ("spam-custom.com", "SiteSpam") }, notServed.Select(n => (n.Name, n.NotServedReason!)));

            // A list's names have no policy of their own: the run's -Www / -Redirection stay the default.
            SyncPlan list = SyncPlanner.Plan(new[] { new DesiredEntry("a.example.com") }, Array.Empty<RunCloudDomain>(), new SyncOptions());
            RunCloudDesiredName a = Assert.Single(DesiredNameReport.Desired(list, "file names.txt", defaultWww: true, defaultRedirection: "www"));
            Assert.Equal((true, "www", "file names.txt", "List"), (a.Www, a.Redirection, a.Source, a.Kind));
        }

        [Fact]
        public void WithoutUmsTableTheNetworksSitesAreTheSourceAndItSaysSo()
        {
            UmNetworkSnapshot s = Network();
            s.HasMappingTable = false;
            s.Mappings.Clear();
            DesiredSource source = DesiredSource.FromUm(s, Array.Empty<string>());
            Assert.Equal(DesiredSource.WordPressSitesKind, source.Kind);
            Assert.Equal("WordPress sites, database 'wp' on db:3306 as 'u' (Ultimate Multisite's table wp_wu_domain_mappings does not exist)", source.Description);
            Assert.Equal(new[] { "network.com", "shop.network.com" }, source.Entries.Select(e => e.Raw));
            Assert.True(source.IsProtected("shop.network.com"));
        }

        [Fact]
        public void ThePlanFileKeepsEachNamesWwwAndOrigin_AndTheProtectedNamesApplyingChecksAgain()
        {
            DesiredSource source = DesiredSource.FromUm(Network(), Array.Empty<string>());
            SyncPlan sync = SyncPlanner.Plan(source, new[] { D(1, "network.com", "primary") }, Prune());
            var plan = new RunCloudSyncPlan
            {
                Index = 1, BaseUri = "https://manage.runcloud.io/api/v3/", ServerId = 1, WebAppId = 2, Prune = true,
                Desired = sync.Desired.ToArray(),
                Source = source.Description,
                DesiredNames = DesiredNameReport.Desired(sync, "list", false, "none"),
                NotServed = DesiredNameReport.NotServed(sync),
                Protected = source.ProtectedNames.ToArray(),
                Live = new[] { new RunCloudPlannedDomain(1, "network.com", true) },
            };
            plan.Fingerprint = LiveFingerprint.Compute(plan.Live);
            RunCloudSyncPlan back = Assert.Single(PlanDocument.Read(PlanDocument.Write(new[] { plan }, null), "plan.json"));
            Assert.Equal(plan.Source, back.Source);
            Assert.Equal(plan.Protected, back.Protected);
            Assert.Equal(plan.DesiredNames.Select(n => (n.Name, n.Www, n.Redirection, n.MappingId, n.Stage)), back.DesiredNames.Select(n => (n.Name, n.Www, n.Redirection, n.MappingId, n.Stage)));
            Assert.Equal("Inactive", back.NotServed[0].NotServedReason);

            // Applying: the plan's protected names stay protected (an edit that removes one is refused by the rules).
            SyncOptions guards = TargetPlanner.Guards(back);
            SyncPlan again = SyncPlanner.Plan(new[] { new DesiredEntry("network.com") }, new[] { D(1, "network.com", "primary"), D(3, "shop-alias.com") }, guards);
            Assert.Empty(again.ToRemove);
            Assert.Contains(again.Skipped, s => s.Name == "shop-alias.com" && s.Reason.Contains("serves it"));

            // A redirection an edit made up is refused, not sent.
            string edited = PlanDocument.Write(new[] { plan }, null).Replace("\"redirection\": \"non-www\"", "\"redirection\": \"elsewhere\"");
            Assert.Contains("redirection 'elsewhere'", Assert.ThrowsAny<Exception>(() => PlanDocument.Read(edited, "plan.json")).Message);
        }

        [Fact]
        public void AManifestTargetReadsItsNetworkWithItsOwnFields()
        {
            FleetManifest m = FleetManifest.ParseJson(@"{ ""targets"": [
                { ""serverId"": 1, ""webAppId"": 2, ""wordPressPath"": ""net"", ""via"": ""wpCli"", ""wpCliPath"": ""/usr/local/bin/wp"", ""wpCliArgument"": [""--allow-root""], ""wpConfigPath"": ""conf/wp-config.php"" },
                { ""serverId"": 1, ""webAppId"": 3, ""wordPressPath"": ""/var/www/net"" },
                { ""serverId"": 1, ""webAppId"": 4, ""ultimateMultisiteUri"": ""https://network.example.com"", ""ultimateMultisiteKeyVariable"": ""UM_KEY"", ""ultimateMultisiteSecretVariable"": ""UM_SECRET"", ""wwwPolicy"": ""main_only"" } ] }", "fleet.json");
            FleetTarget cli = m.Targets[0];
            Assert.Equal((FleetSourceKind.WordPressPath, RunCloudMappingSource.WpCli, "/usr/local/bin/wp", "conf/wp-config.php"), (cli.SourceKind, cli.Via, cli.WpCliPath!, cli.WpConfigPath!));
            Assert.Equal(new[] { "--allow-root" }, cli.WpCliArgument);
            Assert.Equal(RunCloudMappingSource.Database, m.Targets[1].Via);
            FleetTarget rest = m.Targets[2];
            Assert.Equal(FleetSourceKind.UltimateMultisiteUri, rest.SourceKind);
            Assert.Equal(("UM_KEY", "UM_SECRET", UmWwwPolicy.MainOnly), (rest.UltimateMultisiteKeyVariable!, rest.UltimateMultisiteSecretVariable!, rest.WwwPolicy!.Value));
        }

        [Theory]
        [InlineData(@"""wordPressPath"": ""n"", ""via"": ""rest""", "'via'", "ultimateMultisiteUri")]
        [InlineData(@"""wordPressPath"": ""n"", ""wpCliArgument"": [""--allow-root""]", "'wpCliPath' and 'wpCliArgument' are used only with", "wpCli")]
        [InlineData(@"""path"": ""names.txt"", ""via"": ""wpCli""", "field 'via' belongs to a 'wordPressPath' source", "Remove it")]
        [InlineData(@"""ultimateMultisiteUri"": ""https://n.example"", ""ultimateMultisiteKeyVariable"": ""K""", "'ultimateMultisiteSecretVariable' is missing", "environment variables")]
        [InlineData(@"""ultimateMultisiteUri"": ""https://n.example"", ""ultimateMultisiteKeyVariable"": ""K"", ""ultimateMultisiteSecretVariable"": ""s3cr3t value!""", "NAME of an environment variable", "never the value")]
        [InlineData(@"""ultimateMultisiteUri"": ""ftp://n.example""", "'ultimateMultisiteUri'", "network's address")]
        [InlineData(@"""wordPressPath"": ""n"", ""domains"": [""a.example.com""]", "are both given", "exactly one source")]
        [InlineData(@"""ultimateMultisiteUri"": ""https://n.example"", ""ultimateMultisiteKeyVariable"": ""K"", ""ultimateMultisiteSecretVariable"": ""S"", ""wwwPolicy"": ""sometimes""", "'wwwPolicy'", "mainOnly")]
        public void AManifestsNetworkFieldsAreCheckedBeforeAnythingRuns(string fields, string expected, string fix)
        {
            var ex = Assert.Throws<ManifestException>(() => FleetManifest.ParseJson(@"{ ""targets"": [ { ""serverId"": 1, ""webAppId"": 2, " + fields + " } ] }", "fleet.json"));
            Assert.Contains(expected, ex.Message);
            Assert.Contains(fix, ex.Message);
        }

        [Fact]
        public void AManifestStillRefusesAFieldThatWouldHoldASecret_ButNotOneNamingAVariable()
        {
            Assert.True(FleetManifest.LooksLikeSecretField("ultimateMultisiteSecret"));
            Assert.True(FleetManifest.LooksLikeSecretField("apiKey"));
            Assert.False(FleetManifest.LooksLikeSecretField("ultimateMultisiteSecretVariable"));
        }

        /// <summary>What each way a network read can fail means to an unattended run: fix the configuration (1), or the next run retries (3).</summary>
        private static readonly Dictionary<UmReadFailure, RunCloudSyncExitCode> s_exitCodes = new Dictionary<UmReadFailure, RunCloudSyncExitCode>
        {
            [UmReadFailure.Configuration] = RunCloudSyncExitCode.Configuration,    // wp-config.php unreadable or ambiguous
            [UmReadFailure.Authentication] = RunCloudSyncExitCode.Configuration,   // the database's password, UM's API key: not RunCloud's credentials (4)
            [UmReadFailure.Schema] = RunCloudSyncExitCode.Configuration,
            [UmReadFailure.UnreadableData] = RunCloudSyncExitCode.Configuration,
            [UmReadFailure.WpCli] = RunCloudSyncExitCode.Configuration,
            [UmReadFailure.Credential] = RunCloudSyncExitCode.Configuration,
            [UmReadFailure.Locked] = RunCloudSyncExitCode.RetryNextRun,
            [UmReadFailure.Timeout] = RunCloudSyncExitCode.RetryNextRun,
            [UmReadFailure.Connection] = RunCloudSyncExitCode.RetryNextRun,
            [UmReadFailure.Truncated] = RunCloudSyncExitCode.RetryNextRun,    // rows changed while a paged list was read
            [UmReadFailure.Rest] = RunCloudSyncExitCode.RetryNextRun,         // UM's API answered an error (5xx)
        };

        [Fact]
        public void AWordPressNetworkThatCannotBeReadIsConfigurationOrTransient_EveryFailureDecided()
        {
            Assert.Equal(Enum.GetValues(typeof(UmReadFailure)).Cast<UmReadFailure>().OrderBy(f => f), s_exitCodes.Keys.OrderBy(f => f));
            foreach (KeyValuePair<UmReadFailure, RunCloudSyncExitCode> pair in s_exitCodes)
            {
                var ex = new UmReadException(pair.Key, "x", "x");
                Assert.True(pair.Value == ExitCodes.ForRun(ex.ErrorId + ",RunCloud.PowerShell.Commands.SyncRunCloudDomainCommand"), $"{ex.ErrorId} should be {pair.Value}");
                Assert.True(pair.Value == ExitCodes.ForRun(ex.ErrorId), $"{ex.ErrorId} (a fleet target's) should be {pair.Value}");
            }
        }
    }
}
