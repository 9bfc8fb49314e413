using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The same network read three ways (the real MariaDB, WP-CLI, UM's REST API in both paging styles) gives the same
    /// desired set; WP-CLI's 100-row cap and REST's paging never cut a list short; 401 and plain http are clear errors.
    /// </summary>
    [Collection(MariaDbCollection.Name)]
    public class UmThreeWaysTests
    {
        private readonly MariaDbFixture _db;

        public UmThreeWaysTests(MariaDbFixture db) => _db = db;

        private async Task<UmNetworkSnapshot> FromDatabase(string prefix, bool subdomain = true) =>
            await UmSources.CreateReader(new UmSourceOptions { WordPressPath = _db.WordPressRoot(prefix, subdomain) }).ReadAsync(CancellationToken.None);

        private static Task<UmNetworkSnapshot> FromWpCli(FakeWpCliRunner runner) =>
            UmSources.CreateReader(new UmSourceOptions { Via = RunCloudMappingSource.WpCli, WordPressPath = "/var/www/network", WpCliRunner = runner, WpCliArguments = new[] { "--allow-root" } })
                .ReadAsync(CancellationToken.None);

        private static Task<UmNetworkSnapshot> FromRest(FakeUmRestServer server, UmWwwPolicy? policy, string secret = FakeUmRestServer.Secret) =>
            UmSources.CreateReader(new UmSourceOptions
            {
                Via = RunCloudMappingSource.Rest,
                UltimateMultisiteUri = server.BaseUri,
                ApiKey = FakeUmRestServer.Key,
                ApiSecret = SecureText.FromPlain(secret),
                WwwPolicy = policy,
            }).ReadAsync(CancellationToken.None);

        /// <summary>What must agree: each desired name with www, redirection and origin; each refused name with its reason; the protected set.</summary>
        private static string[] Shape(UmDesiredSet set, bool withTable) =>
            set.Desired.Select(d => $"{d.Name}|{d.Www}|{d.Redirection}|{d.Origin.Kind}|{d.Origin.MappingId}|{d.Origin.Stage}|{d.Origin.BlogId}|{d.Origin.SiteHost}|{d.Origin.NetworkId}" + (withTable ? "|" + d.Origin.Table : string.Empty))
                .Concat(set.NotServed.Select(n => $"not:{n.Name}|{n.Reason}|{n.Origin.MappingId}"))
                .Concat(set.Protected.OrderBy(p => p, StringComparer.Ordinal).Select(p => "protected:" + p))
                .ToArray();

        [Fact]
        public async Task DatabaseAndWpCliAgreeOnTheSubdomainNetworks_ExtraTableIncluded()
        {
            UmNetworkSnapshot db = await FromDatabase("wp_");
            var runner = new FakeWpCliRunner(db);
            UmNetworkSnapshot cli = await FromWpCli(runner);
            Assert.Equal(RunCloudMappingSource.WpCli, cli.Source);
            Assert.Equal(Shape(UmDesiredSetCalculator.Compute(db), true), Shape(UmDesiredSetCalculator.Compute(cli), true));
            Assert.Equal(db.ExtraTables, cli.ExtraTables);
            // The facts, the capped list (12 rows fit), the extra table through eval-file; --path and --allow-root on every call.
            Assert.Equal(3, runner.Calls.Count);
            Assert.Contains(runner.Calls, c => c.Take(4).SequenceEqual(new[] { "wu", "domain", "list", "--format=json" }));
            Assert.All(runner.Calls, c => Assert.Contains("--path=/var/www/network", c));
            Assert.All(runner.Calls, c => Assert.Contains("--allow-root", c));
        }

        [Fact]
        public async Task TheSameNetworkReadThreeWaysGivesTheSameDesiredSet()
        {
            UmNetworkSnapshot db = await FromDatabase("big_");
            UmNetworkSnapshot cli = await FromWpCli(new FakeWpCliRunner(db));
            using var server = new FakeUmRestServer(db, newPaging: true);
            UmNetworkSnapshot rest = await FromRest(server, policy: null);
            string[] expected = Shape(UmDesiredSetCalculator.Compute(db), false);
            Assert.Equal(9_901, UmDesiredSetCalculator.Compute(db).Desired.Count);
            Assert.Equal(expected, Shape(UmDesiredSetCalculator.Compute(cli), false));
            Assert.Equal(expected, Shape(UmDesiredSetCalculator.Compute(rest), false));
            Assert.Equal(10_000, rest.Mappings.Count);
            Assert.Contains(server.Requests, r => r.EndsWith("page=100&per_page=100", StringComparison.Ordinal));
        }

        [Fact]
        public async Task RestBefore2413PagesByNumberAndOffset_WithTheSameResult()
        {
            UmNetworkSnapshot db = await FromDatabase("big_");
            using var server = new FakeUmRestServer(db, newPaging: false);
            UmNetworkSnapshot rest = await FromRest(server, policy: null);
            Assert.Equal(Shape(UmDesiredSetCalculator.Compute(db), false), Shape(UmDesiredSetCalculator.Compute(rest), false));
            // Each next page starts one item back: the overlap that proves nothing shifted in between.
            Assert.Contains(server.Requests, r => r.EndsWith("/domain?number=100&offset=99", StringComparison.Ordinal));
            // 100 items, then 99 new ones a full page: 101 requests reach 10,000 rows, a 102nd answers only the overlap.
            Assert.Equal(102, server.Requests.Count(r => r.Contains("/domain?")));
        }

        [Fact]
        public async Task TheSubdirectoryNetworkAgreesThreeWaysWithTheWwwPolicyPassedToRest()
        {
            UmNetworkSnapshot db = await FromDatabase("sd_", subdomain: false);
            UmNetworkSnapshot cli = await FromWpCli(new FakeWpCliRunner(db));
            using var server = new FakeUmRestServer(db, newPaging: true);
            UmNetworkSnapshot rest = await FromRest(server, UmWwwPolicy.Never);
            string[] expected = Shape(UmDesiredSetCalculator.Compute(db), false);
            Assert.Equal(expected, Shape(UmDesiredSetCalculator.Compute(cli), false));
            Assert.Equal(expected, Shape(UmDesiredSetCalculator.Compute(rest), false));
            Assert.Contains(rest.Warnings, w => w.Contains("-WwwPolicy Never"));
        }

        [Fact]
        public async Task WpCliNeverTakesTheCappedListForTheWholeTable()
        {
            UmNetworkSnapshot db = await FromDatabase("wp_");
            var runner = new FakeWpCliRunner(db) { ListCap = 5 };   // UM's list stops short of the 12 rows the table holds
            UmNetworkSnapshot cli = await FromWpCli(runner);
            Assert.Equal(db.Mappings.Count, cli.Mappings.Count);
            Assert.Equal(3, runner.Calls.Count(c => c[0] == "eval-file"));   // facts, then both tables read whole
        }

        [Fact]
        public async Task WpCliFailuresAreClear()
        {
            UmNetworkSnapshot db = await FromDatabase("sd_", subdomain: false);
            var root = new FakeWpCliRunner(db) { Override = a => new WpCliResult(1, string.Empty, "Error: YIKES! It looks like you're running this as root. ... use --allow-root") };
            var ex = await Assert.ThrowsAsync<UmReadException>(() => FromWpCli(root));
            Assert.Equal(UmReadFailure.WpCli, ex.Failure);
            Assert.Contains("--allow-root", ex.Message);

            var noUm = new FakeWpCliRunner(db) { Override = a => a[0] == "wu" ? new WpCliResult(1, string.Empty, "Error: 'wu' is not a registered wp command. See 'wp help' for available commands.") : null };
            var ex2 = await Assert.ThrowsAsync<UmReadException>(() => FromWpCli(noUm));
            Assert.Contains("Ultimate Multisite is not active", ex2.Message);

            var garbage = new FakeWpCliRunner(db) { Override = a => new WpCliResult(0, "<html>Fatal error</html>", string.Empty) };
            Assert.Equal(UmReadFailure.UnreadableData, (await Assert.ThrowsAsync<UmReadException>(() => FromWpCli(garbage))).Failure);
        }

        [Fact]
        public async Task Rest401IsATypedErrorWithoutTheSecret()
        {
            using var server = new FakeUmRestServer(await FromDatabase("sd_", false), newPaging: true);
            var ex = await Assert.ThrowsAsync<UmReadException>(() => FromRest(server, null, secret: "wrong-secret-xyz"));
            Assert.Equal(UmReadFailure.Authentication, ex.Failure);
            Assert.Equal("RunCloudUmAuthentication", ex.ErrorId);
            Assert.Contains("401", ex.Message);
            Assert.Contains("API & Webhooks", ex.Message);
            Assert.DoesNotContain("wrong-secret-xyz", ex.ToString());
        }

        [Fact]
        public async Task RestListsThatShrinkWhileReadAreRefused()
        {
            foreach (bool newPaging in new[] { true, false })
            {
                using var server = new FakeUmRestServer(await FromDatabase("big_"), newPaging) { ShrinkAfterFirstPage = true };
                var ex = await Assert.ThrowsAsync<UmReadException>(() => FromRest(server, null));
                Assert.Equal(UmReadFailure.Truncated, ex.Failure);
            }
        }

        [Theory]
        [InlineData("http://network.example.com/", "plain http")]
        [InlineData("ftp://network.example.com/", "not an http(s) address")]
        public void RestRefusesAddressesThatWouldExposeTheSecret(string uri, string expected)
        {
            var ex = Assert.Throws<UmReadException>(() => UmSources.CreateReader(new UmSourceOptions
            {
                Via = RunCloudMappingSource.Rest, UltimateMultisiteUri = new Uri(uri), ApiKey = "k", ApiSecret = SecureText.FromPlain("s"),
            }));
            Assert.Equal(UmReadFailure.Configuration, ex.Failure);
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public async Task RestOnAWrongAddressSaysWhatIsMissing()
        {
            using var server = new FakeUmRestServer(await FromDatabase("sd_", false), newPaging: true);
            var ex = await Assert.ThrowsAsync<UmReadException>(() => UmSources.CreateReader(new UmSourceOptions
            {
                Via = RunCloudMappingSource.Rest, UltimateMultisiteUri = new Uri(server.BaseUri, "blog/"), ApiKey = FakeUmRestServer.Key, ApiSecret = SecureText.FromPlain(FakeUmRestServer.Secret),
            }).ReadAsync(CancellationToken.None));
            Assert.Equal(UmReadFailure.Rest, ex.Failure);
            Assert.Contains("404", ex.Message);
        }
    }
}
