using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Issue 13 item 3: the limiter lets waiting requests go in the order they arrived.</summary>
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
    }
}
