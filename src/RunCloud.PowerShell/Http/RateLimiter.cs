using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Client-side pacing shared by every request to one account from this process (every connection and runspace
    /// with the same base URI, credential and limit: see Session/AccountRateLimiters).
    /// It is a sliding-window log: no more than <see cref="Limit"/> requests are started within any span of
    /// <see cref="Window"/>. Because every fixed window the server counts is such a span, a server limit equal to
    /// ours is never exceeded. It also listens to RunCloud's X-RateLimit-Remaining: when the server says fewer than
    /// a tenth of its limit are left (another client may share the key), requests are spaced evenly instead of
    /// bursting, so a long sync slows down before it earns a 429 rather than after.
    /// </summary>
    internal sealed class RateLimiter
    {
        private readonly object _gate = new object();
        private readonly Queue<long> _starts = new Queue<long>();
        private readonly Clock _clock;
        private long _notBefore;
        private Task _tail = Task.CompletedTask;

        public RateLimiter(int limit, TimeSpan window, Clock? clock = null)
        {
            _clock = clock ?? Clock.Real;
            if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit), "The rate limit cannot be negative; use 0 to turn it off.");
            if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), "The rate-limit window must be longer than zero.");
            Limit = limit;
            Window = window;
        }

        /// <summary>Requests per window; 0 turns client-side limiting off.</summary>
        public int Limit { get; }
        public TimeSpan Window { get; }
        public int? ServerLimit { get; private set; }
        public int? ServerRemaining { get; private set; }

        /// <summary>The clock this limiter paces by; the retry handler of a connection sharing it backs off by the same.</summary>
        internal Clock Clock => _clock;

        private long Now => _clock.Elapsed.Ticks;
        private static long Ticks(TimeSpan span) => span.Ticks;

        /// <summary>
        /// Waits until a request may start, then counts it. First in, first out: each caller queues behind the one
        /// before it (a chain of tasks), so a request that has waited longest leaves first. Cancellable at once; a
        /// cancelled caller hands its turn on when its predecessor's turn ends, so nobody behind it is stuck.
        /// </summary>
        public Task WaitAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                // Nobody queued and a turn free now (the usual case, and always with the limit off): no queue entry, no task.
                if (_tail.IsCompleted && TryStart(out _)) return Task.CompletedTask;
            }

            return WaitQueuedAsync(cancellationToken);
        }

        private async Task WaitQueuedAsync(CancellationToken cancellationToken)
        {
            Task previous;
            var mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                previous = _tail;
                _tail = mine.Task;
            }

            try
            {
                if (!previous.IsCompleted)
                {
                    var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    using (cancellationToken.Register(state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
                    {
                        await Task.WhenAny(previous, cancelled.Task).ConfigureAwait(false);
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                }

                await WaitTurnAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (previous.IsCompleted) mine.TrySetResult(true);
                else _ = previous.ContinueWith((_, state) => ((TaskCompletionSource<bool>)state!).TrySetResult(true), mine,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private async Task WaitTurnAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                long delayTicks;
                lock (_gate)
                {
                    if (TryStart(out delayTicks)) return;
                }

                await _clock.Delay(TimeSpan.FromTicks(delayTicks), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Under the lock: counts a request that may start now (by the window and by the server's hold) and says so;
        /// otherwise false, with how long until it may.
        /// </summary>
        private bool TryStart(out long delayTicks)
        {
            long now = Now;
            long window = Ticks(Window);
            while (_starts.Count > 0 && now - _starts.Peek() >= window)
            {
                _starts.Dequeue();
            }

            long byWindow = Limit > 0 && _starts.Count >= Limit ? _starts.Peek() + window - now : 0;
            long byServer = _notBefore - now;
            delayTicks = Math.Max(byWindow, byServer);
            if (delayTicks > 0) return false;
            if (Limit > 0) _starts.Enqueue(now);
            return true;
        }

        /// <summary>Takes RunCloud's X-RateLimit-Limit / X-RateLimit-Remaining from an answer.</summary>
        public void Observe(int? serverLimit, int? serverRemaining)
        {
            lock (_gate)
            {
                if (serverLimit.HasValue) ServerLimit = serverLimit;
                if (serverRemaining.HasValue) ServerRemaining = serverRemaining;
                if (ServerLimit is int limit && limit > 0 && serverRemaining is int remaining && remaining * 10 <= limit)
                {
                    // Few left in the server's window: spread what remains instead of bursting into a 429.
                    long spacing = Ticks(Window) / limit;
                    _notBefore = Math.Max(_notBefore, Now + spacing);
                }
            }
        }

        /// <summary>After a 429, nothing leaves before the server's Retry-After has passed, in any runspace.</summary>
        public void Hold(TimeSpan delay)
        {
            lock (_gate)
            {
                _notBefore = Math.Max(_notBefore, Now + Ticks(delay));
            }
        }
    }
}
