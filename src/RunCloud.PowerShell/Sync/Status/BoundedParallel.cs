using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>Runs an async body for every item with at most <c>limit</c> running at once (netstandard2.0 has no Parallel.ForEachAsync).</summary>
    internal static class BoundedParallel
    {
        public static async Task ForEachAsync<T>(IReadOnlyList<T> items, int limit, Func<T, CancellationToken, Task> body, CancellationToken ct)
        {
            if (items.Count == 0) return;
            int next = -1;
            var workers = new Task[Math.Max(1, Math.Min(limit, items.Count))];
            for (int w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(async () =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < items.Count)
                    {
                        ct.ThrowIfCancellationRequested();
                        await body(items[i], ct).ConfigureAwait(false);
                    }
                }, ct);
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
        }
    }
}
