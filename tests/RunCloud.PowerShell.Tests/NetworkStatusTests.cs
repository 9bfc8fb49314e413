using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Sync.Status;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Get-RunCloudNetworkStatus's pure parts: the join of source and listing with the sync's own planner (NextSync),
    /// RunCloud's certificate state per name, the state of each name (worst first), the problem sentences, the -FailOn
    /// rules (parsed strictly) and the summary. No HTTP, no DNS, no PowerShell.
    /// </summary>
    public class NetworkStatusTests
    {
        private static readonly DateTime Now = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

        private static RunCloudDomain D(long id, string name, string type = "alias", DateTime? created = null, bool wildcard = false, bool www = false) =>
            RunCloudDomain.FromJson(new JObject
            {
                ["id"] = id, ["name"] = name, ["type"] = type, ["wildcard"] = wildcard ? 1 : 0, ["www"] = www ? 1 : 0,
                ["created_at"] = (created ?? Now.AddDays(-60)).ToString("yyyy-MM-dd HH:mm:ss"),
            }, 1001, 2001);

        private static RunCloudSsl Ssl(long id, DateTime validUntil, string method = "http-01", bool staging = false, string? pem = null) =>
            RunCloudSsl.FromJson(new JObject
            {
                ["id"] = id, ["method"] = "letsencrypt", ["authorizationMethod"] = method, ["staging"] = staging,
                ["validUntil"] = validUntil.ToString("yyyy-MM-dd HH:mm:ss"), ["certificate"] = pem ?? "-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----",
            }, 1001, 2001);

        private static RunCloudSsl NoSsl() => RunCloudSsl.FromJson(new JObject { ["message"] = "SSL not installed!" }, 1001, 2001);

        private static SyncOptions Options(bool prune = false, int maxRemove = 10, params string[] exclude) => new SyncOptions
        {
            Prune = prune,
            MaxRemove = maxRemove,
            Exclude = NamePattern.ParseAll(exclude, "-Exclude"),
            ProtectedName = NamePattern.ParseAll(new[] { "*.runcloud.link" }, "-ProtectedName"),
        };

        private static DesiredSource List(params string[] names) => DesiredSource.FromEntries("list", names.Select(n => new DesiredEntry(n)));

        /// <summary>The basic-mode app certificate was issued 30 days ago (Let's Encrypt: validUntil - 90 days).</summary>
        private static TargetSslState Basic(RunCloudSsl? ssl = null) => new TargetSslState { AppSsl = ssl ?? Ssl(4001, Now.AddDays(60)) };

        private static List<RunCloudNetworkStatus> Status(DesiredSource source, IReadOnlyList<RunCloudDomain> app, SyncOptions options, StatusChecks checks)
        {
            NetworkStatusDraft draft = NetworkStatusBuilder.Join(source, app, options);
            return NetworkStatusBuilder.Complete(draft, checks, 1001, 2001, null);
        }

        private static StatusChecks Checks(TargetSslState ssl, Dictionary<string, string>? dns = null, Dictionary<string, (string Status, int? Days)>? live = null)
        {
            var checks = new StatusChecks { Ssl = ssl, NowUtc = Now, ExpiringDays = 14 };
            foreach (var pair in dns ?? new Dictionary<string, string>()) checks.Dns[pair.Key] = new RunCloudDnsCheck { Name = pair.Key, Status = pair.Value, Message = pair.Key + " is " + pair.Value + "." };
            if (live != null)
            {
                checks.Live = live.ToDictionary(p => p.Key, p => new RunCloudCertificateCheck { Name = p.Key, Status = p.Value.Status, DaysRemaining = p.Value.Days, Message = p.Key + " serves " + p.Value.Status + "." });
            }

            return checks;
        }

        private static RunCloudNetworkStatus One(IEnumerable<RunCloudNetworkStatus> statuses, string name) => Assert.Single(statuses, s => s.Name == name);

        [Fact]
        public void EveryNameEitherSideKnowsHasOneStatusWithTheNextSyncOfTheSyncsOwnPlanner()
        {
            RunCloudDomain[] app =
            {
                D(1, "main.example.com", "primary"), D(2, "kept.example.com"), D(3, "gone.example.com"), D(4, "x.p.runcloud.link"),
            };
            List<RunCloudNetworkStatus> s = Status(List("main.example.com", "kept.example.com", "new.example.com"), app, Options(prune: true), Checks(Basic()));

            Assert.Equal(new[] { "main.example.com", "kept.example.com", "new.example.com", "gone.example.com", "x.p.runcloud.link" }, s.Select(x => x.Name));
            Assert.Equal(NextSyncAction.Keep, One(s, "kept.example.com").NextSync);
            RunCloudNetworkStatus added = One(s, "new.example.com");
            Assert.Equal(NextSyncAction.Add, added.NextSync);
            Assert.Equal(NetworkState.NotOnRunCloud, added.State);
            Assert.Null(added.OnRunCloud);
            Assert.Null(added.Certificate);
            Assert.Contains("the next sync adds it", added.Problem);

            RunCloudNetworkStatus removed = One(s, "gone.example.com");
            Assert.Equal(NextSyncAction.Remove, removed.NextSync);
            Assert.Equal(NetworkState.NotMapped, removed.State);
            Assert.Equal(3, removed.OnRunCloud);
            Assert.Contains("the next sync removes it", removed.Problem);

            RunCloudNetworkStatus own = One(s, "x.p.runcloud.link");
            Assert.Equal(NextSyncAction.Skip, own.NextSync);
            Assert.Equal(NetworkState.Protected, own.State);
            Assert.Equal(string.Empty, own.Problem);
            Assert.Equal(NetworkState.Healthy, One(s, "main.example.com").State);
        }

        [Fact]
        public void WithoutPruneANameNobodyMapsIsKeptAndAProtectedOneIsStillProtected()
        {
            RunCloudDomain[] app = { D(1, "main.example.com", "primary"), D(2, "gone.example.com"), D(4, "x.p.runcloud.link") };
            List<RunCloudNetworkStatus> s = Status(List("new.example.com"), app, Options(), Checks(Basic()));
            RunCloudNetworkStatus gone = One(s, "gone.example.com");
            Assert.Equal(NextSyncAction.Keep, gone.NextSync);
            Assert.Contains("without -Prune", gone.NextSyncReason);
            Assert.Equal(NetworkState.NotMapped, gone.State);
            Assert.Contains("Sync-RunCloudDomain -Prune", gone.Problem);
            Assert.Equal(NetworkState.Protected, One(s, "x.p.runcloud.link").State);
            Assert.Equal(NetworkState.Protected, One(s, "main.example.com").State);
        }

        [Fact]
        public void AGuardThatStopsTheSyncHoldsBackEveryAddAndRemovalAndSaysWhy()
        {
            var app = new List<RunCloudDomain> { D(1, "main.example.com", "primary") };
            for (int i = 0; i < 3; i++) app.Add(D(10 + i, $"old{i}.example.com"));
            NetworkStatusDraft draft = NetworkStatusBuilder.Join(List("main.example.com", "new.example.com"), app, Options(prune: true, maxRemove: 2));
            Assert.NotNull(draft.Blocked);
            Assert.Contains("-MaxRemove 2", draft.Blocked);
            List<RunCloudNetworkStatus> s = NetworkStatusBuilder.Complete(draft, Checks(Basic()), 1001, 2001, null);
            RunCloudNetworkStatus added = One(s, "new.example.com");
            Assert.Equal(NextSyncAction.Skip, added.NextSync);
            Assert.StartsWith("Would be added, but the next sync stops before any change", added.NextSyncReason);
            Assert.Contains("will not add it", added.Problem);
            Assert.All(s.Where(x => x.Name.StartsWith("old", StringComparison.Ordinal)), x => Assert.Equal(NextSyncAction.Skip, x.NextSync));

            var rules = HealthRule.ParseAll(new[] { "SyncBlocked" }, 14);
            RunCloudNetworkStatusSummary summary = NetworkStatusBuilder.Summarize(s, rules, new[] { draft.Blocked! }, new[] { "web app 2001 (server 1001)" });
            RunCloudHealthRuleResult blocked = Assert.Single(summary.FailedRules);
            Assert.Equal(new[] { "new.example.com", "old0.example.com", "old1.example.com", "old2.example.com" }, blocked.Names.OrderBy(n => n));
            Assert.Equal("RunCloudHealthSyncBlocked", blocked.ErrorId);
        }

        [Fact]
        public void AnInvalidEntryHoldsThePruneBackAsTheSyncDoes()
        {
            RunCloudDomain[] app = { D(1, "main.example.com", "primary"), D(2, "gone.example.com") };
            var source = DesiredSource.FromEntries("file names.txt", new[] { new DesiredEntry("main.example.com"), new DesiredEntry("not a name!") });
            NetworkStatusDraft draft = NetworkStatusBuilder.Join(source, app, Options(prune: true));
            Assert.Single(draft.InvalidEntries);
            RunCloudNetworkStatus gone = One(NetworkStatusBuilder.Complete(draft, Checks(Basic()), 1, 2, null), "gone.example.com");
            Assert.Equal(NextSyncAction.Keep, gone.NextSync);
            Assert.Contains("prune is held back", gone.NextSyncReason);
        }

        [Fact]
        public void TheStateIsTheWorstOfDnsCertificateLiveAndExpiry()
        {
            DateTime issued = Now.AddDays(-30);
            RunCloudDomain[] app =
            {
                D(1, "main.example.com", "primary", issued.AddDays(-1)),
                D(2, "dns.example.com", created: issued.AddDays(1)),          // not pointed, added after the issuance
                D(3, "later.example.com", created: issued.AddDays(2)),        // pointed, added after the issuance
                D(4, "mismatch.example.com", created: issued.AddDays(-2)),    // RunCloud says covered, the server serves another
                D(5, "soon.example.com", created: issued.AddDays(-3)),
            };
            var dns = new Dictionary<string, string>
            {
                ["main.example.com"] = "OK", ["dns.example.com"] = "WrongAddress", ["later.example.com"] = "OK", ["mismatch.example.com"] = "OK", ["soon.example.com"] = "OK",
            };
            var live = new Dictionary<string, (string, int?)>
            {
                ["main.example.com"] = ("Covered", 60), ["dns.example.com"] = ("NameMismatch", 60), ["later.example.com"] = ("NameMismatch", 60),
                ["mismatch.example.com"] = ("NameMismatch", 60), ["soon.example.com"] = ("Covered", 5),
            };
            List<RunCloudNetworkStatus> s = Status(List(app.Select(d => d.Name).ToArray()), app, Options(), Checks(Basic(), dns, live));

            Assert.Equal(NetworkState.Healthy, One(s, "main.example.com").State);
            Assert.Equal(NetworkState.DnsNotReady, One(s, "dns.example.com").State);
            Assert.Equal(CertificateState.NotCovered, One(s, "dns.example.com").Certificate);
            RunCloudNetworkStatus later = One(s, "later.example.com");
            Assert.Equal(NetworkState.Uncovered, later.State);
            Assert.Contains("after the web app's certificate (SSL 4001) was last issued", later.CertificateDetail);
            Assert.Contains("Reset-RunCloudSsl", later.Problem);
            Assert.Equal(NetworkState.NotServed, One(s, "mismatch.example.com").State);
            Assert.Equal(CertificateState.Covered, One(s, "mismatch.example.com").Certificate);
            RunCloudNetworkStatus soon = One(s, "soon.example.com");
            Assert.Equal(NetworkState.Expiring, soon.State);
            Assert.Equal(5, soon.DaysRemaining);
            Assert.Contains("ends in 5 day(s)", soon.Problem);

            var rules = HealthRule.ParseAll(new[] { "Uncovered,NotServed", "Expiring:7", "DnsNotReady" }, 14);
            RunCloudNetworkStatusSummary summary = NetworkStatusBuilder.Summarize(s, rules, Array.Empty<string>(), new[] { "x" });
            Assert.Equal(new[] { "dns.example.com", "later.example.com" }, summary.Rules.Single(r => r.Rule == "Uncovered").Names);
            Assert.Equal(new[] { "dns.example.com", "mismatch.example.com", "later.example.com" }.OrderBy(n => n), summary.Rules.Single(r => r.Rule == "NotServed").Names.OrderBy(n => n));
            Assert.Equal(new[] { "soon.example.com" }, summary.Rules.Single(r => r.Rule == "Expiring:7").Names);
            Assert.Equal(new[] { "dns.example.com" }, summary.Rules.Single(r => r.Rule == "DnsNotReady").Names);
            Assert.False(summary.Success);
            Assert.Equal(1, summary.Healthy);
            Assert.Equal(1, summary.DnsNotReady);
            Assert.Equal(1, summary.Uncovered);
            Assert.Equal(1, summary.NotServed);
            Assert.Equal(1, summary.Expiring);
            Assert.Equal(NetworkState.DnsNotReady, summary.Names[0].State);
        }

        [Fact]
        public void CertificateStateFollowsRunCloudsModeMethodAndDates()
        {
            RunCloudDomain plain = D(1, "shop.example.com", created: Now.AddDays(-40));
            var none = new CertificateCoverage(new TargetSslState { AppSsl = NoSsl() }, Now).Judge(plain, plain.Name);
            Assert.Equal(CertificateState.NoCertificate, none.State);
            Assert.Contains("basic SSL", none.Detail);

            Assert.Equal(CertificateState.Covered, new CertificateCoverage(Basic(), Now).Judge(plain, plain.Name).State);
            Assert.Equal(CertificateState.Staging, new CertificateCoverage(Basic(Ssl(4001, Now.AddDays(60), staging: true)), Now).Judge(plain, plain.Name).State);
            Assert.Equal(CertificateState.Expired, new CertificateCoverage(Basic(Ssl(4001, Now.AddDays(-1))), Now).Judge(plain, plain.Name).State);

            // A wildcard is covered only by a DNS-01 certificate.
            RunCloudDomain wildcard = D(2, "*.network.example", wildcard: true, created: Now.AddDays(-40));
            Assert.Equal(CertificateState.NeedsDns01, new CertificateCoverage(Basic(), Now).Judge(wildcard, "shop.network.example").State);
            Assert.Equal(CertificateState.Covered, new CertificateCoverage(Basic(Ssl(4001, Now.AddDays(60), "dns-01")), Now).Judge(wildcard, "shop.network.example").State);

            // Advanced mode: the domain's own certificate, or none.
            var advanced = new TargetSslState { Advanced = true };
            advanced.DomainSsl[1] = Ssl(4100, Now.AddDays(5));
            var own = new CertificateCoverage(advanced, Now).Judge(plain, plain.Name);
            Assert.Equal(CertificateState.Covered, own.State); // its own certificate is ordered after the domain exists: no date rule
            Assert.Equal(4100, own.Certificate!.Id);
            var missing = new CertificateCoverage(advanced, Now).Judge(D(7, "other.example.com"), "other.example.com");
            Assert.Equal(CertificateState.NoCertificate, missing.State);
            Assert.Contains("no certificate of its own", missing.Detail);
        }

        [Fact]
        public void ANameOnlyAWildcardServesIsJudgedByTheWildcardsCertificate()
        {
            var snapshot = new UmNetworkSnapshot { HasMappingTable = true, SubdomainInstall = true, Origin = "test" };
            snapshot.Networks.Add(new UmNetwork { Id = 1, Domain = "network.example", WwwPolicy = UmWwwPolicy.Never });
            snapshot.Blogs.Add(new UmBlog { BlogId = 1, NetworkId = 1, Domain = "network.example", Path = "/" });
            snapshot.Blogs.Add(new UmBlog { BlogId = 2, NetworkId = 1, Domain = "shop.network.example", Path = "/" });
            snapshot.Mappings.Add(new RunCloudMappedDomain { MappingId = 1, BlogId = 2, Domain = "shop-custom.example", Active = true, Stage = "done", Table = "wp_wu_domain_mappings" });
            snapshot.Mappings.Add(new RunCloudMappedDomain { MappingId = 2, BlogId = 2, Domain = "off.example", Active = false, Stage = "done", Table = "wp_wu_domain_mappings" });
            snapshot.Mappings.Add(new RunCloudMappedDomain { MappingId = 3, BlogId = 2, Domain = "off-too.example", Active = false, Stage = "done", Table = "wp_wu_domain_mappings" });
            RunCloudDomain[] app =
            {
                D(1, "network.example", "primary"), D(2, "*.network.example", wildcard: true), D(3, "shop-custom.example"), D(4, "off-too.example"),
            };
            DesiredSource source = DesiredSource.FromUm(snapshot, app.Select(d => d.Name));
            List<RunCloudNetworkStatus> s = Status(source, app, Options(prune: true), Checks(Basic(Ssl(4001, Now.AddDays(60), "dns-01"))));

            RunCloudNetworkStatus sub = One(s, "shop.network.example");
            Assert.True(sub.Desired);
            Assert.Equal(2, sub.OnRunCloud);
            Assert.Equal("*.network.example", sub.DomainType);
            Assert.Equal(NextSyncAction.Keep, sub.NextSync);
            Assert.Contains("wildcard *.network.example", sub.NextSyncReason);
            Assert.Equal(CertificateState.Covered, sub.Certificate);

            RunCloudNetworkStatus mapped = One(s, "shop-custom.example");
            Assert.Equal("done", mapped.Stage);
            Assert.Equal(true, mapped.Active);
            Assert.Equal("shop.network.example/", mapped.Site);
            Assert.Equal(2, mapped.BlogId);
            Assert.StartsWith("mapping 1 ", mapped.Source);

            RunCloudNetworkStatus off = One(s, "off.example");
            Assert.Equal(NetworkState.Disabled, off.State);
            Assert.Equal(NextSyncAction.Skip, off.NextSync);
            Assert.Contains("inactive", off.NextSyncReason);
            Assert.Equal(false, off.Active);

            RunCloudNetworkStatus offOnApp = One(s, "off-too.example");
            Assert.Equal(NetworkState.NotMapped, offOnApp.State);
            Assert.Equal(NextSyncAction.Remove, offOnApp.NextSync);
            Assert.Contains("Ultimate Multisite does not serve off-too.example (inactive", offOnApp.Problem);

            // The wildcard domain itself is on the app and desired by nobody, but it serves a live site host: the prune
            // must not remove it (the planner is told what the source protects, as the sync is).
            RunCloudNetworkStatus wild = One(s, "*.network.example");
            Assert.Equal(NextSyncAction.Skip, wild.NextSync);
            Assert.Contains("Ultimate Multisite serves it", wild.NextSyncReason);
            Assert.Equal(NetworkState.Protected, wild.State);
        }

        [Fact]
        public void ThePlannerNeverRemovesANameTheSourceProtectsAndCountsItOutOfMaxRemove()
        {
            RunCloudDomain[] app = { D(1, "main.example.com", "primary"), D(2, "www.mapped.example"), D(3, "old.example.com") };
            var options = Options(prune: true, maxRemove: 1);
            options.SourceProtects = n => n == "www.mapped.example";
            options.SourceProtectsReason = "UM maps it.";
            SyncPlan plan = SyncPlanner.Plan(new[] { new DesiredEntry("main.example.com"), new DesiredEntry("mapped.example") }, app, options);
            Assert.Equal(SyncVerdict.Proceed, plan.Verdict);
            Assert.Equal(new[] { "old.example.com" }, plan.ToRemove.Select(d => d.Name));
            RunCloudSyncSkip skip = Assert.Single(plan.Skipped, s => s.Name == "www.mapped.example");
            Assert.Equal(RunCloudSyncSkip.Protected, skip.Kind);
            Assert.Equal("UM maps it.", skip.Reason);
        }

        [Theory]
        [InlineData("Uncoverd", "'Uncoverd' is not a rule (did you mean Uncovered?)")]
        [InlineData("Uncovered:3", "the rule Uncovered takes no value")]
        [InlineData("Expiring:soon", "whole number from 0 to 365")]
        [InlineData("Expiring:-1", "whole number from 0 to 365")]
        [InlineData("Expiring:400", "whole number from 0 to 365")]
        [InlineData("Uncovered,,NotServed", "an empty rule")]
        [InlineData("Healthy", "'Healthy' is not a rule")]
        public void ARuleThatIsNotValidIsAnErrorListingTheValidRules(string text, string expected)
        {
            var ex = Assert.Throws<ArgumentException>(() => HealthRule.ParseAll(new[] { text }, 14));
            Assert.Contains(expected, ex.Message);
            Assert.Contains("Valid rules: NotOnRunCloud, DnsNotReady, Uncovered, NotServed (needs -Live), Expired, Expiring or Expiring:<days>, NotMapped, SyncBlocked", ex.Message);
        }

        [Fact]
        public void RulesAreReadCaseInsensitivelyFromListsAndCommaSeparatedText()
        {
            IReadOnlyList<HealthRule> rules = HealthRule.ParseAll(new[] { "uncovered, EXPIRING:14", "expiring", "NotMapped", "Uncovered" }, 21);
            Assert.Equal(new[] { "Uncovered", "Expiring:14", "Expiring:21", "NotMapped" }, rules.Select(r => r.Text));
            Assert.Equal("RunCloudHealthExpiring", rules[1].ErrorId);
        }

        [Fact]
        public void TheHtmlReportEncodesEveryValueAndNeedsNothingFromOutside()
        {
            var statuses = new List<RunCloudNetworkStatus>
            {
                new RunCloudNetworkStatus { Name = "shop.example.com", State = NetworkState.Healthy, Site = "<script>alert(1)</script>.network.example/", Desired = true, NextSync = "Keep", Source = "mapping 1 (\"quoted\" & <b>bold</b>)" },
                new RunCloudNetworkStatus { Name = "new.example.com", State = NetworkState.NotOnRunCloud, Desired = true, NextSync = "Add", Problem = "new.example.com is <em>not</em> there" },
            };
            RunCloudNetworkStatusSummary summary = NetworkStatusBuilder.Summarize(statuses, HealthRule.ParseAll(new[] { "NotOnRunCloud" }, 14), Array.Empty<string>(), new[] { "web app 2001 (server 1001) <i>" });
            summary.Sources = new[] { "Ultimate Multisite: db <x>" };
            string html = NetworkStatusHtml.Render(summary, Now);

            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b>", html);
            Assert.DoesNotContain("<em>", html);
            Assert.DoesNotContain("<i>", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;.network.example/", html);
            Assert.Contains("new.example.com is &lt;em&gt;not&lt;/em&gt; there", html);
            Assert.Contains("web app 2001 (server 1001) &lt;i&gt;", html);
            Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("http://", html);
            Assert.DoesNotContain("https://", html);
            Assert.DoesNotContain("@import", html);
            Assert.Contains("data-state=\"NotOnRunCloud\" data-count=\"1\"", html);
            Assert.Contains("data-state=\"Healthy\" data-count=\"1\"", html);
            Assert.Contains("<meta name=\"viewport\"", html);
            Assert.Contains("@media (max-width:720px)", html);
            Assert.Contains("class=\"verdict fail\"", html);
        }

        [Fact]
        public void ARealCertificateDecidesByTheNamesItLists()
        {
#if !NETFX_LANE
            // Mono (the net472 lane's runtime) does not implement CertificateRequest.
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=shop.example.com", key,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
            san.AddDnsName("shop.example.com");
            san.AddDnsName("www.shop.example.com");
            san.AddDnsName("later.example.com");
            request.CertificateExtensions.Add(san.Build());
            // Issued "before" every domain was created: the names it lists win over the dates.
            using var cert = request.CreateSelfSigned(new DateTimeOffset(Now.AddDays(-100)), new DateTimeOffset(Now.AddDays(60)));
            string pem = "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(cert.RawData, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n";
            var coverage = new CertificateCoverage(Basic(Ssl(4001, Now.AddDays(60), pem: pem)), Now);

            var first = coverage.Judge(D(1, "shop.example.com", www: true), "shop.example.com");
            Assert.True(first.State == CertificateState.Covered, first.Detail);
            var second = coverage.Judge(D(2, "later.example.com", created: Now.AddDays(-1)), "later.example.com");
            Assert.True(second.State == CertificateState.Covered, second.Detail);
            var missing = coverage.Judge(D(3, "other.example.com", created: Now.AddDays(-200)), "other.example.com");
            Assert.Equal(CertificateState.NotCovered, missing.State);
            Assert.Contains("lists shop.example.com, www.shop.example.com, later.example.com, not other.example.com", missing.Detail);
            var noWww = coverage.Judge(D(4, "later.example.com", www: true), "later.example.com");
            Assert.Equal(CertificateState.NotCovered, noWww.State);
            Assert.Contains("not www.later.example.com", noWww.Detail);
#endif
        }
    }
}
