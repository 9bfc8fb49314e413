using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using RunCloud.Emulator;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The SSL strategy never puts a wildcard in an HTTP-01 order (Let's Encrypt fails the whole order), and a DNS-01
    /// order is ready only through its DNS integration; RunCloud's 404s are judged by a fresh read, never by their words.
    /// Against the in-process emulator, which fails orders as Let's Encrypt does and words its 404s as Laravel does.
    /// </summary>
    public sealed class SslWildcardAndStateTests : IDisposable
    {
        private const long S = 1001;
        private const long Shop = 2001;
        private const long Blog = 2002;
        private const string Wildcard = "*.network.example.com";
        private readonly RunCloudEmulator _emulator = RunCloudEmulator.Start(new EmulatorOptions { RateLimitPerWindow = 0 });

        public void Dispose() => _emulator.Dispose();

        private RunCloudConnection Connect() =>
            new RunCloudConnection(_emulator.ApiV3Uri, "v3", RunCloudCredential.ForToken(SecureText.FromPlain(_emulator.Token)), "test",
                ClientFactory.FastRetry(), 0, TimeSpan.FromMinutes(1), null, transport: null);

        private static SslOptions Options(AppJournal? journal = null, SslInstallRequest? install = null) =>
            new SslOptions { SkipDnsCheck = true, MaxNamesPerCertificate = 100, Journal = journal, Install = install };

        private int Issuances => _emulator.State.GetIssuances().Count;

        private int Mutations => _emulator.GetRequests().Count(r => r.Method != "GET");

        [Fact]
        public async Task ABasicHttp01CertificateThatWouldHaveToCoverAWildcardIsRefusedBeforeAnyOrder()
        {
            _emulator.State.AddDomain(S, Shop, Wildcard);
            using var connection = Connect();
            RunCloudService service = connection.CreateService();
            int before = Issuances;
            _emulator.ClearRequests();

            var refused = await Assert.ThrowsAsync<SslRefusedException>(() =>
                SslStrategy.RunAsync(service, null, null, S, Shop, Array.Empty<RunCloudDomain>(), Options(), CancellationToken.None));

            Assert.Equal(SslRefusedException.WildcardNeedsDns01, refused.ErrorId);
            Assert.Contains(Wildcard, refused.Message);
            Assert.Contains("-AuthorizationMethod dns-01 -ExternalApi", refused.Message);
            Assert.Contains("Set-RunCloudSslMode -Mode Advanced", refused.Message);
            Assert.Equal(before, Issuances);
            Assert.Equal(0, Mutations); // no PUT: not a single order spent
        }

        [Fact]
        public async Task WithADnsIntegrationAndDns01OneOrderIsSentAndItCoversTheWildcard()
        {
            _emulator.State.AddDomain(S, Blog, Wildcard);
            long integration = _emulator.State.GetExternalApis().First().Id;
            using var connection = Connect();
            RunCloudService service = connection.CreateService();
            var install = new SslInstallRequest { AuthorizationMethod = "dns-01", ExternalApi = integration };
            var strategy = new SslStrategy(service, null, null, S, Blog, Options(install: install));
            int before = Issuances;
            _emulator.ClearRequests();

            SslPlan plan = await strategy.PlanAsync(Array.Empty<RunCloudDomain>(), null, installIfMissing: true, everyUncovered: false, CancellationToken.None);
            Assert.False(plan.Refused, plan.Message);
            var failures = await strategy.ExecuteAsync(plan, null, CancellationToken.None);

            Assert.Empty(failures);
            Assert.Equal(before + 1, Issuances);
            var posts = _emulator.GetRequests().Where(r => r.Method == "POST").ToList();
            Assert.Single(posts);
            Assert.Contains("\"authorizationMethod\":\"dns-01\"", posts[0].Body);
            Assert.Contains(Wildcard, _emulator.State.GetSsl(S, Blog)!.CoveredDomains);
            Assert.Empty(_emulator.State.GetUncoveredDomains(S, Blog));
        }

        [Fact]
        public async Task ADns01CertificateWhoseIntegrationIsGoneIsRefusedBeforeItsRedeploy()
        {
            long integration = _emulator.State.AddExternalApi("temporary", "cloudflare", "secret-value", "ops@example.com").Id;
            _emulator.State.AddDomain(S, Blog, Wildcard);
            using var connection = Connect();
            RunCloudService service = connection.CreateService();
            var install = new SslInstallRequest { AuthorizationMethod = "dns-01", ExternalApi = integration };
            await service.InstallSslAsync(S, Blog, install, CancellationToken.None);
            Assert.True(_emulator.State.RemoveExternalApi(integration));
            int before = Issuances;
            _emulator.ClearRequests();

            var refused = await Assert.ThrowsAsync<SslRefusedException>(() =>
                SslStrategy.RunAsync(service, null, null, S, Blog, Array.Empty<RunCloudDomain>(), Options(), CancellationToken.None));
            Assert.Equal(SslRefusedException.DnsIntegrationMissing, refused.ErrorId);
            Assert.Contains(integration.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message);
            Assert.Equal(before, Issuances);
            Assert.Equal(0, Mutations);
        }

        [Fact]
        public async Task InAdvancedModeTheWildcardWaitsForDns01AndTheOtherNamesGetTheirCertificates()
        {
            _emulator.State.UninstallSsl(S, Shop);
            _emulator.State.SetSslMode(S, Shop, advanced: true);
            DomainRecord wild = _emulator.State.AddDomain(S, Shop, Wildcard);
            DomainRecord plain = _emulator.State.AddDomain(S, Shop, "plain.example.com");
            using var connection = Connect();
            RunCloudService service = connection.CreateService();
            var changed = new[]
            {
                new RunCloudDomain { Id = wild.Id, Name = wild.Name, ServerId = S, WebAppId = Shop, Wildcard = true },
                new RunCloudDomain { Id = plain.Id, Name = plain.Name, ServerId = S, WebAppId = Shop },
            };
            var key = new AppStateKey("abc123", S, Shop);
            AppJournal journal = AppJournal.For(key, null, DateTime.UtcNow);
            int before = Issuances;

            SslRunResult result = await SslStrategy.RunAsync(service, key, null, S, Shop, changed, Options(journal), CancellationToken.None);

            Assert.Empty(result.Failures);
            SslAction action = Assert.Single(result.Plan.Actions);
            Assert.Equal("plain.example.com", action.Domain!.Name);
            RunCloudDnsCheck waiting = Assert.Single(result.Plan.NotReady);
            Assert.Equal(Wildcard, waiting.Name);
            Assert.Equal(DnsReadiness.NeedsDns01, waiting.Status);
            Assert.Contains($"-Name '{Wildcard}'", waiting.Message);
            Assert.Equal(before + 1, Issuances);
            Assert.Null(_emulator.State.GetDomain(S, Shop, wild.Id)!.Ssl);
            // Remembered, so every later run looks again (and says so) without ordering it over HTTP-01.
            Assert.Contains(journal.GetExtension(SslJournalData.Owner, SslJournalData.FromJson)!.NotReady, n => n.Name == Wildcard && n.Status == DnsReadiness.NeedsDns01);
        }

        /// <summary>Answers every name with the given address, as a resolver would for a wildcard record.</summary>
        private sealed class FixedResolver : IDnsResolver
        {
            private readonly string _address;
            public FixedResolver(string address) => _address = address;
            public List<string> Asked { get; } = new List<string>();

            public Task<RunCloud.PowerShell.Dns.DnsAnswer> ResolveAsync(string name, CancellationToken ct)
            {
                Asked.Add(name);
                var answer = new RunCloud.PowerShell.Dns.DnsAnswer();
                answer.Addresses.Add(IPAddress.Parse(_address));
                return Task.FromResult(answer);
            }
        }

        [Fact]
        public async Task AWildcardIsNeverReadyForHttp01WhereverNamesUnderItPoint()
        {
            var resolver = new FixedResolver("203.0.113.10");
            var readiness = new DnsReadiness(resolver, TimeSpan.FromSeconds(5));
            RunCloudDnsCheck check = await readiness.CheckAsync(Wildcard, "203.0.113.10", CancellationToken.None);
            Assert.Equal(DnsReadiness.NeedsDns01, check.Status);
            Assert.True(check.PointsToServer); // names under it do point at the server: that alone does not make it ready
            Assert.Contains("DNS-01", check.Message);
            Assert.Contains("-ExternalApi", check.Message);
            Assert.Equal("OK", (await readiness.CheckAsync("shop.example.com", "203.0.113.10", CancellationToken.None)).Status);
        }

        [Fact]
        public async Task RemovingADomainAnotherClientRemovedAMomentEarlierIsSuccessWhateverThe404Says()
        {
            DomainRecord doomed = _emulator.State.AddDomain(S, Shop, "gone.example.com");
            using var connection = Connect();
            using var other = Connect();
            Assert.True(await other.CreateService().RemoveDomainAsync(S, Shop, doomed.Id, CancellationToken.None));
            RunCloudService service = connection.CreateService();
            _emulator.ClearRequests();

            Assert.False(await service.RemoveDomainAsync(S, Shop, doomed.Id, CancellationToken.None, doomed.Name));
            Assert.False(await service.RemoveDomainAsync(S, Shop, doomed.Id, CancellationToken.None)); // by the whole listing
            var delete = _emulator.GetRequests().First(r => r.Method == "DELETE");
            Assert.Equal(404, delete.StatusCode);
        }

        private static (MockHttpMessageHandler Mock, List<string> Calls) Scripted(params (string Method, string PathEnd, int Status, string Json)[] answers)
        {
            var mock = new MockHttpMessageHandler();
            var calls = new List<string>();
            mock.When("*").Respond(req =>
            {
                string path = req.RequestUri!.AbsolutePath;
                lock (calls) calls.Add(req.Method.Method + " " + path);
                foreach (var a in answers)
                {
                    if (a.Method == req.Method.Method && path.EndsWith(a.PathEnd, StringComparison.Ordinal)) return ClientFactory.Json((HttpStatusCode)a.Status, a.Json);
                }

                return ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"Not Found\"}");
            });
            return (mock, calls);
        }

        private const string Listing = "{\"data\":[{\"id\":1,\"name\":\"example.com\",\"type\":\"primary\"},{\"id\":2,\"name\":\"old.example.com\",\"type\":\"alias\"}],\"meta\":{\"pagination\":{\"total\":2,\"count\":2,\"per_page\":40,\"current_page\":1,\"total_pages\":1,\"links\":{}}}}";
        private const string ListingWithout2 = "{\"data\":[{\"id\":1,\"name\":\"example.com\",\"type\":\"primary\"}],\"meta\":{\"pagination\":{\"total\":1,\"count\":1,\"per_page\":40,\"current_page\":1,\"total_pages\":1,\"links\":{}}}}";

        [Fact]
        public async Task A404WithoutTheWordDomainIsStillAlreadyGoneWhenTheListingNoLongerHasIt()
        {
            var (mock, calls) = Scripted(("DELETE", "/domains/2", 404, "{\"message\":\"Not Found\"}"), ("GET", "/domains", 200, ListingWithout2));
            using var connection = ClientFactory.Create(mock);
            Assert.False(await connection.CreateService().RemoveDomainAsync(1, 2, 2, CancellationToken.None, "old.example.com"));
            Assert.Equal(2, calls.Count);
        }

        [Fact]
        public async Task A404ForADomainThatIsStillListedIsAnErrorNotASuccess()
        {
            var (mock, _) = Scripted(("DELETE", "/domains/2", 404, "{\"message\":\"No query results for model [App\\\\Models\\\\Domain] 2\"}"), ("GET", "/domains", 200, Listing));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().RemoveDomainAsync(1, 2, 2, CancellationToken.None, "old.example.com"));
            Assert.Equal(ErrorIds.UnexpectedResponse, ex.ErrorId);
            Assert.Contains("still listed", ex.Message);
            Assert.Contains("not removed", ex.Message);
        }

        [Fact]
        public async Task A404ForAWebAppThatDoesNotExistStaysNotFound()
        {
            var (mock, _) = Scripted(); // everything 404, the listing too
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().RemoveDomainAsync(1, 2, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            var ssl = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().GetSslAsync(1, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.NotFound, ssl.ErrorId);
        }

        [Fact]
        public async Task A404ForTheSslOfAnAppThatExistsIsNoCertificateWhateverItSaysAndCostsNoExtraCall()
        {
            var (mock, calls) = Scripted(("GET", "/ssl", 404, "{\"message\":\"No query results for model [App\\\\Models\\\\WebApplicationSsl]\"}"),
                ("GET", "/ssl/advanced", 200, "{\"advancedSSL\":false,\"autoSSL\":false}"));
            using var connection = ClientFactory.Create(mock);
            RunCloudService service = connection.CreateService();
            RunCloudSsl ssl = await service.GetSslAsync(1, 2, CancellationToken.None);
            Assert.False(ssl.Installed);
            var (advanced, _) = await service.GetSslModeAsync(1, 2, CancellationToken.None);
            Assert.False(advanced);
            Assert.Equal(new[] { "GET /api/v3/servers/1/webapps/2/ssl", "GET /api/v3/servers/1/webapps/2/ssl/advanced" }, calls);
        }

        [Fact]
        public async Task A404ForADomainsSslIsNoCertificateWhenTheDomainExistsAndAnErrorWhenItDoesNot()
        {
            var (mock, _) = Scripted(("GET", "/domains/2/ssl", 404, "{\"message\":\"Not Found\"}"), ("GET", "/domains/2", 200, "{\"id\":2,\"name\":\"old.example.com\",\"type\":\"alias\"}"));
            using var connection = ClientFactory.Create(mock);
            RunCloudService service = connection.CreateService();
            RunCloudSsl ssl = await service.GetDomainSslAsync(new RunCloudDomain { Id = 2, Name = "old.example.com", ServerId = 1, WebAppId = 2 }, CancellationToken.None);
            Assert.False(ssl.Installed);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => service.GetDomainSslAsync(new RunCloudDomain { Id = 3, Name = "x.example.com", ServerId = 1, WebAppId = 2 }, CancellationToken.None));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
        }

        [Fact]
        public async Task UninstallingACertificateAlreadyGoneIsFalseAndOneStillInstalledAfterA404IsAnError()
        {
            var (gone, _) = Scripted(("DELETE", "/ssl/9", 404, "{\"message\":\"Not Found\"}"), ("GET", "/ssl", 200, "{\"message\":\"SSL not installed!\"}"));
            using (var connection = ClientFactory.Create(gone))
            {
                Assert.False(await connection.CreateService().UninstallSslAsync(1, 2, 9, CancellationToken.None));
            }

            var (lying, _) = Scripted(("DELETE", "/ssl/9", 404, "{\"message\":\"Not Found\"}"), ("GET", "/ssl", 200, "{\"id\":9,\"method\":\"letsencrypt\"}"));
            using (var connection = ClientFactory.Create(lying))
            {
                var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().UninstallSslAsync(1, 2, 9, CancellationToken.None));
                Assert.Equal(ErrorIds.UnexpectedResponse, ex.ErrorId);
            }
        }

        [Fact]
        public async Task TheProtocolListIsAskedWithWebServerNginx()
        {
            using var connection = Connect();
            _emulator.ClearRequests();
            List<(long Id, string Name)> protocols = await connection.CreateService().GetSslProtocolsAsync(CancellationToken.None);
            Assert.Contains(protocols, p => p.Name == "TLSv1.3");
            var get = Assert.Single(_emulator.GetRequests());
            Assert.Contains("webServer=nginx", get.Query);
        }
    }

    /// <summary>What -SslProtocol means among RunCloud's choices.</summary>
    public class SslProtocolMatchTests
    {
        private static readonly List<(long Id, string Name)> Choices = new List<(long, string)>
        {
            (1, "TLSv1.1 TLSv1.2 TLSv1.3"), (2, "TLSv1.2 TLSv1.3"), (3, "TLSv1.3"),
        };

        [Theory]
        [InlineData("TLSv1.3", 3L)]
        [InlineData("tlsv1.3", 3L)]
        [InlineData("TLS 1.3", 3L)]
        [InlineData("TLSv1.2", 2L)]
        [InlineData("TLSv1.2 + TLSv1.3", 2L)]
        [InlineData("TLSv1.3,TLSv1.2", 2L)]
        [InlineData("1.1", 1L)]
        [InlineData("TLSv1.1 TLSv1.2 TLSv1.3", 1L)]
        public void FindsTheChoiceMeant(string wanted, long id) => Assert.Equal(id, SslProtocolMatch.Find(Choices, wanted)!.Value.Id);

        [Theory]
        [InlineData("TLSv1.0")]
        [InlineData("SSLv3")]
        [InlineData("TLSv1.1 TLSv1.3")]
        [InlineData("")]
        public void AnythingElseMatchesNothing(string wanted) => Assert.Null(SslProtocolMatch.Find(Choices, wanted));
    }
}
