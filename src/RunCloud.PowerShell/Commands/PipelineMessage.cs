using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>One message from another thread, written by the pipeline thread: a text, or a progress record.</summary>
    internal readonly struct PipelineMessage
    {
        public PipelineMessage(PipelineMessageKind kind, string text, ProgressRecord? progress = null)
        {
            Kind = kind;
            Text = text;
            Progress = progress;
        }

        public PipelineMessageKind Kind { get; }

        public string Text { get; }

        public ProgressRecord? Progress { get; }
    }
}
