using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Runs many targets side by side: up to ThrottleLimit at once, accounts taking turns. Within one target every call
    /// is sequential (RunCloud rewrites the app's web server configuration on each change); targets of one account share
    /// that account's connection, so its rate limiter and retry budget; other accounts proceed independently. What runs
    /// per target is <see cref="AppSyncEngine"/>'s prepare or apply: this class only schedules it.
    /// </summary>
    internal static class FleetEngine
    {
        /// <summary>
        /// The order targets start in: round-robin over accounts (first target of each account, then the second, ...), so a
        /// manifest listed account by account still keeps every account busy instead of queueing B behind A's rate limit.
        /// </summary>
        internal static int[] Interleave<T>(IReadOnlyList<T> items, Func<T, string?> account)
        {
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var firstSeen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var keyed = new List<(int Rank, int Account, int Index)>(items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                string key = account(items[i]) ?? string.Empty;
                seen.TryGetValue(key, out int rank);
                seen[key] = rank + 1;
                if (!firstSeen.ContainsKey(key)) firstSeen[key] = firstSeen.Count;
                keyed.Add((rank, firstSeen[key], i));
            }

            return keyed.OrderBy(k => k.Rank).ThenBy(k => k.Account).Select(k => k.Index).ToArray();
        }

        /// <summary>
        /// Runs <paramref name="work"/> for every item, at most <paramref name="throttleLimit"/> at once, accounts taking turns
        /// (<see cref="Interleave{T}"/>); results keep the items' order.
        /// </summary>
        internal static async Task<TOut[]> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> items, int throttleLimit, Func<TIn, CancellationToken, Task<TOut>> work,
            CancellationToken ct, Func<TIn, string?>? account = null)
        {
            var results = new TOut[items.Count];
            using var gate = new SemaphoreSlim(Math.Max(1, throttleLimit));
            var tasks = new List<Task>(items.Count);
            int[] order = account == null ? Enumerable.Range(0, items.Count).ToArray() : Interleave(items, account);
            foreach (int i in order)
            {
                int index = i;
                await gate.WaitAsync(ct).ConfigureAwait(false);
                tasks.Add(Task.Run(async () =>
                {
                    try { results[index] = await work(items[index], ct).ConfigureAwait(false); }
                    finally { gate.Release(); }
                }, ct));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            return results;
        }
    }
}
