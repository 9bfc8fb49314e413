using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.Emulator;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The client over a real socket: the production transport (HttpClientHandler), the whole handler chain and the
    /// in-process emulator. These are the tests that tell whether the runtime's HTTP stack works with the client, so
    /// the net472 lane runs them under Mono as well as net10.0 (Windows PowerShell 5.1 runs the module on .NET Framework).
    /// </summary>
    public sealed class EmulatorRoundTripTests : IDisposable
    {
        private const long Server = 1001;
        private const long WebApp = 2001;
        private readonly RunCloudEmulator _emulator = RunCloudEmulator.Start(new EmulatorOptions { RateLimitPerWindow = 0 });

        public void Dispose() => _emulator.Dispose();

        private RunCloudConnection Connect(bool basic = false, string? secret = null)
        {
            RunCloudCredential credential = basic
                ? RunCloudCredential.ForApiKey(_emulator.ApiKey, SecureText.FromPlain(secret ?? _emulator.ApiSecret))
                : RunCloudCredential.ForToken(SecureText.FromPlain(secret ?? _emulator.Token));
            Uri baseUri = basic ? _emulator.ApiV2Uri : _emulator.ApiV3Uri;
            return new RunCloudConnection(baseUri, basic ? "v2" : "v3", credential, "test", ClientFactory.FastRetry(), 0,
                TimeSpan.FromMinutes(1), null, transport: null);
        }

        [Fact]
        public async Task ListsAddsFindsAndRemovesADomainOverHttp()
        {
            _emulator.State.AddDomains(Server, WebApp, Enumerable.Range(1, 45).Select(i => $"rt{i:d2}.example.com"));
            int expected = _emulator.State.GetDomains(Server, WebApp).Count;
            using var connection = Connect();
            var service = connection.CreateService();

            int pages = 0;
            var all = await service.ListDomainsAsync(Server, WebApp, CancellationToken.None, (p, t) => pages++);
            Assert.Equal(expected, all.Count);
            Assert.Equal(2, pages); // 45 seeded + the defaults, 40 a page

            var added = await service.AddDomainAsync(Server, WebApp, new DomainRequest { Name = "new.roundtrip.example.com" }, CancellationToken.None, lookUpExisting: false);
            Assert.Equal(AddOutcome.Added, added.Outcome);
            Assert.Contains(_emulator.State.GetDomains(Server, WebApp), d => d.Name == "new.roundtrip.example.com");

            var found = await service.FindDomainAsync(Server, WebApp, "new.roundtrip.example.com", CancellationToken.None);
            Assert.NotNull(found);
            Assert.True(await service.RemoveDomainAsync(Server, WebApp, found!.Id, CancellationToken.None));
            Assert.DoesNotContain(_emulator.State.GetDomains(Server, WebApp), d => d.Name == "new.roundtrip.example.com");
        }

        [Fact]
        public async Task BasicAuthOnV2AndAWrongSecretIsAnAuthenticationError()
        {
            using (var good = Connect(basic: true))
            {
                var pong = await good.Api.GetAsync("ping", CancellationToken.None);
                Assert.NotNull(pong);
            }

            using var bad = Connect(basic: true, secret: "not-the-secret");
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => bad.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(401, ex.StatusCode);
            Assert.Equal(ErrorIds.AuthenticationFailed, ex.ErrorId);
        }

        [Fact]
        public async Task A429FromTheServerIsWaitedOutAndRetried()
        {
            var rule = _emulator.Faults.Add(new FaultRule { Kind = FaultKind.RateLimited, StatusCode = 429, Count = 1, RetryAfterSeconds = 1, Method = "GET" });
            using var connection = Connect();
            var server = await connection.Api.GetAsync($"servers/{Server}", CancellationToken.None);
            Assert.Equal(Server, (long)server["id"]!);
            Assert.Equal(1, rule.Hits);
            Assert.Equal(2, connection.RequestCount);
        }

        [Fact]
        public async Task AResetConnectionIsRetriedForAGet()
        {
            var rule = _emulator.Faults.Add(new FaultRule { Kind = FaultKind.Reset, Count = 1, Method = "GET" });
            using var connection = Connect();
            var server = await connection.Api.GetAsync($"servers/{Server}", CancellationToken.None);
            Assert.Equal(Server, (long)server["id"]!);
            Assert.Equal(1, rule.Hits);
            Assert.Equal(2, connection.RequestCount);
        }
    }
}
