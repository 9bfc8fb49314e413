using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using Xunit;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Client-side pacing: the sliding window, X-RateLimit-Remaining, and one limiter per connection.</summary>
    public class RateLimiterTests
    {
        private static (MockHttpMessageHandler, StartLog) Recording(Clock clock, Func<int, System.Net.Http.HttpResponseMessage>? answer = null)
        {
            var mock = new MockHttpMessageHandler();
            var log = new StartLog(clock);
            int n = 0;
            mock.When("*").Respond(req =>
            {
                log.Add(req);
                int i = Interlocked.Increment(ref n);
                return answer == null ? ClientFactory.Pong() : answer(i);
            });
            return (mock, log);
        }

        private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

        /// <summary>Fails the test instead of hanging it when the code under test never finishes.</summary>
        private static async Task Within10s(Task task)
        {
            Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) == task, "did not finish within 10 s");
            await task;
        }

        [Fact]
        public async Task SlidingWindowPacesTheEleventhRequest()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Recording(clock);
            using var connection = ClientFactory.Create(mock, rateLimit: 5, window: Ms(500), clock: clock);
            for (int i = 0; i < 11; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            Assert.Equal(11, log.Count);
            // The clock moves only by the limiter's own waits: the start times are exactly what the window allows.
            for (int i = 0; i < 5; i++) Assert.Equal(TimeSpan.Zero, log[i]);
            for (int i = 5; i < 10; i++) Assert.Equal(Ms(500), log[i]);
            Assert.Equal(Ms(1000), log[10]);
        }

        [Fact]
        public async Task TwoConcurrentCallersShareOneLimiter()
        {
            var clock = new ManualClock();
            var (mock, log) = Recording(clock);
            using var connection = ClientFactory.Create(mock, rateLimit: 5, window: Ms(600), clock: clock);
            // The window is filled first, one request after the other, so all five have ended at 0 when the callers come:
            // a request still in flight when a caller asks makes it wait "until an end or a window" and then wait again
            // for the window after that end, a second wait this test's Advance could race (it did, under load on Mono).
            for (int i = 0; i < 5; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            async Task Caller(int requests)
            {
                for (int i = 0; i < requests; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            }

            var both = Task.WhenAll(Task.Run(() => Caller(3)), Task.Run(() => Caller(2)));
            // The first caller to ask waits on the clock for the window, the other behind it: with a limiter per caller
            // both would go at once and nobody would wait.
            clock.WaitForPendingWaits(1);
            Assert.Equal(5, log.Count);
            Assert.False(both.IsCompleted);
            clock.Advance(Ms(599));
            Assert.Equal(5, log.Count);
            clock.Advance(Ms(1));
            await Within10s(both);
            Assert.Equal(10, log.Count);
            for (int i = 5; i < 10; i++) Assert.Equal(Ms(600), log[i]);
        }

        [Fact]
        public async Task LowXRateLimitRemainingSlowsTheNextRequest()
        {
            // server limit 4 per (client) window of 2 s: when 0 remain, requests are spaced 2 s / 4 = 500 ms apart
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Recording(clock, i => ClientFactory.Json(HttpStatusCode.OK, "{}",
                ("X-RateLimit-Limit", "4"), ("X-RateLimit-Remaining", "0")));
            using var connection = ClientFactory.Create(mock, rateLimit: 1000, window: TimeSpan.FromSeconds(2), clock: clock);
            await connection.Api.GetAsync("ping", CancellationToken.None);
            await connection.Api.GetAsync("ping", CancellationToken.None);
            Assert.Equal(Ms(500), log[1] - log[0]);
            Assert.Equal(4, connection.ServerRateLimit);
            Assert.Equal(0, connection.ServerRateLimitRemaining);
        }

        [Fact]
        public async Task PlentyOfXRateLimitRemainingDoesNotSlowDown()
        {
            var clock = new ManualClock { AutoAdvance = true };
            var (mock, log) = Recording(clock, i => ClientFactory.Json(HttpStatusCode.OK, "{}",
                ("X-RateLimit-Limit", "4"), ("X-RateLimit-Remaining", "3")));
            using var connection = ClientFactory.Create(mock, rateLimit: 1000, window: TimeSpan.FromSeconds(2), clock: clock);
            for (int i = 0; i < 3; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            Assert.Equal(3, log.Count);
            Assert.Empty(clock.Delays);
            Assert.Equal(TimeSpan.Zero, log[2] - log[0]);
        }

        [Fact]
        public async Task A429HoldsEveryCallerOfTheConnection()
        {
            var clock = new ManualClock();
            var (mock, log) = Recording(clock, i => i == 1
                ? ClientFactory.Json((HttpStatusCode)429, "{\"message\":\"Too Many Attempts.\"}", ("Retry-After", "1"))
                : ClientFactory.Pong());
            using var connection = ClientFactory.Create(mock, clock: clock);
            var first = Task.Run(() => connection.Api.GetAsync("ping", CancellationToken.None));
            clock.WaitForPendingWaits(1); // the first caller waits out Retry-After: 1
            var second = Task.Run(() => connection.Api.GetAsync("ping", CancellationToken.None));
            clock.WaitForPendingWaits(2); // the second caller is held by the limiter, not sent
            Assert.Equal(1, log.Count);
            clock.Advance(Ms(999));
            Assert.Equal(1, log.Count);
            clock.Advance(Ms(1));
            await Within10s(Task.WhenAll(first, second));
            Assert.Equal(3, log.Count);
            Assert.Equal(TimeSpan.FromSeconds(1), log[1]);
            Assert.Equal(TimeSpan.FromSeconds(1), log[2]);
        }

        [Fact]
        public async Task WaitIsCancellable()
        {
            var clock = new ManualClock();
            var limiter = new RateLimiter(1, TimeSpan.FromSeconds(30), clock);
            await limiter.WaitAsync(CancellationToken.None);
            using var cts = new CancellationTokenSource();
            var waiting = limiter.WaitAsync(cts.Token);
            clock.WaitForPendingWaits(1);
            Assert.False(waiting.IsCompleted);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within10s(waiting));
            Assert.Equal(TimeSpan.Zero, clock.Elapsed);
        }

        [Fact]
        public async Task TheSystemClockReallyWaits()
        {
            // The one wall-clock check left: production's clock is not a no-op. Lower bound only, so load cannot break it.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            TimeSpan before = Clock.Real.Elapsed;
            await Clock.Real.Delay(Ms(50), CancellationToken.None);
            Assert.True(Clock.Real.Elapsed - before >= Ms(45), $"{(Clock.Real.Elapsed - before).TotalMilliseconds} ms");
            Assert.True(watch.Elapsed >= Ms(45));
        }

        [Fact]
        public async Task AnAccountsSharedLimiterPacesByTheClockItWasCreatedWith()
        {
            var clock = new ManualClock();
            var uri = new Uri("https://rc.test/api/v3/");
            RateLimiter limiter = AccountRateLimiters.For(uri, "id-shared-clock", 1, TimeSpan.FromSeconds(10), clock);
            Assert.Same(limiter, AccountRateLimiters.For(uri, "id-shared-clock", 1, TimeSpan.FromSeconds(10), clock));
            Assert.NotSame(limiter, AccountRateLimiters.For(uri, "id-shared-clock", 1, TimeSpan.FromSeconds(10)));
            Assert.Same(clock, limiter.Clock);

            await Within10s(limiter.WaitAsync(CancellationToken.None));
            Task second = limiter.WaitAsync(CancellationToken.None);
            clock.WaitForPendingWaits(1);
            Assert.False(second.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(10));
            await Within10s(second);
            Assert.Equal(TimeSpan.FromSeconds(10), clock.Elapsed);
        }

        [Fact]
        public void RejectsBadSettings()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(-1, TimeSpan.FromSeconds(1)));
            Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(1, TimeSpan.Zero));
        }
    
        /// <summary>
        /// Through the handler chain: with 3 s of latency per request (the manual clock), the second request of a
        /// 1-per-10-s limit starts 10 s after the first ENDED (13 s), not 10 s after it started: at 10 s the server
        /// could still be counting the first in its window (counting from the start gave runs of 429s at window edges across a fleet).
        /// </summary>
        [Fact]
        public async Task TheWindowCountsFromWhenARequestEnded()
        {
            var clock = new ManualClock();
            var log = new StartLog(clock);
            var slow = new LatencyTransport(clock, TimeSpan.FromSeconds(3), log);
            using var connection = ClientFactory.Create(slow, rateLimit: 1, window: TimeSpan.FromSeconds(10), clock: clock);
            Task both = Task.Run(async () =>
            {
                await connection.Api.GetAsync("ping", CancellationToken.None);
                await connection.Api.GetAsync("ping", CancellationToken.None);
            });
            clock.WaitForPendingWaits(1); // the first request's 3 s on the wire
            clock.Advance(TimeSpan.FromSeconds(3));
            clock.WaitForPendingWaits(1); // the second waits for its place
            clock.Advance(TimeSpan.FromSeconds(7)); // 10 s after the first started: counted from the start, its wait ends now
            Assert.Equal(1, clock.PendingWaits); // it still waits (a wait on the manual clock ends only on Advance)
            Assert.Equal(1, log.Count);
            clock.Advance(TimeSpan.FromSeconds(3)); // 10 s after it ended
            clock.WaitForPendingWaits(1); // the second request on the wire
            Assert.Equal(2, log.Count);
            Assert.Equal(TimeSpan.FromSeconds(13), log[1]);
            clock.Advance(TimeSpan.FromSeconds(3));
            await Within10s(both);
        }

        /// <summary>Answers pong after <c>latency</c> on the manual clock, recording when each request reached it.</summary>
        private sealed class LatencyTransport : System.Net.Http.HttpMessageHandler
        {
            private readonly ManualClock _clock;
            private readonly TimeSpan _latency;
            private readonly StartLog _log;

            public LatencyTransport(ManualClock clock, TimeSpan latency, StartLog log)
            {
                _clock = clock;
                _latency = latency;
                _log = log;
            }

            protected override async Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, CancellationToken cancellationToken)
            {
                _log.Add(request);
                await _clock.Delay(_latency, cancellationToken);
                return ClientFactory.Pong();
            }
        }
    }
}
