using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Fairness: the limiter lets waiting requests go in the order they arrived, so no request starves.</summary>
    public class LimiterOrderTests
    {
        [Fact]
        public async Task WaitersLeaveFirstInFirstOut()
        {
            var limiter = new RateLimiter(1, TimeSpan.FromMilliseconds(150));
            await limiter.WaitAsync(CancellationToken.None); // the window is now full
            var order = new List<int>();
            var waiters = new List<Task>();
            for (int i = 0; i < 6; i++)
            {
                int n = i;
                waiters.Add(limiter.WaitAsync(CancellationToken.None).ContinueWith(_ => { lock (order) order.Add(n); }, TaskScheduler.Default));
                await Task.Delay(5);
            }

            Task all = Task.WhenAll(waiters);
            Assert.True(await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20))) == all, "the waiters never all left");
            Assert.Equal(Enumerable.Range(0, 6), order);
        }

        [Fact]
        public async Task ACancelledWaiterDoesNotBlockThoseBehindIt()
        {
            var limiter = new RateLimiter(1, TimeSpan.FromMilliseconds(200));
            await limiter.WaitAsync(CancellationToken.None);
            using var cts = new CancellationTokenSource();
            Task cancelled = limiter.WaitAsync(cts.Token);
            Task behind = limiter.WaitAsync(CancellationToken.None);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            Assert.True(await Task.WhenAny(behind, Task.Delay(TimeSpan.FromSeconds(20))) == behind, "the waiter behind a cancelled one never left");
        }
    
        /// <summary>
        /// The limiter's fast path (no queue entry when nobody waits and a turn is free) must not let a newcomer overtake a
        /// waiter whose turn has come but who has not run yet: with the window full again, the newcomer waits a window more.
        /// </summary>
        [Fact]
        public async Task ANewcomerNeverOvertakesAWaiterWhoseTurnCame()
        {
            var clock = new ManualClock();
            var limiter = new RateLimiter(1, TimeSpan.FromSeconds(10), clock);
            Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompleted, "the first request of an empty window starts at once");
            Task waiter = limiter.WaitAsync(CancellationToken.None);
            clock.WaitForPendingWaits(1);
            Assert.False(waiter.IsCompleted);

            clock.Advance(TimeSpan.FromSeconds(10)); // the waiter's turn: its wait ends, it may not have run yet
            Task newcomer = limiter.WaitAsync(CancellationToken.None);
            Assert.False(newcomer.IsCompleted, "a newcomer took the fast path past a queued waiter");
            Assert.True(await Task.WhenAny(waiter, Task.Delay(TimeSpan.FromSeconds(10))) == waiter, "the waiter never left");
            clock.WaitForPendingWaits(1);
            Assert.False(newcomer.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.True(await Task.WhenAny(newcomer, Task.Delay(TimeSpan.FromSeconds(10))) == newcomer, "the newcomer never left");
        }

        [Fact]
        public void WithTheLimitOffAndNoHoldEveryWaitIsAlreadyDone()
        {
            var limiter = new RateLimiter(0, TimeSpan.FromMinutes(1), new ManualClock());
            for (int i = 0; i < 1000; i++) Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompleted);
        }
    
        /// <summary>
        /// A place is given back one window after its request ENDED, not after it started: the server counts a request
        /// when it arrives, which may be any time until the answer. Counted from the start, the next request could leave
        /// at 10 s and reach the server while it still counts the first one in its window.
        /// </summary>
        [Fact]
        public async Task APlaceComesFreeAWindowAfterItsRequestEnded()
        {
            // Only the manual clock moves time, and a wait on it ends only when the test advances it: what the limiter
            // waits for is read from the clock (its pending waits, the delays it asked for), never from wall-clock sleeps.
            var clock = new ManualClock();
            var limiter = new RateLimiter(1, TimeSpan.FromSeconds(10), clock);
            RateLimiter.Place first = await limiter.EnterAsync(CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(3)); // the first request is still in flight
            Task<RateLimiter.Place> second = limiter.EnterAsync(CancellationToken.None);
            clock.WaitForPendingWaits(1);
            clock.Advance(TimeSpan.FromSeconds(9)); // 12 s: past the first's start + window (counted from the start, the wait ended at 10 s)
            Assert.Equal(1, clock.PendingWaits);
            Assert.False(second.IsCompleted, "a place held by a request in flight was handed on");

            first.Dispose(); // the first ends at 12 s: the waiter looks again and waits a window from then
            WaitUntil(() => clock.Delays.Count >= 2 && clock.PendingWaits == 1);
            Assert.Equal(TimeSpan.FromSeconds(10), clock.Delays[1]);
            clock.Advance(TimeSpan.FromSeconds(9.9));
            Assert.Equal(1, clock.PendingWaits);
            Assert.False(second.IsCompleted, "the place came free before a window had passed since the first request ended");
            clock.Advance(TimeSpan.FromSeconds(0.1)); // 22 s = end + window
            Assert.True(await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(10))) == second, "the second request never left");
            (await second).Dispose();
        }

        /// <summary>A request that failed (its place disposed by the handler's using, exception or not) frees its place a window after it ended, not never.</summary>
        [Fact]
        public async Task AFailedRequestGivesItsPlaceBackTheSameWay()
        {
            var clock = new ManualClock();
            var limiter = new RateLimiter(1, TimeSpan.FromSeconds(10), clock);
            var handler = new RateLimitHandler(limiter) { InnerHandler = new Failing(clock) };
            using var invoker = new System.Net.Http.HttpMessageInvoker(handler);
            Task firstTry = invoker.SendAsync(new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Get, "https://rc.test/ping"), CancellationToken.None);
            clock.WaitForPendingWaits(1); // 2 s on the wire, then a reset
            clock.Advance(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => firstTry);
            Task<RateLimiter.Place> next = limiter.EnterAsync(CancellationToken.None);
            clock.WaitForPendingWaits(1);
            Assert.Equal(TimeSpan.FromSeconds(10), clock.Delays[clock.Delays.Count - 1]); // 2 s (its end) + 10 s window
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.True(await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(10))) == next, "a failed request kept its place");
            (await next).Dispose();
        }

        private sealed class Failing : System.Net.Http.HttpMessageHandler
        {
            private readonly ManualClock _clock;

            public Failing(ManualClock clock) => _clock = clock;

            protected override async Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, CancellationToken cancellationToken)
            {
                await _clock.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                throw new System.Net.Http.HttpRequestException("connection reset");
            }
        }

        /// <summary>Waits (really, up to 10 s, a hang detector) until the code under test reached a state.</summary>
        private static void WaitUntil(Func<bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the limiter never reached the expected state");
                Thread.Sleep(5);
            }
        }
    }
}
