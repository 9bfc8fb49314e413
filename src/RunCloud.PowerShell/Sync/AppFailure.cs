using System;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One step that failed or was refused, as observed: the public <see cref="RunCloudSyncFailure"/> for results, the
    /// exception when there was one (its category and hint make the error record), and the object the error targets.
    /// </summary>
    internal sealed class AppFailure
    {
        public AppFailure(RunCloudSyncFailure failure, Exception? exception, object? target, string? hint = null)
        {
            Failure = failure;
            Exception = exception;
            Target = target;
            Hint = hint;
        }

        public RunCloudSyncFailure Failure { get; }

        public Exception? Exception { get; }

        public object? Target { get; }

        /// <summary>What to do about it, when the exception carries no hint of its own.</summary>
        public string? Hint { get; }

        public string ErrorId => Failure.ErrorId;

        public string Message => Failure.Message;

        public override string ToString() => Failure.ToString();
    }
}
