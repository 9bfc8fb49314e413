using System;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>One message from another thread, written by the pipeline thread: a text, a progress record, a rate-limit wait, or work to run there.</summary>
    internal readonly struct PipelineMessage
    {
        public PipelineMessage(PipelineMessageKind kind, string text, ProgressRecord? progress = null)
        {
            Kind = kind;
            Text = text;
            Progress = progress;
            Wait = TimeSpan.Zero;
        }

        public PipelineMessage(PipelineMessageKind kind, string text, TimeSpan wait)
        {
            Kind = kind;
            Text = text;
            Progress = null;
            Wait = wait;
        }

        public PipelineMessage(Action work)
        {
            Kind = PipelineMessageKind.Invoke;
            Text = string.Empty;
            Progress = null;
            Wait = TimeSpan.Zero;
            Work = work;
        }

        public PipelineMessageKind Kind { get; }

        public string Text { get; }

        /// <summary>For <see cref="PipelineMessageKind.Progress"/>: the record to write.</summary>
        public ProgressRecord? Progress { get; }

        /// <summary>For <see cref="PipelineMessageKind.RateLimitWait"/>: how long the limiter waits.</summary>
        public TimeSpan Wait { get; }

        /// <summary>For <see cref="PipelineMessageKind.Invoke"/>: what the pipeline thread runs.</summary>
        public Action? Work { get; }
    }
}
