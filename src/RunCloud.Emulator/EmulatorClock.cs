using System;

namespace RunCloud.Emulator
{
    /// <summary>
    /// The emulator's idea of "now" (UTC): real time plus an offset, or a frozen instant. Certificates' dates and the
    /// Let's Encrypt duplicate-certificate window follow it, so a test can move a week ahead without waiting.
    /// Thread-safe. Inject one with EmulatorOptions.Clock, or use RunCloudEmulator.Clock.
    /// </summary>
    public class EmulatorClock
    {
        private readonly object _lock = new object();
        private TimeSpan _offset;
        private DateTime? _frozen;

        /// <summary>The current emulated time (UTC).</summary>
        public virtual DateTime UtcNow
        {
            get { lock (_lock) return _frozen ?? DateTime.UtcNow + _offset; }
        }

        /// <summary>Moves the clock forward (or back, with a negative span).</summary>
        public void Advance(TimeSpan by)
        {
            lock (_lock)
            {
                if (_frozen.HasValue) _frozen = _frozen.Value + by;
                else _offset += by;
            }
        }

        /// <summary>Stops the clock at the given instant (UTC) until Resume() or another Freeze().</summary>
        public void Freeze(DateTime utc)
        {
            lock (_lock) _frozen = DateTime.SpecifyKind(utc.ToUniversalTime(), DateTimeKind.Utc);
        }

        /// <summary>Lets the clock run again from where it stands.</summary>
        public void Resume()
        {
            lock (_lock)
            {
                if (!_frozen.HasValue) return;
                _offset = _frozen.Value - DateTime.UtcNow;
                _frozen = null;
            }
        }

        /// <summary>Back to real time.</summary>
        public void Reset()
        {
            lock (_lock)
            {
                _frozen = null;
                _offset = TimeSpan.Zero;
            }
        }

        public override string ToString() => UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
    }
}
