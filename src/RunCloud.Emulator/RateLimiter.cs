using System;
using System.Collections.Generic;

namespace RunCloud.Emulator
{
    /// <summary>Fixed-window counter per credential.</summary>
    internal sealed class RateLimiter
    {
        private readonly object _lock = new object();
        private readonly Dictionary<string, Window> _windows = new Dictionary<string, Window>(StringComparer.Ordinal);
        private int _limit;
        private TimeSpan _length;

        private sealed class Window { public DateTime Start; public int Count; }

        public RateLimiter(int limit, TimeSpan length) => Set(limit, length);

        public int Limit { get { lock (_lock) return _limit; } }

        public void Set(int limit, TimeSpan length)
        {
            if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit));
            if (length <= TimeSpan.Zero) length = TimeSpan.FromMinutes(1);
            lock (_lock) { _limit = limit; _length = length; _windows.Clear(); }
        }

        /// <summary>Counts one request. Returns false when over the limit. Limit 0 = off (always true).</summary>
        public bool Hit(string key, out int limit, out int remaining, out int retryAfterSeconds)
        {
            lock (_lock)
            {
                limit = _limit; remaining = 0; retryAfterSeconds = 0;
                if (_limit == 0) return true;
                var now = DateTime.UtcNow;
                if (!_windows.TryGetValue(key, out var w) || now - w.Start >= _length)
                {
                    w = new Window { Start = now };
                    _windows[key] = w;
                }
                w.Count++;
                remaining = Math.Max(0, _limit - w.Count);
                var left = w.Start + _length - now;
                retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(left.TotalSeconds));
                return w.Count <= _limit;
            }
        }
    }
}
