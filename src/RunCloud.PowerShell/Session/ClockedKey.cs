using System;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// The key of a process-wide registry (<see cref="AccountRateLimiters"/>, <see cref="AccountUsageMeters"/>): a clock,
    /// compared by reference (production has one, Clock.Real; a test's own clock never meets it), and two ordinal strings.
    /// A class rather than a value tuple: a dictionary keyed by a reference type runs the framework's shared, precompiled
    /// code, where a tuple key has the JIT compile the dictionary for it on the first connect of every scheduled run.
    /// </summary>
    internal sealed class ClockedKey : IEquatable<ClockedKey>
    {
        private readonly Clock _clock;
        private readonly string _first;
        private readonly string _second;

        public ClockedKey(Clock clock, string first, string second = "")
        {
            _clock = clock ?? throw new ArgumentNullException(nameof(clock));
            _first = first ?? throw new ArgumentNullException(nameof(first));
            _second = second ?? throw new ArgumentNullException(nameof(second));
        }

        public bool Equals(ClockedKey? other) =>
            other != null && ReferenceEquals(_clock, other._clock)
            && string.Equals(_first, other._first, StringComparison.Ordinal)
            && string.Equals(_second, other._second, StringComparison.Ordinal);

        public override bool Equals(object? obj) => Equals(obj as ClockedKey);

        public override int GetHashCode()
        {
            unchecked
            {
                int h = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_clock);
                h = (h * 397) ^ StringComparer.Ordinal.GetHashCode(_first);
                return (h * 397) ^ StringComparer.Ordinal.GetHashCode(_second);
            }
        }
    }
}
