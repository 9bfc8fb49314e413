using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using RunCloud.PowerShell.Http;


namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Messages produced off the pipeline thread (by HTTP handlers), queued for the cmdlet to write on its own
    /// thread. It is set as <see cref="RunCloudLog.Current"/>, which flows with the async execution context of the work a cmdlet runs.
    /// One event wakes the pipeline thread, for a new message or for the end of the work: the fewest thread
    /// wake-ups per request, which is most of a cmdlet's cost over a raw HttpClient call.
    /// </summary>
    internal sealed class PipelineLog : IRunCloudLog, IDisposable
    {
        private readonly ConcurrentQueue<PipelineMessage> _messages = new ConcurrentQueue<PipelineMessage>();
        private readonly ManualResetEventSlim _signal = new ManualResetEventSlim(false);

        public PipelineLog(bool verbose, bool debug)
        {
            VerboseEnabled = verbose;
            DebugEnabled = debug;
        }

        public bool VerboseEnabled { get; }
        public bool DebugEnabled { get; }

        public void Verbose(string text) { if (VerboseEnabled) Add(PipelineMessageKind.Verbose, text); }
        public void Debug(string text) { if (DebugEnabled) Add(PipelineMessageKind.Debug, text); }

        /// <summary>A warning from the apply engine (its host); the pipeline thread's preference decides whether it shows.</summary>
        public void Warning(string text) => Add(PipelineMessageKind.Warning, text);

        public void Progress(ProgressRecord record)
        {
            _messages.Enqueue(new PipelineMessage(PipelineMessageKind.Progress, record.StatusDescription, record));
            _signal.Set();
        }

        /// <summary>Queued whatever the preferences: the progress bar shows it even without -Verbose.</summary>
        public void RateLimitWait(TimeSpan wait, string reason)
        {
            _messages.Enqueue(new PipelineMessage(PipelineMessageKind.RateLimitWait, reason, wait));
            _signal.Set();
        }

        /// <summary>Queues <paramref name="work"/> for the pipeline thread, in order with the messages around it.</summary>
        public void Invoke(Action work)
        {
            _messages.Enqueue(new PipelineMessage(work));
            _signal.Set();
        }

        /// <summary>Wakes the pipeline thread (the work has ended).</summary>
        public void Signal() => _signal.Set();

        /// <summary>
        /// Runs on the pipeline thread until <paramref name="isDone"/> is true, handing every queued message to
        /// <paramref name="emit"/> as it arrives, and once more after the end so none is lost.
        /// </summary>
        /// <remarks>
        /// Stopping (<paramref name="cancellationToken"/>) ends the pump at once with an
        /// <see cref="OperationCanceledException"/>, whether or not the work has noticed yet: Ctrl+C never waits for it.
        /// </remarks>
        /// <param name="tick">Called on the pipeline thread after each look at the queue; while it answers true (a wait is
        /// being shown, e.g. the rate limit's countdown) the pump looks again every <see cref="TickInterval"/> even when no
        /// message arrives.</param>
        public void Pump(Func<bool> isDone, Action<PipelineMessage> emit, CancellationToken cancellationToken = default, Func<bool>? tick = null)
        {
            while (true)
            {
                _signal.Reset(); // before looking: a Set from now on is seen by the Wait below
                while (_messages.TryDequeue(out PipelineMessage message))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    emit(message);
                }

                if (isDone())
                {
                    while (_messages.TryDequeue(out PipelineMessage message)) emit(message);
                    return;
                }

                if (tick != null && tick()) _signal.Wait(TickInterval, cancellationToken);
                else _signal.Wait(cancellationToken);
            }
        }

        /// <summary>How often a shown wait (the progress bar's countdown) is brought up to date.</summary>
        internal static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(500);

        /// <summary>Takes every queued message (tests read the log this way).</summary>
        internal System.Collections.Generic.List<PipelineMessage> Drain()
        {
            var taken = new System.Collections.Generic.List<PipelineMessage>();
            while (_messages.TryDequeue(out PipelineMessage message)) taken.Add(message);
            return taken;
        }

        /// <summary>Waits until a message arrives or the timeout passes; false on timeout.</summary>
        internal bool WaitForMessage(TimeSpan timeout) => !_messages.IsEmpty || _signal.Wait(timeout);

        private void Add(PipelineMessageKind kind, string text)
        {
            _messages.Enqueue(new PipelineMessage(kind, text));
            _signal.Set();
        }

        public void Dispose() => _signal.Dispose();
    }
}
