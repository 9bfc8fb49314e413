using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Client-side pacing shared by every request to one account from this process (every connection and runspace
    /// with the same base URI, credential and limit: see Session/AccountRateLimiters).
    /// It is a sliding-window log of <see cref="Limit"/> places per <see cref="Window"/>: a request takes a place when it
    /// starts and gives it back one window after it ENDED (its answer read, or its failure). The server counts a request
    /// when it arrives, somewhere between the two; counting from the end means that at any moment every request the
    /// server may still hold in any window of its own is among the places taken, so a server limit equal to ours is never
    /// exceeded, whatever the latency (counting from the start, as before, let a burst started at a window's edge arrive
    /// while the server still counted the previous one: a run of 429s). It also listens to RunCloud's
    /// X-RateLimit-Remaining: when the server says fewer than a tenth of its limit are left (another client may share
    /// the key), requests are spaced evenly instead of bursting, so a long sync slows down before it earns a 429.
    /// </summary>
    internal sealed class RateLimiter
    {
        private readonly object _gate = new object();
        /// <summary>The places taken: requests in flight (<see cref="Place.InFlight"/>) and those that ended less than a window ago.</summary>
        private readonly List<Place> _places = new List<Place>();
        private readonly List<long> _ends = new List<long>();
        private TaskCompletionSource<bool> _ended = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private static readonly Task<Place> s_free = Task.FromResult(Place.Untracked);
        private readonly Clock _clock;
        private long _notBefore;
        private Task _tail = Task.CompletedTask;

        // The last hold RunCloud asked for with Retry-After: until when (clock ticks, and wall-clock UTC for people), and how long it asked.
        private long _retryAfterUntil = long.MinValue;
        private DateTime _retryAfterUntilUtc;
        private TimeSpan _retryAfterGiven;

        /// <summary>Waits at least this long are reported to the caller's log (-Verbose, the progress bar); shorter ones pass unnoticed.</summary>
        public static readonly TimeSpan ReportedWait = TimeSpan.FromSeconds(1);

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
        /// Waits until a request may start and takes a place for it; dispose the place when the request ended (answer
        /// read or failed). First in, first out: each caller queues behind the one before it (a chain of tasks), so a
        /// request that has waited longest leaves first. Cancellable at once; a cancelled caller hands its turn on when
        /// its predecessor's turn ends, so nobody behind it is stuck.
        /// </summary>
        /// <param name="maxHold">How long this caller may wait out a hold RunCloud asked for with Retry-After (its retry
        /// budget): a hold that lasts longer fails the call at once with <see cref="RateLimitBlockedException"/>, nothing
        /// sent; null waits it out.</param>
        public Task<Place> EnterAsync(CancellationToken cancellationToken, TimeSpan? maxHold = null)
        {
            lock (_gate)
            {
                if (BlockedLocked(maxHold) is RateLimitBlockedException blocked) return Task.FromException<Place>(blocked);

                // Nobody queued and a place free now (the usual case, and always with the limit off): no queue entry.
                if (_tail.IsCompleted && TryStart(out Place? place, out _, out _))
                {
                    return ReferenceEquals(place, Place.Untracked) ? s_free : Task.FromResult(place!);
                }
            }

            return EnterQueuedAsync(cancellationToken, maxHold);
        }

        /// <summary>
        /// Under the lock: the refusal for a caller that may wait at most <paramref name="maxHold"/> while RunCloud's
        /// Retry-After holds this account longer than that; null when it may go on (and wait, if it must).
        /// </summary>
        private RateLimitBlockedException? BlockedLocked(TimeSpan? maxHold)
        {
            if (!maxHold.HasValue || _retryAfterUntil == long.MinValue) return null;
            long remaining = _retryAfterUntil - Now;
            if (remaining <= 0 || remaining <= Ticks(maxHold.Value)) return null;
            return new RateLimitBlockedException(_retryAfterUntilUtc, TimeSpan.FromTicks(remaining), _retryAfterGiven, maxHold.Value);
        }

        /// <summary>Waits for a place and gives it back at once, as for a request that ended as it started.</summary>
        public Task WaitAsync(CancellationToken cancellationToken)
        {
            Task<Place> entering = EnterAsync(cancellationToken);
            if (entering.Status == TaskStatus.RanToCompletion)
            {
                entering.Result.Dispose();
                return Task.CompletedTask;
            }

            return GiveBackAsync(entering);
        }

        private static async Task GiveBackAsync(Task<Place> entering) => (await entering.ConfigureAwait(false)).Dispose();

        private async Task<Place> EnterQueuedAsync(CancellationToken cancellationToken, TimeSpan? maxHold)
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

                return await WaitTurnAsync(cancellationToken, maxHold).ConfigureAwait(false);
            }
            finally
            {
                if (previous.IsCompleted) mine.TrySetResult(true);
                else _ = previous.ContinueWith((_, state) => ((TaskCompletionSource<bool>)state!).TrySetResult(true), mine,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private async Task<Place> WaitTurnAsync(CancellationToken cancellationToken, TimeSpan? maxHold)
        {
            while (true)
            {
                long delayTicks;
                bool untilAnEnd;
                Task ended;
                string? reason = null;
                lock (_gate)
                {
                    // A Retry-After that arrived while this caller queued holds it too: past its budget it fails now.
                    if (BlockedLocked(maxHold) is RateLimitBlockedException blocked) throw blocked;
                    if (TryStart(out Place? place, out delayTicks, out untilAnEnd)) return place!;
                    ended = _ended.Task;
                    if (!untilAnEnd && delayTicks >= Ticks(ReportedWait)) reason = WaitReasonLocked(delayTicks);
                }

                if (!untilAnEnd)
                {
                    // Said once per wait, so -Verbose and the progress bar show why a long run pauses.
                    if (reason != null) RunCloudLog.Current?.RateLimitWait(TimeSpan.FromTicks(delayTicks), reason);
                    await _clock.Delay(TimeSpan.FromTicks(delayTicks), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Every place is held by a request still in flight: whichever comes first, one of them ending or the
                // longest it could take to matter (the server's hold, or a window), then look again.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task delay = _clock.Delay(TimeSpan.FromTicks(Math.Max(delayTicks, 1)), wait.Token);
                await Task.WhenAny(delay, ended).ConfigureAwait(false);
                wait.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        /// <summary>
        /// Under the lock: takes a place for a request that may start now (by the window and by the server's hold) and
        /// says so; otherwise false, with how long until it may, and whether that waits for a request in flight to end.
        /// </summary>
        private bool TryStart(out Place? place, out long delayTicks, out bool untilAnEnd)
        {
            place = null;
            untilAnEnd = false;
            long now = Now;
            long window = Ticks(Window);
            long byServer = _notBefore - now;
            long byWindow = 0;
            if (Limit > 0)
            {
                _places.RemoveAll(p => p.End != Place.InFlight && now - p.End >= window);
                if (_places.Count >= Limit)
                {
                    // (Count - Limit + 1) places must come free; one that ended frees a window after its end.
                    int needed = _places.Count - Limit + 1;
                    _ends.Clear();
                    foreach (Place p in _places) if (p.End != Place.InFlight) _ends.Add(p.End);
                    if (_ends.Count >= needed)
                    {
                        _ends.Sort();
                        byWindow = _ends[needed - 1] + window - now;
                    }
                    else
                    {
                        untilAnEnd = true;
                        byWindow = window;
                    }
                }
            }

            delayTicks = Math.Max(byWindow, byServer);
            if (delayTicks > 0 || untilAnEnd) return false;
            place = Limit > 0 ? new Place(this) : Place.Untracked;
            if (Limit > 0) _places.Add(place);
            return true;
        }

        private void End(Place place)
        {
            TaskCompletionSource<bool> ended;
            lock (_gate)
            {
                if (place.End != Place.InFlight) return;
                place.End = Now;
                ended = _ended;
                _ended = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            ended.TrySetResult(true);
        }

        /// <summary>A request's place in the window: taken when it starts, given back (Dispose) when it ended.</summary>
        internal sealed class Place : IDisposable
        {
            public const long InFlight = long.MaxValue;
            public static readonly Place Untracked = new Place(null) { End = long.MinValue };
            private readonly RateLimiter? _owner;

            public Place(RateLimiter? owner) => _owner = owner;

            /// <summary>When the request ended (clock ticks), or <see cref="InFlight"/>.</summary>
            public long End { get; set; } = InFlight;

            public void Dispose() => _owner?.End(this);
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

        /// <summary>
        /// After a 429, nothing leaves before the server's Retry-After has passed, in any runspace. A caller whose retry
        /// budget is shorter than what is left of the hold fails at once instead of waiting (<see cref="EnterAsync"/>),
        /// so a day's Retry-After stops the account's calls in this process without sending any of them.
        /// </summary>
        public void Hold(TimeSpan delay)
        {
            lock (_gate)
            {
                long until = Now + Ticks(delay);
                _notBefore = Math.Max(_notBefore, until);
                if (until > _retryAfterUntil)
                {
                    _retryAfterUntil = until;
                    _retryAfterUntilUtc = _clock.UtcNow + delay;
                    _retryAfterGiven = delay;
                }
            }
        }

        /// <summary>Why a wait of <paramref name="delayTicks"/> is needed, for a person (under the lock).</summary>
        private string WaitReasonLocked(long delayTicks)
        {
            long now = Now;
            if (_notBefore - now >= delayTicks && _retryAfterUntil >= _notBefore)
            {
                return string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    "RunCloud asked this account to wait (Retry-After {0:0.###} s), until {1:HH:mm:ss} UTC", _retryAfterGiven.TotalSeconds, _retryAfterUntilUtc);
            }

            if (_notBefore - now >= delayTicks)
            {
                return string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    "RunCloud says few requests are left in its window (X-RateLimit-Remaining {0} of {1}): spacing them out", ServerRemaining, ServerLimit);
            }

            return string.Format(System.Globalization.CultureInfo.InvariantCulture,
                "{0} requests per {1:0.###} s for this account, shared by every connection to it in this process; Connect-RunCloud -RateLimit, -RateLimitWindow",
                Limit, Window.TotalSeconds);
        }
    }
}
