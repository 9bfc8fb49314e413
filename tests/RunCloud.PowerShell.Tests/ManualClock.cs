using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A clock that moves only when the test says so (<see cref="Advance"/>), or, with <see cref="AutoAdvance"/>, by
    /// exactly each wait as it is asked for (sequential flows: every wait completes at once, and the clock reads as if
    /// it had been waited out). Waits complete in due order; cancellation completes them at once.
    /// </summary>
    internal sealed class ManualClock : Clock
    {
        private readonly object _gate = new object();
        private readonly List<Waiter> _waiters = new List<Waiter>();
        private TimeSpan _now;

        public bool AutoAdvance { get; set; }

        public override TimeSpan Elapsed { get { lock (_gate) return _now; } }

        /// <summary>The wall-clock time this clock stands for: <see cref="Origin"/> plus what it has moved.</summary>
        public DateTime Origin { get; set; } = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        public override DateTime UtcNow => Origin + Elapsed;

        /// <summary>Every wait asked for, in order: what the code under test decided to wait.</summary>
        public List<TimeSpan> Delays { get; } = new List<TimeSpan>();

        public int PendingWaits { get { lock (_gate) return _waiters.Count; } }

        public override Task Delay(TimeSpan delay, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                Delays.Add(delay);
                if (AutoAdvance)
                {
                    if (delay > TimeSpan.Zero) _now += delay;
                    return Task.CompletedTask;
                }

                if (delay <= TimeSpan.Zero) return Task.CompletedTask;
                var waiter = new Waiter(_now + delay);
                _waiters.Add(waiter);
                if (cancellationToken.CanBeCanceled)
                {
                    waiter.Registration = cancellationToken.Register(() =>
                    {
                        lock (_gate) _waiters.Remove(waiter);
                        waiter.Done.TrySetCanceled(cancellationToken);
                    });
                }

                return waiter.Done.Task;
            }
        }

        /// <summary>Moves the clock and completes every wait that is due.</summary>
        public void Advance(TimeSpan by)
        {
            List<Waiter> due;
            lock (_gate)
            {
                _now += by;
                due = _waiters.Where(w => w.Due <= _now).OrderBy(w => w.Due).ToList();
                foreach (var w in due) _waiters.Remove(w);
            }

            foreach (var w in due)
            {
                w.Registration.Dispose();
                w.Done.TrySetResult(true);
            }
        }

        /// <summary>Blocks (really, up to 10 s) until the code under test is waiting <paramref name="count"/> times on this clock.</summary>
        public void WaitForPendingWaits(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (PendingWaits < count)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} pending waits on the clock, saw {PendingWaits}");
                Thread.Sleep(5);
            }
        }

        private sealed class Waiter
        {
            public Waiter(TimeSpan due) => Due = due;
            public TimeSpan Due { get; }
            public TaskCompletionSource<bool> Done { get; } = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            public CancellationTokenRegistration Registration { get; set; }
        }
    }
}
