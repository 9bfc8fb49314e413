using System.Collections.Concurrent;
using System.Threading;

namespace RunCloud.PowerShell.Client
{
    internal enum PipelineMessageKind { Verbose, Debug, Warning }

    internal readonly struct PipelineMessage
    {
        public PipelineMessage(PipelineMessageKind kind, string text) { Kind = kind; Text = text; }
        public PipelineMessageKind Kind { get; }
        public string Text { get; }
    }

    /// <summary>
    /// Messages produced off the pipeline thread (by HTTP handlers), queued for the cmdlet to write on its own
    /// thread. <see cref="Current"/> flows with the async execution context of the work a cmdlet runs.
    /// </summary>
    internal sealed class PipelineLog
    {
        private static readonly AsyncLocal<PipelineLog?> s_current = new AsyncLocal<PipelineLog?>();

        public PipelineLog(bool verbose, bool debug)
        {
            VerboseEnabled = verbose;
            DebugEnabled = debug;
        }

        public static PipelineLog? Current
        {
            get => s_current.Value;
            set => s_current.Value = value;
        }

        public bool VerboseEnabled { get; }
        public bool DebugEnabled { get; }
        public BlockingCollection<PipelineMessage> Messages { get; } = new BlockingCollection<PipelineMessage>();

        public void Verbose(string text) { if (VerboseEnabled) TryAdd(PipelineMessageKind.Verbose, text); }
        public void Debug(string text) { if (DebugEnabled) TryAdd(PipelineMessageKind.Debug, text); }
        public void Warning(string text) => TryAdd(PipelineMessageKind.Warning, text);
        public void Complete() => Messages.CompleteAdding();

        private void TryAdd(PipelineMessageKind kind, string text)
        {
            if (!Messages.IsAddingCompleted)
            {
                try { Messages.Add(new PipelineMessage(kind, text)); }
                catch (System.InvalidOperationException) { /* completed between the check and the add */ }
            }
        }
    }
}
