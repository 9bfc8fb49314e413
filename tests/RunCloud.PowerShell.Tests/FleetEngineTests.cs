using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Tests
{
    public class FleetEngineTests
    {
        [Fact]
        public void AccountsTakeTurnsWhateverTheManifestOrder()
        {
            string[] accounts = { "a", "a", "a", "b", "b", "c", null! };
            int[] order = FleetEngine.Interleave(accounts, x => x);
            Assert.Equal(new[] { "a", "b", "c", null, "a", "b", "a" }, order.Select(i => accounts[i]).ToArray());
        }

        [Fact]
        public async Task NoMoreThanTheThrottleLimitRunAtOnceAndResultsKeepTheirOrder()
        {
            int running = 0, peak = 0;
            var started = new ConcurrentQueue<int>();
            var threeStarted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            int[] items = Enumerable.Range(0, 12).ToArray();
            int[] results = await FleetEngine.ForEachAsync(items, 3, async (i, ct) =>
            {
                started.Enqueue(i);
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                if (started.Count >= 3) threeStarted.TrySetResult(true);
                await Task.WhenAny(threeStarted.Task, Task.Delay(5000, ct)); // the first three hold until all three run
                await Task.Delay(5, ct);
                Interlocked.Decrement(ref running);
                return i * 10;
            }, CancellationToken.None, i => (i / 4).ToString());
            Assert.Equal(items.Select(i => i * 10).ToArray(), results);
            Assert.Equal(3, peak);
            Assert.Equal(new[] { 0, 4, 8 }, started.Take(3).OrderBy(i => i).ToArray());
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
        }
    }
}
