using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Costly effects (SSL redeploy/install, add domain) are never re-sent blindly after an ambiguous failure.</summary>
    public class NonRepeatableTests
    {
        /// <summary>An app with certificate 5: each PUT fails at the transport (after RunCloud may or may not have acted).</summary>
        private sealed class FlakySsl : HttpMessageHandler
        {
            private readonly bool _applies;
            private int _redeploys;

            public FlakySsl(bool applies) => _applies = applies;

            public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                string path = request.RequestUri!.AbsolutePath.Replace("/api/v3/", string.Empty);
                Requests.Enqueue(request.Method.Method + " " + path);
                if (request.Method == HttpMethod.Put)
                {
                    if (_applies) Interlocked.Increment(ref _redeploys);
                    throw new HttpRequestException("The response ended prematurely.");
                }

                string validUntil = _redeploys == 0 ? "2026-01-01 00:00:00" : "2026-04-01 00:00:00";
                return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"id\":5,\"method\":\"letsencrypt\",\"validUntil\":\"" + validUntil + "\"}"));
            }
        }

        [Fact]
        public async Task SslRedeploy_AmbiguousFailure_IsSentOnce_AndFailsWhenNotVisiblyApplied()
        {
            var fake = new FlakySsl(applies: false);
            using RunCloudConnection connection = ClientFactory.Create(fake, ClientFactory.FastRetry(5));
            var service = connection.CreateService();
            RunCloudSsl before = await service.GetSslAsync(1, 2, CancellationToken.None);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => SslRedeployer.RedeployAppAsync(service, 1, 2, before, CancellationToken.None));
            Assert.True(ex.MayHaveBeenApplied);
            Assert.Single(fake.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal));
        }

        [Fact]
        public async Task SslRedeploy_AmbiguousFailure_ThatWasApplied_IsRecognisedByLooking_NotResent()
        {
            var fake = new FlakySsl(applies: true);
            using RunCloudConnection connection = ClientFactory.Create(fake, ClientFactory.FastRetry(5));
            var service = connection.CreateService();
            RunCloudSsl before = await service.GetSslAsync(1, 2, CancellationToken.None);
            await SslRedeployer.RedeployAppAsync(service, 1, 2, before, CancellationToken.None);
            Assert.Single(fake.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal));
            Assert.Equal(new[] { "GET servers/1/webapps/2/ssl", "PUT servers/1/webapps/2/ssl/5", "GET servers/1/webapps/2/ssl" }, fake.Requests.ToArray());
        }

        [Fact]
        public async Task PlainPut_StaysRetriedAsIdempotent()
        {
            // The marking is per request: other PUTs (none costly today) keep the idempotent retry.
            int calls = 0;
            var handler = new Relay(_ => ++calls < 3 ? throw new HttpRequestException("reset") : ClientFactory.Json(HttpStatusCode.OK, "{}"));
            using RunCloudConnection connection = ClientFactory.Create(handler, ClientFactory.FastRetry(5));
            await connection.Api.SendAsync(HttpMethod.Put, "servers/1/webapps/2/something", null, CancellationToken.None);
            Assert.Equal(3, calls);
        }

        private sealed class Relay : HttpMessageHandler
        {
            private readonly Func<HttpRequestMessage, HttpResponseMessage> _answer;

            public Relay(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Task.FromResult(_answer(request));
        }
    }
}
