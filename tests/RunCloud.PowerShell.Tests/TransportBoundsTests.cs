using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Bounded time and memory whatever the server does: the body is read inside the handler chain under the per-attempt timeout, retry rules
    /// and cancellation; answers are capped in size; the limiter's wait is not transport time; a day-long Retry-After
    /// fails at once; a 3xx names where it pointed. Each test runs against <see cref="HostileServer"/> over real sockets.
    /// </summary>
    public class TransportBoundsTests
    {
        /// <summary>A hang detector: generous, so a loaded machine never trips it, yet far below "hangs for minutes".</summary>
        private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

        internal static RunCloudConnection Connect(HostileServer server, int timeoutSec = 1, int maxAttempts = 2, int rateLimit = 0,
            TimeSpan? window = null, long? maxResponseSize = null)
        {
            var retry = new RetryPolicy
            {
                MaxAttempts = maxAttempts,
                BaseDelay = TimeSpan.FromMilliseconds(10),
                MaxDelay = TimeSpan.FromMilliseconds(40),
                MaxRetryDuration = TimeSpan.FromSeconds(30),
                Timeout = TimeSpan.FromSeconds(timeoutSec),
            };
            var connection = new RunCloudConnection(server.BaseUri, "v3", RunCloudCredential.ForToken(SecureText.FromPlain(HostileServer.Secret)),
                "test", retry, rateLimit, window ?? TimeSpan.FromMinutes(1), null);
            if (maxResponseSize.HasValue) connection.MaxResponseSize = maxResponseSize.Value;
            return connection;
        }

        private static async Task<RunCloudApiException> Fails(Func<Task> call)
        {
            Task work = call();
            Task first = await Task.WhenAny(work, Task.Delay(Budget)).ConfigureAwait(false);
            Assert.True(first == work, $"still running after {Budget.TotalSeconds} s: the call is not bounded in time");
            return await Assert.ThrowsAsync<RunCloudApiException>(() => work).ConfigureAwait(false);
        }

        [Fact]
        public async Task ADrippingBodyFailsWithinTheTimeoutOfEachAttempt()
        {
            using var server = new HostileServer(HostileMode.Drip);
            using var connection = Connect(server, timeoutSec: 1, maxAttempts: 2);
            var clock = Stopwatch.StartNew();
            RunCloudApiException ex = await Fails(() => connection.Api.GetAsync("servers/1/webapps/2/domains", CancellationToken.None));
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.Contains("-TimeoutSec", ex.Message);
            Assert.Equal(2, server.Requests.Count); // a GET is retried after a timed-out body, as after timed-out headers
        }

        [Fact]
        public async Task ACutBodyOnAGetIsRetriedAndEndsAsATransportError()
        {
            using var server = new HostileServer(HostileMode.Truncate);
            using var connection = Connect(server, maxAttempts: 3);
            RunCloudApiException ex = await Fails(() => connection.Api.GetAsync("servers/1/webapps/2/domains", CancellationToken.None));
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.Equal(3, server.Requests.Count);
        }

        [Fact]
        public async Task ACutBodyOnAPostIsNotResentAndMayHaveBeenApplied()
        {
            using var server = new HostileServer(HostileMode.ResetMidBody);
            using var connection = Connect(server, maxAttempts: 3);
            RunCloudApiException ex = await Fails(() => connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains",
                new { name = "a.example.com" }, CancellationToken.None));
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.True(ex.MayHaveBeenApplied);
            Assert.Single(server.Requests);
        }

        [Fact]
        public async Task AnEndlessBodyStopsAtTheSizeCapWithoutBufferingIt()
        {
            using var server = new HostileServer(HostileMode.Huge);
            using var connection = Connect(server, timeoutSec: 30, maxResponseSize: 256 * 1024);
            long before = GC.GetTotalMemory(true);
            RunCloudApiException ex = await Fails(() => connection.Api.GetAsync("servers/1/webapps/2/domains", CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("MaxResponseSize", ex.Message);
            Assert.Single(server.Requests); // too large is not retried: it would be too large again
        }

        [Fact]
        public void TheSizeCapHasAFewMegabytesAsItsDefault()
        {
            using var server = new HostileServer(HostileMode.Normal);
            using var connection = Connect(server);
            Assert.InRange(connection.MaxResponseSize, 1024 * 1024, 16 * 1024 * 1024);
        }

        [Fact]
        public async Task TheLimitersWaitIsNotTransportTimeSoAPostThatWaitedIsSentAndSucceeds()
        {
            using var server = new HostileServer(HostileMode.Normal);
            // one request per 2.5 s, 1 s per attempt: the POST waits ~2.5 s in the limiter before it is even sent
            using var connection = Connect(server, timeoutSec: 1, rateLimit: 1, window: TimeSpan.FromSeconds(2.5));
            await connection.Api.GetAsync("ping", CancellationToken.None);
            var answer = await connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains", new { name = "a.example.com" }, CancellationToken.None);
            Assert.Equal("a.example.com", (string?)answer["name"]);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task ARetryAfterLongerThanTheRetryBudgetFailsAtOnceAndLaterCallsOfTheAccountFailUnsent()
        {
            using var server = new HostileServer(HostileMode.RetryAfterDay);
            // A generous per-attempt timeout: this case is about the Retry-After, and with 1 s a loaded machine (the full
            // suite on two cores) once answered the first attempt late, so it was retried and both reached the log.
            using var connection = Connect(server, timeoutSec: 10, maxAttempts: 5);
            RunCloudApiException ex = await Fails(() => connection.Api.GetAsync("servers/1/webapps/2/domains", CancellationToken.None));
            Assert.Equal(ErrorIds.RateLimited, ex.ErrorId);
            Assert.Single(server.Requests);
            Assert.Equal(TimeSpan.FromDays(1), ex.RetryAfter);
            Assert.Contains("86400 s", ex.Message);
            Assert.Contains("until " + DateTime.Now.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ex.Message);
            Assert.Contains("(local) = " + DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ex.Message);

            // RunCloud counts every request it receives during the hold: the account's later calls fail at once, unsent.
            server.Mode = HostileMode.Normal;
            RunCloudApiException later = await Fails(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(ErrorIds.RateLimited, later.ErrorId);
            Assert.Null(later.StatusCode);
            Assert.Single(server.Requests);
            Assert.Contains("was not sent", later.Message);

            // Another account (its own limiter) is not held.
            using var other = Connect(server);
            Assert.Equal("pong", (string?)(await other.Api.GetAsync("ping", CancellationToken.None))["message"]);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task ARedirectIsNotFollowedAndItsErrorNamesTheLocation()
        {
            using var server = new HostileServer(HostileMode.Redirect);
            using var connection = Connect(server);
            RunCloudApiException ex = await Fails(() => connection.Api.GetAsync("servers/1/webapps/2/domains", CancellationToken.None));
            Assert.Equal(ErrorIds.UnexpectedResponse, ex.ErrorId);
            Assert.Contains("https://elsewhere.invalid/login", ex.Message);
            Assert.Single(server.Requests);
        }

        [Fact]
        public async Task CancellingWhileTheBodyDripsEndsTheCallAtOnce()
        {
            using var server = new HostileServer(HostileMode.Drip);
            using var connection = Connect(server, timeoutSec: 60);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Task work = connection.Api.GetAsync("servers/1/webapps/2/domains", cts.Token);
            Task first = await Task.WhenAny(work, Task.Delay(Budget));
            Assert.True(first == work, "a cancelled call kept reading the dripping body");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work);
        }
    }
}
