using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using Xunit;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Client-side pacing: the sliding window, X-RateLimit-Remaining, and one limiter per connection.</summary>
    public class RateLimiterTests
    {
        private static (MockHttpMessageHandler, StartLog) Recording(Func<int, System.Net.Http.HttpResponseMessage>? answer = null)
        {
            var mock = new MockHttpMessageHandler();
            var log = new StartLog();
            int n = 0;
            mock.When("*").Respond(req =>
            {
                log.Add(req);
                int i = Interlocked.Increment(ref n);
                return answer == null ? ClientFactory.Pong() : answer(i);
            });
            return (mock, log);
        }

        /// <summary>
        /// The limiter counts a request when it lets it go; a cold first call (JIT, thread pool start-up on a loaded
        /// machine) can take long enough between limiter and transport to make the transport-side times meaningless.
        /// One request on a throw-away connection warms that path first.
        /// </summary>
        private static async Task WarmUp()
        {
            var (mock, _) = Recording();
            using var warm = ClientFactory.Create(mock, rateLimit: 5, window: TimeSpan.FromMilliseconds(500));
            await warm.Api.GetAsync("ping", CancellationToken.None);
        }

        [Fact]
        public async Task SlidingWindowPacesTheEleventhRequest()
        {
            await WarmUp();
            var (mock, log) = Recording();
            using var connection = ClientFactory.Create(mock, rateLimit: 5, window: TimeSpan.FromMilliseconds(500));
            for (int i = 0; i < 11; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            Assert.Equal(11, log.Count);
            Assert.True(log[4] - log[0] < TimeSpan.FromMilliseconds(400), "the first five should go at once");
            Assert.True(log[5] - log[0] >= TimeSpan.FromMilliseconds(480), $"6th started {(log[5] - log[0]).TotalMilliseconds} ms after the 1st");
            Assert.True(log[10] - log[0] >= TimeSpan.FromMilliseconds(980), $"11th started {(log[10] - log[0]).TotalMilliseconds} ms after the 1st");
        }

        [Fact]
        public async Task TwoConcurrentCallersShareOneLimiter()
        {
            await WarmUp();
            var (mock, log) = Recording();
            using var connection = ClientFactory.Create(mock, rateLimit: 5, window: TimeSpan.FromMilliseconds(600));
            async Task Caller()
            {
                for (int i = 0; i < 5; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            }

            await Task.WhenAll(Task.Run(Caller), Task.Run(Caller));
            Assert.Equal(10, log.Count);
            // With a limiter per caller both would finish inside one window; shared, the 6th..10th wait for the window.
            Assert.True(log[9] - log[0] >= TimeSpan.FromMilliseconds(580), $"10 requests in {(log[9] - log[0]).TotalMilliseconds} ms");
        }

        [Fact]
        public async Task LowXRateLimitRemainingSlowsTheNextRequest()
        {
            // server limit 4 per (client) window of 2 s: when 0 remain, requests are spaced 2 s / 4 = 500 ms apart
            var (mock, log) = Recording(i => ClientFactory.Json(HttpStatusCode.OK, "{}",
                ("X-RateLimit-Limit", "4"), ("X-RateLimit-Remaining", "0")));
            using var connection = ClientFactory.Create(mock, rateLimit: 1000, window: TimeSpan.FromSeconds(2));
            await connection.Api.GetAsync("ping", CancellationToken.None);
            TimeSpan firstDone = log.Now;
            await connection.Api.GetAsync("ping", CancellationToken.None);
            _ = firstDone;
            // Measured from the first request's start: the spacing is set when its answer is observed, which is after
            // that start, so this lower bound holds however loaded the machine is.
            Assert.True(log[1] - log[0] >= TimeSpan.FromMilliseconds(490), $"next request after {(log[1] - log[0]).TotalMilliseconds} ms");
            Assert.Equal(4, connection.ServerRateLimit);
            Assert.Equal(0, connection.ServerRateLimitRemaining);
        }

        [Fact]
        public async Task PlentyOfXRateLimitRemainingDoesNotSlowDown()
        {
            var (mock, log) = Recording(i => ClientFactory.Json(HttpStatusCode.OK, "{}",
                ("X-RateLimit-Limit", "4"), ("X-RateLimit-Remaining", "3")));
            using var connection = ClientFactory.Create(mock, rateLimit: 1000, window: TimeSpan.FromSeconds(2));
            for (int i = 0; i < 3; i++) await connection.Api.GetAsync("ping", CancellationToken.None);
            // Paced, the three would take at least 2 x 500 ms; unpaced they take a few ms. 900 ms leaves room for a loaded CI machine.
            Assert.True(log[2] - log[0] < TimeSpan.FromMilliseconds(900), $"three requests took {(log[2] - log[0]).TotalMilliseconds} ms");
        }

        [Fact]
        public async Task A429HoldsEveryCallerOfTheConnection()
        {
            int n = 0;
            var mock = new MockHttpMessageHandler();
            var log = new StartLog();
            mock.When("*").Respond(req =>
            {
                log.Add(req);
                return Interlocked.Increment(ref n) == 1
                    ? ClientFactory.Json((HttpStatusCode)429, "{\"message\":\"Too Many Attempts.\"}", ("Retry-After", "1"))
                    : ClientFactory.Pong();
            });
            using var connection = ClientFactory.Create(mock);
            // The first caller's verbose "retrying" line is written after the hold is set: wait for it, not for a guessed time.
            var pipelineLog = new PipelineLog(verbose: true, debug: false);
            RunCloudLog.Current = pipelineLog;
            var first = connection.Api.GetAsync("ping", CancellationToken.None);
            RunCloudLog.Current = null;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!pipelineLog.Drain().Any(m => m.Text.Contains("retrying")))
            {
                Assert.True(DateTime.UtcNow < deadline, "no 'retrying' verbose line within 10 s");
                pipelineLog.WaitForMessage(TimeSpan.FromMilliseconds(100));
            }

            await connection.Api.GetAsync("ping", CancellationToken.None);
            await first;
            Assert.Equal(3, log.Count);
            Assert.True(log[1] - log[0] >= TimeSpan.FromMilliseconds(950) && log[2] - log[0] >= TimeSpan.FromMilliseconds(950),
                "a second caller went out during the Retry-After hold");
        }

        [Fact]
        public async Task WaitIsCancellable()
        {
            var limiter = new RateLimiter(1, TimeSpan.FromSeconds(30));
            await limiter.WaitAsync(CancellationToken.None);
            using var cts = new CancellationTokenSource(100);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limiter.WaitAsync(cts.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.ElapsedMilliseconds} ms to cancel");
        }

        [Fact]
        public void RejectsBadSettings()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(-1, TimeSpan.FromSeconds(1)));
            Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(1, TimeSpan.Zero));
        }
    }
}
