using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// The time the rate limiter and the retry handler pace by: a monotonic reading and a cancellable wait. Production
    /// uses <see cref="Real"/> (Stopwatch and Task.Delay); tests inject a clock they move by hand, so pacing and
    /// back-off are asserted exactly instead of against wall-clock thresholds that a loaded machine breaks.
    /// Why not System.TimeProvider (Microsoft.Bcl.TimeProvider on netstandard2.0): it would be one more third-party
    /// assembly to ship and isolate for two members; this is the whole abstraction the module needs.
    /// </summary>
    internal abstract class Clock
    {
        public static readonly Clock Real = new RealClock();

        /// <summary>Monotonic time since an arbitrary origin.</summary>
        public abstract TimeSpan Elapsed { get; }

        /// <summary>Completes after <paramref name="delay"/> of this clock's time; cancelled at once by the token.</summary>
        public abstract Task Delay(TimeSpan delay, CancellationToken cancellationToken);

        /// <summary>
        /// The wall-clock time of this clock, for what a person reads (e.g. "blocked until 14:03 UTC"); pacing always uses
        /// <see cref="Elapsed"/>. A test clock moves it with <see cref="Elapsed"/>.
        /// </summary>
        public virtual DateTime UtcNow => DateTime.UtcNow;

        private sealed class RealClock : Clock
        {
            private readonly Stopwatch _watch = Stopwatch.StartNew();

            public override TimeSpan Elapsed => _watch.Elapsed;

            // Task.Delay rounds down to whole milliseconds: a wait of less than one would return at once and spin.
            public override Task Delay(TimeSpan delay, CancellationToken cancellationToken) =>
                Task.Delay(delay <= TimeSpan.Zero ? TimeSpan.Zero : delay < OneMs ? OneMs : delay, cancellationToken);

            private static readonly TimeSpan OneMs = TimeSpan.FromMilliseconds(1);
        }
    }
}
