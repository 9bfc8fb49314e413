using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using Xunit;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Which failures the RetryHandler re-sends, how long it waits, and which it must never re-send.</summary>
    public class RetryHandlerTests
    {
        /// <summary>Never answers until cancelled: stands in for a server that does not reply in time.</summary>
        private sealed class HangingHandler : HttpMessageHandler
        {
            private readonly TaskCompletionSource<bool> _entered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

            /// <summary>Completes when a request has reached the transport.</summary>
            public Task Entered => _entered.Task;

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                _entered.TrySetResult(true);
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException("unreachable");
            }
        }

        private static (MockHttpMessageHandler Mock, StartLog Log) Sequence(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) =>
            Sequence(null, answers);

        /// <summary>Like <see cref="Sequence(Func{HttpRequestMessage, HttpResponseMessage}[])"/>, timed by <paramref name="clock"/>.</summary>
        private static (MockHttpMessageHandler Mock, StartLog Log) Sequence(Clock? clock, params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
        {
            var mock = new MockHttpMessageHandler();
            var log = new StartLog(clock);
            int n = 0;
            mock.When("*").Respond(req =>
            {
                log.Add(req);
                int i = Interlocked.Increment(ref n) - 1;
                return answers[Math.Min(i, answers.Length - 1)](req);
            });
            return (mock, log);
        }

        private static HttpResponseMessage Status(int code, params (string, string)[] headers) =>
            ClientFactory.Json((HttpStatusCode)code, "{\"message\":\"status " + code + "\"}", headers);

        private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

        /// <summary>Fails the test instead of hanging it when the code under test never finishes.</summary>
        private static async Task<T> Within10s<T>(Task<T> task)
        {
            Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) == task, "did not finish within 10 s");
            return await task;
        }

        [Fact]
        public async Task Http429WithRetryAfterWaitsThatLongThenSucceeds()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Sequence(clock, _ => Status(429, ("Retry-After", "1")), _ => ClientFactory.Pong());
            using var connection = ClientFactory.Create(mock, clock: clock);
            var answer = await connection.Api.GetAsync("ping", CancellationToken.None);
            Assert.Equal("pong", (string?)answer["message"]);
            Assert.Equal(2, log.Count);
            Assert.Equal(TimeSpan.FromSeconds(1), log[1] - log[0]);
        }

        [Fact]
        public async Task Http429WithoutRetryAfterBacksOffAndRetriesEvenForPost()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Sequence(clock, _ => Status(429), _ => Status(429), _ => ClientFactory.Json(HttpStatusCode.OK, "{\"id\":1}"));
            var retry = ClientFactory.FastRetry();
            retry.BaseDelay = TimeSpan.FromMilliseconds(100);
            retry.MaxDelay = TimeSpan.FromSeconds(1);
            using var connection = ClientFactory.Create(mock, retry, clock: clock);
            await connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains", new { name = "a.example.com" }, CancellationToken.None);
            Assert.Equal(3, log.Count);
            // back-off with jitter: attempt 1 waits 50-100 ms, attempt 2 waits 100-200 ms
            Assert.InRange(log[1] - log[0], Ms(50), Ms(100));
            Assert.InRange(log[2] - log[1], Ms(100), Ms(200));
        }

        [Theory]
        [InlineData(502)]
        [InlineData(503)]
        [InlineData(504)]
        public async Task GetIsRetriedOnGatewayErrors(int status)
        {
            var (mock, log) = Sequence(_ => Status(status), _ => ClientFactory.Pong());
            using var connection = ClientFactory.Create(mock);
            await connection.Api.GetAsync("ping", CancellationToken.None);
            Assert.Equal(2, log.Count);
        }

        [Theory]
        [InlineData("POST")]
        [InlineData("PATCH")]
        public async Task PostOrPatch503IsNotResentAndMayHaveBeenApplied(string method)
        {
            var (mock, log) = Sequence(_ => Status(503), _ => ClientFactory.Json(HttpStatusCode.OK, "{\"id\":1}"));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() =>
                connection.Api.SendAsync(new HttpMethod(method), "servers/1/webapps/2/domains", new { name = "a.example.com" }, CancellationToken.None));
            Assert.Equal(1, log.Count);
            Assert.True(ex.MayHaveBeenApplied);
            Assert.Equal(ErrorIds.ServerError, ex.ErrorId);
        }

        [Fact]
        public async Task PostTimeoutIsNotResentAndMayHaveBeenApplied()
        {
            var mock = new MockHttpMessageHandler();
            var log = new StartLog();
            var hang = new HangingHandler();
            mock.When("*").With(req => { log.Add(req); return true; }).Respond(hang);
            var retry = ClientFactory.FastRetry();
            retry.Timeout = TimeSpan.FromMilliseconds(200);
            using var connection = ClientFactory.Create(mock, retry);
            var clock = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() =>
                connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains", new { name = "a.example.com" }, CancellationToken.None));
            Assert.Equal(1, log.Count);
            Assert.True(ex.MayHaveBeenApplied);
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.IsType<TimeoutException>(ex.InnerException);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
        }

        [Fact]
        public async Task PostConnectionErrorIsNotResentAndMayHaveBeenApplied()
        {
            var mock = new MockHttpMessageHandler();
            var log = new StartLog();
            mock.When("*").With(req => { log.Add(req); return true; })
                .Throw(new HttpRequestException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset)));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() =>
                connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains", new { name = "a.example.com" }, CancellationToken.None));
            Assert.Equal(1, log.Count);
            Assert.True(ex.MayHaveBeenApplied);
            Assert.Equal(ErrorCategory.ConnectionError, ex.Category);
            Assert.Contains("not sent again", ex.Message);
        }

        [Theory]
        [InlineData("PUT")]
        [InlineData("DELETE")]
        [InlineData("GET")]
        public async Task IdempotentTransportErrorIsRetried(string method)
        {
            var mock = new MockHttpMessageHandler();
            var log = new StartLog();
            int n = 0;
            mock.When("*").Respond(req =>
            {
                log.Add(req);
                if (Interlocked.Increment(ref n) == 1) throw new HttpRequestException("Connection reset by peer");
                return ClientFactory.Json(HttpStatusCode.OK, "{}");
            });
            using var connection = ClientFactory.Create(mock);
            await connection.Api.SendAsync(new HttpMethod(method), "servers/1/webapps/2/ssl/4001", null, CancellationToken.None);
            Assert.Equal(2, log.Count);
        }

        [Fact]
        public async Task RetriedRequestCarriesTheSameBodyAndAuthorization()
        {
            var mock = new MockHttpMessageHandler();
            var bodies = new System.Collections.Generic.List<string>();
            var auths = new System.Collections.Generic.List<string?>();
            int n = 0;
            mock.When("*").Respond(req =>
            {
                lock (bodies)
                {
                    bodies.Add(req.Content!.ReadAsStringAsync().GetAwaiter().GetResult());
                    auths.Add(req.Headers.Authorization?.ToString());
                }

                return Interlocked.Increment(ref n) == 1 ? Status(503) : ClientFactory.Json(HttpStatusCode.OK, "{}");
            });
            using var connection = ClientFactory.Create(mock);
            await connection.Api.SendAsync(HttpMethod.Put, "servers/1/webapps/2/ssl/4001", new { x = 1 }, CancellationToken.None);
            Assert.Equal(2, bodies.Count);
            Assert.Equal(bodies[0], bodies[1]);
            Assert.Equal("Bearer " + ClientFactory.Token, auths[1]);
        }

        [Fact]
        public async Task MaxAttemptsIsRespected()
        {
            var (mock, log) = Sequence(_ => Status(503));
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 3));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(3, log.Count);
            Assert.Equal(503, ex.StatusCode);
            Assert.Equal(ErrorIds.ServerError, ex.ErrorId);
        }

        [Fact]
        public async Task MaxAttemptsOfOneNeverRetries()
        {
            var (mock, log) = Sequence(_ => Status(503), _ => ClientFactory.Pong());
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 1));
            await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(1, log.Count);
        }

        [Fact]
        public async Task MaxRetryDurationIsRespected()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Sequence(clock, _ => Status(503));
            var retry = ClientFactory.FastRetry(maxAttempts: 20);
            retry.BaseDelay = TimeSpan.FromMilliseconds(200);
            retry.MaxDelay = TimeSpan.FromSeconds(5);
            retry.MaxRetryDuration = TimeSpan.FromMilliseconds(250);
            using var connection = ClientFactory.Create(mock, retry, clock: clock);
            await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            // wait 1 is 100-200 ms (fits in 250 ms); wait 2 is 200-400 ms after >= 100 ms spent (does not fit)
            Assert.Equal(2, log.Count);
            TimeSpan onlyWait = Assert.Single(clock.Delays);
            Assert.InRange(onlyWait, Ms(100), Ms(200));
            Assert.Equal(onlyWait, clock.Elapsed);
        }

        [Fact]
        public async Task RetryAfterLongerThanMaxRetryDurationGivesUpAtOnce()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Sequence(clock, _ => Status(429, ("Retry-After", "60")), _ => ClientFactory.Pong());
            var retry = ClientFactory.FastRetry();
            retry.MaxRetryDuration = TimeSpan.FromSeconds(5);
            using var connection = ClientFactory.Create(mock, retry, clock: clock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(ErrorIds.RateLimited, ex.ErrorId);
            Assert.Equal(TimeSpan.FromSeconds(60), ex.RetryAfter);
            Assert.Equal(1, log.Count);
            Assert.Empty(clock.Delays);
        }

        [Theory]
        [InlineData(500)]
        [InlineData(400)]
        [InlineData(404)]
        [InlineData(422)]
        public async Task OtherStatusesAreNotRetried(int status)
        {
            var (mock, log) = Sequence(_ => Status(status), _ => ClientFactory.Pong());
            using var connection = ClientFactory.Create(mock);
            await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(1, log.Count);
        }

        [Fact]
        public async Task CancellationDuringBackOffReturnsPromptly()
        {
            var clock = new ManualClock();
            var (mock, log) = Sequence(clock, _ => Status(503, ("Retry-After", "10")), _ => ClientFactory.Pong());
            using var connection = ClientFactory.Create(mock, clock: clock);
            using var cts = new CancellationTokenSource();
            var call = Task.Run(() => connection.Api.GetAsync("ping", cts.Token));
            clock.WaitForPendingWaits(1); // in the 10 s back-off, which the clock never lets pass
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within10s(call));
            Assert.Equal(TimeSpan.FromSeconds(10), Assert.Single(clock.Delays));
            Assert.Equal(TimeSpan.Zero, clock.Elapsed);
            Assert.Equal(1, log.Count);
        }

        [Fact]
        public async Task CancellationDuringARequestInFlightReturnsPromptly()
        {
            var mock = new MockHttpMessageHandler();
            var hang = new HangingHandler();
            mock.When("*").Respond(hang);
            using var connection = ClientFactory.Create(mock);
            using var cts = new CancellationTokenSource();
            var call = Task.Run(() => connection.Api.GetAsync("ping", cts.Token));
            await hang.Entered;
            cts.Cancel();
            // The request would hang for ever (the attempt timeout is 10 s): only the token can end it.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within10s(call));
        }

        [Fact]
        public void BackOffGrowsIsJitteredAndCapped()
        {
            var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(300) };
            for (int i = 0; i < 50; i++)
            {
                double a1 = policy.BackOff(1).TotalMilliseconds, a2 = policy.BackOff(2).TotalMilliseconds, a5 = policy.BackOff(5).TotalMilliseconds;
                Assert.InRange(a1, 50, 100);
                Assert.InRange(a2, 100, 200);
                Assert.InRange(a5, 150, 300);
            }

            var distinct = new System.Collections.Generic.HashSet<double>();
            for (int i = 0; i < 20; i++) distinct.Add(policy.BackOff(3).TotalMilliseconds);
            Assert.True(distinct.Count > 1, "no jitter");
        }
    }
}
